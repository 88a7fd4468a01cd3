package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// AttemptRecord is the outcome of one delivery attempt, to store.
type AttemptRecord struct {
	Attempt docparse.Attempt
	// DeliveryID is empty for a test send (no delivery row). Round is the
	// delivery's round the attempt belongs to: a record of an older round
	// than the row's is kept in the log but changes nothing else.
	DeliveryID string
	Round      int
	// State is the delivery's state after the attempt; NextAttemptAt is set
	// when it stays pending.
	State          string
	FirstAttemptAt time.Time
	// Success and Failure update the endpoint's health; Disable turns the
	// endpoint off with DisableReason (410 Gone).
	Success       bool
	Disable       bool
	DisableReason string
	// NoHealth leaves the endpoint's health alone (test sends, skipped
	// deliveries to a disabled endpoint).
	NoHealth bool
}

// DisableAfter is how long an endpoint may fail every delivery before it
// is disabled.
const DisableAfter = 72 * time.Hour

// RecordAttempts stores attempts, their deliveries' new states and the
// endpoints' health in one transaction (group commit: the dispatcher hands
// over many at once). An endpoint that has failed every delivery for
// DisableAfter is disabled.
func (db *DB) RecordAttempts(ctx context.Context, recs []AttemptRecord) error {
	var b execBatch
	err := func() error {
		for _, r := range recs {
			a := r.Attempt
			reqH, err := json.Marshal(a.RequestHeaders)
			if err != nil {
				return fmt.Errorf("encode request headers: %w", err)
			}
			var respH sql.NullString
			if a.ResponseHeaders != nil {
				b, err := json.Marshal(a.ResponseHeaders)
				if err != nil {
					return fmt.Errorf("encode response headers: %w", err)
				}
				respH = sql.NullString{String: string(b), Valid: true}
			}
			var status sql.NullInt64
			if a.StatusCode != nil {
				status = sql.NullInt64{Int64: int64(*a.StatusCode), Valid: true}
			}
			var reqBody sql.NullString
			if a.RequestBody != nil {
				reqBody = sql.NullString{String: string(a.RequestBody), Valid: true}
			}
			if err := b.add(`INSERT INTO delivery_attempts (id, account_id, endpoint_id, event_id, event_type,
				attempt_number, status_code, latency_ms, request_headers, request_body, response_headers, response_body, error,
				created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
				a.ID, a.AccountID, a.EndpointID, a.EventID, a.EventType, a.AttemptNumber, status, a.LatencyMS, string(reqH), reqBody,
				respH, nullString(a.ResponseBody), nullString(a.Error), micros(a.CreatedAt), nullMicros(a.NextAttemptAt)); err != nil {
				return fmt.Errorf("insert attempt: %w", err)
			}
			if r.DeliveryID != "" {
				next := a.CreatedAt
				if a.NextAttemptAt != nil {
					next = *a.NextAttemptAt
				}
				if err := b.add(`UPDATE deliveries SET state = $1, attempts = $2, first_attempt_at = COALESCE(first_attempt_at, $3),
					next_attempt_at = $4, lease_until = NULL, last_status = $5, last_error = $6, updated_at = $7 WHERE id = $8 AND round = $9`,
					r.State, a.AttemptNumber, micros(r.FirstAttemptAt), micros(next), status, nullString(a.Error), micros(a.CreatedAt),
					r.DeliveryID, r.Round); err != nil {
					return fmt.Errorf("update delivery: %w", err)
				}
			}
			now := micros(a.CreatedAt)
			switch {
			case r.NoHealth:
			case r.Disable:
				if err := b.add(`UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $1, updated_at = $2
					WHERE id = $3`, r.DisableReason, now, a.EndpointID); err != nil {
					return fmt.Errorf("disable endpoint: %w", err)
				}
			case r.Success:
				if err := b.add(`UPDATE webhook_endpoints SET last_success_at = $1, failing_since = NULL
					WHERE id = $2`, now, a.EndpointID); err != nil {
					return fmt.Errorf("update endpoint health: %w", err)
				}
			default:
				if err := b.add(`UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $1) WHERE id = $2`,
					now, a.EndpointID); err != nil {
					return fmt.Errorf("update endpoint health: %w", err)
				}
				if err := b.add(`UPDATE webhook_endpoints SET enabled = FALSE,
					disabled_reason = 'every delivery failed for 3 days', updated_at = $1
					WHERE id = $2 AND enabled = TRUE AND failing_since < $3`, now, a.EndpointID, micros(a.CreatedAt.Add(-DisableAfter))); err != nil {
					return fmt.Errorf("disable failing endpoint: %w", err)
				}
			}
		}
		return nil
	}()
	if err != nil {
		return err
	}
	return db.runBatch(ctx, b)
}

// ListAttempts returns the endpoint's last limit attempts, newest first,
// each with the body it sent.
func (db *DB) ListAttempts(ctx context.Context, accountID, endpointID string, limit int) ([]docparse.Attempt, error) {
	rows, err := db.read().QueryContext(ctx, `SELECT a.id, a.account_id, a.endpoint_id, a.event_id, a.event_type, a.attempt_number,
		a.status_code, a.latency_ms, a.request_headers, COALESCE(a.request_body, e.payload), a.response_headers, a.response_body,
		a.error, a.created_at, a.next_attempt_at
		FROM delivery_attempts a LEFT JOIN events e ON e.id = a.event_id
		WHERE a.endpoint_id = $1 AND a.account_id = $2 ORDER BY a.id DESC LIMIT $3`, endpointID, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	out, _, err := collect(rows, Page{Limit: limit}, func(row interface{ Scan(...any) error }) (docparse.Attempt, error) {
		var a docparse.Attempt
		var status sql.NullInt64
		var reqH string
		var reqBody, respH, respBody, errStr sql.NullString
		var created int64
		var next sql.NullInt64
		if err := row.Scan(&a.ID, &a.AccountID, &a.EndpointID, &a.EventID, &a.EventType, &a.AttemptNumber, &status, &a.LatencyMS,
			&reqH, &reqBody, &respH, &respBody, &errStr, &created, &next); err != nil {
			return a, err
		}
		if status.Valid {
			s := int(status.Int64)
			a.StatusCode = &s
		}
		if err := json.Unmarshal([]byte(reqH), &a.RequestHeaders); err != nil {
			return a, fmt.Errorf("decode request headers: %w", err)
		}
		if respH.Valid {
			if err := json.Unmarshal([]byte(respH.String), &a.ResponseHeaders); err != nil {
				return a, fmt.Errorf("decode response headers: %w", err)
			}
		}
		if reqBody.Valid {
			a.RequestBody = []byte(reqBody.String)
		}
		a.ResponseBody, a.Error = respBody.String, errStr.String
		a.CreatedAt, a.NextAttemptAt = fromMicros(created), nullTime(next)
		return a, nil
	})
	return out, err
}

// PurgeEvents deletes events, deliveries and attempts older than before
// (the feed keeps 30 days).
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`DELETE FROM deliveries WHERE event_id IN (SELECT id FROM events WHERE created_at < $1)`,
			`DELETE FROM events WHERE created_at < $1`,
			`DELETE FROM delivery_attempts WHERE created_at < $1`,
		} {
			if _, err := tx.x.ExecContext(ctx, q, micros(before)); err != nil {
				return fmt.Errorf("purge events: %w", err)
			}
		}
		return nil
	})
}

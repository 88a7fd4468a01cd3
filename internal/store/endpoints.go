package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/secretbox"
)

// MaxEndpoints is the most webhook endpoints an account may hold.
const MaxEndpoints = 10

const endpointCols = `id, account_id, url, description, event_types, enabled, disabled_reason, secret, prev_secret,
	prev_secret_expires_at, last_success_at, failing_since, created_at, updated_at`

// endpointScanner returns the scanner of endpointCols that opens the
// sealed secrets with box.
func endpointScanner(box *secretbox.Box) func(row interface{ Scan(...any) error }) (docparse.Endpoint, error) {
	return func(row interface{ Scan(...any) error }) (docparse.Endpoint, error) {
		e, err := scanEndpoint(row)
		if err != nil {
			return e, err
		}
		return e, openEndpointSecrets(box, &e)
	}
}

// scanEndpoint scans endpointCols, the secrets still sealed.
func scanEndpoint(row interface{ Scan(...any) error }) (docparse.Endpoint, error) {
	var e docparse.Endpoint
	var types string
	var reason, prev sql.NullString
	var prevExp, lastOK, failing sql.NullInt64
	var created, updated int64
	if err := row.Scan(&e.ID, &e.AccountID, &e.URL, &e.Description, &types, &e.Enabled, &reason, &e.Secret, &prev,
		&prevExp, &lastOK, &failing, &created, &updated); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(types), &e.EventTypes); err != nil {
		return e, fmt.Errorf("decode event types of %s: %w", e.ID, err)
	}
	e.DisabledReason, e.PrevSecret = reason.String, prev.String
	e.PrevSecretExpiresAt, e.LastSuccessAt, e.FailingSince = nullTime(prevExp), nullTime(lastOK), nullTime(failing)
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return e, nil
}

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// endpointArgs returns the values of endpointCols for e, its secrets sealed
// with box.
func endpointArgs(box *secretbox.Box, e docparse.Endpoint) ([]any, error) {
	if err := sealEndpointSecrets(box, &e); err != nil {
		return nil, err
	}
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	b, err := json.Marshal(types)
	if err != nil {
		return nil, fmt.Errorf("encode event types: %w", err)
	}
	return []any{e.ID, e.AccountID, e.URL, e.Description, string(b), e.Enabled, nullString(e.DisabledReason), e.Secret,
		nullString(e.PrevSecret), nullMicros(e.PrevSecretExpiresAt), nullMicros(e.LastSuccessAt), nullMicros(e.FailingSince),
		micros(e.CreatedAt), micros(e.UpdatedAt)}, nil
}

// InsertEndpoint stores a new endpoint, refusing with ErrLimit past
// MaxEndpoints.
func (tx *Tx) InsertEndpoint(ctx context.Context, e docparse.Endpoint) error {
	var n int
	if err := tx.x.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_endpoints WHERE account_id = $1`, e.AccountID).Scan(&n); err != nil {
		return fmt.Errorf("count endpoints: %w", err)
	}
	if n >= MaxEndpoints {
		return &docparse.LimitError{What: "webhook endpoints", Max: MaxEndpoints, Remedy: "delete one"}
	}
	args, err := endpointArgs(tx.box, e)
	if err != nil {
		return err
	}
	if _, err := tx.x.ExecContext(ctx, `INSERT INTO webhook_endpoints (`+endpointCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, args...); err != nil {
		return fmt.Errorf("insert endpoint: %w", err)
	}
	return nil
}

// UpdateEndpoint stores every column of e.
func (tx *Tx) UpdateEndpoint(ctx context.Context, e docparse.Endpoint) error {
	args, err := endpointArgs(tx.box, e)
	if err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, enabled = $6,
		disabled_reason = $7, secret = $8, prev_secret = $9, prev_secret_expires_at = $10, last_success_at = $11,
		failing_since = $12, created_at = $13, updated_at = $14 WHERE id = $1 AND account_id = $2`, args...)
	return affectedErr(res, err, "webhook endpoint", e.ID, "update endpoint")
}

// Endpoint returns the account's endpoint id.
func (c conn) Endpoint(ctx context.Context, accountID, id string) (docparse.Endpoint, error) {
	e, err := endpointScanner(c.box)(c.x.QueryRowContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = $1 AND account_id = $2`, id, accountID))
	return e, rowErr(err, "webhook endpoint", id, "select endpoint")
}

// ListEndpoints lists the account's endpoints, newest first.
func (db *DB) ListEndpoints(ctx context.Context, accountID string, p Page) ([]docparse.Endpoint, bool, error) {
	return listOwned(ctx, db, "webhook_endpoints", endpointCols, "", "endpoints", endpointScanner(db.box), accountID, p)
}

// enabledEndpoints lists the account's enabled endpoints, inside tx.
func (tx *Tx) enabledEndpoints(ctx context.Context, accountID string) ([]docparse.Endpoint, error) {
	eps, err := queryAll(ctx, tx.x, endpointScanner(tx.box), `SELECT `+endpointCols+` FROM webhook_endpoints WHERE account_id = $1 AND enabled = TRUE`, accountID)
	if err != nil {
		return nil, fmt.Errorf("select endpoints: %w", err)
	}
	return eps, nil
}

// DeleteEndpoint removes the account's endpoint and its pending
// deliveries; its attempts log goes with it.
//
// Its deliveries go before the endpoint, the order in which the
// dispatcher's RecordAttempts locks them (a delivery, then its endpoint's
// health): the other order deadlocks on PostgreSQL with an attempt being
// recorded, and one of the two fails.
func (tx *Tx) DeleteEndpoint(ctx context.Context, accountID, id string) error {
	for _, q := range []string{`DELETE FROM deliveries WHERE endpoint_id = $1 AND account_id = $2`,
		`DELETE FROM delivery_attempts WHERE endpoint_id = $1 AND account_id = $2`} {
		if _, err := tx.x.ExecContext(ctx, q, id, accountID); err != nil {
			return fmt.Errorf("delete endpoint: %w", err)
		}
	}
	res, err := tx.x.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("delete endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return docparse.NotFound("webhook endpoint", id)
	}
	return nil
}

// DisableFailingEndpoints disables every endpoint that has failed all
// deliveries since before now-DisableAfter.
func (db *DB) DisableFailingEndpoints(ctx context.Context, now time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = 'every delivery failed for 3 days',
		updated_at = $1 WHERE enabled = TRUE AND failing_since < $2`, micros(now), micros(now.Add(-DisableAfter)))
	if err != nil {
		return fmt.Errorf("disable failing endpoints: %w", err)
	}
	return nil
}

// ReleaseLeases makes every pending delivery claimable at once. Only for
// SQLite, where one process owns the database: at its start no lease can
// belong to a live process.
func (db *DB) ReleaseLeases(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE deliveries SET lease_until = NULL WHERE state = 'pending' AND lease_until IS NOT NULL`); err != nil {
		return fmt.Errorf("release leases: %w", err)
	}
	return nil
}

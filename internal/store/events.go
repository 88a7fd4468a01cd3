package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// Events of the account feeds, their webhook deliveries and the log of
// delivery attempts.

// eventsLockKey is the PostgreSQL advisory lock that orders event inserts:
// held from the moment an event gets its seq until its transaction ends,
// so seq order is commit order.
const eventsLockKey = 7220416

// DeliveryTask is everything a delivery attempt needs.
type DeliveryTask struct {
	Delivery docparse.Delivery
	Endpoint docparse.Endpoint
	Event    docparse.Event
}

// InsertEvent appends an event to the account's feed and queues one
// delivery per enabled endpoint that wants its type, leased to this
// process until leaseUntil (the caller delivers them right after commit;
// if it dies, sweepers take them when the lease ends). It must be the last
// thing a transaction writes: on PostgreSQL it takes the events lock, held
// until commit. newID mints delivery ids.
func (tx *Tx) InsertEvent(ctx context.Context, ev *docparse.Event, newID func() string, leaseUntil time.Time) ([]DeliveryTask, error) {
	if tx.engine == Postgres {
		if _, err := tx.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, eventsLockKey); err != nil {
			return nil, fmt.Errorf("lock events: %w", err)
		}
	}
	if err := tx.x.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM events`).Scan(&ev.Seq); err != nil {
		return nil, fmt.Errorf("next event seq: %w", err)
	}
	if _, err := tx.x.ExecContext(ctx, `INSERT INTO events (seq, id, account_id, type, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		ev.Seq, ev.ID, ev.AccountID, ev.Type, string(ev.Payload), micros(ev.CreatedAt)); err != nil {
		return nil, fmt.Errorf("insert event: %w", err)
	}
	eps, err := tx.enabledEndpoints(ctx, ev.AccountID)
	if err != nil {
		return nil, err
	}
	var tasks []DeliveryTask
	for _, ep := range eps {
		if !ep.Wants(ev.Type) {
			continue
		}
		d := docparse.Delivery{ID: newID(), AccountID: ev.AccountID, EventID: ev.ID, EndpointID: ep.ID,
			State: docparse.DeliveryPending, NextAttemptAt: ev.CreatedAt}
		if _, err := tx.x.ExecContext(ctx, `INSERT INTO deliveries (id, account_id, event_id, endpoint_id, state, attempts,
			next_attempt_at, lease_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $6, $6)`,
			d.ID, d.AccountID, d.EventID, d.EndpointID, d.State, micros(ev.CreatedAt), micros(leaseUntil)); err != nil {
			return nil, fmt.Errorf("insert delivery: %w", err)
		}
		tasks = append(tasks, DeliveryTask{Delivery: d, Endpoint: ep, Event: *ev})
	}
	return tasks, nil
}

const eventCols = `seq, id, account_id, type, payload, created_at`

func scanEvent(row interface{ Scan(...any) error }) (docparse.Event, error) {
	var e docparse.Event
	var payload string
	var created int64
	if err := row.Scan(&e.Seq, &e.ID, &e.AccountID, &e.Type, &payload, &created); err != nil {
		return e, err
	}
	e.Payload, e.CreatedAt = []byte(payload), fromMicros(created)
	return e, nil
}

// Event returns the account's event id.
func (db *DB) Event(ctx context.Context, accountID, id string) (docparse.Event, error) {
	e, err := scanEvent(db.read().QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE id = $1 AND account_id = $2`, id, accountID))
	return e, rowErr(err, "event", id, "select event")
}

// ListEvents lists the account's events after the event afterID (all when
// empty) in commit order, oldest first, optionally of the given types.
// It returns ErrNotFound when afterID is not an event of the account.
func (db *DB) ListEvents(ctx context.Context, accountID, afterID string, types []string, limit int) ([]docparse.Event, bool, error) {
	var after int64
	if afterID != "" {
		ev, err := db.Event(ctx, accountID, afterID)
		if err != nil {
			return nil, false, err
		}
		after = ev.Seq
	}
	q := `SELECT ` + eventCols + ` FROM events WHERE account_id = $1 AND seq > $2`
	args := []any{accountID, after}
	if len(types) > 0 {
		in, arg := db.engine.inStrings("type", len(args)+1, types)
		args = append(args, arg)
		q += ` AND ` + in
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(` ORDER BY seq LIMIT $%d`, len(args))
	rows, err := db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list events: %w", err)
	}
	return collect(rows, Page{Limit: limit}, scanEvent)
}

const deliveryCols = `id, account_id, event_id, endpoint_id, state, attempts, round, first_attempt_at, next_attempt_at, last_status, last_error`

func scanDelivery(row interface{ Scan(...any) error }) (docparse.Delivery, error) {
	var d docparse.Delivery
	var first sql.NullInt64
	var next int64
	var status sql.NullInt64
	var lastErr sql.NullString
	if err := row.Scan(&d.ID, &d.AccountID, &d.EventID, &d.EndpointID, &d.State, &d.Attempts, &d.Round, &first, &next, &status, &lastErr); err != nil {
		return d, err
	}
	d.FirstAttemptAt, d.NextAttemptAt, d.LastError = nullTime(first), fromMicros(next), lastErr.String
	if status.Valid {
		s := int(status.Int64)
		d.LastStatus = &s
	}
	return d, nil
}

// DeliveriesOf returns the deliveries of the account's events, by event id.
func (db *DB) DeliveriesOf(ctx context.Context, accountID string, eventIDs []string) (map[string][]docparse.Delivery, error) {
	out := map[string][]docparse.Delivery{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	in, ids := db.engine.inStrings("event_id", 2, eventIDs)
	ds, err := queryAll(ctx, db.read(), scanDelivery, `SELECT `+deliveryCols+` FROM deliveries WHERE account_id = $1 AND `+in+`
		ORDER BY endpoint_id`, accountID, ids)
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", err)
	}
	for _, d := range ds {
		out[d.EventID] = append(out[d.EventID], d)
	}
	return out, nil
}

// ClaimDueDeliveries leases up to limit pending deliveries whose time has
// come and that no live process holds, and returns them ready to send.
// On PostgreSQL concurrent sweepers skip each other's rows.
func (db *DB) ClaimDueDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]DeliveryTask, error) {
	var ids []string
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		ids, err = queryStrings(ctx, tx.x, `UPDATE deliveries SET lease_until = $1 WHERE id IN (
			SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
			ORDER BY next_attempt_at LIMIT $3`+db.engine.lock("FOR UPDATE SKIP LOCKED")+`) RETURNING id`, micros(leaseUntil), micros(now), limit)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return db.deliveryTasks(ctx, ids)
}

// deliveryTasks loads deliveries with their event and endpoint.
func (db *DB) deliveryTasks(ctx context.Context, ids []string) ([]DeliveryTask, error) {
	in, arg := db.engine.inStrings("d.id", 1, ids)
	rows, err := db.read().QueryContext(ctx, `SELECT `+prefixCols(deliveryCols, "d.")+`, `+prefixCols(eventCols, "e.")+`, `+prefixCols(endpointCols, "w.")+`
		FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE `+in, arg)
	if err != nil {
		return nil, fmt.Errorf("select delivery tasks: %w", err)
	}
	defer rows.Close()
	var tasks []DeliveryTask
	for rows.Next() {
		var t DeliveryTask
		var first, prevExp, lastOK, failing sql.NullInt64
		var next, evCreated, epCreated, epUpdated int64
		var status sql.NullInt64
		var lastErr, reason, prev sql.NullString
		var payload, types string
		d, e, w := &t.Delivery, &t.Event, &t.Endpoint
		if err := rows.Scan(&d.ID, &d.AccountID, &d.EventID, &d.EndpointID, &d.State, &d.Attempts, &d.Round, &first, &next, &status, &lastErr,
			&e.Seq, &e.ID, &e.AccountID, &e.Type, &payload, &evCreated,
			&w.ID, &w.AccountID, &w.URL, &w.Description, &types, &w.Enabled, &reason, &w.Secret, &prev,
			&prevExp, &lastOK, &failing, &epCreated, &epUpdated); err != nil {
			return nil, fmt.Errorf("scan delivery task: %w", err)
		}
		d.FirstAttemptAt, d.NextAttemptAt, d.LastError = nullTime(first), fromMicros(next), lastErr.String
		if status.Valid {
			s := int(status.Int64)
			d.LastStatus = &s
		}
		e.Payload, e.CreatedAt = []byte(payload), fromMicros(evCreated)
		if err := json.Unmarshal([]byte(types), &w.EventTypes); err != nil {
			return nil, fmt.Errorf("decode event types: %w", err)
		}
		w.DisabledReason, w.PrevSecret = reason.String, prev.String
		w.PrevSecretExpiresAt, w.LastSuccessAt, w.FailingSince = nullTime(prevExp), nullTime(lastOK), nullTime(failing)
		w.CreatedAt, w.UpdatedAt = fromMicros(epCreated), fromMicros(epUpdated)
		if err := openEndpointSecrets(db.box, w); err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	return tasks, rows.Err()
}

// RequeueDeliveries makes the deliveries of the account's events
// eventIDs (a short list of distinct ids: a resend names one) to the
// endpoint ep pending again now, or creates them, and returns them leased
// until leaseUntil, in the order of eventIDs, for the caller to send now.
// An id that is not an event of the account is a *docparse.NotFoundError.
// newID mints delivery ids.
func (tx *Tx) RequeueDeliveries(ctx context.Context, ep docparse.Endpoint, eventIDs []string, now, leaseUntil time.Time, newID func() string) ([]DeliveryTask, error) {
	if len(eventIDs) == 0 {
		return nil, nil
	}
	in, arg := tx.engine.inStrings("id", 2, eventIDs)
	rows, err := tx.x.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE account_id = $1 AND `+in, ep.AccountID, arg)
	if err != nil {
		return nil, fmt.Errorf("select events: %w", err)
	}
	found, _, err := collect(rows, Page{Limit: len(eventIDs)}, scanEvent)
	if err != nil {
		return nil, err
	}
	events := make(map[string]docparse.Event, len(found))
	for _, e := range found {
		events[e.ID] = e
	}
	for _, id := range eventIDs {
		if _, ok := events[id]; !ok {
			return nil, docparse.NotFound("event", id)
		}
	}
	ds, err := tx.requeue(ctx, ep, eventIDs, now, leaseUntil, newID)
	if err != nil {
		return nil, err
	}
	tasks := make([]DeliveryTask, len(eventIDs))
	for i, id := range eventIDs {
		tasks[i] = DeliveryTask{Delivery: ds[id], Endpoint: ep, Event: events[id]}
	}
	return tasks, nil
}

// recoverPage is how many events RecoverDeliveries requeues in one
// statement, and so the most it holds in memory at once.
const recoverPage = 500

// RecoverDeliveries makes the deliveries to the endpoint ep of every
// event of its account since since that ep wants and has not received
// pending again now, or creates them, not leased (the sweeper claims
// them in batches), and returns how many. It pages through the events in
// commit order, at most recoverPage at a time, up to the newest event
// when it starts: what it holds in memory is bounded, whatever the number
// of events. newID mints delivery ids.
func (tx *Tx) RecoverDeliveries(ctx context.Context, ep docparse.Endpoint, since, now time.Time, newID func() string) (int, error) {
	return tx.recoverDeliveries(ctx, ep, since, now, newID, recoverPage)
}

func (tx *Tx) recoverDeliveries(ctx context.Context, ep docparse.Endpoint, since, now time.Time, newID func() string, page int) (int, error) {
	var last, newest int64
	if err := tx.x.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE account_id = $1`, ep.AccountID).Scan(&newest); err != nil {
		return 0, fmt.Errorf("select newest event: %w", err)
	}
	q := `SELECT e.seq, e.id FROM events e WHERE e.account_id = $1 AND e.created_at >= $2 AND e.seq > $3 AND e.seq <= $4
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.endpoint_id = $5 AND d.state = 'delivered')`
	args := []any{ep.AccountID, micros(since), int64(0), newest, ep.ID}
	if len(ep.EventTypes) > 0 {
		in, arg := tx.engine.inStrings("e.type", len(args)+1, ep.EventTypes)
		q += ` AND ` + in
		args = append(args, arg)
	}
	args = append(args, page)
	q += fmt.Sprintf(` ORDER BY e.seq LIMIT $%d`, len(args))
	n := 0
	for {
		args[2] = last
		rows, err := tx.x.QueryContext(ctx, q, args...)
		if err != nil {
			return n, fmt.Errorf("select missed events: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&last, &id); err != nil {
				rows.Close()
				return n, fmt.Errorf("scan missed event: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, fmt.Errorf("select missed events: %w", err)
		}
		if len(ids) == 0 {
			return n, nil
		}
		if _, err := tx.requeue(ctx, ep, ids, now, time.Time{}, newID); err != nil {
			return n, err
		}
		n += len(ids)
		if len(ids) < page {
			return n, nil
		}
	}
}

// requeue makes the deliveries of the events eventIDs (of ep's account)
// to ep pending again now, leased until leaseUntil, or creates them with
// ids from newID, in one statement, and returns them by event id.
func (tx *Tx) requeue(ctx context.Context, ep docparse.Endpoint, eventIDs []string, now, leaseUntil time.Time, newID func() string) (map[string]docparse.Delivery, error) {
	ids := make([]string, len(eventIDs))
	for i := range ids {
		ids[i] = newID()
	}
	pairs, argIDs, argEvents := tx.engine.stringPairs(1, ids, eventIDs)
	rows, err := tx.x.QueryContext(ctx, `INSERT INTO deliveries (id, account_id, event_id, endpoint_id, state, attempts, next_attempt_at,
		lease_until, created_at, updated_at) SELECT k.a, $3, k.b, $4, 'pending', 0, $5, $6, $5, $5 FROM `+pairs+` WHERE true
		ON CONFLICT (event_id, endpoint_id) DO UPDATE SET state = 'pending', first_attempt_at = NULL, next_attempt_at = $5,
		lease_until = $6, updated_at = $5, round = deliveries.round + 1 RETURNING id, event_id, attempts, round`,
		argIDs, argEvents, ep.AccountID, ep.ID, micros(now), micros(leaseUntil))
	if err != nil {
		return nil, fmt.Errorf("requeue deliveries: %w", err)
	}
	defer rows.Close()
	out := make(map[string]docparse.Delivery, len(eventIDs))
	for rows.Next() {
		d := docparse.Delivery{AccountID: ep.AccountID, EndpointID: ep.ID, State: docparse.DeliveryPending, NextAttemptAt: now}
		if err := rows.Scan(&d.ID, &d.EventID, &d.Attempts, &d.Round); err != nil {
			return nil, fmt.Errorf("scan requeued delivery: %w", err)
		}
		out[d.EventID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("requeue deliveries: %w", err)
	}
	return out, nil
}

func prefixCols(cols, p string) string {
	return p + strings.ReplaceAll(strings.ReplaceAll(cols, "\n\t", " "), ", ", ", "+p)
}

// ExtendLeases keeps deliveries leased until until (they wait in this
// process's memory).
func (db *DB) ExtendLeases(ctx context.Context, ids []string, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	in, arg := db.engine.inStrings("id", 2, ids)
	if _, err := db.w.ExecContext(ctx, `UPDATE deliveries SET lease_until = $1 WHERE state = 'pending' AND `+in, micros(until), arg); err != nil {
		return fmt.Errorf("extend leases: %w", err)
	}
	return nil
}

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

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
	if err := rowErr(err, "event", id, "select event"); err != nil {
		return e, err
	}
	return e, nil
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
	rows, err := db.read().QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE account_id = $1 AND `+in+`
		ORDER BY endpoint_id`, accountID, ids)
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", err)
	}
	ds, _, err := collect(rows, Page{Limit: 1 << 30}, scanDelivery)
	if err != nil {
		return nil, err
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
	lock := ""
	if db.engine == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var ids []string
	err := db.Tx(ctx, func(tx *Tx) error {
		rows, err := tx.x.QueryContext(ctx, `UPDATE deliveries SET lease_until = $1 WHERE id IN (
			SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
			ORDER BY next_attempt_at LIMIT $3`+lock+`) RETURNING id`, micros(leaseUntil), micros(now), limit)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
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

// RequeueDeliveries makes deliveries of the account's events to one
// endpoint pending again now (or creates them): the events given, or, when
// eventIDs is nil, every event since since that the endpoint wants and has
// not received. It returns the tasks, leased until leaseUntil, for the
// caller to send now.
func (tx *Tx) RequeueDeliveries(ctx context.Context, ep docparse.Endpoint, eventIDs []string, since time.Time, now, leaseUntil time.Time, newID func() string) ([]DeliveryTask, error) {
	var events []docparse.Event
	if eventIDs != nil {
		for _, id := range eventIDs {
			e, err := scanEvent(tx.x.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE id = $1 AND account_id = $2`, id, ep.AccountID))
			if err := rowErr(err, "event", id, "select event"); err != nil {
				return nil, err
			}
			events = append(events, e)
		}
	} else {
		rows, err := tx.x.QueryContext(ctx, `SELECT `+prefixCols(eventCols, "e.")+` FROM events e WHERE e.account_id = $1 AND e.created_at >= $2
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.endpoint_id = $3 AND d.state = 'delivered')
			ORDER BY e.seq`, ep.AccountID, micros(since), ep.ID)
		if err != nil {
			return nil, fmt.Errorf("select missed events: %w", err)
		}
		all, _, err := collect(rows, Page{Limit: 1 << 30}, scanEvent)
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			if ep.Wants(e.Type) {
				events = append(events, e)
			}
		}
	}
	var tasks []DeliveryTask
	for _, e := range events {
		d := docparse.Delivery{ID: newID(), AccountID: ep.AccountID, EventID: e.ID, EndpointID: ep.ID, State: docparse.DeliveryPending, NextAttemptAt: now}
		err := tx.x.QueryRowContext(ctx, `INSERT INTO deliveries (id, account_id, event_id, endpoint_id, state, attempts, next_attempt_at,
			lease_until, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $5, $5)
			ON CONFLICT (event_id, endpoint_id) DO UPDATE SET state = 'pending', first_attempt_at = NULL, next_attempt_at = $5,
			lease_until = $6, updated_at = $5, round = deliveries.round + 1 RETURNING id, attempts, round`,
			d.ID, d.AccountID, d.EventID, d.EndpointID, micros(now), micros(leaseUntil)).Scan(&d.ID, &d.Attempts, &d.Round)
		if err != nil {
			return nil, fmt.Errorf("requeue delivery: %w", err)
		}
		tasks = append(tasks, DeliveryTask{Delivery: d, Endpoint: ep, Event: e})
	}
	return tasks, nil
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

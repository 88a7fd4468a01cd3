package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// TestRecoverDeliveriesPages recovers more events than one page holds:
// every event since since that the endpoint wants and has not received
// gets one pending, unleased delivery (a new one, or its old one queued
// again in a new round), and nothing else is touched: not an event before
// since, of another type, already delivered, or of another account.
func TestRecoverDeliveriesPages(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct, other := storetest.NewAccount(t, db, "a"), storetest.NewAccount(t, db, "other")
		since := time.Now().Add(-time.Hour).Truncate(time.Microsecond)
		insert := func(accountID, typ string, at time.Time) docparse.Event {
			t.Helper()
			ev := docparse.Event{ID: ids.New(docparse.PrefixEvent), AccountID: accountID, Type: typ, Payload: []byte(`{}`), CreatedAt: at}
			err := db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.InsertEvent(ctx, &ev, func() string { return ids.New("dlv_") }, time.Now().Add(time.Hour))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ev
		}
		var want, unwanted []string
		// Before the endpoint exists: no delivery yet.
		for i := range 5 {
			want = append(want, insert(acct.ID, "file.processed", since.Add(time.Duration(i)*time.Second)).ID)
		}
		unwanted = append(unwanted, insert(acct.ID, "file.processed", since.Add(-time.Second)).ID, // before since
			insert(acct.ID, "file.failed", since).ID, // a type it does not want
			insert(other.ID, "file.processed", since).ID)
		ep := docparse.Endpoint{ID: ids.New(docparse.PrefixEndpoint), AccountID: acct.ID, URL: "https://example.com/hook", Enabled: true,
			Secret: "whsec_test", EventTypes: []string{"file.processed"}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertEndpoint(ctx, ep) }); err != nil {
			t.Fatal(err)
		}
		// After: a pending delivery, leased to this process, exists.
		for i := range 4 {
			want = append(want, insert(acct.ID, "file.processed", since.Add(time.Minute+time.Duration(i)*time.Second)).ID)
		}
		delivered := insert(acct.ID, "file.processed", since.Add(2*time.Minute))
		if _, err := db.Writer().ExecContext(ctx, `UPDATE deliveries SET state = 'delivered' WHERE event_id = $1`, delivered.ID); err != nil {
			t.Fatal(err)
		}
		unwanted = append(unwanted, delivered.ID)

		now := time.Now().Truncate(time.Microsecond)
		minted := 0
		var n int
		err := db.Tx(ctx, func(tx *store.Tx) (err error) {
			n, err = tx.RecoverDeliveriesPaged(ctx, ep, since, now, func() string { minted++; return ids.New("dlv_") }, 2)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) || minted != len(want) {
			t.Fatalf("RecoverDeliveries = %d (%d ids minted), want %d", n, minted, len(want))
		}
		got, err := db.DeliveriesOf(ctx, acct.ID, append(append([]string{}, want...), unwanted...))
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range want {
			ds := got[id]
			if len(ds) != 1 {
				t.Fatalf("event %d: %d deliveries, want 1", i, len(ds))
			}
			d, round := ds[0], 0
			if i >= 5 {
				round = 1 // its delivery existed: queued again
			}
			if d.EndpointID != ep.ID || d.State != docparse.DeliveryPending || d.Round != round || !d.NextAttemptAt.Equal(now) ||
				d.FirstAttemptAt != nil || !strings.HasPrefix(d.ID, "dlv_") {
				t.Errorf("event %d: delivery %+v, want pending round %d next %v", i, d, round, now)
			}
		}
		for _, id := range unwanted[:3] {
			if len(got[id]) != 0 {
				t.Errorf("event %s not wanted: deliveries %+v", id, got[id])
			}
		}
		if ds := got[delivered.ID]; len(ds) != 1 || ds[0].State != docparse.DeliveryDelivered || ds[0].Round != 0 {
			t.Errorf("delivered event: %+v", ds)
		}
		// Not leased: the sweeper claims every one at once.
		tasks, err := db.ClaimDueDeliveries(ctx, now, now.Add(time.Minute), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != len(want) {
			t.Errorf("claimed %d deliveries, want %d", len(tasks), len(want))
		}
	})
}

// TestRequeueDeliveries queues named events again for one endpoint and
// returns them ready to send; an event of another account is not found.
func TestRequeueDeliveries(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct, other := storetest.NewAccount(t, db, "a"), storetest.NewAccount(t, db, "other")
		ep := docparse.Endpoint{ID: ids.New(docparse.PrefixEndpoint), AccountID: acct.ID, URL: "https://example.com/hook", Enabled: true,
			Secret: "whsec_test", CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertEndpoint(ctx, ep) }); err != nil {
			t.Fatal(err)
		}
		var evs []docparse.Event
		for _, a := range []string{acct.ID, acct.ID, other.ID} {
			ev := docparse.Event{ID: ids.New(docparse.PrefixEvent), AccountID: a, Type: "file.processed", Payload: []byte(`{"n":1}`), CreatedAt: time.Now()}
			err := db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.InsertEvent(ctx, &ev, func() string { return ids.New("dlv_") }, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
		now, lease := time.Now().Truncate(time.Microsecond), time.Now().Add(time.Minute)
		for round := 1; round <= 2; round++ {
			var tasks []store.DeliveryTask
			err := db.Tx(ctx, func(tx *store.Tx) (err error) {
				tasks, err = tx.RequeueDeliveries(ctx, ep, []string{evs[1].ID, evs[0].ID}, now, lease, func() string { return ids.New("dlv_") })
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(tasks) != 2 || tasks[0].Event.ID != evs[1].ID || tasks[1].Event.ID != evs[0].ID {
				t.Fatalf("round %d: tasks %+v", round, tasks)
			}
			for _, tk := range tasks {
				d := tk.Delivery
				if d.EventID != tk.Event.ID || d.Round != round || d.State != docparse.DeliveryPending || string(tk.Event.Payload) != `{"n":1}` ||
					tk.Endpoint.ID != ep.ID || !d.NextAttemptAt.Equal(now) {
					t.Errorf("round %d: task %+v", round, tk)
				}
			}
		}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.RequeueDeliveries(ctx, ep, []string{evs[2].ID}, now, lease, func() string { return ids.New("dlv_") })
			return err
		})
		if !errors.Is(err, docparse.ErrNotFound) {
			t.Errorf("another account's event: %v, want ErrNotFound", err)
		}
	})
}

// TestDeleteEndpointWhileRecording: on PostgreSQL, an endpoint deleted
// while the dispatcher records an attempt of its delivery (a transaction
// that has updated the delivery and goes on to update the endpoint's
// health, as RecordAttempts does) waits for that transaction and then
// succeeds; neither fails on a deadlock.
func TestDeleteEndpointWhileRecording(t *testing.T) {
	t.Parallel()
	storetest.NeedPostgres(t)
	ctx := context.Background()
	db := storetest.Open(t, store.Postgres)
	acct := storetest.NewAccount(t, db, "a")
	now := time.Now().Truncate(time.Microsecond)
	ep := docparse.Endpoint{ID: ids.New(docparse.PrefixEndpoint), AccountID: acct.ID, URL: "https://example.com/hook", Enabled: true,
		Secret: "whsec_test", EventTypes: []string{"file.processed"}, CreatedAt: now, UpdatedAt: now}
	if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertEndpoint(ctx, ep) }); err != nil {
		t.Fatal(err)
	}
	ev := docparse.Event{ID: ids.New(docparse.PrefixEvent), AccountID: acct.ID, Type: "file.processed", Payload: []byte(`{}`), CreatedAt: now}
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertEvent(ctx, &ev, func() string { return ids.New("dlv_") }, now.Add(time.Hour))
		return err
	}); err != nil {
		t.Fatal(err)
	}

	rec, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Rollback()
	if _, err := rec.ExecContext(ctx, `UPDATE deliveries SET attempts = 1 WHERE endpoint_id = $1`, ep.ID); err != nil {
		t.Fatal(err)
	}
	deleted := make(chan error, 1)
	go func() {
		deleted <- db.Tx(ctx, func(tx *store.Tx) error { return tx.DeleteEndpoint(ctx, acct.ID, ep.ID) })
	}()
	// Wait until the delete waits on a lock the recorder holds.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var waiting int
		if err := db.Writer().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-deleted:
			t.Fatalf("the delete finished (%v) while the recorder held its delivery", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the delete never waited for the recorder")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := rec.ExecContext(ctx, `UPDATE webhook_endpoints SET last_success_at = $1 WHERE id = $2`, now.UnixMicro(), ep.ID); err != nil {
		t.Fatalf("the recorder's endpoint update: %v", err)
	}
	if err := rec.Commit(); err != nil {
		t.Fatalf("the recorder's commit: %v", err)
	}
	if err := <-deleted; err != nil {
		t.Fatalf("DeleteEndpoint: %v", err)
	}
	var left int
	if err := db.Writer().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM deliveries WHERE endpoint_id = $1) +
		(SELECT count(*) FROM webhook_endpoints WHERE id = $1)`, ep.ID).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d rows of the endpoint and its deliveries left", left)
	}
}

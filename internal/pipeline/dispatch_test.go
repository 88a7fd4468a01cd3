package pipeline_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
	"github.com/docparse/docparse/internal/webhook"
)

// TestDispatcherStopsWithinGrace: a dispatcher whose delivery hangs at a
// slow receiver stops within the grace, whether told to by Stop or by the
// end of Start's context, without waiting for the webhook timeout; the
// cut-off attempt is not recorded, and another dispatcher on the same
// database sends the delivery again, signed, once its lease has ended.
func TestDispatcherStopsWithinGrace(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		for _, how := range []string{"stop", "context"} {
			t.Run(how, func(t *testing.T) {
				t.Parallel()
				testDispatcherStop(t, eng, how)
			})
		}
	})
}

func testDispatcherStop(t *testing.T, eng store.Engine, how string) {
	ctx := context.Background()
	db := storetest.Open(t, eng)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ids := docparse.NewIDs(time.Now)
	acct := storetest.NewAccount(t, db, "acme")

	// The receiver holds its first request until the sender gives up; it
	// answers the others 200 once their signature verifies.
	var mu sync.Mutex
	held := false
	var got []string // webhook-ids answered 200
	inflight, cut := make(chan string, 1), make(chan struct{})
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get("webhook-id")
		mu.Lock()
		if !held {
			held = true
			mu.Unlock()
			inflight <- id
			<-r.Context().Done()
			close(cut)
			return
		}
		mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Error(err)
			return
		}
		if err := wh.Verify(body, r.Header); err != nil {
			t.Errorf("delivery %s does not verify: %v", id, err)
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		got = append(got, id)
		mu.Unlock()
	}))
	defer rc.Close()

	now := time.Now().UTC().Truncate(time.Microsecond)
	ep := docparse.Endpoint{ID: ids.New(docparse.PrefixEndpoint), AccountID: acct.ID, URL: rc.URL + "/hook", Enabled: true,
		Secret: secret, EventTypes: []string{}, CreatedAt: now, UpdatedAt: now}
	// A delivery attempt may take 30 s: a stop that waited for it would
	// take that long.
	cfg := pipeline.DispatchConfig{AllowPrivate: true, Timeout: 30 * time.Second}
	const lease = 35 * time.Second // Timeout + 5 s, the least lease
	ev := docparse.Event{ID: ids.New(docparse.PrefixEvent), AccountID: acct.ID, Type: "extraction.completed",
		Payload: []byte(`{"type":"extraction.completed","data":{}}`), CreatedAt: now}
	var tasks []store.DeliveryTask
	err = db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertEndpoint(ctx, ep); err != nil {
			return err
		}
		tasks, err = tx.InsertEvent(ctx, &ev, func() string { return ids.New("dlv_") }, now.Add(lease))
		return err
	})
	if err != nil || len(tasks) != 1 {
		t.Fatalf("insert event: %d deliveries, %v", len(tasks), err)
	}

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	first := pipeline.NewDispatcher(db, ids, cfg, time.Now, logger)
	first.Start(runCtx)
	first.Enqueue(tasks) // what the process that committed the event does
	select {
	case id := <-inflight:
		if id != ev.ID {
			t.Fatalf("webhook-id %s, want %s", id, ev.ID)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery arrived within 30s")
	}
	start := time.Now()
	switch how {
	case "stop":
		gctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		first.Stop(gctx)
		cancel()
	case "context":
		cancelRun()
		select {
		case <-first.Stopped():
		case <-time.After(cfg.Timeout):
			t.Fatal("the dispatcher did not stop when its context ended")
		}
	}
	if took := time.Since(start); took >= cfg.Timeout/2 {
		t.Errorf("the dispatcher took %v to stop: it waited for the delivery in flight", took)
	}
	select {
	case <-cut:
	case <-time.After(10 * time.Second):
		t.Fatal("the delivery in flight was not cut off")
	}
	var state string
	var attempts, logged int
	row := func() {
		t.Helper()
		if err := db.Writer().QueryRowContext(ctx, `SELECT state, attempts FROM deliveries WHERE event_id = $1`, ev.ID).Scan(&state, &attempts); err != nil {
			t.Fatal(err)
		}
		if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM delivery_attempts WHERE event_id = $1`, ev.ID).Scan(&logged); err != nil {
			t.Fatal(err)
		}
	}
	row()
	if state != "pending" || attempts != 0 || logged != 0 {
		t.Fatalf("after the cut-off the delivery is %s with %d attempts (%d logged), want pending with none", state, attempts, logged)
	}

	// Another node, once the lease has ended (its clock is past it).
	later := func() time.Time { return time.Now().Add(lease + time.Second) }
	second := pipeline.NewDispatcher(db, ids, pipeline.DispatchConfig{AllowPrivate: true, Timeout: 5 * time.Second, SweepInterval: 50 * time.Millisecond}, later, logger)
	second.Start(ctx)
	defer second.Stop(ctx)
	delivered := servertest.Eventually(30*time.Second, func() bool {
		row()
		return state == "delivered"
	})
	mu.Lock()
	defer mu.Unlock()
	if !delivered || len(got) != 1 || got[0] != ev.ID || attempts != 1 || logged != 1 {
		t.Fatalf("second dispatcher: delivery %s, %d attempts (%d logged), receiver got %v; want delivered once, %s", state, attempts, logged, got, ev.ID)
	}
}

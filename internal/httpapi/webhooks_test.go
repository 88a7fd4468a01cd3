package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

func (e *env) createEndpoint(url string, types ...string) (id, secret string) {
	e.t.Helper()
	body := map[string]any{"url": url}
	if len(types) > 0 {
		body["event_types"] = types
	}
	r := e.doJSON("POST", "/v1/webhook_endpoints", body)
	if r.status != 201 {
		e.t.Fatalf("create endpoint: %d %s", r.status, r.body)
	}
	v := r.json(e.t)
	return v["webhook_endpoint"].(map[string]any)["id"].(string), v["secret"].(string)
}

// verify checks a delivery with the Standard Webhooks reference library,
// which knows nothing of docparse.
func verify(t *testing.T, secret string, d servertest.Delivery) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(d.Body, d.Header); err != nil {
		t.Errorf("delivery %s does not verify: %v", d.Header.Get("webhook-id"), err)
	}
}

func TestWebhookDeliveryAndFeed(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		rc := servertest.NewReceiver(t)
		epID, secret := e.createEndpoint(rc.URL + "/hook")
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		if r := e.doJSON("GET", "/v1/webhook_endpoints/"+epID, nil); strings.Contains(string(r.body), secret) {
			t.Errorf("GET endpoint shows the secret: %s", r.body)
		}
		extID := e.createExtraction()
		batchID := e.uploadBatch(extID, upload{"invoice.txt", []byte("Invoice No: 42\nTotal: 10.00\n")}, upload{"blob.bin", []byte{0, 1, 2, 3, 0, 0, 0xff}})
		got := rc.WaitN(30*time.Second, 3)
		types := map[string]map[string]any{}
		for _, d := range got {
			verify(t, secret, d)
			if d.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(d.Header.Get("User-Agent"), "docparse-webhooks/") {
				t.Errorf("headers %v", d.Header)
			}
			var body map[string]any
			if err := json.Unmarshal(d.Body, &body); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(d.Header.Get("webhook-id"), "evt_") || body["timestamp"] == nil {
				t.Errorf("delivery %v %s", d.Header, d.Body)
			}
			types[body["type"].(string)] = body["data"].(map[string]any)
		}
		batchEv := types["extraction.completed"]
		if batchEv == nil || batchEv["status"] != "partial" || batchEv["batch_id"] != batchID || batchEv["extraction_id"] != extID ||
			len(batchEv["files"].([]any)) != 2 || batchEv["counts"].(map[string]any)["failed"].(float64) != 1 {
			t.Errorf("extraction.completed data = %v", batchEv)
		}
		failed := types["file.failed"]
		if failed == nil || failed["file"].(map[string]any)["error"].(map[string]any)["code"] != "unsupported_type" || failed["batch_id"] != batchID {
			t.Errorf("file.failed data = %v", failed)
		}
		if types["file.processed"] == nil && types["file.needs_review"] == nil {
			t.Errorf("no event for the good file: %v", types)
		}

		// The feed lists the three events in commit order: the batch's
		// event last, each delivered to the endpoint.
		var feed map[string]any
		servertest.Eventually(10*time.Second, func() bool {
			feed = e.doJSON("GET", "/v1/events", nil).json(t)
			for _, ev := range feed["data"].([]any) {
				ds := ev.(map[string]any)["deliveries"].([]any)
				if len(ds) != 1 || ds[0].(map[string]any)["status"] != "delivered" {
					return false
				}
			}
			return true
		})
		data := feed["data"].([]any)
		if len(data) != 3 || data[2].(map[string]any)["type"] != "extraction.completed" {
			t.Fatalf("feed = %v", feed)
		}
		for _, ev := range data {
			ds := ev.(map[string]any)["deliveries"].([]any)
			if len(ds) != 1 || ds[0].(map[string]any)["status"] != "delivered" || ds[0].(map[string]any)["endpoint_id"] != epID {
				t.Errorf("deliveries of %v", ev)
			}
		}
		first := data[0].(map[string]any)["id"].(string)
		rest := e.doJSON("GET", "/v1/events?after="+first, nil).json(t)
		if len(rest["data"].([]any)) != 2 {
			t.Errorf("after %s: %v", first, rest)
		}
		last := feed["next_cursor"].(string)
		if empty := e.doJSON("GET", "/v1/events?after="+last, nil).json(t); len(empty["data"].([]any)) != 0 || empty["next_cursor"] != last {
			t.Errorf("after the last event: %v", empty)
		}
		onlyBatch := e.doJSON("GET", "/v1/events?type=extraction.completed", nil).json(t)
		if len(onlyBatch["data"].([]any)) != 1 {
			t.Errorf("type filter: %v", onlyBatch)
		}
		if r := e.doJSON("GET", "/v1/events/"+first, nil); r.status != 200 {
			t.Errorf("get event: %d", r.status)
		}

		// Every attempt is logged with what was sent and answered.
		att := e.doJSON("GET", "/v1/webhook_endpoints/"+epID+"/attempts", nil).json(t)["data"].([]any)
		if len(att) != 3 {
			t.Fatalf("attempts = %d", len(att))
		}
		a0 := att[0].(map[string]any)
		if a0["status_code"].(float64) != 200 || a0["request_body"] == "" || a0["response_body"] != "received" ||
			a0["request_headers"].(map[string]any)["Webhook-Signature"] == nil {
			t.Errorf("attempt = %v", a0)
		}

		// Resend delivers the same event id again.
		if r := e.doJSON("POST", "/v1/events/"+first+"/resend", map[string]any{}); r.status != 202 {
			t.Fatalf("resend: %d %s", r.status, r.body)
		}
		again := rc.WaitN(30*time.Second, 4)
		if again[3].Header.Get("webhook-id") != first {
			t.Errorf("resent webhook-id %s, want %s", again[3].Header.Get("webhook-id"), first)
		}

		// Another account sees none of it.
		other := e.newKey("globex")
		for _, p := range []string{"/v1/events/" + first, "/v1/webhook_endpoints/" + epID, "/v1/webhook_endpoints/" + epID + "/attempts"} {
			if r := e.do("GET", p, other, "", nil); r.status != 404 {
				t.Errorf("other account GET %s: %d", p, r.status)
			}
		}
		if r := e.do("GET", "/v1/events", other, "", nil); len(r.json(t)["data"].([]any)) != 0 {
			t.Errorf("other account's feed: %s", r.body)
		}
	})
}

func TestWebhookEndpointsAPI(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		rc := servertest.NewReceiver(t)
		bad := []struct {
			body map[string]any
			path string
		}{
			{map[string]any{"url": "http://example.com/hook"}, "url"},
			{map[string]any{"url": "https://user:pw@example.com/hook"}, "url"},
			{map[string]any{"url": "not a url"}, "url"},
			{map[string]any{"url": "https://example.com/hook", "event_types": []string{"file.exploded"}}, "event_types[0]"},
		}
		for _, b := range bad {
			r := e.doJSON("POST", "/v1/webhook_endpoints", b.body)
			if r.status != 400 {
				t.Errorf("%v: %d %s", b.body, r.status, r.body)
				continue
			}
			if _, ok := r.json(t)["fields"].(map[string]any)[b.path]; !ok {
				t.Errorf("%v: error does not name %s: %s", b.body, b.path, r.body)
			}
		}
		epID, secret := e.createEndpoint(rc.URL, "extraction.completed")
		// The test send is signed and reported.
		r := e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/test", nil)
		res := r.json(t)
		if r.status != 200 || res["status_code"].(float64) != 200 || res["response_body"] != "received" || res["error"] != nil {
			t.Fatalf("test: %d %s", r.status, r.body)
		}
		d := rc.WaitN(30*time.Second, 1)[0]
		verify(t, secret, d)
		if !strings.Contains(string(d.Body), `"endpoint.test"`) || !strings.Contains(string(d.Body), "configured correctly") {
			t.Errorf("test body %s", d.Body)
		}
		// Rotation with a grace period: both secrets verify; without: only the new.
		r = e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/rotate_secret", map[string]any{"grace_period_seconds": 3600})
		newSecret := r.json(t)["secret"].(string)
		if r.status != 200 || newSecret == secret {
			t.Fatalf("rotate: %d %s", r.status, r.body)
		}
		e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/test", nil)
		d = rc.WaitN(30*time.Second, 2)[1]
		if n := len(strings.Fields(d.Header.Get("webhook-signature"))); n != 2 {
			t.Errorf("during grace %d signatures, want 2", n)
		}
		verify(t, secret, d)
		verify(t, newSecret, d)
		r = e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/rotate_secret", map[string]any{})
		third := r.json(t)["secret"].(string)
		e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/test", nil)
		d = rc.WaitN(30*time.Second, 3)[2]
		verify(t, third, d)
		if wh, _ := standardwebhooks.NewWebhook(newSecret); wh.Verify(d.Body, d.Header) == nil {
			t.Error("the retired secret still verifies after a rotation without grace")
		}
		if r := e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/rotate_secret", map[string]any{"grace_period_seconds": 604801}); r.status != 400 {
			t.Errorf("grace too long: %d", r.status)
		}
		// Patch, list, the limit of 10, delete.
		r = e.doJSON("PATCH", "/v1/webhook_endpoints/"+epID, map[string]any{"description": "prod", "enabled": false})
		if v := r.json(t)["webhook_endpoint"].(map[string]any); r.status != 200 || v["status"] != "disabled" || v["description"] != "prod" {
			t.Errorf("patch: %d %s", r.status, r.body)
		}
		for i := 1; i < 10; i++ {
			e.createEndpoint(rc.URL)
		}
		if r := e.doJSON("POST", "/v1/webhook_endpoints", map[string]any{"url": rc.URL}); r.status != 409 {
			t.Errorf("11th endpoint: %d %s", r.status, r.body)
		}
		if n := len(e.doJSON("GET", "/v1/webhook_endpoints?limit=100", nil).json(t)["data"].([]any)); n != 10 {
			t.Errorf("%d endpoints listed", n)
		}
		if r := e.doJSON("DELETE", "/v1/webhook_endpoints/"+epID, nil); r.status != 204 {
			t.Errorf("delete: %d", r.status)
		}
		if r := e.doJSON("GET", "/v1/webhook_endpoints/"+epID, nil); r.status != 404 {
			t.Errorf("after delete: %d", r.status)
		}
	})
}

// clock is a settable clock for the retry schedule.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// TestWebhookRetrySchedule runs the whole 3-day schedule against a
// receiver that always answers 503, on a fake clock: 10 attempts inside 72
// hours, then the endpoint is disabled, re-enabling offers recovery, and
// recovery delivers what was missed.
func TestWebhookRetrySchedule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		clk := &clock{t: time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)}
		e := newEnv(t, eng, envOptions{now: clk.Now})
		rc := servertest.NewReceiver(t)
		var mu sync.Mutex
		code := 503
		rc.Answer(func(int) (int, http.Header) { mu.Lock(); defer mu.Unlock(); return code, nil })
		epID, secret := e.createEndpoint(rc.URL, "extraction.completed")
		extID := e.createExtraction()
		e.upload(extID, []upload{{"a.txt", []byte("Invoice No: 1\n")}})
		start := clk.Now()
		ctx := context.Background()
		var attempts []map[string]any
		for n := 1; n <= 10; n++ {
			rc.WaitN(30*time.Second, n)
			// Wait for the attempt to be recorded, then jump to its next time.
			var last map[string]any
			servertest.Eventually(10*time.Second, func() bool {
				att := e.doJSON("GET", "/v1/webhook_endpoints/"+epID+"/attempts", nil).json(t)["data"].([]any)
				if len(att) == n {
					last = att[0].(map[string]any)
				}
				return last != nil
			})
			if last == nil {
				t.Fatalf("attempt %d not recorded", n)
			}
			attempts = append(attempts, last)
			if n == 10 {
				if last["next_attempt_at"] != nil {
					t.Errorf("10th attempt schedules another: %v", last["next_attempt_at"])
				}
				break
			}
			next, err := time.Parse(time.RFC3339Nano, last["next_attempt_at"].(string))
			if err != nil {
				t.Fatalf("attempt %d: next_attempt_at %v", n, last["next_attempt_at"])
			}
			clk.Set(next)
			if _, err := e.svc.Dispatcher().Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := rc.Deliveries()
		id := got[0].Header.Get("webhook-id")
		for i, d := range got {
			if d.Header.Get("webhook-id") != id {
				t.Errorf("attempt %d has webhook-id %s, want %s", i+1, d.Header.Get("webhook-id"), id)
			}
			verify2 := d.Header.Get("webhook-timestamp")
			if i > 0 && verify2 == got[0].Header.Get("webhook-timestamp") {
				t.Errorf("attempt %d reuses the first attempt's timestamp", i+1)
			}
		}
		_ = secret
		lastAt, _ := time.Parse(time.RFC3339Nano, attempts[9]["created_at"].(string))
		if span := lastAt.Sub(start); span < 60*time.Hour || span > 72*time.Hour {
			t.Errorf("10 attempts over %v, want about 71.6h and never past 72h", span)
		}
		// Still inside 72 h of failing, the endpoint is failing, not disabled.
		ep := e.doJSON("GET", "/v1/webhook_endpoints/"+epID, nil).json(t)["webhook_endpoint"].(map[string]any)
		if ep["status"] != "failing" {
			t.Errorf("status after the schedule = %v", ep["status"])
		}
		// The leader's periodic cleanup disables it.
		clk.Set(start.Add(72*time.Hour + time.Minute))
		if _, _, err := e.svc.Cleanup(ctx); err != nil {
			t.Fatal(err)
		}
		ep = e.doJSON("GET", "/v1/webhook_endpoints/"+epID, nil).json(t)["webhook_endpoint"].(map[string]any)
		if ep["status"] != "disabled" || ep["enabled"] != false {
			t.Fatalf("after 3 days of failures: %v", ep)
		}
		// Re-enabling offers recovery; recovery delivers the missed event.
		r := e.doJSON("PATCH", "/v1/webhook_endpoints/"+epID, map[string]any{"enabled": true})
		rec, ok := r.json(t)["recovery"].(map[string]any)
		if !ok {
			t.Fatalf("re-enable offers no recovery: %s", r.body)
		}
		mu.Lock()
		code = 200
		mu.Unlock()
		r = e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/recover", map[string]any{"since": rec["since"]})
		if r.status != 202 || r.json(t)["queued"].(float64) != 1 {
			t.Fatalf("recover: %d %s", r.status, r.body)
		}
		// The background sweeper may claim it first; either way it arrives.
		if _, err := e.svc.Dispatcher().Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		d := rc.WaitN(30*time.Second, 11)[10]
		if d.Header.Get("webhook-id") != id {
			t.Errorf("recovered delivery has id %s, want %s", d.Header.Get("webhook-id"), id)
		}
	})
}

// TestWebhookResponseClasses: 410 disables the endpoint, other 4xx are
// permanent, 429 honours Retry-After.
func TestWebhookResponseClasses(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)}
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		e := newEnv(t, eng, envOptions{now: clk.Now})
		extID := e.createExtraction()
		cases := []struct {
			code      int
			header    http.Header
			wantState string
			wantEP    string
			minNext   time.Duration
		}{
			{410, nil, "failed", "disabled", 0},
			{400, nil, "failed", "failing", 0},
			{429, http.Header{"Retry-After": []string{"3600"}}, "pending", "failing", time.Hour},
			{302, http.Header{"Location": []string{"https://example.com"}}, "pending", "failing", 4 * time.Second},
		}
		for _, c := range cases {
			rc := servertest.NewReceiver(t)
			rc.Answer(func(int) (int, http.Header) { return c.code, c.header })
			epID, _ := e.createEndpoint(rc.URL, "extraction.completed")
			e.upload(extID, []upload{{"a.txt", []byte("x")}})
			rc.WaitN(30*time.Second, 1)
			var ev map[string]any
			servertest.Eventually(10*time.Second, func() bool {
				att := e.doJSON("GET", "/v1/webhook_endpoints/"+epID+"/attempts", nil).json(t)["data"].([]any)
				if len(att) == 1 {
					ev = att[0].(map[string]any)
				}
				return ev != nil
			})
			if ev == nil {
				t.Fatalf("%d: no attempt recorded", c.code)
			}
			if c.wantState == "pending" {
				next, _ := time.Parse(time.RFC3339Nano, ev["next_attempt_at"].(string))
				if next.Sub(clk.Now()) < c.minNext {
					t.Errorf("%d: next attempt in %v, want at least %v", c.code, next.Sub(clk.Now()), c.minNext)
				}
			} else if ev["next_attempt_at"] != nil {
				t.Errorf("%d: a permanent failure schedules a retry", c.code)
			}
			ep := e.doJSON("GET", "/v1/webhook_endpoints/"+epID, nil).json(t)["webhook_endpoint"].(map[string]any)
			if ep["status"] != c.wantEP {
				t.Errorf("%d: endpoint status %v, want %s", c.code, ep["status"], c.wantEP)
			}
			// Disable it so later cases' events do not reach it.
			e.doJSON("PATCH", "/v1/webhook_endpoints/"+epID, map[string]any{"enabled": false})
		}
	})
}

// TestWebhookFairness: an endpoint that hangs on every request does not
// delay deliveries to a healthy endpoint of the same account.
func TestWebhookFairness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		e := newEnv(t, eng, envOptions{webhookTimeout: 15 * time.Second})
		release := make(chan struct{})
		dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer dead.Close()
		defer close(release)
		healthy := servertest.NewReceiver(t)
		e.createEndpoint(dead.URL)
		e.createEndpoint(healthy.URL)
		extID := e.createExtraction()
		const batches = 25 // 50 events: more than the dead endpoint's senders
		start := time.Now()
		for range batches {
			e.upload(extID, []upload{{"a.txt", []byte("Invoice No: 1\n")}})
		}
		healthy.WaitN(30*time.Second, 2*batches)
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("the healthy endpoint got its %d events in %v: delayed behind the dead one", 2*batches, took)
		}
	})
}

// TestWebhookNoDuplicatesBehindSlowEndpoint: deliveries waiting in a slow
// endpoint's queue longer than their lease are not claimed and sent a
// second time.
func TestWebhookNoDuplicatesBehindSlowEndpoint(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	// Lease = timeout + 5 s = 6 s; one sender; 300 ms per delivery: the
	// queue of 30 takes 9 s, longer than the lease.
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		e := newEnv(t, eng, envOptions{webhookTimeout: time.Second, webhookLease: 6 * time.Second, perEndpoint: 1})
		rc := servertest.NewReceiver(t)
		rc.Answer(func(int) (int, http.Header) { time.Sleep(300 * time.Millisecond); return 200, nil })
		e.createEndpoint(rc.URL)
		extID := e.createExtraction()
		for range 15 {
			e.upload(extID, []upload{{"a.txt", []byte("Invoice No: 1\n")}})
		}
		got := rc.WaitN(30*time.Second, 30)
		// Every delivery recorded as delivered and none held by the
		// dispatcher: a duplicate, had one been claimed, has been sent.
		settled := servertest.Eventually(30*time.Second, func() bool {
			var left int
			err := e.db.Writer().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE state <> 'delivered'`).Scan(&left)
			return err == nil && left == 0 && e.svc.Dispatcher().Idle()
		})
		if !settled {
			t.Fatal("deliveries not all recorded as delivered, or the dispatcher still busy, after 30 s")
		}
		seen := map[string]int{}
		for _, d := range rc.Deliveries() {
			seen[d.Header.Get("webhook-id")]++
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("event %s delivered %d times", id, n)
			}
		}
		if len(seen) != 30 || len(got) < 30 {
			t.Errorf("%d distinct events delivered, want 30", len(seen))
		}
	})
}

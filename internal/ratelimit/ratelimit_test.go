package ratelimit

import (
	"net/http"
	"testing"
	"time"
)

// TestBuckets: one bucket per account, refilled at the rate; another
// account is unaffected; key creations have their own hourly budget.
func TestBuckets(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	l := New(Config{Rate: 2, Burst: 3, KeysPerHour: 4}, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if d := l.Request("acct_a"); !d.OK || d.Remaining != 2-i {
			t.Fatalf("request %d: %+v", i, d)
		}
	}
	d := l.Request("acct_a")
	if d.OK || d.RetryAfter != 1 {
		t.Fatalf("fourth request within the burst: %+v, want refused with Retry-After 1", d)
	}
	h := http.Header{}
	d.SetHeaders(h)
	if h.Get("Retry-After") != "1" || h.Get("RateLimit-Limit") != "3" || h.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("headers %v", h)
	}
	if d := l.Request("acct_b"); !d.OK {
		t.Fatalf("another account refused: %+v", d)
	}
	now = now.Add(500 * time.Millisecond)
	if d := l.Request("acct_a"); !d.OK {
		t.Fatalf("refused after a token came back: %+v", d)
	}

	for i := 0; i < 4; i++ {
		if d := l.CreateKey("acct_a"); !d.OK {
			t.Fatalf("key %d refused: %+v", i, d)
		}
	}
	d = l.CreateKey("acct_a")
	if d.OK || d.RetryAfter != 900 {
		t.Fatalf("fifth key within the hour: %+v, want refused for 900 s", d)
	}
	if d := l.CreateKey("acct_b"); !d.OK {
		t.Fatalf("another account's key refused: %+v", d)
	}

	var off *Limits
	if d := off.Request("x"); !d.OK {
		t.Fatal("nil limits refused")
	}
	h = http.Header{}
	New(Config{}, time.Now).Request("x").SetHeaders(h)
	if len(h) != 0 {
		t.Fatalf("limits off set headers %v", h)
	}
}

package servertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// Delivery is one request a Receiver got.
type Delivery struct {
	Header http.Header
	Body   []byte
}

// Type is the event type the delivery's JSON body names, "" when none.
func (d Delivery) Type() string {
	var ev struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(d.Body, &ev)
	return ev.Type
}

// Receiver is a real webhook receiver: an httptest.Server that records
// every request and answers it with the body "received" and the header
// X-Receiver: yes, with status 200 unless Answer says otherwise. It stops
// when the test ends.
//
// A test reads what came in two ways: in order, one delivery at a time
// (Next, Wait), or all at once (Deliveries, WaitN). Wait from the test's
// goroutine only.
type Receiver struct {
	*httptest.Server
	t       testing.TB
	arrived chan struct{} // holds a signal after a delivery came

	mu     sync.Mutex
	got    []Delivery
	next   int // the first of got that Next has not returned
	answer func(n int) (code int, h http.Header)
}

// NewReceiver starts a Receiver for the test t.
func NewReceiver(t testing.TB) *Receiver {
	rc := &Receiver{t: t, arrived: make(chan struct{}, 1)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, Delivery{r.Header.Clone(), b})
		n, answer := len(rc.got), rc.answer
		rc.mu.Unlock()
		select {
		case rc.arrived <- struct{}{}:
		default: // a signal is waiting already
		}
		code := http.StatusOK
		if answer != nil {
			var h http.Header
			code, h = answer(n)
			for k, v := range h {
				w.Header()[k] = v
			}
		}
		w.Header().Set("X-Receiver", "yes")
		w.WriteHeader(code)
		io.WriteString(w, "received")
	}))
	t.Cleanup(rc.Close)
	return rc
}

// Answer makes the receiver answer its n-th delivery (from 1) with the
// status code and headers answer returns, from now on. answer runs on the
// server's goroutines, after the delivery is recorded.
func (rc *Receiver) Answer(answer func(n int) (code int, h http.Header)) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.answer = answer
}

// Deliveries returns every delivery so far, in the order they came.
func (rc *Receiver) Deliveries() []Delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// WaitN returns every delivery so far once there are at least n; it fails
// the test when there are fewer within timeout.
func (rc *Receiver) WaitN(timeout time.Duration, n int) []Delivery {
	rc.t.Helper()
	var got []Delivery
	if !rc.until(timeout, func() bool { got = slices.Clone(rc.got); return len(got) >= n }) {
		rc.t.Fatalf("the receiver got %d deliveries within %v, want %d", len(got), timeout, n)
	}
	return got
}

// Wait returns the next delivery that match accepts, dropping the ones
// before it that it does not; it fails the test when none came within
// timeout, naming what it waited for as what.
func (rc *Receiver) Wait(timeout time.Duration, what string, match func(Delivery) bool) Delivery {
	rc.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		d, ok := rc.Next(time.Until(deadline))
		if !ok {
			rc.t.Fatalf("the receiver got no %s within %v", what, timeout)
		}
		if match(d) {
			return d
		}
	}
}

// Next returns the next delivery, or false when none came within
// timeout.
func (rc *Receiver) Next(timeout time.Duration) (Delivery, bool) {
	var d Delivery
	ok := rc.until(timeout, func() bool {
		if rc.next == len(rc.got) {
			return false
		}
		d = rc.got[rc.next]
		rc.next++
		return true
	})
	return d, ok
}

// until calls done, holding rc.mu, when called and after each delivery,
// until it returns true (until returns true) or timeout passes (false).
func (rc *Receiver) until(timeout time.Duration, done func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		rc.mu.Lock()
		ok := done()
		rc.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-rc.arrived:
		case <-deadline.C:
			return false
		}
	}
}

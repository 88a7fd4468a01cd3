package servertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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

// Receiver is a real webhook receiver: an httptest.Server that answers
// every request 200 with the body "received" and the header X-Receiver:
// yes, and hands the requests over in the order they came (Wait). It
// stops when the test ends. It holds up to 100 deliveries no one waited
// for; more block their senders.
//
// Use it from the test's goroutine only.
type Receiver struct {
	*httptest.Server
	t   testing.TB
	got chan Delivery
}

// NewReceiver starts a Receiver for the test t.
func NewReceiver(t testing.TB) *Receiver {
	rc := &Receiver{t: t, got: make(chan Delivery, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.got <- Delivery{r.Header.Clone(), b}
		w.Header().Set("X-Receiver", "yes")
		io.WriteString(w, "received")
	}))
	t.Cleanup(rc.Close)
	return rc
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
	select {
	case d := <-rc.got:
		return d, true
	case <-time.After(timeout):
		return Delivery{}, false
	}
}

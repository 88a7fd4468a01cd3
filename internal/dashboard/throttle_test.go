package dashboard

import (
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestLoginThrottle: five attempts lock an email for the window, twenty
// lock an address, a success refunds the email's count, and the window
// ends the lock.
func TestLoginThrottle(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := newLoginThrottle(func() time.Time { return now })
	req := httptest.NewRequest("POST", "/dashboard/login", nil)
	req.RemoteAddr = "192.0.2.1:5000"

	for i := 0; i < loginMaxPerEmail; i++ {
		a, no := l.reserve(req, "Ada@Example.com ")
		if no != nil {
			t.Fatalf("refused after %d failures: %+v", i, no)
		}
		a.failed()
	}
	if _, no := l.reserve(req, "ada@example.com"); no == nil || no.busy || no.wait != loginWindow {
		t.Fatalf("after %d failures: refusal %+v, want a wait of %v", loginMaxPerEmail, no, loginWindow)
	}
	if a, no := l.reserve(req, "bob@example.com"); no != nil {
		t.Fatalf("another email from the same address is refused: %+v", no)
	} else {
		a.abandoned()
	}
	now = now.Add(loginWindow)
	if a, no := l.reserve(req, "ada@example.com"); no != nil {
		t.Fatalf("still refused after the window: %+v", no)
	} else {
		a.abandoned()
	}

	// A success clears the email's count; an abandoned attempt is
	// refunded.
	a, _ := l.reserve(req, "carol@example.com")
	a.failed()
	a, _ = l.reserve(req, "carol@example.com")
	a.succeeded()
	for i := 0; i < loginMaxPerEmail-1; i++ {
		a, _ := l.reserve(req, "carol@example.com")
		a.failed()
	}
	a, no := l.reserve(req, "carol@example.com")
	if no != nil {
		t.Fatalf("the count survived a success: %+v", no)
	}
	a.abandoned()
	a, no = l.reserve(req, "carol@example.com")
	if no != nil {
		t.Fatalf("an abandoned attempt was charged: %+v", no)
	}
	a.failed()
	if _, no := l.reserve(req, "carol@example.com"); no == nil {
		t.Fatal("the fifth failure did not lock the email")
	}

	// Twenty attempts from one address, across emails, lock the address.
	other := httptest.NewRequest("POST", "/dashboard/login", nil)
	other.RemoteAddr = "198.51.100.7:1234"
	for i := 0; i < loginMaxPerAddr; i++ {
		a, no := l.reserve(other, "user"+strconv.Itoa(i)+"@example.com")
		if no != nil {
			t.Fatalf("attempt %d from a fresh address refused: %+v", i, no)
		}
		a.failed()
	}
	if _, no := l.reserve(other, "new@example.com"); no == nil || no.busy {
		t.Fatalf("an address with 20 failures: refusal %+v, want the window", no)
	}
	if a, no := l.reserve(req, "new@example.com"); no != nil {
		t.Fatalf("another address is refused: %+v", no)
	} else {
		a.abandoned()
	}
}

// TestLoginThrottleReservesFirst: 60 simultaneous attempts for one email
// are charged before any is checked, so at most loginMaxPerEmail are
// admitted over the whole race and at most loginInFlightPerEmail at once;
// the rest are refused without a check.
func TestLoginThrottleReservesFirst(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := newLoginThrottle(func() time.Time { return now })
	var (
		mu                            sync.Mutex
		admitted, inFlight, maxFlight int
		wg                            sync.WaitGroup
	)
	start := make(chan struct{})
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/dashboard/login", nil)
			req.RemoteAddr = "192.0.2." + strconv.Itoa(i%3) + ":5000"
			<-start
			// Each goroutine retries until refused for the window, as an
			// attacker would.
			for {
				a, no := l.reserve(req, "ada@example.com")
				if no != nil {
					if !no.busy {
						return
					}
					time.Sleep(time.Millisecond)
					continue
				}
				mu.Lock()
				admitted++
				inFlight++
				maxFlight = max(maxFlight, inFlight)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond) // the password check
				mu.Lock()
				inFlight--
				mu.Unlock()
				a.failed()
			}
		}(i)
	}
	close(start)
	wg.Wait()
	if admitted != loginMaxPerEmail {
		t.Fatalf("%d attempts checked, want %d", admitted, loginMaxPerEmail)
	}
	if maxFlight > loginInFlightPerEmail {
		t.Fatalf("%d attempts in flight at once, want at most %d", maxFlight, loginInFlightPerEmail)
	}
	if l.inFlight != 0 {
		t.Fatalf("%d attempts still counted in flight", l.inFlight)
	}
}

// TestLoginThrottleBounded: the counters never outgrow loginMaxKeys.
func TestLoginThrottleBounded(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := newLoginThrottle(func() time.Time { return now })
	req := httptest.NewRequest("POST", "/dashboard/login", nil)
	for i := 0; i < loginMaxKeys+10; i++ {
		now = now.Add(time.Millisecond)
		req.RemoteAddr = "10.0." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250) + ":1"
		a, no := l.reserve(req, strconv.Itoa(i)+"@example.com")
		if no != nil {
			t.Fatalf("attempt %d refused: %+v", i, no)
		}
		a.failed()
	}
	if n := len(l.counts); n > loginMaxKeys {
		t.Fatalf("%d counters, want at most %d", n, loginMaxKeys)
	}
}

package dashboard

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// TestLoginThrottle: five failures lock an email for the window, twenty
// lock an address, a success clears the email's count, and the window
// ends the lock.
func TestLoginThrottle(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := newLoginThrottle(func() time.Time { return now })
	req := httptest.NewRequest("POST", "/dashboard/login", nil)
	req.RemoteAddr = "192.0.2.1:5000"

	for i := 0; i < loginMaxPerEmail; i++ {
		if w := l.blocked(req, "ada@example.com"); w != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		l.failed(req, "Ada@Example.com ")
	}
	if w := l.blocked(req, "ada@example.com"); w != loginWindow {
		t.Fatalf("after %d failures blocked for %v, want %v", loginMaxPerEmail, w, loginWindow)
	}
	if w := l.blocked(req, "bob@example.com"); w != 0 {
		t.Fatalf("another email from the same address is blocked for %v", w)
	}
	now = now.Add(loginWindow)
	if w := l.blocked(req, "ada@example.com"); w != 0 {
		t.Fatalf("still blocked after the window: %v", w)
	}

	// A success clears the email's count.
	l.failed(req, "carol@example.com")
	l.succeeded(req, "carol@example.com")
	for i := 0; i < loginMaxPerEmail-1; i++ {
		l.failed(req, "carol@example.com")
	}
	if w := l.blocked(req, "carol@example.com"); w != 0 {
		t.Fatalf("the count survived a success: blocked %v", w)
	}

	// Twenty failures from one address, across emails, lock the address.
	other := httptest.NewRequest("POST", "/dashboard/login", nil)
	other.RemoteAddr = "198.51.100.7:1234"
	for i := 0; i < loginMaxPerAddr; i++ {
		l.failed(other, "user"+strconv.Itoa(i)+"@example.com")
	}
	if w := l.blocked(other, "new@example.com"); w == 0 {
		t.Fatal("an address with 20 failures is not blocked")
	}
	if w := l.blocked(req, "new@example.com"); w != 0 {
		t.Fatalf("another address is blocked: %v", w)
	}
}

// TestLoginThrottleBounded: the counters never outgrow loginMaxKeys.
func TestLoginThrottleBounded(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := newLoginThrottle(func() time.Time { return now })
	req := httptest.NewRequest("POST", "/dashboard/login", nil)
	for i := 0; i < loginMaxKeys+10; i++ {
		now = now.Add(time.Millisecond)
		l.failed(req, strconv.Itoa(i)+"@example.com")
	}
	if n := len(l.counts); n > loginMaxKeys {
		t.Fatalf("%d counters, want at most %d", n, loginMaxKeys)
	}
}

package dashboard

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sign-in throttling. Failed sign-ins are counted per email address and
// per client address over a window; past a limit, sign-in for that email
// or from that address is refused with 429 until the window has passed,
// without checking the password. A successful sign-in clears its email's
// count. Each argon2id check costs 64 MiB, so the number of checks running
// at once is bounded too.
//
// The counts live in the process: with several docparse processes behind
// one name each keeps its own, which multiplies the limits by the number
// of processes but still stops guessing at scale.
const (
	loginWindow      = 15 * time.Minute
	loginMaxPerEmail = 5
	loginMaxPerAddr  = 20
	// loginMaxKeys bounds the memory of the counters; past it, expired
	// entries are dropped, and if none are, the oldest go.
	loginMaxKeys = 100_000
	// loginChecks is how many password checks may run at once.
	loginChecks = 4
)

// failures counts failed attempts of one key since start.
type failures struct {
	n     int
	start time.Time
}

// loginThrottle is safe for concurrent use.
type loginThrottle struct {
	now    func() time.Time
	checks chan struct{}

	mu     sync.Mutex
	counts map[string]failures
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, checks: make(chan struct{}, loginChecks), counts: map[string]failures{}}
}

// keys are the counters an attempt is charged to.
func loginKeys(r *http.Request, email string) (emailKey, addrKey string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "email:" + strings.ToLower(strings.TrimSpace(email)), "addr:" + host
}

// blocked reports how long sign-in for this email from this address stays
// refused; 0 when it is allowed.
func (l *loginThrottle) blocked(r *http.Request, email string) time.Duration {
	ek, ak := loginKeys(r, email)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for key, max := range map[string]int{ek: loginMaxPerEmail, ak: loginMaxPerAddr} {
		f, ok := l.counts[key]
		if !ok {
			continue
		}
		left := f.start.Add(loginWindow).Sub(now)
		if left <= 0 {
			delete(l.counts, key)
			continue
		}
		if f.n >= max && left > wait {
			wait = left
		}
	}
	return wait
}

// failed charges a failed attempt to the email and the address.
func (l *loginThrottle) failed(r *http.Request, email string) {
	ek, ak := loginKeys(r, email)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) >= loginMaxKeys {
		l.prune(now)
	}
	for _, key := range []string{ek, ak} {
		f := l.counts[key]
		if f.n == 0 || now.Sub(f.start) >= loginWindow {
			f = failures{start: now}
		}
		f.n++
		l.counts[key] = f
	}
}

// succeeded clears the email's count. The address's count stays: one
// right password does not license guessing others from there.
func (l *loginThrottle) succeeded(r *http.Request, email string) {
	ek, _ := loginKeys(r, email)
	l.mu.Lock()
	delete(l.counts, ek)
	l.mu.Unlock()
}

// prune drops expired counters, and the oldest half if none had expired.
// Called with mu held.
func (l *loginThrottle) prune(now time.Time) {
	for k, f := range l.counts {
		if now.Sub(f.start) >= loginWindow {
			delete(l.counts, k)
		}
	}
	if len(l.counts) < loginMaxKeys {
		return
	}
	cut := now.Add(-loginWindow / 2)
	for k, f := range l.counts {
		if f.start.Before(cut) || len(l.counts) > loginMaxKeys/2 {
			delete(l.counts, k)
		}
	}
}

// check runs fn when a password-check slot is free, or returns false when
// the request ends first.
func (l *loginThrottle) check(r *http.Request, fn func()) bool {
	select {
	case l.checks <- struct{}{}:
	case <-r.Context().Done():
		return false
	}
	defer func() { <-l.checks }()
	fn()
	return true
}

package dashboard

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sign-in throttling. Attempts are counted per email address and per
// client address over a window. An attempt is charged *before* its
// password is checked (reserve, then check): a success refunds the email's
// count, a failure keeps it. Past a limit, sign-in for that email or from
// that address is refused with 429 until the window has passed, without
// checking the password, so simultaneous attempts cannot all be checked
// before the first failure is counted. The attempts in flight (waiting for
// or in a password check) are bounded per email, per address and in all,
// and each argon2id check costs 64 MiB, so the checks running at once are
// bounded too.
//
// The counts live in the process: with several docparse processes behind
// one name each keeps its own, which multiplies the limits by the number
// of processes but still stops guessing at scale.
const (
	loginWindow      = 15 * time.Minute
	loginMaxPerEmail = 5
	loginMaxPerAddr  = 20
	// In flight at once: per email, per client address, in all.
	loginInFlightPerEmail = 2
	loginInFlightPerAddr  = 8
	loginInFlight         = 64
	// loginMaxKeys bounds the memory of the counters; past it, expired
	// entries are dropped, and if none are, the oldest go.
	loginMaxKeys = 100_000
	// loginChecks is how many password checks may run at once.
	loginChecks = 4
)

// attempts counts the attempts of one key since start, the ones in
// flight included.
type attempts struct {
	n        int
	inFlight int
	start    time.Time
}

// loginThrottle is safe for concurrent use.
type loginThrottle struct {
	now    func() time.Time
	checks chan struct{}

	mu       sync.Mutex
	counts   map[string]attempts
	inFlight int
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, checks: make(chan struct{}, loginChecks), counts: map[string]attempts{}}
}

// keys are the counters an attempt is charged to.
func loginKeys(r *http.Request, email string) (emailKey, addrKey string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "email:" + strings.ToLower(strings.TrimSpace(email)), "addr:" + host
}

// refusal says why an attempt was not admitted: wait is how long to wait
// (Retry-After); busy is true when too many attempts are in flight rather
// than too many have failed.
type refusal struct {
	wait time.Duration
	busy bool
}

// attempt is an admitted sign-in attempt; its caller must end it with
// done.
type attempt struct {
	l            *loginThrottle
	emailKey     string
	addrKey      string
	ended        bool
	refundOnDone bool
}

// reserve admits an attempt for this email from this address, charging it
// to both counters before the password is checked, or refuses it.
func (l *loginThrottle) reserve(r *http.Request, email string) (*attempt, *refusal) {
	ek, ak := loginKeys(r, email)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) >= loginMaxKeys {
		l.prune(now)
	}
	var wait time.Duration
	busy := l.inFlight >= loginInFlight
	for _, c := range []struct {
		key           string
		max, inFlight int
	}{{ek, loginMaxPerEmail, loginInFlightPerEmail}, {ak, loginMaxPerAddr, loginInFlightPerAddr}} {
		a := l.current(c.key, now)
		if a.n >= c.max {
			if left := a.start.Add(loginWindow).Sub(now); left > wait {
				wait = left
			}
		}
		if a.inFlight >= c.inFlight {
			busy = true
		}
	}
	if wait > 0 {
		return nil, &refusal{wait: wait}
	}
	if busy {
		return nil, &refusal{wait: time.Second, busy: true}
	}
	for _, key := range []string{ek, ak} {
		a := l.current(key, now)
		if a.n == 0 {
			a.start = now
		}
		a.n++
		a.inFlight++
		l.counts[key] = a
	}
	l.inFlight++
	return &attempt{l: l, emailKey: ek, addrKey: ak}, nil
}

// current returns key's counter, its count reset when the window ended.
// Called with mu held.
func (l *loginThrottle) current(key string, now time.Time) attempts {
	a := l.counts[key]
	if a.n > 0 && now.Sub(a.start) >= loginWindow {
		a.n = 0
	}
	return a
}

// succeeded ends the attempt as a right password: the email's count is
// cleared (but for other attempts still in flight). The address's count
// stays: one right password does not license guessing others from there.
func (a *attempt) succeeded() { a.end(true, false) }

// failed ends the attempt as a wrong password: its charge stays.
func (a *attempt) failed() { a.end(false, false) }

// abandoned ends an attempt whose password was never checked (the
// request ended first): its charge is refunded.
func (a *attempt) abandoned() { a.end(false, true) }

func (a *attempt) end(success, refund bool) {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.ended {
		return
	}
	a.ended = true
	l.inFlight--
	for _, key := range []string{a.emailKey, a.addrKey} {
		c, ok := l.counts[key]
		if !ok {
			continue // pruned
		}
		if c.inFlight > 0 {
			c.inFlight--
		}
		switch {
		case success && key == a.emailKey:
			c.n = c.inFlight
		case refund && c.n > 0:
			c.n--
		}
		if c.n == 0 && c.inFlight == 0 {
			delete(l.counts, key)
			continue
		}
		l.counts[key] = c
	}
}

// prune drops expired counters, and the oldest half if none had expired;
// counters with attempts in flight stay. Called with mu held.
func (l *loginThrottle) prune(now time.Time) {
	for k, a := range l.counts {
		if a.inFlight == 0 && now.Sub(a.start) >= loginWindow {
			delete(l.counts, k)
		}
	}
	if len(l.counts) < loginMaxKeys {
		return
	}
	cut := now.Add(-loginWindow / 2)
	for k, a := range l.counts {
		if a.inFlight == 0 && (a.start.Before(cut) || len(l.counts) > loginMaxKeys/2) {
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

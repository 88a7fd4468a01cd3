// Package ratelimit holds docparse's per-account limits: the requests of
// an account (API keys and dashboard sessions alike draw on one bucket,
// so a new key adds no budget) and the API keys it may create. The
// buckets live in this process's memory: with several processes behind a
// balancer, each applies the limits.
package ratelimit

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Config sets the limits. A zero Rate turns request limiting off; a zero
// KeysPerHour turns the key creation limit off.
type Config struct {
	// Rate is the sustained requests per second per account; Burst is the
	// bucket size (default: Rate rounded up).
	Rate  float64
	Burst int
	// KeysPerHour is how many API keys an account may create per hour
	// (as a bucket of that size refilled over the hour).
	KeysPerHour int
}

// Limits are the limits of every account. A nil *Limits limits nothing.
// Safe for concurrent use.
type Limits struct {
	cfg      Config
	requests *bucketSet
	keys     *bucketSet
}

// New returns the limits of cfg; now is the clock.
func New(cfg Config, now func() time.Time) *Limits {
	l := &Limits{cfg: cfg}
	if cfg.Rate > 0 {
		burst := cfg.Burst
		if burst < 1 {
			burst = int(math.Ceil(cfg.Rate))
		}
		l.cfg.Burst = max(burst, 1)
		l.requests = newBucketSet(cfg.Rate, l.cfg.Burst, now)
	}
	if cfg.KeysPerHour > 0 {
		l.keys = newBucketSet(float64(cfg.KeysPerHour)/3600, cfg.KeysPerHour, now)
	}
	return l
}

// Config returns the limits' configuration.
func (l *Limits) Config() Config {
	if l == nil {
		return Config{}
	}
	return l.cfg
}

// Decision is the answer of a bucket to one request.
type Decision struct {
	OK bool
	// Limit is the bucket size, Remaining the whole tokens left, Reset the
	// seconds until the bucket is full again, RetryAfter the seconds until
	// a refused request may succeed (0 when OK). All 0 when off.
	Limit, Remaining, Reset, RetryAfter int
	off                                 bool
}

// Request takes one request from the account's bucket.
func (l *Limits) Request(account string) Decision {
	if l == nil || l.requests == nil {
		return Decision{OK: true, off: true}
	}
	return l.requests.take(account)
}

// CreateKey takes one key creation from the account's hourly budget.
func (l *Limits) CreateKey(account string) Decision {
	if l == nil || l.keys == nil {
		return Decision{OK: true, off: true}
	}
	return l.keys.take(account)
}

// SetHeaders sets the RateLimit-* headers of a request decision, and
// Retry-After when it was refused.
func (d Decision) SetHeaders(h http.Header) {
	if d.off {
		return
	}
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(d.Reset))
	if !d.OK {
		h.Set("Retry-After", strconv.Itoa(d.RetryAfter))
	}
}

// bucketSet is a token bucket per key: rate tokens per second, at most
// burst.
type bucketSet struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newBucketSet(rate float64, burst int, now func() time.Time) *bucketSet {
	return &bucketSet{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

func (s *bucketSet) take(key string) Decision {
	now := s.now()
	s.mu.Lock()
	b := s.buckets[key]
	if b == nil {
		b = &bucket{tokens: s.burst, last: now}
		s.buckets[key] = b
	}
	b.tokens = math.Min(s.burst, b.tokens+now.Sub(b.last).Seconds()*s.rate)
	b.last = now
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	tokens := b.tokens
	if now.Sub(s.sweep) > time.Minute {
		// Forget buckets that have refilled: they hold no information.
		for k, b := range s.buckets {
			if now.Sub(b.last).Seconds()*s.rate+b.tokens >= s.burst {
				delete(s.buckets, k)
			}
		}
		s.sweep = now
	}
	s.mu.Unlock()

	d := Decision{OK: ok, Limit: int(s.burst), Remaining: int(math.Floor(tokens)),
		Reset: int(math.Ceil((s.burst - tokens) / s.rate))}
	if !ok {
		d.RetryAfter = int(math.Max(1, math.Ceil((1-tokens)/s.rate)))
	}
	return d
}

package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter is a token bucket per API key, in this process's memory: rate
// tokens per second, at most burst. Safe for concurrent use.
type limiter struct {
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

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	if burst < 1 {
		burst = int(math.Ceil(rate))
	}
	return &limiter{rate: rate, burst: float64(max(burst, 1)), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key and sets the RateLimit-* headers; it returns
// a 429 error with Retry-After when the bucket is empty.
func (l *limiter) allow(w http.ResponseWriter, key string) error {
	now := l.now()
	l.mu.Lock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	tokens := b.tokens
	if now.Sub(l.sweep) > time.Minute {
		// Forget buckets that have refilled: they hold no information.
		for k, b := range l.buckets {
			if now.Sub(b.last).Seconds()*l.rate+b.tokens >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	l.mu.Unlock()

	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(int(l.burst)))
	h.Set("RateLimit-Remaining", strconv.Itoa(int(math.Floor(tokens))))
	h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil((l.burst-tokens)/l.rate))))
	if ok {
		return nil
	}
	wait := int(math.Max(1, math.Ceil((1-tokens)/l.rate)))
	e := errorf(http.StatusTooManyRequests, "rate_limited", "too many requests: at most %g per second (burst %d) per key; retry after %d s", l.rate, int(l.burst), wait)
	e.header = http.Header{"Retry-After": []string{strconv.Itoa(wait)}}
	return e
}

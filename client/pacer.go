package client

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	// defaultPollRate is the requests per second (and burst) that a
	// Client's pollers may send together: half of docparse's default
	// per-key limit of 10/s.
	defaultPollRate = 5
	// lowRemaining: when a response says this few requests are left in
	// the key's bucket, the pollers pause for a second to leave them to
	// the application.
	lowRemaining = 2
)

// pacer is a token bucket shared by a Client's pollers, which also pauses
// when the server says the key is (nearly) out of requests. Safe for
// concurrent use.
type pacer struct {
	rate  float64
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
	until  time.Time // no request before
}

func newPacer(rate float64, burst int) *pacer {
	return &pacer{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// wait takes a token, sleeping until one is available and any pause has
// passed, or returns ctx's error.
func (p *pacer) wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		now := time.Now()
		p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
		p.last = now
		var d time.Duration
		switch {
		case now.Before(p.until):
			d = p.until.Sub(now)
		case p.tokens >= 1:
			p.tokens--
			p.mu.Unlock()
			return nil
		default:
			d = time.Duration((1 - p.tokens) / p.rate * float64(time.Second))
		}
		p.mu.Unlock()
		if !sleep(ctx, d) {
			return ctx.Err()
		}
	}
}

// pause holds every poller for d from now.
func (p *pacer) pause(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := time.Now().Add(d); t.After(p.until) {
		p.until = t
	}
}

// observe reads the rate-limit headers of any answer with the Client's
// key: a 429 pauses the pollers for its Retry-After (1 s when absent), a
// nearly empty bucket for a second.
func (p *pacer) observe(resp *http.Response) {
	if resp.StatusCode == http.StatusTooManyRequests {
		p.pause(max(retryAfter(resp.Header.Get("Retry-After"), time.Now()), time.Second))
		return
	}
	if v := resp.Header.Get("RateLimit-Remaining"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n <= lowRemaining {
			p.pause(time.Second)
		}
	}
}

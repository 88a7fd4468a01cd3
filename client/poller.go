package client

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// poller polls the batches of one extraction (or one classification) for
// the waits of one Client; what one poll does is in poll.go. Its waiters
// are guarded by the Client's mu; everything else belongs to its
// goroutine.
type poller[B, R any] struct {
	c       *Client
	kind    *batchKind[B, R]
	ownerID string
	key     string // in c.pollers: the path of the batches
	cancel  context.CancelFunc
	waiters map[string][]*waiter[B, R] // by batch id; guarded by c.mu

	states  map[string]*batchState // by batch id
	maxSeen time.Time              // newest updated_at seen
	rounds  int
	next    int // round-robin position of revalidation
}

// batchState is what the poller knows of a watched batch.
type batchState struct {
	head batchHead
	etag string
}

// waiter is one wait.
type waiter[B, R any] struct {
	batchID  string
	interval time.Duration
	p        *poller[B, R]
	// updates holds the latest batch not yet taken (the poller replaces
	// an older one); done receives the outcome exactly once.
	updates chan B
	done    chan waitResult[R]
}

type waitResult[R any] struct {
	res *R
	err error
}

// offer hands b to the waiter, replacing an update it has not taken. Only
// the poller's goroutine sends, so the second send never blocks.
func (w *waiter[B, R]) offer(b B) {
	select {
	case <-w.updates:
	default:
	}
	select {
	case w.updates <- b:
	default:
	}
}

// join adds w to the poller of ownerID's batches, starting one if none
// runs.
func (w *waiter[B, R]) join(c *Client, k *batchKind[B, R], ownerID string) {
	key := k.batchesPath(ownerID)
	c.mu.Lock()
	defer c.mu.Unlock()
	p, _ := c.pollers[key].(*poller[B, R])
	if p == nil {
		ctx, cancel := context.WithCancel(context.Background())
		p = &poller[B, R]{c: c, kind: k, ownerID: ownerID, key: key, cancel: cancel,
			waiters: map[string][]*waiter[B, R]{}, states: map[string]*batchState{}}
		c.pollers[key] = p
		go p.run(ctx)
	}
	w.p = p
	p.waiters[w.batchID] = append(p.waiters[w.batchID], w)
}

// leave removes w from its poller (a no-op when the poller already
// delivered to it) and stops the poller when no wait is left.
func (w *waiter[B, R]) leave() {
	p := w.p
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	ws := p.waiters[w.batchID]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(p.waiters, w.batchID)
	} else {
		p.waiters[w.batchID] = ws
	}
	p.stopIfIdleLocked()
}

// stopIfIdleLocked stops p when it has no waiter left. c.mu is held.
func (p *poller[B, R]) stopIfIdleLocked() {
	if len(p.waiters) > 0 {
		return
	}
	p.cancel()
	if p.c.pollers[p.key] == p {
		delete(p.c.pollers, p.key)
	}
}

// run polls until ctx ends (the last waiter left) or an error that no
// retry can fix, which every waiter then receives.
func (p *poller[B, R]) run(ctx context.Context) {
	failures := 0
	for {
		err := p.round(ctx)
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		var ae *Error
		switch {
		case err == nil:
			failures = 0
			wait = p.interval()
		case errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests:
			// send already paused the pacer for Retry-After.
			wait = max(ae.RetryAfter, time.Second)
		case transient(err):
			failures++
			wait = backoff(p.interval(), failures)
		default:
			p.failAll(err)
			return
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// interval is the shortest interval among the waiters.
func (p *poller[B, R]) interval() time.Duration {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	d := MaxPollInterval
	for _, ws := range p.waiters {
		for _, w := range ws {
			d = min(d, w.interval)
		}
	}
	return d
}

// watched returns the ids of the batches with waiters.
func (p *poller[B, R]) watched() map[string]bool {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	ids := make(map[string]bool, len(p.waiters))
	for id := range p.waiters {
		ids[id] = true
	}
	return ids
}

func (p *poller[B, R]) isWatched(id string) bool {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	return len(p.waiters[id]) > 0
}

// update hands the waits on batch b its new state.
func (p *poller[B, R]) update(id string, b B) {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	for _, w := range p.waiters[id] {
		w.offer(b)
	}
}

// deliver ends the waits on batch id with res or err.
func (p *poller[B, R]) deliver(id string, res *R, err error) {
	delete(p.states, id)
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	for _, w := range p.waiters[id] {
		r := waitResult[R]{err: err}
		if res != nil {
			r.res = p.kind.clone(res)
		}
		w.done <- r
	}
	delete(p.waiters, id)
	p.stopIfIdleLocked()
}

// failAll ends every wait of the poller with err and stops it.
func (p *poller[B, R]) failAll(err error) {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	for id, ws := range p.waiters {
		for _, w := range ws {
			w.done <- waitResult[R]{err: err}
		}
		delete(p.waiters, id)
	}
	p.stopIfIdleLocked()
}

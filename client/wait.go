package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Polling intervals of [Client.WaitForBatch]. The API asks clients to
// poll every 2-5 s; an interval outside that range is clamped to it.
const (
	DefaultPollInterval = 3 * time.Second
	MinPollInterval     = 2 * time.Second
	MaxPollInterval     = 5 * time.Second
)

const (
	// defaultPollRate is the requests per second (and burst) that a
	// Client's pollers may send together: half of docparse's default
	// per-key limit of 10/s.
	defaultPollRate = 5
	// maxBackoff caps the wait after network errors and 5xx.
	maxBackoff = 30 * time.Second
	// updatedOverlap is how far before the newest updated_at seen the
	// next list of changed batches starts. A batch's updated_at is the
	// server's clock when a change began, and the change is visible only
	// once its transaction commits: the overlap covers that delay and
	// small clock differences between server processes.
	updatedOverlap = 3 * time.Second
	// revalidateEvery: every so many rounds, one watched batch is also
	// read directly (round-robin, with If-None-Match), so that a change
	// the list missed for any reason is still seen eventually.
	revalidateEvery = 5
	// directUnseen is how many newly watched batches are read directly;
	// more are found by listing the extraction's newest batches.
	directUnseen = 2
	// requestTimeout bounds one request of a poller: an answer that never
	// comes (a half-open connection, a stuck proxy) is a network error,
	// retried with backoff, not a wait stuck for good.
	requestTimeout = 30 * time.Second
	// lowRemaining: when a response says this few requests are left in
	// the key's bucket, the pollers pause for a second to leave them to
	// the application.
	lowRemaining = 2
)

// WaitOptions tune [Client.WaitForBatch].
type WaitOptions struct {
	// Interval between polls; 0 means the Client's (WithPollInterval,
	// default 3 s). It is clamped to [2 s, 5 s]. Waits on one extraction
	// share one poller, which polls at the shortest interval among them.
	Interval time.Duration
	// OnProgress, when set, is called on the caller's goroutine with the
	// batch each time its status or counts are seen to change, first
	// when the batch is first seen, last with the final batch before
	// WaitForBatch returns.
	OnProgress func(Batch)
	// OnProgressClassification is OnProgress for
	// [Client.WaitForClassificationBatch].
	OnProgressClassification func(ClassificationBatch)
}

// WaitForBatch waits until a batch ends (processed, partial or failed) and
// returns it with its files; a failed batch is a result, not an error. It
// returns ctx's error, wrapped, when ctx ends first, and an *Error when the
// API refuses (404 for an unknown batch, 401 for a revoked key).
//
// Every WaitForBatch on one Client shares one poller per extraction, so a
// hundred concurrent waits cost about what one does. Each interval the
// poller makes one request: GET of the batch with If-None-Match when it
// watches one batch, otherwise one list of the extraction's batches
// updated since the newest change it has seen (minus a few seconds of
// overlap; a further page only when more than 100 changed). Status and
// counts come from that list; a batch is read in full (with its files)
// only once, when it has ended. Every fifth round one watched batch is
// also read directly, in turn, as a safety net. New batches are found
// with one list of the newest batches (one GET each when at most two are
// new). The poller stops when its last wait returns.
//
// All of a Client's pollers together send at most 5 requests per second
// (WithPollRate), half of docparse's default per-key limit, and pause for
// a second when a response shows the key's bucket nearly empty, so the
// application's own calls keep their share. A 429 pauses them for its
// Retry-After; network errors, requests unanswered after 30 s and 5xx back
// off exponentially with jitter, up to 30 s, without failing the wait:
// bound the wait with ctx.
func (c *Client) WaitForBatch(ctx context.Context, extractionID, batchID string, o WaitOptions) (*BatchResult, error) {
	if extractionID == "" || batchID == "" {
		return nil, errors.New("docparse: wait for batch: empty extraction or batch id")
	}
	w := &waiter{batchID: batchID, interval: c.clamp(o.Interval), updates: make(chan Batch, 1), done: make(chan waitResult, 1)}
	c.join(extractionID, w)
	defer c.leave(w)
	var last *Batch
	report := func(b Batch) {
		if o.OnProgress == nil || (last != nil && last.Status == b.Status && last.Counts == b.Counts) {
			return
		}
		last = &b
		o.OnProgress(b)
	}
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("docparse: wait for batch %s: %w", batchID, ctx.Err())
		case b := <-w.updates:
			report(b)
		case r := <-w.done:
			if r.err != nil {
				return nil, r.err
			}
			select {
			case b := <-w.updates:
				report(b)
			default:
			}
			report(r.res.Batch)
			return r.res, nil
		}
	}
}

// clamp returns the poll interval for a wait that asked for d.
func (c *Client) clamp(d time.Duration) time.Duration {
	if d == 0 {
		d = c.interval
	}
	return min(max(d, c.minInterval), MaxPollInterval)
}

// waiter is one WaitForBatch call.
type waiter struct {
	batchID  string
	interval time.Duration
	p        *poller
	// updates holds the latest batch not yet taken (the poller replaces
	// an older one); done receives the outcome exactly once.
	updates chan Batch
	done    chan waitResult
}

type waitResult struct {
	res *BatchResult
	err error
}

// offer hands b to the waiter, replacing an update it has not taken. Only
// the poller's goroutine sends, so the second send never blocks.
func (w *waiter) offer(b Batch) {
	select {
	case <-w.updates:
	default:
	}
	select {
	case w.updates <- b:
	default:
	}
}

// join adds w to its extraction's poller, starting one if none runs.
func (c *Client) join(extractionID string, w *waiter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pollers[extractionID]
	if p == nil {
		ctx, cancel := context.WithCancel(context.Background())
		p = &poller{c: c, extractionID: extractionID, cancel: cancel, waiters: map[string][]*waiter{}, states: map[string]*batchState{}}
		c.pollers[extractionID] = p
		go p.run(ctx)
	}
	w.p = p
	p.waiters[w.batchID] = append(p.waiters[w.batchID], w)
}

// leave removes w from its poller (a no-op when the poller already
// delivered to it) and stops the poller when no wait is left.
func (c *Client) leave(w *waiter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := w.p
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

// poller polls one extraction's batches for the waits of one Client. Its
// waiters are guarded by the Client's mu; everything else belongs to its
// goroutine.
type poller struct {
	c            *Client
	extractionID string
	cancel       context.CancelFunc
	waiters      map[string][]*waiter // by batch id; guarded by c.mu

	states  map[string]*batchState // by batch id
	maxSeen time.Time              // newest updated_at seen
	rounds  int
	next    int // round-robin position of revalidation
}

// batchState is what the poller knows of a watched batch.
type batchState struct {
	batch Batch
	etag  string
}

// stopIfIdleLocked stops p when it has no waiter left. c.mu is held.
func (p *poller) stopIfIdleLocked() {
	if len(p.waiters) > 0 {
		return
	}
	p.cancel()
	if p.c.pollers[p.extractionID] == p {
		delete(p.c.pollers, p.extractionID)
	}
}

// run polls until ctx ends (the last waiter left) or an error that no
// retry can fix, which every waiter then receives.
func (p *poller) run(ctx context.Context) {
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

// transient reports whether err may pass if the request is made again:
// network errors, 408 and 5xx.
func transient(err error) bool {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500 || ae.StatusCode == http.StatusRequestTimeout
	}
	return true
}

// backoff returns the wait after the n-th failure in a row: base doubled
// each time, at most maxBackoff, with jitter (between half and all of it).
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// interval is the shortest interval among the waiters.
func (p *poller) interval() time.Duration {
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
func (p *poller) watched() map[string]bool {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	ids := make(map[string]bool, len(p.waiters))
	for id := range p.waiters {
		ids[id] = true
	}
	return ids
}

// round is one poll: learn what changed, report progress, read and
// deliver the batches that ended.
func (p *poller) round(ctx context.Context) error {
	p.rounds++
	ids := p.watched()
	for id := range p.states {
		if !ids[id] {
			delete(p.states, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if len(ids) == 1 {
		// One batch: the polling endpoint with If-None-Match is as cheap
		// as a list, and answers 304 while nothing changes.
		for id := range ids {
			return p.refresh(ctx, id)
		}
	}
	if err := p.discover(ctx, ids); err != nil {
		return err
	}
	if err := p.finish(ctx, ids); err != nil {
		return err
	}
	if p.rounds%revalidateEvery == 0 {
		return p.revalidate(ctx, ids)
	}
	return nil
}

// discover learns the current state of the watched batches that changed.
func (p *poller) discover(ctx context.Context, ids map[string]bool) error {
	var unseen []string
	for id := range ids {
		if p.states[id] == nil {
			unseen = append(unseen, id)
		}
	}
	if p.maxSeen.IsZero() || len(unseen) > directUnseen {
		return p.scan(ctx, ids)
	}
	lp := BatchListParams{UpdatedAfter: p.maxSeen.Add(-updatedOverlap), ListParams: ListParams{Limit: iterLimit}}
	for {
		pg, err := p.list(ctx, lp)
		if err != nil {
			return err
		}
		for _, b := range pg.Data {
			p.observe(b, ids, "")
		}
		if !pg.HasMore || pg.NextCursor == "" {
			break
		}
		lp.Cursor = pg.NextCursor
	}
	for _, id := range unseen {
		if err := p.refresh(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// scan lists the extraction's batches, newest first, until every watched
// batch has been seen; a watched batch missing from the whole list is read
// directly (and is then most likely a 404 for its waiters).
func (p *poller) scan(ctx context.Context, ids map[string]bool) error {
	missing := make(map[string]bool, len(ids))
	for id := range ids {
		missing[id] = true
	}
	lp := BatchListParams{ListParams: ListParams{Limit: iterLimit}}
	for len(missing) > 0 {
		pg, err := p.list(ctx, lp)
		if err != nil {
			return err
		}
		for _, b := range pg.Data {
			p.observe(b, ids, "")
			delete(missing, b.ID)
		}
		if !pg.HasMore || pg.NextCursor == "" {
			break
		}
		lp.Cursor = pg.NextCursor
	}
	for id := range missing {
		if err := p.refresh(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// observe records a batch as seen and reports it to its waiters when it
// changed. etag is the batch's ETag when it was read directly.
func (p *poller) observe(b Batch, ids map[string]bool, etag string) {
	if b.UpdatedAt.After(p.maxSeen) {
		p.maxSeen = b.UpdatedAt
	}
	if !ids[b.ID] {
		return
	}
	st := p.states[b.ID]
	if st == nil {
		st = &batchState{}
		p.states[b.ID] = st
	} else if st.batch.UpdatedAt.Equal(b.UpdatedAt) && st.batch.Status == b.Status && st.batch.Counts == b.Counts {
		return
	}
	st.batch = b
	if etag != "" {
		st.etag = etag
	}
	p.c.mu.Lock()
	for _, w := range p.waiters[b.ID] {
		w.offer(b)
	}
	p.c.mu.Unlock()
}

// finish reads every watched batch that ended, with its files, and
// delivers it.
func (p *poller) finish(ctx context.Context, ids map[string]bool) error {
	for id := range ids {
		st := p.states[id]
		if st == nil || !st.batch.Terminal() || !p.isWatched(id) {
			continue
		}
		res, _, err := p.get(ctx, id, "")
		if err != nil {
			if IsNotFound(err) {
				p.deliver(id, nil, err)
				continue
			}
			return err
		}
		p.deliver(id, res, nil)
	}
	return nil
}

// revalidate reads one watched batch directly, in turn.
func (p *poller) revalidate(ctx context.Context, ids map[string]bool) error {
	var order []string
	for id := range ids {
		if p.isWatched(id) {
			order = append(order, id)
		}
	}
	if len(order) == 0 {
		return nil
	}
	slices.Sort(order) // a stable order makes the round-robin real

	p.next %= len(order)
	id := order[p.next]
	p.next++
	return p.refresh(ctx, id)
}

// refresh reads one batch directly with If-None-Match and delivers it when
// it ended. A 404 fails its waiters only.
func (p *poller) refresh(ctx context.Context, id string) error {
	etag := ""
	if st := p.states[id]; st != nil {
		etag = st.etag
	}
	res, newTag, err := p.get(ctx, id, etag)
	if err != nil {
		if IsNotFound(err) {
			p.deliver(id, nil, err)
			return nil
		}
		return err
	}
	if res == nil { // 304: unchanged
		return nil
	}
	p.observe(res.Batch, map[string]bool{id: true}, newTag)
	if res.Batch.Terminal() {
		p.deliver(id, res, nil)
	}
	return nil
}

func (p *poller) isWatched(id string) bool {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	return len(p.waiters[id]) > 0
}

// get reads a batch, paced. It returns nil and no error for a 304.
func (p *poller) get(ctx context.Context, id, etag string) (*BatchResult, string, error) {
	if err := p.c.pace.wait(ctx); err != nil {
		return nil, "", err
	}
	var h http.Header
	if etag != "" {
		h = http.Header{"If-None-Match": []string{etag}}
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	resp, err := p.c.send(ctx, request{method: http.MethodGet, path: path("extractions", p.extractionID, "batches", id), header: h})
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, etag, nil
	}
	var out BatchResult
	if err := decodeBody(resp, &out); err != nil {
		return nil, "", fmt.Errorf("docparse: decode batch %s: %w", id, err)
	}
	return &out, resp.Header.Get("ETag"), nil
}

// list reads one page of the extraction's batches, paced.
func (p *poller) list(ctx context.Context, lp BatchListParams) (*Page[Batch], error) {
	if err := p.c.pace.wait(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	return p.c.ListBatchesPage(ctx, p.extractionID, lp)
}

// deliver ends the waits on batch id with res or err.
func (p *poller) deliver(id string, res *BatchResult, err error) {
	delete(p.states, id)
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	for _, w := range p.waiters[id] {
		w.done <- waitResult{res: res.clone(), err: err}
	}
	delete(p.waiters, id)
	p.stopIfIdleLocked()
}

// failAll ends every wait of the poller with err and stops it.
func (p *poller) failAll(err error) {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	for id, ws := range p.waiters {
		for _, w := range ws {
			w.done <- waitResult{err: err}
		}
		delete(p.waiters, id)
	}
	p.stopIfIdleLocked()
}

// clone gives each waiter its own copy.
func (r *BatchResult) clone() *BatchResult {
	if r == nil {
		return nil
	}
	out := *r
	out.Files = append([]BatchFile(nil), r.Files...)
	return &out
}

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

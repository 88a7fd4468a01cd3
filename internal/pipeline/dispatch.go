package pipeline

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/webhook"
)

// DispatchConfig tunes webhook delivery.
type DispatchConfig struct {
	// PerEndpoint caps concurrent deliveries to one endpoint, so that a
	// slow or dead endpoint holds at most this many senders.
	PerEndpoint int
	// Lease is how long a delivery handed to this process stays out of
	// other sweepers' reach; a delivery whose process died is retried when
	// its lease ends.
	Lease time.Duration
	// SweepInterval is how often due retries are looked for.
	SweepInterval time.Duration
	// Timeout bounds one delivery attempt.
	Timeout time.Duration
	// AllowPrivate lets deliveries reach loopback and private addresses.
	AllowPrivate bool
	// UserAgent is sent with every delivery.
	UserAgent string
	// Metrics is where attempts are counted (metrics.go); nil: a set of
	// the dispatcher's own. Service sets its Config.Metrics.
	Metrics *metrics.Set
}

func (c DispatchConfig) withDefaults() DispatchConfig {
	if c.PerEndpoint <= 0 {
		c.PerEndpoint = 16
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.Lease < c.Timeout+5*time.Second {
		c.Lease = c.Timeout + 5*time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = "docparse-webhooks/dev"
	}
	if c.Metrics == nil {
		c.Metrics = metrics.NewSet()
	}
	return c
}

// maxQueuedPerEndpoint bounds the deliveries waiting in memory for one
// endpoint; past it they wait in the database for a sweeper.
const maxQueuedPerEndpoint = 10000

// recordBatch bounds how many attempts one transaction records.
const recordBatch = 512

// Dispatcher delivers webhook events. Deliveries are rows of an outbox
// written in the same transaction as the change that caused their event.
// The process that commits that transaction hands them straight to its
// dispatcher (the fast path); a sweeper finds the rest: retries that have
// come due and deliveries whose process died before recording them. Each
// endpoint has its own queue and at most PerEndpoint senders, so a slow
// endpoint never delays another. Attempts are recorded by one writer in
// batched transactions (group commit). Safe for concurrent use.
type Dispatcher struct {
	db     *store.DB
	client *webhook.Client
	ids    *docparse.IDs
	now    func() time.Time
	log    *slog.Logger
	cfg    DispatchConfig
	jitter func() float64
	// metrics counts attempts (in cfg.Metrics).
	metrics pipelineMetrics

	mu  sync.Mutex
	eps map[string]*endpointQueue
	// known holds the deliveries this process has in memory (queued, in
	// flight, or sent and not yet recorded): a sweeper claiming one of them
	// again must not queue a second copy, and their leases are renewed
	// while they wait.
	known map[string]struct{}
	// started and stopping are set once, under mu: Enqueue hands nothing
	// to senders before Start or once stopping.
	started, stopping bool

	results chan store.AttemptRecord
	wake    chan struct{}
	senders sync.WaitGroup
	loops   sync.WaitGroup
	// runCtx is the context of Start, cancelled when the dispatcher stops;
	// sends and database calls run under it. Set by Start.
	runCtx    context.Context
	cancelRun context.CancelFunc
	// stopLoop is closed when stopping begins (Stop, or Start's context
	// ended); stopped when the dispatcher has stopped.
	stopLoop chan struct{}
	stopped  chan struct{}
}

type endpointQueue struct {
	inflight int
	queue    []store.DeliveryTask
}

// NewDispatcher returns a dispatcher; Start runs it.
func NewDispatcher(db *store.DB, ids *docparse.IDs, cfg DispatchConfig, now func() time.Time, logger *slog.Logger) *Dispatcher {
	cfg = cfg.withDefaults()
	client := webhook.NewClient(webhook.ClientConfig{Timeout: cfg.Timeout, AllowPrivate: cfg.AllowPrivate, UserAgent: cfg.UserAgent})
	return &Dispatcher{
		db: db, client: client, ids: ids, now: now, log: logger, cfg: cfg, metrics: pipelineMetrics{cfg.Metrics},
		jitter:   func() float64 { return rand.Float64()*2 - 1 },
		eps:      map[string]*endpointQueue{},
		known:    map[string]struct{}{},
		results:  make(chan store.AttemptRecord, 4*recordBatch),
		wake:     make(chan struct{}, 1),
		stopLoop: make(chan struct{}),
		stopped:  make(chan struct{}),
	}
}

func (d *Dispatcher) lease() time.Duration {
	if d == nil {
		return time.Minute
	}
	return d.cfg.Lease
}

// Start runs the recorder and the sweeper, and returns at once. The
// dispatcher runs until Stop is called or ctx ends, whichever comes first;
// when ctx ends it stops as Stop does with no grace left: deliveries in
// flight are cut off and sent again once their leases end. On SQLite,
// which one process owns, deliveries left leased by a crash are sent at
// once. A second Start, or a Start after Stop, does nothing.
func (d *Dispatcher) Start(ctx context.Context) {
	d.mu.Lock()
	if d.started || d.stopping {
		d.mu.Unlock()
		return
	}
	d.started = true
	d.runCtx, d.cancelRun = context.WithCancel(ctx)
	d.mu.Unlock()
	rctx, cancel := context.WithTimeout(d.runCtx, 30*time.Second)
	if err := d.db.ReleaseLeases(rctx); err != nil {
		d.log.Warn("release delivery leases", "err", err)
	}
	cancel()
	d.loops.Add(2)
	go func() {
		defer d.loops.Done()
		d.recordLoop()
	}()
	go func() {
		defer d.loops.Done()
		d.sweepLoop()
	}()
	go d.shutdown()
}

// shutdown waits for the stop (Stop, or Start's context ended), then for
// the senders (each ends after its current attempt, at once when runCtx
// is cancelled), records what they finished and closes stopped.
func (d *Dispatcher) shutdown() {
	defer close(d.stopped)
	select {
	case <-d.runCtx.Done():
		d.beginStop()
	case <-d.stopLoop:
	}
	d.senders.Wait()
	close(d.results)
	d.loops.Wait()
	d.cancelRun()
}

// beginStop makes Enqueue refuse deliveries and ends the sweeper; it
// reports whether the dispatcher had been started.
func (d *Dispatcher) beginStop() (started bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopping {
		d.stopping = true
		close(d.stopLoop)
		if !d.started {
			close(d.stopped) // never to start
		}
	}
	return d.started
}

// Stop stops sweeping, lets deliveries in flight finish until ctx ends
// (then cancels them: their leases expire and they are sent again later,
// by this node's next start or any other node), records every finished
// attempt, and returns once the dispatcher has stopped. Safe to call more
// than once and concurrently, before Start too (the dispatcher then never
// starts).
func (d *Dispatcher) Stop(ctx context.Context) {
	if !d.beginStop() {
		return
	}
	select {
	case <-d.stopped:
	case <-ctx.Done():
		d.cancelRun()
		<-d.stopped
	}
}

// Stopped is closed once the dispatcher has stopped (after Stop, or after
// Start's context ended), every finished attempt recorded; at once by a
// Stop before Start.
func (d *Dispatcher) Stopped() <-chan struct{} { return d.stopped }

// Enqueue hands deliveries to their endpoints' queues. Call it after the
// transaction that created them has committed.
func (d *Dispatcher) Enqueue(tasks []store.DeliveryTask) {
	if d == nil || len(tasks) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started || d.stopping {
		return // leased rows: a sweeper sends them after the lease
	}
	for _, t := range tasks {
		if _, dup := d.known[roundKey(t.Delivery.ID, t.Delivery.Round)]; dup {
			continue
		}
		q := d.eps[t.Endpoint.ID]
		if q == nil {
			q = &endpointQueue{}
			d.eps[t.Endpoint.ID] = q
		}
		switch {
		case q.inflight < d.cfg.PerEndpoint:
			q.inflight++
			d.senders.Add(1)
			go d.sender(t)
		case len(q.queue) < maxQueuedPerEndpoint:
			q.queue = append(q.queue, t)
		default:
			continue // full: the row waits in the database for its lease to end
		}
		d.known[roundKey(t.Delivery.ID, t.Delivery.Round)] = struct{}{}
	}
}

// Idle reports whether the dispatcher holds no delivery in memory: none
// queued, in flight, or sent and not yet recorded. With every delivery
// row recorded as delivered, an idle dispatcher sends nothing more.
func (d *Dispatcher) Idle() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.known) == 0
}

// roundKey names one round of a delivery in memory.
func roundKey(deliveryID string, round int) string {
	return deliveryID + "#" + strconv.Itoa(round)
}

// forget drops delivery rounds (roundKey) from memory once their attempts
// are recorded (or given up): from then on the database alone decides.
func (d *Dispatcher) forget(keys ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		delete(d.known, k)
	}
}

// renewLeases extends the leases of every delivery held in memory, so that
// no other process claims one that waits in a long endpoint queue.
func (d *Dispatcher) renewLeases(ctx context.Context) {
	d.mu.Lock()
	ids := make([]string, 0, len(d.known))
	for k := range d.known {
		ids = append(ids, k[:strings.LastIndexByte(k, '#')])
	}
	d.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if err := d.db.ExtendLeases(ctx, ids, d.now().UTC().Add(d.cfg.Lease)); err != nil {
		d.log.Warn("renew delivery leases", "deliveries", len(ids), "err", err)
	}
}

// sender delivers t, then keeps taking from its endpoint's queue.
func (d *Dispatcher) sender(t store.DeliveryTask) {
	defer d.senders.Done()
	for {
		d.deliver(t)
		d.mu.Lock()
		q := d.eps[t.Endpoint.ID]
		if len(q.queue) == 0 || d.stopping {
			q.inflight--
			if q.inflight == 0 && len(q.queue) == 0 {
				delete(d.eps, t.Endpoint.ID)
			}
			d.mu.Unlock()
			return
		}
		t = q.queue[0]
		q.queue[0] = store.DeliveryTask{}
		q.queue = q.queue[1:]
		d.mu.Unlock()
	}
}

// deliveryHeaders builds the Standard Webhooks headers of one attempt.
func deliveryHeaders(ep docparse.Endpoint, eventID string, payload []byte, now time.Time, userAgent string) (http.Header, error) {
	sig, err := webhook.SignatureHeader(ep.Secrets(now), eventID, now, payload)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", userAgent)
	h.Set("webhook-id", eventID)
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sig)
	return h, nil
}

// deliver makes one attempt and hands its record to the recorder. It
// counts the attempt by outcome: "delivered"; "retry" (another attempt is
// scheduled); "exhausted" (a transient failure with no attempt left);
// "rejected" (a failure retrying cannot help: most 4xx, a blocked or
// invalid URL); "gone" (410: the endpoint is disabled); unsent,
// "endpoint_disabled" and "sign_failed".
func (d *Dispatcher) deliver(t store.DeliveryTask) {
	now := d.now().UTC()
	attempt := t.Delivery.Attempts + 1
	first := now
	if t.Delivery.FirstAttemptAt != nil {
		first = *t.Delivery.FirstAttemptAt
	}
	a := docparse.Attempt{ID: d.ids.New(docparse.PrefixAttempt), AccountID: t.Delivery.AccountID, EndpointID: t.Endpoint.ID,
		EventID: t.Event.ID, EventType: t.Event.Type, AttemptNumber: attempt, CreatedAt: now}
	rec := store.AttemptRecord{DeliveryID: t.Delivery.ID, Round: t.Delivery.Round, FirstAttemptAt: first}
	if !t.Endpoint.Enabled {
		a.Error = "the endpoint is disabled"
		a.RequestHeaders = map[string]string{}
		rec.State, rec.Attempt, rec.NoHealth = docparse.DeliveryFailed, a, true
		d.metrics.webhookNotSent("endpoint_disabled")
		d.record(rec)
		return
	}
	h, err := deliveryHeaders(t.Endpoint, t.Event.ID, t.Event.Payload, now, d.cfg.UserAgent)
	if err != nil {
		a.Error = "sign: " + err.Error()
		a.RequestHeaders = map[string]string{}
		rec.State, rec.Attempt = docparse.DeliveryFailed, a
		d.metrics.webhookNotSent("sign_failed")
		d.record(rec)
		return
	}
	res := d.client.Send(d.runCtx, t.Endpoint.URL, h, t.Event.Payload)
	if d.runCtx.Err() != nil {
		d.forget(roundKey(t.Delivery.ID, t.Delivery.Round))
		return // shutting down: the lease brings it back
	}
	fillAttempt(&a, h, res)
	var outcome string
	switch webhook.Classify(res.StatusCode, res.Err) {
	case webhook.Delivered:
		rec.State, rec.Success = docparse.DeliveryDelivered, true
		outcome = "delivered"
		if t.Delivery.Round == 0 { // not a resend of an old event
			d.metrics.webhookDelivered(d.now().Sub(t.Event.CreatedAt))
		}
	case webhook.Disable:
		rec.State, rec.Disable = docparse.DeliveryFailed, true
		rec.DisableReason = "the endpoint answered 410 Gone"
		outcome = "gone"
	case webhook.Permanent:
		rec.State = docparse.DeliveryFailed
		outcome = "rejected"
	default:
		if next, ok := webhook.NextAttempt(first, attempt, now, res.RetryAfter, d.jitter); ok {
			rec.State, a.NextAttemptAt = docparse.DeliveryPending, &next
			outcome = "retry"
		} else {
			rec.State = docparse.DeliveryFailed
			outcome = "exhausted"
		}
	}
	d.metrics.webhookAttempt(outcome, res)
	rec.Attempt = a
	d.record(rec)
}

// fillAttempt copies a send's outcome into an attempt.
func fillAttempt(a *docparse.Attempt, h http.Header, res webhook.Result) {
	a.RequestHeaders = flatHeaders(h)
	a.LatencyMS = float64(res.Latency.Microseconds()) / 1000
	if res.StatusCode != 0 {
		code := res.StatusCode
		a.StatusCode = &code
		a.ResponseHeaders = flatHeaders(res.Header)
		a.ResponseBody = res.Body
	}
	if res.Err != nil {
		a.Error = res.Err.Error()
	}
}

func flatHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[http.CanonicalHeaderKey(k)] = v[0]
		}
	}
	return out
}

func (d *Dispatcher) record(rec store.AttemptRecord) {
	d.results <- rec
}

// recordLoop stores attempts in batches: it takes what has arrived, up to
// recordBatch, and writes it in one transaction.
func (d *Dispatcher) recordLoop() {
	batch := make([]store.AttemptRecord, 0, recordBatch)
	for rec := range d.results {
		batch = append(batch[:0], rec)
	fill:
		for len(batch) < recordBatch {
			select {
			case r, ok := <-d.results:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		d.writeRecords(batch)
	}
}

func (d *Dispatcher) writeRecords(batch []store.AttemptRecord) {
	defer func() {
		keys := make([]string, 0, len(batch))
		for _, r := range batch {
			if r.DeliveryID != "" {
				keys = append(keys, roundKey(r.DeliveryID, r.Round))
			}
		}
		d.forget(keys...)
	}()
	for try := 0; ; try++ {
		// Attempts made are recorded even as the dispatcher stops (its
		// context cancelled), once: a retry would outlast the grace.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(d.runCtx), 30*time.Second)
		err := d.db.RecordAttempts(ctx, batch)
		cancel()
		if err == nil {
			return
		}
		if try == 4 || d.runCtx.Err() != nil {
			// The deliveries stay leased and pending: they are sent again
			// when their leases end (at least once).
			d.log.Error("record delivery attempts", "attempts", len(batch), "err", err)
			return
		}
		wait := time.NewTimer(time.Duration(50<<try) * time.Millisecond)
		select {
		case <-wait.C:
		case <-d.runCtx.Done():
			wait.Stop()
		}
	}
}

// sweepLimit bounds one sweep's claim.
const sweepLimit = 500

// sweepLoop claims due deliveries every SweepInterval or when woken.
func (d *Dispatcher) sweepLoop() {
	t := time.NewTicker(d.cfg.SweepInterval)
	defer t.Stop()
	renew := time.NewTicker(d.cfg.Lease / 3)
	defer renew.Stop()
	for {
		select {
		case <-d.stopLoop:
			return
		case <-renew.C:
			ctx, cancel := context.WithTimeout(d.runCtx, d.cfg.Lease/3)
			d.renewLeases(ctx)
			cancel()
			continue
		case <-t.C:
		case <-d.wake:
		}
		for {
			n, err := d.Sweep(d.runCtx)
			if err != nil {
				if d.runCtx.Err() != nil {
					return
				}
				d.log.Warn("sweep deliveries", "err", err)
				break
			}
			if n < sweepLimit {
				break
			}
			select {
			case <-d.stopLoop:
				return
			default:
			}
		}
	}
}

// EventRetention is how long the events feed keeps events (purged by the
// periodic cleanup, cleanup.go).
const EventRetention = 30 * 24 * time.Hour

// Wake asks the sweeper to look for due deliveries now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Sweep claims due deliveries and hands them to their endpoints' queues;
// it returns how many it claimed.
func (d *Dispatcher) Sweep(ctx context.Context) (int, error) {
	now := d.now().UTC()
	tasks, err := d.db.ClaimDueDeliveries(ctx, now, now.Add(d.cfg.Lease), sweepLimit)
	if err != nil {
		return 0, err
	}
	d.Enqueue(tasks)
	return len(tasks), nil
}

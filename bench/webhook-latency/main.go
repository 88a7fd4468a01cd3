// Command webhook-latency measures how soon docparse notifies a webhook
// receiver that a batch has ended.
//
//	go run ./bench/webhook-latency [-db sqlite|postgres|both] [-n 1000] [-c 4] [-bin PATH]
//
// For each engine it starts docparse on 127.0.0.1 (fresh SQLite data
// directory or PostgreSQL schema, --allow-private-webhooks --rate-limit 0),
// starts a receiver on 127.0.0.1 that checks every delivery's Standard
// Webhooks signature with the endpoint's secret, registers it for
// "extraction.completed" only, and uploads -n batches of one tiny text
// invoice each, -c uploads in flight. Once every batch's event has
// arrived it reads each batch's completed_at (GET .../batches/{id},
// microseconds: the time recorded in the transaction that made the batch
// terminal) and prints, over all batches:
//
//   - notification latency: receipt at the receiver - completed_at
//     (goal on SQLite: p50 < 20 ms, p99 < 100 ms);
//   - its two parts: completed_at -> the event's "timestamp" (emitted in
//     the same transaction) and that timestamp -> receipt (commit, hand-off
//     to the dispatcher, signing, HTTP);
//   - for context, upload start -> receipt and upload start -> completed_at
//     (queueing and extraction).
//
// Receiver and server share the machine's wall clock.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/bench/internal/hooks"
)

func main() { harness.Main("webhook-latency", run) }

type options struct {
	harness.ServeFlags
	n    int
	conc int
	wait time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := o.Flags("webhook-latency", stderr, "both", 10*time.Minute)
	fs.IntVar(&o.n, "n", 1000, "batches of one file to upload")
	fs.IntVar(&o.conc, "c", 4, "uploads in flight")
	fs.DurationVar(&o.wait, "wait", time.Minute, "how long to wait for the last notifications after the last upload")
	engines, err := o.Parse(fs, args)
	if err != nil {
		return err
	}
	if o.n < 1 || o.conc < 1 {
		return errors.New("-n and -c must be at least 1")
	}
	ctx, end, err := o.Begin(ctx, "webhook-latency", stdout)
	if err != nil {
		return err
	}
	defer end()
	fmt.Fprintf(stdout, "docparse serve --allow-private-webhooks --rate-limit 0; %d batches of 1 text file, %d uploads in flight; endpoint subscribed to extraction.completed\n\n", o.n, o.conc)

	return hooks.RunEngines(ctx, &o.ServeFlags, engines, "whlat", stdout, func(in *harness.Instance, engine string) (string, error) {
		return measure(ctx, o, engine, in.Client(0), stdout)
	})
}

type upload struct {
	start, accepted time.Time
	batchID         string
}

func measure(ctx context.Context, o options, engine string, c *harness.Client, stdout io.Writer) (verdict string, err error) {
	rc, err := hooks.StartReceiver()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var mu sync.Mutex
	got := map[string]hooks.Delivery{} // batch id -> first delivery
	dups, others := 0, 0
	all := make(chan struct{})
	rc.OnDelivery = func(d hooks.Delivery) int {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case d.Type != "extraction.completed":
			others++
		case got[d.BatchID].ID != "":
			dups++
		default:
			got[d.BatchID] = d
			if len(got) == o.n {
				close(all)
			}
		}
		return 200
	}
	if _, _, err := rc.Register(ctx, c, []string{"extraction.completed"}); err != nil {
		return "", err
	}
	ext, err := c.CreateExtraction(ctx, "webhook latency")
	if err != nil {
		return "", err
	}

	uploads := make([]upload, o.n)
	jobs := make(chan int)
	errc := make(chan error, o.conc)
	var wg sync.WaitGroup
	uctx, ucancel := context.WithCancel(ctx)
	defer ucancel()
	for range o.conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				start := time.Now()
				a, err := c.Upload(uctx, ext, []harness.Part{hooks.TinyInvoice(i)})
				if err != nil {
					errc <- err
					ucancel()
					return
				}
				uploads[i] = upload{start: start, accepted: time.Now(), batchID: a.Batch.ID}
			}
		}()
	}
	first := time.Now()
feed:
	for i := range o.n {
		select {
		case jobs <- i:
		case <-uctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errc:
		return "", fmt.Errorf("upload: %w", err)
	default:
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	uploaded := time.Since(first)
	select {
	case <-all:
	case <-time.After(o.wait):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	mu.Lock()
	received := len(got)
	mu.Unlock()
	fmt.Fprintf(stdout, "[%s] %d batches uploaded in %v; %d of %d notifications received (%d duplicates, %d of other types, %d failed the signature check) %v after the first upload\n",
		engine, o.n, uploaded.Round(time.Millisecond), received, o.n, dups, others, rc.Bad.Load(), time.Since(first).Round(time.Millisecond))
	if err := rc.FirstBad(); err != nil {
		fmt.Fprintf(stdout, "[%s] WARNING: first bad delivery: %v\n", engine, err)
	}

	// completed_at of every batch, 8 requests at a time.
	completed := make([]time.Time, o.n)
	idx := make(chan int)
	var gerr error
	var gmu sync.Mutex
	var gwg sync.WaitGroup
	for range 8 {
		gwg.Add(1)
		go func() {
			defer gwg.Done()
			for i := range idx {
				a, err := c.Batch(ctx, ext, uploads[i].batchID)
				if err == nil && a.Batch.CompletedAt == nil {
					err = fmt.Errorf("batch %s is %s, without completed_at", a.Batch.ID, a.Batch.Status)
				}
				if err != nil {
					gmu.Lock()
					gerr = errors.Join(gerr, err)
					gmu.Unlock()
					continue
				}
				completed[i] = *a.Batch.CompletedAt
			}
		}()
	}
	for i := range o.n {
		idx <- i
	}
	close(idx)
	gwg.Wait()
	if gerr != nil {
		return "", gerr
	}

	var notify, emit, send, total, process []time.Duration
	mu.Lock()
	for i, u := range uploads {
		d, ok := got[u.batchID]
		process = append(process, completed[i].Sub(u.start))
		if !ok {
			continue
		}
		notify = append(notify, d.At.Sub(completed[i]))
		emit = append(emit, d.Timestamp.Sub(completed[i]))
		send = append(send, d.At.Sub(d.Timestamp))
		total = append(total, d.At.Sub(u.start))
	}
	mu.Unlock()
	fmt.Fprintf(stdout, "[%s] completed_at -> receipt (notification latency): %s\n", engine, hooks.Summary(notify))
	fmt.Fprintf(stdout, "[%s]   completed_at -> event timestamp:             %s\n", engine, hooks.Summary(emit))
	fmt.Fprintf(stdout, "[%s]   event timestamp -> receipt:                  %s\n", engine, hooks.Summary(send))
	fmt.Fprintf(stdout, "[%s] upload start -> receipt:                       %s\n", engine, hooks.Summary(total))
	fmt.Fprintf(stdout, "[%s] upload start -> completed_at:                  %s\n\n", engine, hooks.Summary(process))

	p50, p99 := harness.Percentile(notify, 50), harness.Percentile(notify, 99)
	verdict = fmt.Sprintf("%s: %d/%d notified; notification latency p50 %s, p99 %s, max %s", engine, received, o.n,
		harness.Ms(p50), harness.Ms(p99), harness.Ms(harness.Percentile(notify, 100)))
	if engine == "sqlite" {
		verdict += fmt.Sprintf(" (goal p50 < 20 ms: %s; p99 < 100 ms: %s)", harness.Met(p50 < 20*time.Millisecond), harness.Met(p99 < 100*time.Millisecond))
	}
	if received < o.n {
		verdict += fmt.Sprintf("; MISSING %d notifications", o.n-received)
	}
	return verdict, nil
}

// Command webhook-throughput measures how many signed webhook deliveries
// per second docparse sends, and compares it with a plain Go loop posting
// the same signed bytes to the same receivers.
//
//	go run ./bench/webhook-throughput [-db sqlite|postgres|both] [-batches 65] [-files 30] [-endpoints 10] [-plain-c 64] [-rounds 3] [-bin PATH] [-profile DIR]
//
// For each engine it starts docparse on 127.0.0.1 (fresh SQLite data
// directory or PostgreSQL schema, --allow-private-webhooks --rate-limit 0)
// and, before any endpoint exists, uploads -batches batches of -files tiny
// text invoices (one file.* event per file and one extraction.* event per
// batch) and waits until every batch has ended. Then it starts -endpoints
// receivers, each on its own loopback port, checking every delivery's
// signature with its endpoint's secret and answering 200 at once,
// registers one endpoint per receiver (all event types), and calls POST
// /v1/webhook_endpoints/{id}/recover with a since before the first event
// for every endpoint at once. delivery throughput is the number of
// deliveries over the time from the first recover call to the last
// first-time receipt. docparse sends to one endpoint with at most 16
// senders (DispatchConfig.PerEndpoint), so -endpoints 10 allows 160.
//
// It then reads the events feed until every delivery is recorded as
// delivered (and reports how long after the last receipt that was), and
// finally runs a plain Go loop: -plain-c goroutines with a keep-alive
// client POST the bodies docparse sent, each signed afresh (HMAC-SHA256)
// with the receiver's secret, round-robin over the same receivers, as many
// requests as docparse delivered. It prints both rates and their ratio
// (goal: docparse/plain >= 0.3), the CPU time docparse used while
// delivering, and the receipts per 500 ms.
//
// That is one round. The next round deletes the endpoints and does the
// same with fresh ones (and fresh receivers) over the same events, on the
// same server; the summary gives the median of -rounds rounds, because
// other work on a small machine moves single figures a lot. With -profile
// DIR, perf record -g samples the server during the first round's
// deliveries and the reports are written to DIR.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/bench/internal/hooks"
)

func main() { harness.Main("webhook-throughput", run) }

type options struct {
	harness.ServeFlags
	batches   int
	files     int
	endpoints int
	plainC    int
	wait      time.Duration
	profile   string
	rounds    int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := o.Flags("webhook-throughput", stderr, "both", 15*time.Minute)
	fs.IntVar(&o.batches, "batches", 65, "batches to upload before the endpoints exist")
	fs.IntVar(&o.files, "files", 30, "tiny text files per batch (at most 30)")
	fs.IntVar(&o.endpoints, "endpoints", 10, "endpoints, each with its own receiver (an account may have 10)")
	fs.IntVar(&o.plainC, "plain-c", 64, "goroutines of the plain Go loop")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of fresh endpoints + recover + plain loop over the same events; the summary gives medians")
	fs.DurationVar(&o.wait, "wait", 3*time.Minute, "how long to wait for the deliveries")
	fs.StringVar(&o.profile, "profile", "", "directory: run perf record -g on the server while it delivers and write the reports there (figures of that run cost perf's overhead)")
	engines, err := o.Parse(fs, args)
	if err != nil {
		return err
	}
	if o.batches < 1 || o.files < 1 || o.endpoints < 1 || o.plainC < 1 || o.rounds < 1 {
		return errors.New("-batches, -files, -endpoints, -plain-c and -rounds must be at least 1")
	}
	ctx, end, err := o.Begin(ctx, "webhook-throughput", stdout)
	if err != nil {
		return err
	}
	defer end()
	events := o.batches * (o.files + 1)
	fmt.Fprintf(stdout, "docparse serve --allow-private-webhooks --rate-limit 0; %d batches x %d files = %d events; %d endpoints x recover = %d deliveries per round, %d rounds; plain loop: %d goroutines\n\n",
		o.batches, o.files, events, o.endpoints, events*o.endpoints, o.rounds, o.plainC)

	return hooks.RunEngines(ctx, &o.ServeFlags, engines, "whtput", stdout, func(in *harness.Instance, engine string) (string, error) {
		return measure(ctx, o, engine, in, stdout)
	})
}

// sink is what one receiver counts.
type sink struct {
	mu     sync.Mutex
	seen   map[string]bool // webhook-id of docparse's deliveries
	dups   int
	first  time.Time // first receipt
	last   time.Time // last first-time receipt
	bodies map[string][]byte
	plain  atomic.Int64
}

func measure(ctx context.Context, o options, engine string, inst *harness.Instance, stdout io.Writer) (verdict string, err error) {
	c := inst.Client(0)
	ext, err := c.CreateExtraction(ctx, "webhook throughput")
	if err != nil {
		return "", err
	}

	// Events first, with no endpoint to deliver them to.
	since := time.Now().UTC().Add(-time.Second)
	start := time.Now()
	ids, err := uploadAll(ctx, c, ext, o.batches, o.files, 4)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if _, err := c.WaitBatch(ctx, ext, id, 100*time.Millisecond); err != nil {
			return "", err
		}
	}
	evs, err := hooks.AllEvents(ctx, c)
	if err != nil {
		return "", err
	}
	want := o.batches * (o.files + 1)
	fmt.Fprintf(stdout, "[%s] %d batches of %d files processed in %v; events feed: %d events (expected %d)\n",
		engine, o.batches, o.files, time.Since(start).Round(time.Millisecond), len(evs), want)
	if len(evs) != want {
		return "", fmt.Errorf("events feed has %d events, want %d", len(evs), want)
	}
	var rs []roundResult
	for r := range o.rounds {
		rr, err := round(ctx, o, fmt.Sprintf("%s r%d", engine, r+1), c, inst.PID, since, len(evs), r == 0, stdout)
		if err != nil {
			return "", fmt.Errorf("round %d: %w", r+1, err)
		}
		rs = append(rs, rr)
	}
	var dp, plain, ratio []float64
	var per []string
	short := 0
	for _, r := range rs {
		dp, plain, ratio = append(dp, r.dp), append(plain, r.plain), append(ratio, r.ratio)
		per = append(per, fmt.Sprintf("%.0f/%.0f=%.2f", r.dp, r.plain, r.ratio))
		short += (r.total - r.got) + (r.total - r.delivered)
	}
	m := harness.Median(ratio)
	verdict = fmt.Sprintf("%s: median of %d rounds: docparse %.0f deliveries/s, plain loop %.0f requests/s, ratio %.2f (goal >= 0.3: %s); rounds (docparse/plain=ratio): %s",
		engine, len(rs), harness.Median(dp), harness.Median(plain), m, harness.Met(m >= 0.3), strings.Join(per, ", "))
	if short > 0 {
		verdict += fmt.Sprintf("; %d deliveries MISSING at the receivers or not recorded as delivered", short)
	}
	return verdict, nil
}

// roundResult is what one round measured.
type roundResult struct {
	dp, plain, ratio      float64 // deliveries/s, requests/s, dp/plain
	got, total, delivered int
}

// round registers o.endpoints fresh endpoints, each with its own receiver,
// recovers every event since since to all of them at once and times the
// deliveries; checks the events feed; runs the plain loop over the same
// receivers; and deletes the endpoints again (an account has at most 10).
func round(ctx context.Context, o options, label string, c *harness.Client, pid int, since time.Time, nEvents int, profile bool, stdout io.Writer) (res roundResult, err error) {
	total := nEvents * o.endpoints
	epIDs := make([]string, o.endpoints)
	defer func() {
		for _, id := range epIDs {
			if id != "" {
				err = errors.Join(err, c.Call(context.WithoutCancel(ctx), http.MethodDelete, "/v1/webhook_endpoints/"+id, nil, http.StatusNoContent, nil))
			}
		}
	}()
	// Receivers and endpoints.
	var plainPhase atomic.Bool
	var received atomic.Int64
	var t0 time.Time // the first recover call; set before any delivery
	timeline := make([]atomic.Int64, int(o.wait/timelineStep)+2)
	all := make(chan struct{})
	recvs := make([]*hooks.Receiver, o.endpoints)
	sinks := make([]*sink, o.endpoints)
	keys := make([][]byte, o.endpoints)
	for i := range recvs {
		rc, err := hooks.StartReceiver()
		if err != nil {
			return res, err
		}
		defer rc.Close()
		s := &sink{seen: map[string]bool{}, bodies: map[string][]byte{}}
		rc.OnDelivery = func(d hooks.Delivery) int {
			if plainPhase.Load() {
				s.plain.Add(1)
				return http.StatusOK
			}
			s.mu.Lock()
			if s.seen[d.ID] {
				s.dups++
				s.mu.Unlock()
				return http.StatusOK
			}
			s.seen[d.ID] = true
			if s.first.IsZero() {
				s.first = d.At
			}
			s.last = d.At
			if i == 0 {
				s.bodies[d.ID] = d.Body
			}
			s.mu.Unlock()
			timeline[min(int(d.At.Sub(t0)/timelineStep), len(timeline)-1)].Add(1)
			if received.Add(1) == int64(total) {
				close(all)
			}
			return http.StatusOK
		}
		recvs[i], sinks[i] = rc, s
		if epIDs[i], keys[i], err = rc.Register(ctx, c, nil); err != nil {
			return res, err
		}
	}

	// docparse: recover every endpoint at once.
	var perf *perfRun
	if o.profile != "" && profile {
		if perf, err = startPerf(ctx, o.profile, strings.ReplaceAll(label, " ", "-"), pid); err != nil {
			return res, err
		}
	}
	cpu0, cpuErr := harness.ProcCPU(strconv.Itoa(pid))
	t0 = time.Now()
	var queued atomic.Int64
	var rerr error
	var rmu sync.Mutex
	var slowest time.Duration
	var wg sync.WaitGroup
	for _, id := range epIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out struct {
				Queued int64 `json:"queued"`
			}
			cs := time.Now()
			err := c.Call(ctx, http.MethodPost, "/v1/webhook_endpoints/"+id+"/recover", map[string]any{"since": since.Format(time.RFC3339Nano)}, http.StatusAccepted, &out)
			d := time.Since(cs)
			rmu.Lock()
			rerr = errors.Join(rerr, err)
			slowest = max(slowest, d)
			rmu.Unlock()
			queued.Add(out.Queued)
		}()
	}
	wg.Wait()
	if rerr != nil {
		return res, rerr
	}
	recovered := time.Since(t0)
	timedOut := false
	select {
	case <-all:
	case <-time.After(o.wait):
		timedOut = true
	case <-ctx.Done():
		return res, ctx.Err()
	}
	cpu1, _ := harness.ProcCPU(strconv.Itoa(pid))
	var perfErr error
	if perf != nil {
		perfErr = perf.stop()
	}
	var last time.Time
	firstAt := time.Unix(1<<40, 0)
	dups := 0
	for _, s := range sinks {
		s.mu.Lock()
		if s.last.After(last) {
			last = s.last
		}
		if !s.first.IsZero() && s.first.Before(firstAt) {
			firstAt = s.first
		}
		dups += s.dups
		s.mu.Unlock()
	}
	got := received.Load()
	elapsed := last.Sub(t0)
	dpRate := float64(got) / elapsed.Seconds()
	var bad int64
	for _, rc := range recvs {
		bad += rc.Bad.Load()
		if err := rc.FirstBad(); err != nil {
			fmt.Fprintf(stdout, "[%s] WARNING: bad delivery: %v\n", label, err)
		}
	}
	fmt.Fprintf(stdout, "[%s] docparse: recover queued %d deliveries (%d recover calls at once, slowest answered in %v, all in %v)\n",
		label, queued.Load(), o.endpoints, slowest.Round(time.Millisecond), recovered.Round(time.Millisecond))
	fmt.Fprintf(stdout, "[%s] docparse: %d of %d deliveries received (signature checked; %d duplicates, %d failed the check) in %v: %.0f deliveries/s\n",
		label, got, total, dups, bad, elapsed.Round(time.Millisecond), dpRate)
	fmt.Fprintf(stdout, "[%s] docparse: first receipt %v after the first recover call; from the last recover answer to the last receipt %v: %.0f deliveries/s\n",
		label, firstAt.Sub(t0).Round(time.Millisecond), last.Sub(t0.Add(recovered)).Round(time.Millisecond), float64(got)/last.Sub(t0.Add(recovered)).Seconds())
	if cpuErr == nil {
		cpu := cpu1 - cpu0
		fmt.Fprintf(stdout, "[%s] docparse CPU while delivering: %v (%.0f%% of one core; %.0f us per delivery)\n",
			label, cpu.Round(time.Millisecond), 100*cpu.Seconds()/elapsed.Seconds(), float64(cpu.Microseconds())/float64(max(got, 1)))
	}
	n := int(elapsed/timelineStep) + 1
	var tl []string
	for i := 0; i < n && i < len(timeline); i++ {
		tl = append(tl, strconv.FormatInt(timeline[i].Load(), 10))
	}
	fmt.Fprintf(stdout, "[%s] docparse: receipts per %v since the first recover call: %s\n", label, timelineStep, strings.Join(tl, " "))
	if timedOut {
		fmt.Fprintf(stdout, "[%s] WARNING: gave up waiting after %v\n", label, o.wait)
	}
	if perf != nil {
		if perfErr == nil {
			perfErr = perf.report(ctx, stdout)
		}
		if perfErr != nil {
			fmt.Fprintf(stdout, "[%s] profile: %v\n", label, perfErr)
		}
	}

	// Every delivery recorded as delivered?
	rs := time.Now()
	var delivered, attempts, retried int
	for {
		evs, err := hooks.AllEvents(ctx, c)
		if err != nil {
			return res, err
		}
		delivered, attempts, retried = 0, 0, 0
		for _, e := range evs {
			for _, d := range e.Deliveries {
				if d.Status == "delivered" {
					delivered++
				}
				attempts += d.Attempts
				if d.Attempts > 1 {
					retried++
				}
			}
		}
		if delivered >= total || time.Since(rs) > 30*time.Second {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "[%s] events feed: %d of %d deliveries recorded as delivered (%d attempts recorded, %d deliveries with more than one) (all confirmed %v after the last receipt)\n",
		label, delivered, total, attempts, retried, time.Since(last).Round(time.Millisecond))

	// The plain loop: the same bytes, signed afresh, to the same receivers.
	var bodies [][]byte
	sinks[0].mu.Lock()
	for _, b := range sinks[0].bodies {
		bodies = append(bodies, b)
	}
	sinks[0].mu.Unlock()
	if len(bodies) == 0 {
		return res, errors.New("no delivery body to replay")
	}
	plainPhase.Store(true)
	urls := make([]string, len(recvs))
	for i, rc := range recvs {
		urls[i] = rc.URL
	}
	plainRate, plainElapsed, plainErrs, err := plainLoop(ctx, urls, keys, bodies, int(got), o.plainC)
	if err != nil {
		return res, err
	}
	var plainGot int64
	for _, s := range sinks {
		plainGot += s.plain.Load()
	}
	var bad2 int64
	for _, rc := range recvs {
		bad2 += rc.Bad.Load()
	}
	fmt.Fprintf(stdout, "[%s] plain Go loop: %d requests (%d accepted by the receivers, %d errors, %d failed the check) in %v: %.0f requests/s\n",
		label, got, plainGot, plainErrs, bad2-bad, plainElapsed.Round(time.Millisecond), plainRate)
	ratio := dpRate / plainRate
	fmt.Fprintf(stdout, "[%s] ratio docparse/plain: %.2f (goal >= 0.3: %s)\n\n", label, ratio, harness.Met(ratio >= 0.3))
	res = roundResult{dp: dpRate, plain: plainRate, ratio: ratio, got: int(got), total: total, delivered: delivered}
	return res, nil
}

// uploadAll uploads n batches of files tiny invoices, conc at a time, and
// returns their ids.
func uploadAll(ctx context.Context, c *harness.Client, ext string, n, files, conc int) ([]string, error) {
	ids := make([]string, n)
	jobs := make(chan int)
	var mu sync.Mutex
	var errs error
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				parts := make([]harness.Part, files)
				for f := range parts {
					parts[f] = hooks.TinyInvoice(b*files + f)
				}
				a, err := c.Upload(ctx, ext, parts)
				mu.Lock()
				errs = errors.Join(errs, err)
				mu.Unlock()
				ids[b] = a.Batch.ID
			}
		}()
	}
	for b := range n {
		jobs <- b
	}
	close(jobs)
	wg.Wait()
	return ids, errs
}

// plainLoop posts n signed requests with conc goroutines over one
// keep-alive client; request i goes to urls[i%len(urls)] with body
// bodies[(i/len(urls))%len(bodies)], signed with that receiver's key.
func plainLoop(ctx context.Context, urls []string, keys [][]byte, bodies [][]byte, n, conc int) (rate float64, elapsed time.Duration, errs int64, err error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxIdleConns: conc * len(urls)}, Timeout: 15 * time.Second}
	defer client.CloseIdleConnections()
	var next, failed atomic.Int64
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				r := i % len(urls)
				body := bodies[(i/len(urls))%len(bodies)]
				id := "msg_plain_" + strconv.Itoa(i)
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, urls[r], bytes.NewReader(body))
				if err == nil {
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("webhook-id", id)
					req.Header.Set("webhook-timestamp", ts)
					req.Header.Set("webhook-signature", hooks.Signature(keys[r], id, ts, body))
					var resp *http.Response
					if resp, err = client.Do(req); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("status %d", resp.StatusCode)
						}
					}
				}
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed = time.Since(start)
	if ctx.Err() != nil {
		return 0, elapsed, failed.Load(), ctx.Err()
	}
	if first != nil && failed.Load() > int64(n)/100 {
		return 0, elapsed, failed.Load(), fmt.Errorf("plain loop: %d of %d requests failed, first: %w", failed.Load(), n, first)
	}
	return float64(n) / elapsed.Seconds(), elapsed, failed.Load(), nil
}

// timelineStep is the width of one bucket of the receipts timeline.
const timelineStep = 500 * time.Millisecond

// perfRun is a perf record sampling the server.
type perfRun struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	data   string
	dir    string
	engine string
}

// startPerf samples pid's stacks (perf record -F 499 -g) until stop.
func startPerf(ctx context.Context, dir, engine string, pid int) (*perfRun, error) {
	perf, err := exec.LookPath("perf")
	if err != nil {
		return nil, errors.New("-profile: perf not found in PATH")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := &perfRun{data: filepath.Join(dir, "perf-"+engine+".data"), dir: dir, engine: engine}
	p.cmd = exec.CommandContext(ctx, perf, "record", "-F", "499", "-g", "-p", strconv.Itoa(pid), "-o", p.data)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	time.Sleep(300 * time.Millisecond) // let perf attach
	return p, nil
}

// stop ends the recording.
func (p *perfRun) stop() error {
	_ = p.cmd.Process.Signal(os.Interrupt)
	// perf record re-raises SIGINT after writing its data: an exit by that
	// signal is success when the data was written.
	if err := p.cmd.Wait(); err != nil && !strings.Contains(p.out.String(), "Captured and wrote") {
		return fmt.Errorf("perf record: %w\n%s", err, p.out.String())
	}
	return nil
}

// report writes the self-time and inclusive-time reports and prints their
// top rows.
func (p *perfRun) report(ctx context.Context, stdout io.Writer) error {
	reports, err := harness.WritePerfReports(ctx, "perf", p.data, p.dir, p.engine)
	if err != nil {
		return err
	}
	for _, rep := range reports {
		fmt.Fprintf(stdout, "[%s] perf report (%s time), top rows of %s:\n", p.engine, rep.Name, rep.Path)
		top := 25
		if rep.Name == "inclusive" {
			top = 60
		}
		for _, l := range rep.Rows[:min(len(rep.Rows), top)] {
			fmt.Fprintln(stdout, "    "+l)
		}
	}
	return nil
}

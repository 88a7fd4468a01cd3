// Command webhook-fairness measures whether endpoints that hang or refuse
// deliveries slow down webhook delivery to healthy endpoints.
//
//	go run ./bench/webhook-fairness [-db sqlite|postgres|both] [-healthy 3] [-batches 400] [-rate 20] [-rounds 3] [-webhook-timeout 15s] [-bin PATH]
//
// Each engine gets -rounds rounds of two runs, each run with a fresh
// docparse on 127.0.0.1 (fresh SQLite data directory or PostgreSQL schema,
// --allow-private-webhooks --rate-limit 0 --webhook-timeout T) and fresh
// receivers on 127.0.0.1 that check every delivery's Standard Webhooks
// signature:
//
//   - run A: -healthy endpoints (all event types), each with its own
//     receiver answering 200 at once, and a steady stream of -batches
//     one-file batches uploaded at -rate per second (each batch causes a
//     file.* event and an extraction.* event);
//   - run B: the same, plus one endpoint whose receiver never answers (it
//     holds the request until docparse gives up after the webhook timeout)
//     and one whose receiver always answers 429.
//
// The latency of a delivery is its receipt at a healthy receiver minus the
// event's "timestamp" (its emission time, RFC 3339 with nanoseconds, in
// the transaction that caused it). Each run prints p50/p90/p99/max over
// every first receipt at the healthy receivers, and the largest latency of
// each second; the summary compares the median p99 of the B runs with the
// median p99 of the A runs (goal: at most 2x). For the misbehaving
// endpoints it prints what their receivers saw (requests, most at once,
// repeated webhook-ids and the shortest gap between two of them) and what
// docparse recorded.
//
// Probes: -slow D adds to run B an endpoint answering 200 after D;
// -linger D waits D before reporting on the misbehaving endpoints;
// -serve-flags passes more flags to docparse serve (e.g. "--webhook-lease
// 7s" with -webhook-timeout 2s to see the lease behaviour in seconds).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/bench/internal/hooks"
)

func main() { harness.Main("webhook-fairness", run) }

type options struct {
	harness.ServeFlags
	healthy        int
	batches        int
	rate           float64
	webhookTimeout time.Duration
	wait           time.Duration
	serveFlags     []string
	slow           time.Duration
	linger         time.Duration
	rounds         int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := o.Flags("webhook-fairness", stderr, "both", 15*time.Minute)
	fs.IntVar(&o.healthy, "healthy", 3, "healthy endpoints, each with its own receiver")
	fs.IntVar(&o.batches, "batches", 400, "one-file batches to upload in each run (400 at 20/s: 20 s, longer than one webhook timeout of the hanging endpoint)")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of run A then run B; the summary takes the median of each run's p50 and p99 (other work on the machine causes stalls of a few seconds that can dominate one run's p99)")
	fs.Float64Var(&o.rate, "rate", 20, "batches uploaded per second")
	fs.DurationVar(&o.webhookTimeout, "webhook-timeout", 15*time.Second, "docparse serve --webhook-timeout")
	fs.DurationVar(&o.wait, "wait", time.Minute, "how long to wait for the healthy deliveries after the last upload")
	fs.DurationVar(&o.slow, "slow", 0, "run B also gets an endpoint whose receiver answers 200 after this long (0: none)")
	fs.DurationVar(&o.linger, "linger", 0, "in run B, wait this long after the healthy deliveries before reporting on the other endpoints")
	serveFlags := fs.String("serve-flags", "", "extra flags for docparse serve, space-separated (e.g. \"--webhook-lease 7s\")")
	engines, err := o.Parse(fs, args)
	if err != nil {
		return err
	}
	o.serveFlags = strings.Fields(*serveFlags)
	if o.healthy < 1 || o.batches < 1 || o.rounds < 1 || o.rate <= 0 {
		return errors.New("-healthy, -batches and -rounds must be at least 1, -rate above 0")
	}
	if o.healthy > 7 {
		return errors.New("-healthy: at most 7 (an account has 10 endpoints; run B adds up to 3)")
	}
	ctx, end, err := o.Begin(ctx, "webhook-fairness", stdout)
	if err != nil {
		return err
	}
	defer end()
	fmt.Fprintf(stdout, "docparse serve --allow-private-webhooks --rate-limit 0 --webhook-timeout %v %s; %d one-file batches at %g/s per run; %d healthy endpoints (all event types)\n",
		o.webhookTimeout, strings.Join(o.serveFlags, " "), o.batches, o.rate, o.healthy)
	fmt.Fprintf(stdout, "run A: healthy endpoints only; run B: plus one endpoint that never answers and one that always answers 429; %d rounds of A then B, each run with a fresh server and database\n\n", o.rounds)

	return harness.RunEngines(engines, o.Log, stdout, func(engine string, logw io.Writer) ([]string, error) {
		var as, bs []result
		for r := range o.rounds {
			a, err := measure(ctx, o, engine, false, r, logw, stdout)
			if err != nil {
				return nil, fmt.Errorf("round %d run A: %w", r+1, err)
			}
			b, err := measure(ctx, o, engine, true, r, logw, stdout)
			if err != nil {
				return nil, fmt.Errorf("round %d run B: %w", r+1, err)
			}
			as, bs = append(as, a), append(bs, b)
			fmt.Fprintf(stdout, "[%s] round %d: healthy p99 B/A: %.2f\n\n", engine, r+1, float64(b.p99)/float64(a.p99))
		}
		a50, a99, aAll := medians(as)
		b50, b99, bAll := medians(bs)
		ratio := float64(b99) / float64(a99)
		line := fmt.Sprintf("%s: healthy p50 A %s, B %s; p99 A %s, B %s; p99 B/A %.2f (goal <= 2: %s)", engine,
			harness.Ms(a50), harness.Ms(b50), harness.Ms(a99), harness.Ms(b99), ratio, harness.Met(ratio <= 2))
		if o.rounds > 1 {
			line = fmt.Sprintf("%s: median over %d rounds: healthy p50 A %s, B %s; p99 A %s, B %s; p99 B/A %.2f (goal <= 2: %s); p99 per round: A %s; B %s", engine, o.rounds,
				harness.Ms(a50), harness.Ms(b50), harness.Ms(a99), harness.Ms(b99), ratio, harness.Met(ratio <= 2), aAll, bAll)
		}
		missing := 0
		for i := range as {
			missing += as[i].missing + bs[i].missing
		}
		if missing > 0 {
			line += fmt.Sprintf("; MISSING %d healthy deliveries", missing)
		}
		return []string{line}, nil
	})
}

type result struct {
	p50, p99 time.Duration
	missing  int
}

// medians returns the median p50 and p99 of rs (the lower middle for an
// even count) and the p99s in round order.
func medians(rs []result) (p50, p99 time.Duration, all string) {
	var a, b []time.Duration
	var s []string
	for _, r := range rs {
		a, b = append(a, r.p50), append(b, r.p99)
		s = append(s, harness.Ms(r.p99))
	}
	harness.SortDurations(a)
	harness.SortDurations(b)
	m := (len(rs) - 1) / 2
	return a[m], b[m], strings.Join(s, ", ")
}

func measure(ctx context.Context, o options, engine string, bad bool, round int, logw io.Writer, stdout io.Writer) (res result, err error) {
	label := fmt.Sprintf("%s A%d", engine, round+1)
	if bad {
		label = fmt.Sprintf("%s B%d", engine, round+1)
	}
	inst, err := hooks.Launch(ctx, o.Workdir, engine, "whfair", logw, append([]string{"--webhook-timeout", o.webhookTimeout.String()}, o.serveFlags...)...)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	c := inst.Client(0)

	// Healthy receivers. Their deferred Close runs before the server's
	// Stop (deferred first).
	want := 2 * o.batches * o.healthy // a file.* and an extraction.* event per batch
	var mu sync.Mutex
	var lat []time.Duration
	var worst []time.Duration // the largest latency of each timelineStep since start
	var start time.Time       // set before the first upload
	seen := map[string]bool{} // endpoint index + webhook-id
	dups := 0
	types := map[string]int{}
	all := make(chan struct{})
	var recvs []*hooks.Receiver
	for i := range o.healthy {
		rc, err := hooks.StartReceiver()
		if err != nil {
			return res, err
		}
		defer rc.Close()
		prefix := strconv.Itoa(i) + "/"
		rc.OnDelivery = func(d hooks.Delivery) int {
			mu.Lock()
			defer mu.Unlock()
			if seen[prefix+d.ID] {
				dups++
				return http.StatusOK
			}
			seen[prefix+d.ID] = true
			types[d.Type]++
			l := d.At.Sub(d.Timestamp)
			lat = append(lat, l)
			if i := int(d.At.Sub(start) / timelineStep); i >= 0 {
				worst = harness.KeepMax(worst, i, l)
			}
			if len(lat) == want {
				close(all)
			}
			return http.StatusOK
		}
		if _, _, err := rc.Register(ctx, c, nil); err != nil {
			return res, err
		}
		recvs = append(recvs, rc)
	}
	var hang, refuse, slow *hooks.Receiver
	var hangID, refuseID, slowID string
	if bad {
		if hang, err = hooks.StartReceiver(); err != nil {
			return res, err
		}
		defer hang.Close()
		hang.Hang = true
		if refuse, err = hooks.StartReceiver(); err != nil {
			return res, err
		}
		defer refuse.Close()
		refuse.OnDelivery = func(hooks.Delivery) int { return http.StatusTooManyRequests }
		bads := []*hooks.Receiver{hang, refuse}
		if o.slow > 0 {
			if slow, err = hooks.StartReceiver(); err != nil {
				return res, err
			}
			defer slow.Close()
			slow.Delay = o.slow
			bads = append(bads, slow)
		}
		for i, rc := range bads {
			id, _, err := rc.Register(ctx, c, nil)
			if err != nil {
				return res, err
			}
			switch i {
			case 0:
				hangID = id
			case 1:
				refuseID = id
			default:
				slowID = id
			}
		}
	}
	ext, err := c.CreateExtraction(ctx, "webhook fairness")
	if err != nil {
		return res, err
	}

	// A steady stream of uploads at o.rate per second.
	cpu0, cpuErr := harness.ProcCPU(strconv.Itoa(inst.PID))
	mu.Lock()
	start = time.Now()
	mu.Unlock()
	every := time.Duration(float64(time.Second) / o.rate)
	var uwg sync.WaitGroup
	var umu sync.Mutex
	var uerr error
	late := 0
	for i := range o.batches {
		at := start.Add(time.Duration(i) * every)
		if d := time.Until(at); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return res, ctx.Err()
			}
		} else if d < -every {
			late++
		}
		uwg.Add(1)
		go func() {
			defer uwg.Done()
			_, err := c.Upload(ctx, ext, []harness.Part{hooks.TinyInvoice(i)})
			if err != nil {
				umu.Lock()
				uerr = errors.Join(uerr, err)
				umu.Unlock()
			}
		}()
	}
	uwg.Wait()
	if uerr != nil {
		return res, fmt.Errorf("upload: %w", uerr)
	}
	uploaded := time.Since(start)
	select {
	case <-all:
	case <-time.After(o.wait):
	case <-ctx.Done():
		return res, ctx.Err()
	}
	elapsed := time.Since(start)
	cpu1, _ := harness.ProcCPU(strconv.Itoa(inst.PID))

	mu.Lock()
	got := len(lat)
	d := append([]time.Duration(nil), lat...)
	fmt.Fprintf(stdout, "[%s] %d batches uploaded in %v (%d more than one interval late); healthy receivers got %d of %d deliveries (%d duplicates; by type %v) in %v\n",
		label, o.batches, uploaded.Round(time.Millisecond), late, got, want, dups, types, elapsed.Round(time.Millisecond))
	var tl []string
	for _, w := range worst {
		tl = append(tl, strconv.FormatInt(w.Milliseconds(), 10))
	}
	mu.Unlock()
	fmt.Fprintf(stdout, "[%s] healthy: event timestamp -> receipt: %s\n", label, hooks.Summary(d))
	fmt.Fprintf(stdout, "[%s] healthy: largest latency (ms) in each %v since the first upload: %s\n", label, timelineStep, strings.Join(tl, " "))
	res.p50, res.p99, res.missing = harness.Percentile(d, 50), harness.Percentile(d, 99), want-got
	if cpuErr == nil {
		fmt.Fprintf(stdout, "[%s] docparse CPU: %v over %v (%.0f%% of one core)\n", label, (cpu1 - cpu0).Round(time.Millisecond),
			elapsed.Round(time.Millisecond), 100*(cpu1-cpu0).Seconds()/elapsed.Seconds())
	}
	if bad {
		select {
		case <-time.After(o.linger):
		case <-ctx.Done():
			return res, ctx.Err()
		}
		hmost, hsame := hang.Concurrency()
		rmost, rsame := refuse.Concurrency()
		hrep, hgap := hang.Repeats()
		rrep, rgap := refuse.Repeats()
		fmt.Fprintf(stdout, "[%s] hanging endpoint: %d requests (held open until docparse gave up; at most %d at once; %d while the same webhook-id was in flight; %d repeats of a webhook-id, shortest gap %v)\n",
			label, hang.Requests.Load(), hmost, hsame, hrep, hgap.Round(time.Millisecond))
		fmt.Fprintf(stdout, "[%s] 429 endpoint: %d requests answered 429 (at most %d at once; %d while the same webhook-id was in flight; %d repeats of a webhook-id, shortest gap %v)\n",
			label, refuse.Requests.Load(), rmost, rsame, rrep, rgap.Round(time.Millisecond))
		if slow != nil {
			smost, ssame := slow.Concurrency()
			srep, sgap := slow.Repeats()
			fmt.Fprintf(stdout, "[%s] slow endpoint (200 after %v): %d requests (at most %d at once; %d while the same webhook-id was in flight; %d repeats of a webhook-id, shortest gap %v)\n",
				label, o.slow, slow.Requests.Load(), smost, ssame, srep, sgap.Round(time.Millisecond))
		}
		// What docparse recorded for the bad endpoints so far.
		evs, err := hooks.AllEvents(ctx, c)
		if err == nil {
			states := map[string]int{}
			attempts := map[string]int{}
			for _, e := range evs {
				for _, dl := range e.Deliveries {
					states[dl.Status]++
					attempts[dl.EndpointID] += dl.Attempts
				}
			}
			fmt.Fprintf(stdout, "[%s] events feed: %d events; delivery states over all endpoints: %v; attempts recorded: hanging endpoint %d, 429 endpoint %d",
				label, len(evs), states, attempts[hangID], attempts[refuseID])
			if slow != nil {
				fmt.Fprintf(stdout, ", slow endpoint %d", attempts[slowID])
			}
			fmt.Fprintln(stdout)
		}
	}
	for _, rc := range append(append([]*hooks.Receiver(nil), recvs...), refuse) {
		if rc == nil {
			continue
		}
		if err := rc.FirstBad(); err != nil {
			fmt.Fprintf(stdout, "[%s] WARNING: %d deliveries failed the signature check, first: %v\n", label, rc.Bad.Load(), err)
		}
	}
	fmt.Fprintln(stdout)
	return res, nil
}

// timelineStep is the width of one bucket of the latency timeline.
const timelineStep = time.Second

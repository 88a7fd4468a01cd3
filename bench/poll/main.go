// Command poll measures docparse's polling endpoint (GET
// /v1/extractions/{id}/batches/{id}, authenticated, rate limiting on but
// never binding) against a static net/http handler that serves the same
// bytes and headers, at the same concurrency with keep-alive connections.
// It prints requests/s and p50/p99/max latency for each, and their ratio,
// and how many of docparse's polls read the batch's version from the
// database (its /metrics; 0 once the version is in memory).
//
//	go run ./bench/poll [-db sqlite,postgres] [-d 10s] [-c 32] [-bin PATH] [-wrk=true] [-profile DIR]
//
// It starts its own docparse (built with go build unless -bin is given) on
// 127.0.0.1 with a fresh SQLite data directory or a fresh PostgreSQL schema
// in postgres://127.0.0.1:5432/test, and removes them at the end.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
)

func main() { harness.Main("poll", run) }

type options struct {
	harness.ServeFlags
	duration time.Duration
	warmup   time.Duration
	conc     int
	wrk      bool
	profile  string
	extra    []string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := o.Flags("poll", stderr, "sqlite,postgres", 10*time.Minute)
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measured duration of each load run")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each measured run")
	fs.IntVar(&o.conc, "c", 32, "concurrent requests (keep-alive connections)")
	fs.BoolVar(&o.wrk, "wrk", true, "also measure with wrk when it is installed")
	fs.StringVar(&o.profile, "profile", "", "directory: after measuring, run the load once more under perf record -p on the server and write the reports there")
	extra := fs.String("serve-flags", "", "extra flags for docparse serve, space-separated, after the rate-limit flags (e.g. \"--log-level warn\" to see what the access log costs)")
	engines, err := o.Parse(fs, args)
	if err != nil {
		return err
	}
	o.extra = strings.Fields(*extra)
	if o.conc < 1 || o.duration <= 0 {
		return errors.New("-c must be at least 1 and -d positive")
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	if o.Workdir, err = harness.Prepare(ctx, "", "docparse-bench-poll-", o.Bin, stdout); err != nil {
		return err
	}
	defer o.Workdir.Close()
	wrkPath := ""
	if o.wrk {
		if p, err := exec.LookPath("wrk"); err == nil {
			wrkPath = p
		} else {
			fmt.Fprintln(stdout, "wrk not found in PATH: Go load generator only (apt-get install -y wrk to add it)")
		}
	}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "machine: %s\n", harness.Machine())
	fmt.Fprintf(stdout, "note: the load generator, the static server and docparse all share these %d CPU cores; figures are relative, not a capacity plan\n", runtime.NumCPU())
	fmt.Fprintf(stdout, "load: %d concurrent keep-alive connections, %v warm-up then %v measured per run\n", o.conc, o.warmup, o.duration)
	fmt.Fprintf(stdout, "docparse serve --rate-limit 1000000 --rate-burst 1000000 %s\n\n", strings.Join(o.extra, " "))

	return harness.RunEngines(engines, o.Log, stdout, func(engine string, logw io.Writer) ([]string, error) {
		return measureEngine(ctx, o, engine, wrkPath, logw, stdout)
	})
}

// measureEngine runs docparse on one engine, prepares one terminal batch
// and measures its GET against the static twin. It returns summary lines.
func measureEngine(ctx context.Context, o options, engine, wrkPath string, logw io.Writer, stdout io.Writer) (_ []string, err error) {
	flags := append([]string{"--rate-limit", "1000000", "--rate-burst", "1000000"}, o.extra...)
	inst, err := o.Workdir.Launch(ctx, harness.LaunchOptions{Engine: engine, Label: "poll", Log: logw, Args: flags})
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()

	key := inst.Keys[0]
	c := inst.Client(0)
	ext, err := c.CreateExtraction(ctx, "poll bench")
	if err != nil {
		return nil, err
	}
	invoice := []byte("ACME Supplies Ltd\nInvoice No: 10001\nDate: 2026-05-24\nTotal: 123.45\n")
	up, err := c.Upload(ctx, ext, []harness.Part{harness.BytesPart("invoice.txt", invoice)})
	if err != nil {
		return nil, err
	}
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
	final, err := c.WaitBatch(wctx, ext, up.Batch.ID, 100*time.Millisecond)
	wcancel()
	if err != nil {
		return nil, err
	}
	url := inst.URL + "/v1/extractions/" + ext + "/batches/" + final.Batch.ID

	// The exact answer docparse gives, to be served by the static twin.
	status, header, body, err := fetch(ctx, url, key)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET batch: status %d: %s", status, body)
	}
	static, err := startStatic(header, body)
	if err != nil {
		return nil, err
	}
	defer static.Close()
	staticURL := "http://" + static.Addr + "/v1/extractions/" + ext + "/batches/" + final.Batch.ID
	fmt.Fprintf(stdout, "[%s] docparse %s, batch %s (%s, %d file), GET answer %d bytes, headers: %s\n",
		engine, inst.URL, final.Batch.ID, final.Batch.Status, final.Batch.FileCount, len(body), headerNames(header))

	pid := strconv.Itoa(inst.PID)
	reads0, readsOK := versionReads(ctx, inst.URL)
	cpu0, _ := harness.ProcCPU(pid)
	self0 := selfCPU()
	busy0, total0 := machineCPU()
	dp, err := load(ctx, url, key, o.conc, o.warmup, o.duration)
	if err != nil {
		return nil, err
	}
	cpu1, _ := harness.ProcCPU(pid)
	self1 := selfCPU()
	busy1, total1 := machineCPU()
	dpLine := dp.line()
	if dp.n > 0 && total1 > total0 {
		// The warm-up is included in the CPU figures; divide by every
		// request sent, warm-up too.
		all := float64(dp.n + dp.warmN)
		dpLine += fmt.Sprintf("; CPU per request: docparse %.0f µs, load generator %.0f µs, whole machine %.0f µs; machine busy %.0f%%",
			(cpu1-cpu0).Seconds()*1e6/all, (self1-self0).Seconds()*1e6/all,
			float64(busy1-busy0)/100*1e6/all, 100*float64(busy1-busy0)/float64(total1-total0))
	}
	if reads1, ok := versionReads(ctx, inst.URL); ok && readsOK && dp.n > 0 {
		dpLine += fmt.Sprintf("; batch versions read from the database: %d in %d polls", reads1-reads0, dp.n+dp.warmN)
	}
	fmt.Fprintf(stdout, "[%s] go   docparse: %s\n", engine, dpLine)
	st, err := load(ctx, staticURL, key, o.conc, o.warmup, o.duration)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "[%s] go   static:   %s\n", engine, st.line())
	if dp.errs+st.errs > 0 || len(dp.codes) > 1 || len(st.codes) > 1 {
		fmt.Fprintf(stdout, "[%s] WARNING: errors or non-200 answers (docparse %v, %d errors; static %v, %d errors)\n", engine, dp.codes, dp.errs, st.codes, st.errs)
	}
	v := verdict(dp.rps(), st.rps(), dp.p(99))
	fmt.Fprintf(stdout, "[%s] go   %s\n", engine, v)
	summaries := []string{fmt.Sprintf("%-8s go   %s", engine, v)}

	if wrkPath != "" {
		wd, err := runWrk(ctx, wrkPath, url, key, o.conc, o.duration)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "[%s] wrk  docparse: %s\n", engine, wd)
		ws, err := runWrk(ctx, wrkPath, staticURL, key, o.conc, o.duration)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "[%s] wrk  static:   %s\n", engine, ws)
		v := verdict(wd.rps, ws.rps, wd.p99)
		fmt.Fprintf(stdout, "[%s] wrk  %s\n", engine, v)
		summaries = append(summaries, fmt.Sprintf("%-8s wrk  %s", engine, v))
	}

	if o.profile != "" {
		if err := profile(ctx, o, engine, pid, url, key, stdout); err != nil {
			fmt.Fprintf(stdout, "[%s] profile: %v\n", engine, err)
		}
	}
	fmt.Fprintln(stdout)
	return summaries, nil
}

func verdict(dpRPS, stRPS float64, p99 time.Duration) string {
	ratio := 0.0
	if stRPS > 0 {
		ratio = dpRPS / stRPS
	}
	ok := func(b bool) string {
		if b {
			return "met"
		}
		return "MISSED"
	}
	return fmt.Sprintf("docparse %.0f req/s vs static %.0f req/s: ratio %.2f (goal >= 0.50: %s); docparse p99 %s (goal < 10 ms: %s)",
		dpRPS, stRPS, ratio, ok(ratio >= 0.5), harness.Ms(p99), ok(p99 < 10*time.Millisecond))
}

func headerNames(h http.Header) string {
	var names []string
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// fetch makes one authenticated GET and returns the whole answer.
func fetch(ctx context.Context, url, key string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// versionReads returns docparse_batch_version_reads_total from the
// server's /metrics: the polls that read the batch's version from the
// database. ok is false when the server does not count them.
func versionReads(ctx context.Context, base string) (n int64, ok bool) {
	status, _, body, err := fetch(ctx, base+"/metrics", "")
	if err != nil || status != http.StatusOK {
		return 0, false
	}
	_, after, ok := strings.Cut(string(body), "\ndocparse_batch_version_reads_total ")
	if !ok {
		return 0, false
	}
	line, _, _ := strings.Cut(after, "\n")
	n, err = strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	return n, err == nil
}

// staticServer serves one fixed answer on 127.0.0.1.
type staticServer struct {
	Addr string
	srv  *http.Server
	done chan struct{}
}

// startStatic serves body with header (less Date and Content-Length, which
// net/http writes itself, as it does for docparse) to every request, with
// the same server settings as docparse serve.
func startStatic(header http.Header, body []byte) (*staticServer, error) {
	h := header.Clone()
	h.Del("Date")
	h.Del("Content-Length")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &staticServer{Addr: ln.Addr().String(), done: make(chan struct{})}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			wh := w.Header()
			for k, v := range h {
				wh[k] = v
			}
			w.WriteHeader(http.StatusOK)
			w.Write(body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server and waits for it.
func (s *staticServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.done
}

// result is one measured load run.
type result struct {
	n, warmN int
	errs     int
	codes    map[int]int
	lat      []time.Duration // sorted
	elapsed  time.Duration
	dials    int64
	firstErr error
}

func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

func (r result) p(q float64) time.Duration { return harness.Percentile(r.lat, q) }

func (r result) line() string {
	maxLat := time.Duration(0)
	if len(r.lat) > 0 {
		maxLat = r.lat[len(r.lat)-1]
	}
	s := fmt.Sprintf("%8.0f req/s  p50 %s  p99 %s  max %s  (%d requests in %.2f s, %d connections dialed, status %v, %d errors)",
		r.rps(), harness.Ms(r.p(50)), harness.Ms(r.p(99)), harness.Ms(maxLat), r.n, r.elapsed.Seconds(), r.dials, r.codes, r.errs)
	if r.firstErr != nil {
		s += "; first error: " + r.firstErr.Error()
	}
	return s
}

// load sends GET url from conc goroutines through one http.Client whose
// transport keeps conc idle connections, first for warmup (not recorded),
// then for d.
func load(ctx context.Context, url, key string, conc int, warmup, d time.Duration) (result, error) {
	var dials atomic.Int64
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        conc,
		MaxIdleConnsPerHost: conc,
		MaxConnsPerHost:     conc,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	type worker struct {
		lat      []time.Duration
		codes    map[int]int
		errs     int
		firstErr error
	}
	phase := func(d time.Duration, record bool) ([]*worker, time.Duration) {
		ws := make([]*worker, conc)
		var wg sync.WaitGroup
		start := time.Now()
		end := start.Add(d)
		for i := range ws {
			w := &worker{codes: map[int]int{}}
			if record {
				w.lat = make([]time.Duration, 0, 1<<16)
			}
			ws[i] = w
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					w.errs++
					w.firstErr = err
					return
				}
				req.Header.Set("Authorization", "Bearer "+key)
				buf := make([]byte, 32<<10)
				for ctx.Err() == nil {
					t0 := time.Now()
					if !t0.Before(end) {
						return
					}
					resp, err := client.Do(req)
					if err != nil {
						w.errs++
						if w.firstErr == nil {
							w.firstErr = err
						}
						continue
					}
					_, err = io.CopyBuffer(io.Discard, resp.Body, buf)
					resp.Body.Close()
					lat := time.Since(t0)
					if err != nil {
						w.errs++
						if w.firstErr == nil {
							w.firstErr = err
						}
						continue
					}
					w.codes[resp.StatusCode]++
					if record {
						w.lat = append(w.lat, lat)
					}
				}
			}()
		}
		wg.Wait()
		return ws, time.Since(start)
	}

	warm, _ := phase(warmup, false)
	var r result
	for _, w := range warm {
		for _, n := range w.codes {
			r.warmN += n
		}
	}
	ws, elapsed := phase(d, true)
	if err := ctx.Err(); err != nil {
		return r, err
	}
	r.elapsed = elapsed
	r.codes = map[int]int{}
	for _, w := range ws {
		r.lat = append(r.lat, w.lat...)
		r.errs += w.errs
		if r.firstErr == nil {
			r.firstErr = w.firstErr
		}
		for c, n := range w.codes {
			r.codes[c] += n
		}
	}
	r.n = len(r.lat)
	r.dials = dials.Load()
	harness.SortDurations(r.lat)
	return r, nil
}

// machineCPU returns the busy and total CPU ticks of the whole machine
// (all cores) from /proc/stat, in USER_HZ (1/100 s).
func machineCPU() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i < 8 { // user nice system idle iowait irq softirq steal; guest is inside user
			total += n
			if i != 3 && i != 4 {
				busy += n
			}
		}
	}
	return busy, total
}

// selfCPU returns this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// wrkResult is what wrk printed.
type wrkResult struct {
	rps            float64
	p50, p99, max  time.Duration
	requests       string
	non2xx, errors string
}

func (w wrkResult) String() string {
	s := fmt.Sprintf("%8.0f req/s  p50 %s  p99 %s  max %s  (%s requests)", w.rps, harness.Ms(w.p50), harness.Ms(w.p99), harness.Ms(w.max), w.requests)
	if w.non2xx != "" {
		s += ", non-2xx/3xx: " + w.non2xx
	}
	if w.errors != "" {
		s += ", socket errors: " + w.errors
	}
	return s
}

// runWrk runs wrk with 2 threads (one per core) and conc connections, the
// key in a plain -H header (no Lua script).
func runWrk(ctx context.Context, wrk, url, key string, conc int, d time.Duration) (wrkResult, error) {
	secs := max(int(d.Round(time.Second).Seconds()), 1)
	cmd := exec.CommandContext(ctx, wrk, "-t2", "-c"+strconv.Itoa(conc), "-d"+strconv.Itoa(secs)+"s", "--latency",
		"-H", "Authorization: Bearer "+key, url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	return parseWrk(string(out))
}

func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	var err error
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 4 && f[0] == "Latency" && !strings.HasSuffix(line, "Distribution"):
			r.max, err = wrkDuration(f[3])
		case len(f) == 2 && f[0] == "50%":
			r.p50, err = wrkDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99, err = wrkDuration(f[1])
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.rps, err = strconv.ParseFloat(f[1], 64)
		case len(f) >= 2 && f[1] == "requests" && len(f) > 2 && f[2] == "in":
			r.requests = f[0]
		case strings.HasPrefix(strings.TrimSpace(line), "Non-2xx or 3xx responses:"):
			r.non2xx = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "Non-2xx or 3xx responses:"))
		case strings.HasPrefix(strings.TrimSpace(line), "Socket errors:"):
			r.errors = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "Socket errors:"))
		}
		if err != nil {
			return r, fmt.Errorf("parse wrk line %q: %w\n%s", line, err, out)
		}
	}
	if r.rps == 0 {
		return r, fmt.Errorf("wrk printed no Requests/sec:\n%s", out)
	}
	return r, nil
}

// wrkDuration parses wrk's 512.00us, 1.23ms, 2.00s, 1.00m.
func wrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"m", time.Minute}, {"s", time.Second}} {
		if strings.HasSuffix(s, u.suffix) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, u.suffix), 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(v * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("unknown duration %q", s)
}

// profile runs the Go load once more while perf samples the server, and
// writes perf's reports (self time and inclusive time by symbol) to
// o.profile. The figures of this run are not comparable: perf costs CPU.
func profile(ctx context.Context, o options, engine, pid, url, key string, stdout io.Writer) error {
	perf, err := exec.LookPath("perf")
	if err != nil {
		return errors.New("perf not found in PATH")
	}
	data := filepath.Join(o.profile, "perf-"+engine+".data")
	secs := strconv.FormatFloat(o.duration.Seconds(), 'f', 1, 64)
	rec := exec.CommandContext(ctx, perf, "record", "-F", "499", "-g", "-p", pid, "-o", data, "--", "sleep", secs)
	var recOut bytes.Buffer
	rec.Stdout, rec.Stderr = &recOut, &recOut
	if err := rec.Start(); err != nil {
		return err
	}
	r, lerr := load(ctx, url, key, o.conc, 0, o.duration)
	if err := rec.Wait(); err != nil {
		return fmt.Errorf("perf record: %w\n%s", err, recOut.String())
	}
	if lerr != nil {
		return lerr
	}
	fmt.Fprintf(stdout, "[%s] under perf: %s\n", engine, r.line())
	reports, err := harness.WritePerfReports(ctx, perf, data, o.profile, engine)
	if err != nil {
		return err
	}
	for _, rep := range reports {
		lines := reportLines(rep.Rows)
		if rep.Name == "self" {
			fmt.Fprintf(stdout, "[%s] perf report, self time, top 20 of %s:\n", engine, rep.Path)
			lines = lines[:min(len(lines), 20)]
		} else {
			// The inclusive report is mostly call-stack plumbing; show the
			// rows that say where a request's time goes.
			fmt.Fprintf(stdout, "[%s] perf report, inclusive time, selected rows of %s:\n", engine, rep.Path)
			lines = slices.DeleteFunc(lines, func(l string) bool { return !focus.MatchString(l) })
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, "    "+l)
		}
	}
	return nil
}

// focus picks the inclusive-profile rows worth printing: docparse's own
// functions, the database calls, statement preparation, logging, JSON,
// hashing and socket writes.
var focus = regexp.MustCompile(`docparse/internal/(httpapi\.\(\*Server\)\.(getBatch|ServeHTTP)$|store\.|httpapi\.writeJSON)|authenticated|logged\.func[0-9]+$|\(\*DB\)\.QueryContext$|sqlite\.newStmt$|ExecStatement$|slog\.\(\*Logger\)\.log$|encoding/json\.Marshal$|syscall\.Syscall$|runtime\.gcBgMarkWorker$|\(\*conn\)\.readRequest$`)

// reportLines returns perf report's rows without the padding of the empty
// branch columns.
func reportLines(rows []string) []string {
	lines := make([]string, len(rows))
	for i, l := range rows {
		lines[i] = strings.TrimRight(strings.TrimSuffix(l, "-      -"), " ")
	}
	return lines
}

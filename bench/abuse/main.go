// Command abuse measures three defences of issue 13 against a real
// `docparse serve` on 127.0.0.1 and prints what an abuser gets.
//
//	go run ./bench/abuse [-only login,ratelimit,slowloris] [-db sqlite|postgres] [-bin PATH]
//
// The phases:
//
//   - login: -logins simultaneous dashboard sign-ins to one account, all
//     but one with a wrong password, the right one among them (first, in
//     the middle, last: one round each, on a fresh server process so that
//     the throttle starts empty). How many passwords were checked, how many
//     were refused unchecked (429), whether the right one got in, and
//     whether the owner can sign in right after.
//   - ratelimit: --rate-limit 10 --rate-burst 20; for -rate-for each, one
//     key polling with -rate-workers workers, then the same workers minting
//     a fresh key, using it until its 429, revoking it and minting again
//     (with --keys-per-hour 20, the default, and with the limit off).
//     Requests answered 2xx per second against the limit of 10/s.
//   - slowloris: -slow-conns uploads that send their headers and the
//     first part's header at once, then 1 byte of the file per second;
//     with the default body flags (--body-min-rate 10240, --body-grace 20s)
//     and with --body-grace 5s. Seconds until the server answers and closes
//     each connection, its status, the server's open files and the files
//     and folders under the data directory's blobs during the trickle and
//     after.
//
// Everything runs on loopback, each phase on its own server process over
// one fresh data directory (or PostgreSQL schema), removed at the end; the
// whole run stops after -timeout.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
)

func main() { harness.Main("abuse", run) }

type options struct {
	bin         string
	db          *harness.Database
	logins      int
	rateFor     time.Duration
	rateWorkers int
	slowConns   int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var wf harness.WorkFlags
	fs := harness.FlagSet("abuse", stderr)
	wf.Register(fs, 10*time.Minute)
	engine := fs.String("db", "sqlite", "sqlite or postgres")
	only := fs.String("only", "login,ratelimit,slowloris", "phases to run, comma-separated")
	logins := fs.Int("logins", 60, "simultaneous sign-ins per round")
	rateFor := fs.Duration("rate-for", 10*time.Second, "how long each rate-limit run lasts")
	rateWorkers := fs.Int("rate-workers", 4, "concurrent clients in the rate-limit runs (at most 4: an account holds 5 keys)")
	slowConns := fs.Int("slow-conns", 8, "slow uploads at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rateWorkers < 1 || *rateWorkers > 4 {
		return fmt.Errorf("-rate-workers %d: want 1 to 4", *rateWorkers)
	}
	ctx, end, err := wf.Begin(ctx, "abuse", stdout)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, end()) }()
	db, err := harness.NewDatabase(ctx, *engine, wf.Workdir.Dir, "abuse")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	fmt.Fprintf(stdout, "engine: %s\n", *engine)

	o := options{bin: wf.Workdir.Bin, db: db, logins: *logins, rateFor: *rateFor, rateWorkers: *rateWorkers, slowConns: *slowConns}
	for _, phase := range strings.Split(*only, ",") {
		switch strings.TrimSpace(phase) {
		case "login":
			err = benchLogin(ctx, o, stdout)
		case "ratelimit":
			err = benchRateLimit(ctx, o, stdout)
		case "slowloris":
			err = benchSlowloris(ctx, o, stdout)
		default:
			err = fmt.Errorf("unknown phase %q (want login, ratelimit, slowloris)", phase)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// withServer runs fn against a fresh `docparse serve` process with args.
func withServer(ctx context.Context, o options, fn func(s *harness.Server) error, args ...string) error {
	s, err := harness.Start(ctx, o.bin, o.db, nil, append([]string{"--log-level", "warn"}, args...)...)
	if err != nil {
		return err
	}
	err = fn(s)
	return errors.Join(err, s.Stop())
}

// --- login ---------------------------------------------------------------

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

const (
	loginEmail    = "owner@example.com"
	loginPassword = "the right password, long enough"
)

// loginRound is what one burst of sign-ins got.
type loginRound struct {
	statuses    map[int]int // 303 signed in, 401 checked and wrong, 429 refused unchecked
	right       int         // the right password's status
	after       int         // the owner's sign-in right after the burst
	afterWait   string      // its Retry-After
	burst, last time.Duration
}

func benchLogin(ctx context.Context, o options, stdout io.Writer) error {
	if err := harness.CreateUser(ctx, o.bin, o.db, "acme", loginEmail, loginPassword); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n== login throttle: %d simultaneous sign-ins from 127.0.0.1 to one account, %d wrong passwords and the right one\n", o.logins, o.logins-1)
	fmt.Fprintln(stdout, "right one at | checked (401+303) | refused unchecked (429) | right one | owner right after | burst took")
	for _, at := range []int{0, o.logins / 2, o.logins - 1} {
		var r loginRound
		err := withServer(ctx, o, func(s *harness.Server) (err error) {
			r, err = signInBurst(ctx, s.URL, o.logins, at)
			return err
		})
		if err != nil {
			return err
		}
		other := 0
		for st, n := range r.statuses {
			if st != 303 && st != 401 && st != 429 {
				other += n
			}
		}
		fmt.Fprintf(stdout, "%12d | %17d | %23d | %9s | %17s | %s (slowest answer)\n", at, r.statuses[303]+r.statuses[401], r.statuses[429],
			signInOutcome(r.right, ""), signInOutcome(r.after, r.afterWait), harness.Ms(r.last))
		if other > 0 {
			fmt.Fprintf(stdout, "  other answers: %v\n", r.statuses)
		}
	}
	return nil
}

func signInOutcome(status int, wait string) string {
	switch status {
	case http.StatusSeeOther:
		return "signed in"
	case http.StatusUnauthorized:
		return "401"
	case http.StatusTooManyRequests:
		if wait != "" {
			return "429 (" + wait + " s)"
		}
		return "429"
	}
	return fmt.Sprint(status)
}

// signInBurst sends n sign-ins at once, on n connections; the one at
// index right carries the right password.
func signInBurst(ctx context.Context, base string, n, right int) (loginRound, error) {
	client := &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       2 * time.Minute,
	}
	// One sign-in form: its CSRF cookie and token serve every attempt
	// (double submit: the cookie and the field must match).
	resp, err := client.Get(base + "/dashboard/login")
	if err != nil {
		return loginRound{}, err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "dp_login_csrf" {
			cookie = c
		}
	}
	if m == nil || cookie == nil {
		return loginRound{}, fmt.Errorf("GET /dashboard/login: no CSRF token (%d)", resp.StatusCode)
	}
	token := string(m[1])
	newReq := func(password string) (*http.Request, error) {
		form := url.Values{"email": {loginEmail}, "password": {password}, "csrf_token": {token}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/dashboard/login", strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
		return req, nil
	}

	r := loginRound{statuses: map[int]int{}}
	reqs := make([]*http.Request, n)
	for i := range reqs {
		pw := fmt.Sprintf("wrong password number %d", i)
		if i == right {
			pw = loginPassword
		}
		if reqs[i], err = newReq(pw); err != nil {
			return r, err
		}
	}
	statuses := make([]int, n)
	errs := make([]error, n)
	took := make([]time.Duration, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			resp, err := client.Do(reqs[i])
			took[i] = time.Since(t0)
			if err != nil {
				errs[i] = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	r.burst = time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	for i, st := range statuses {
		r.statuses[st]++
		r.last = max(r.last, took[i])
	}
	r.right = statuses[right]

	req, err := newReq(loginPassword)
	if err != nil {
		return r, err
	}
	resp, err = client.Do(req)
	if err != nil {
		return r, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r.after, r.afterWait = resp.StatusCode, resp.Header.Get("Retry-After")
	return r, nil
}

// --- rate limit ------------------------------------------------------------

// rateRun counts what the workers' requests got.
type rateRun struct {
	mu                   sync.Mutex
	ok, limited, other   int // the polls
	minted, mintRefused  int // key creations: 201, 429 (per hour or rate)
	mintRateLimited      int // of mintRefused, by the request rate rather than --keys-per-hour
	mintOther            int // key creations refused otherwise (409: the account's 5 keys)
	revoked, revokeLimit int
	elapsed              time.Duration
}

func benchRateLimit(ctx context.Context, o options, stdout io.Writer) error {
	key, err := harness.CreateKey(ctx, o.bin, o.db, "ratelimit")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n== per-account rate limit: --rate-limit 10 --rate-burst 20, %d workers, %s per run, GET /v1/extractions\n", o.rateWorkers, o.rateFor)
	fmt.Fprintln(stdout, "run                                   | polls 2xx/s | polls 2xx | polls 429 | keys minted | keys revoked | all 2xx/s | mints refused: 429 rate / 429 per hour / other | revokes refused (429)")
	for _, c := range []struct {
		name string
		mint bool
		kph  string
	}{
		{"one key", false, "20"},
		{"mint, use until 429, revoke (kph 20)", true, "20"},
		{"mint, use until 429, revoke (kph off)", true, "0"},
	} {
		var r *rateRun
		err := withServer(ctx, o, func(s *harness.Server) error {
			r = hammer(ctx, s.URL, key, o.rateWorkers, o.rateFor, c.mint)
			return nil
		}, "--rate-limit", "10", "--rate-burst", "20", "--keys-per-hour", c.kph)
		if err != nil {
			return err
		}
		secs := r.elapsed.Seconds()
		fmt.Fprintf(stdout, "%-37s | %11.1f | %9d | %9d | %11d | %12d | %9.1f | %14d / %d / %d | %d\n", c.name, float64(r.ok)/secs, r.ok, r.limited,
			r.minted, r.revoked, float64(r.ok+r.minted+r.revoked)/secs, r.mintRateLimited, r.mintRefused-r.mintRateLimited, r.mintOther, r.revokeLimit)
		if r.other > 0 {
			fmt.Fprintf(stdout, "  %d polls answered neither 2xx nor 429\n", r.other)
		}
	}
	fmt.Fprintln(stdout, "(limit: 10/s sustained after a burst of 20, i.e. at most 20 + 10 x seconds per run for the account; key creations and revocations are requests too)")
	return nil
}

// hammer runs workers for d: each polls with its key until a 429; with
// mint, it polls with a key it minted, revokes it at its first 429 and
// mints another (polling with the account's key while minting is
// refused).
func hammer(ctx context.Context, base, master string, workers int, d time.Duration, mint bool) *rateRun {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}
	call := func(method, path, key string, body []byte) (int, []byte, error) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	r := &rateRun{}
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			key, keyID := master, ""
			for ctx.Err() == nil {
				if mint && keyID == "" {
					st, b, err := call(http.MethodPost, "/v1/api_keys", master, []byte(`{"name":"minted"}`))
					if err != nil {
						return
					}
					var out struct {
						Key    string `json:"key"`
						APIKey struct {
							ID string `json:"id"`
						} `json:"api_key"`
					}
					r.mu.Lock()
					switch {
					case st == http.StatusCreated && json.Unmarshal(b, &out) == nil:
						r.minted++
						key, keyID = out.Key, out.APIKey.ID
					case st == http.StatusTooManyRequests:
						r.mintRefused++
						if !bytes.Contains(b, []byte("API keys created")) {
							r.mintRateLimited++
						}
					default:
						r.mintOther++
					}
					r.mu.Unlock()
				}
				st, _, err := call(http.MethodGet, "/v1/extractions", key, nil)
				if err != nil {
					return
				}
				r.mu.Lock()
				switch {
				case st/100 == 2:
					r.ok++
				case st == http.StatusTooManyRequests:
					r.limited++
				default:
					r.other++
				}
				r.mu.Unlock()
				if st == http.StatusTooManyRequests && keyID != "" {
					st, _, err := call(http.MethodDelete, "/v1/api_keys/"+keyID, master, nil)
					if err != nil {
						return
					}
					if st == http.StatusNoContent {
						key, keyID = master, ""
						r.mu.Lock()
						r.revoked++
						r.mu.Unlock()
					} else if st == http.StatusTooManyRequests {
						r.mu.Lock()
						r.revokeLimit++
						r.mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	return r
}

// --- slowloris --------------------------------------------------------------

// slowConn is what one slow upload got.
type slowConn struct {
	status  int           // the answer's status; 0 when none came
	answer  time.Duration // headers sent to answer
	closed  time.Duration // headers sent to the connection closed by the server
	sent    int           // file bytes sent
	errText string
}

func benchSlowloris(ctx context.Context, o options, stdout io.Writer) error {
	key, err := harness.CreateKey(ctx, o.bin, o.db, "slowloris")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n== body slowloris: %d uploads at once, headers and the file part's header at once, then 1 byte/s\n", o.slowConns)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"defaults (--body-min-rate 10240 --body-grace 20s --body-timeout 1h)", nil},
		{"--body-grace 5s", []string{"--body-grace", "5s"}},
	} {
		err := withServer(ctx, o, func(s *harness.Server) error {
			return slowloris(ctx, o, s, key, c.name, stdout)
		}, c.args...)
		if err != nil {
			return err
		}
	}
	return nil
}

func slowloris(ctx context.Context, o options, s *harness.Server, key, name string, stdout io.Writer) error {
	ext, err := harness.NewClient(s.URL, key).CreateExtraction(ctx, "slowloris")
	if err != nil {
		return err
	}
	blobs := filepath.Join(o.db.DataDir, "blobs")
	filesBefore, _, foldersBefore := countFiles(blobs)
	fdsBefore := countFDs(s.PID)
	host := strings.TrimPrefix(s.URL, "http://")

	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	conns := make([]slowConn, o.slowConns)
	var wg sync.WaitGroup
	ready := make(chan struct{}, o.slowConns)
	for i := range conns {
		wg.Go(func() { conns[i] = slowUpload(ctx, host, key, ext, ready) })
	}
	for range conns {
		<-ready
	}
	// Every connection has sent its headers: look at the server while
	// the bytes trickle in.
	time.Sleep(3 * time.Second)
	filesDuring, tmpDuring, foldersDuring := countFiles(blobs)
	fdsDuring := countFDs(s.PID)
	wg.Wait()
	// The handler removes what it stored after answering; give it a moment.
	time.Sleep(time.Second)
	filesAfter, tmpAfter, foldersAfter := countFiles(blobs)
	fdsAfter := countFDs(s.PID)
	time.Sleep(4 * time.Second)
	fdsLater := countFDs(s.PID)

	var answers, closes []time.Duration
	statuses := map[int]int{}
	var errs []string
	for _, c := range conns {
		statuses[c.status]++
		if c.status != 0 {
			answers = append(answers, c.answer)
		}
		if c.closed > 0 {
			closes = append(closes, c.closed)
		}
		if c.errText != "" {
			errs = append(errs, c.errText)
		}
	}
	slices.Sort(answers)
	slices.Sort(closes)
	fmt.Fprintf(stdout, "%s:\n", name)
	fmt.Fprintf(stdout, "  answers: %v (status: count); answered after %s; closed by the server after %s (min / median / max)\n",
		statuses, spread(answers), spread(closes))
	fmt.Fprintf(stdout, "  file bytes sent per connection before the cut: %d\n", conns[0].sent)
	fmt.Fprintf(stdout, "  server open files: %s before, %s during, %s 1 s after the last close, %s 5 s after\n", fdsBefore, fdsDuring, fdsAfter, fdsLater)
	fmt.Fprintf(stdout, "  files under blobs/: %d before, %d during (%d temporary), %d after (%d temporary)\n",
		filesBefore, filesDuring, tmpDuring, filesAfter, tmpAfter)
	fmt.Fprintf(stdout, "  upload folders under blobs/ACCOUNT/: %d before, %d during, %d after\n", foldersBefore, foldersDuring, foldersAfter)
	if len(errs) > 0 {
		fmt.Fprintf(stdout, "  client errors: %s\n", strings.Join(errs, "; "))
	}
	return nil
}

func spread(d []time.Duration) string {
	if len(d) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f / %.1f / %.1f s", d[0].Seconds(), d[len(d)/2].Seconds(), d[len(d)-1].Seconds())
}

// slowUpload sends an upload's headers and its first part's header, then
// one byte of the file per second, until the server answers or closes
// the connection (or ctx ends).
func slowUpload(ctx context.Context, host, key, ext string, ready chan<- struct{}) (c slowConn) {
	signal := sync.OnceFunc(func() { ready <- struct{}{} })
	defer signal()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		c.errText = err.Error()
		return c
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	const boundary = "slowlorisboundary"
	head := fmt.Sprintf("POST /v1/extractions/%s/batches HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"+
		"--%s\r\nContent-Disposition: form-data; name=\"files\"; filename=\"slow.txt\"\r\nContent-Type: text/plain\r\n\r\n",
		ext, host, key, boundary, 1<<20, boundary)
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		c.errText = err.Error()
		return c
	}
	signal()

	done := make(chan struct{})
	var sent int
	var sentMu sync.Mutex
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := conn.Write([]byte("x")); err != nil {
					return
				}
				sentMu.Lock()
				sent++
				sentMu.Unlock()
			}
		}
	}()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err == nil {
		c.status, c.answer = resp.StatusCode, time.Since(start)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		// The server closes the connection after a cut-off body.
		_, err = io.Copy(io.Discard, br)
	}
	if ctx.Err() == nil {
		c.closed = time.Since(start)
	} else {
		c.errText = "not closed within 3 min"
	}
	_ = err
	close(done)
	sentMu.Lock()
	c.sent = sent
	sentMu.Unlock()
	return c
}

// countFiles counts the regular files under dir, and of them the
// temporary files of uploads in progress, and the folders below dir's
// accounts' folders (one per batch).
func countFiles(dir string) (all, tmp, folders int) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if rel, rerr := filepath.Rel(dir, path); err == nil && rerr == nil && d.IsDir() && strings.Count(rel, string(filepath.Separator)) == 1 {
			folders++
		}
		if err == nil && d.Type().IsRegular() {
			all++
			if strings.HasPrefix(d.Name(), ".upload-") {
				tmp++
			}
		}
		return nil
	})
	return all, tmp, folders
}

// fds is a count of a process's open files.
type fds struct{ sockets, files, blobs, other int }

func (f fds) String() string {
	return fmt.Sprintf("%d (%d sockets, %d files of which %d under blobs/, %d other)", f.sockets+f.files+f.other, f.sockets, f.files, f.blobs, f.other)
}

// countFDs counts the open files of process pid.
func countFDs(pid int) fds {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	es, _ := os.ReadDir(dir)
	var f fds
	for _, e := range es {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		switch {
		case err != nil:
		case strings.HasPrefix(target, "socket:"):
			f.sockets++
		case strings.HasPrefix(target, "/"):
			f.files++
			if strings.Contains(target, "/blobs/") {
				f.blobs++
			}
		default:
			f.other++
		}
	}
	return f
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/secretbox"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// getenvFrom returns a getenv reading only m.
func getenvFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var listenRE = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// waitListening reads a server's log until it names its address. The log
// lines above info level are shown if the test fails, to tell why a server
// went away.
func waitListening(t *testing.T, r io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	var mu sync.Mutex
	var problems []string
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() && len(problems) > 0 {
			t.Logf("server log (warnings and errors):\n%s", strings.Join(problems, "\n"))
		}
	})
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			if l := sc.Text(); !strings.Contains(l, `"level":"INFO"`) {
				mu.Lock()
				if len(problems) < 200 {
					problems = append(problems, l)
				}
				mu.Unlock()
			}
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("server exited before listening")
		}
		return u
	case <-time.After(60 * time.Second):
		t.Fatal("server did not listen within 60s")
	}
	return ""
}

type testClient struct {
	t    *testing.T
	base string
	key  string
}

// send does one API request with c's key (and idemKey as its
// Idempotency-Key when set) and returns the answer and its body.
func (c testClient) send(method, path, ctype, idemKey string, body io.Reader) (*http.Response, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, body)
	req.Header.Set("Authorization", "Bearer "+c.key)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// do does one API request and returns the status and the decoded body
// (nil when it is no JSON object).
func (c testClient) do(method, path, ctype string, body io.Reader) (int, map[string]any) {
	c.t.Helper()
	resp, b := c.send(method, path, ctype, "", body)
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

func (c testClient) createExtraction() string {
	c.t.Helper()
	status, v := c.do("POST", "/v1/extractions", "application/json", strings.NewReader(
		`{"name":"Invoices","fields":[{"key":"invoice_number","type":"string"},{"key":"total","type":"number"}]}`))
	if status != 201 {
		c.t.Fatalf("create extraction: %d %v", status, v)
	}
	return v["extraction"].(map[string]any)["id"].(string)
}

func (c testClient) upload(extID string, files map[string][]byte) string {
	c.t.Helper()
	var parts []servertest.File
	for name, content := range files {
		parts = append(parts, servertest.File{Name: name, Content: content})
	}
	ct, body := servertest.UploadForm(nil, parts...)
	status, v := c.do("POST", "/v1/extractions/"+extID+"/batches", ct, bytes.NewReader(body))
	if status != 202 {
		c.t.Fatalf("upload: %d %v", status, v)
	}
	return v["batch"].(map[string]any)["id"].(string)
}

// waitTerminal polls the batch until it is terminal or timeout passes,
// and returns it as last read.
func (c testClient) waitTerminal(extID, batchID string, timeout time.Duration) map[string]any {
	deadline := time.Now().Add(timeout)
	b := c.batch(extID, batchID)
	for !terminal(b) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		b = c.batch(extID, batchID)
	}
	return b
}

func (c testClient) batch(extID, batchID string) map[string]any {
	c.t.Helper()
	status, v := c.do("GET", "/v1/extractions/"+extID+"/batches/"+batchID, "", nil)
	if status != 200 {
		c.t.Fatalf("poll: %d %v", status, v)
	}
	return v["batch"].(map[string]any)
}

// checkContent gets the stored upload of f, a file as its batch lists
// it, and fails the test unless it is the document uploaded under its
// name, docs[name]; where tells the message which server answered. It
// answers the file's name and id.
func (c testClient) checkContent(extID, batchID string, f any, docs map[string][]byte, where string) (name, id string) {
	c.t.Helper()
	m := f.(map[string]any)
	name, id = m["file_name"].(string), m["id"].(string)
	resp, got := c.send("GET", "/v1/extractions/"+extID+"/batches/"+batchID+"/files/"+id+"/content", "", "", nil)
	if resp.StatusCode != 200 || !bytes.Equal(got, docs[name]) {
		c.t.Errorf("content of %s%s: %d, %d bytes; want 200 and the %d uploaded", name, where, resp.StatusCode, len(got), len(docs[name]))
	}
	return name, id
}

// testSecretKey returns a new DOCPARSE_SECRET_KEY.
func testSecretKey(t *testing.T) string {
	t.Helper()
	k, err := secretbox.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func terminal(b map[string]any) bool {
	s := b["status"]
	return s == "processed" || s == "partial" || s == "failed"
}

// TestServeInProcess runs the real run(): keys create, serve, the API,
// and a graceful shutdown when the context ends.
//
// Not parallel, nor is TestNoSecretAtRest: serve sets the process-wide Go
// memory limit while it runs, which this test checks.
func TestServeInProcess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		getenv, key := keyedServer(t, eng, nil)
		goLimit := debug.SetMemoryLimit(-1)
		base, stop := serveInProcess(t, getenv, "--memory-limit", "768MiB")
		// The Go runtime's share of --memory-limit is in force while
		// serving, and the previous limit again afterwards.
		if got, want := debug.SetMemoryLimit(-1), planMemory(768<<20, 4).GoLimit; got != want {
			t.Errorf("Go memory limit while serving = %d, want %d", got, want)
		}
		c := testClient{t: t, base: base, key: key}
		for _, p := range []string{"/healthz", "/readyz"} {
			if status, _ := c.do("GET", p, "", nil); status != 200 {
				t.Errorf("%s: %d", p, status)
			}
		}
		extID := c.createExtraction()
		batchID := c.upload(extID, map[string][]byte{"a.txt": []byte("Invoice No: 42183017\nTotal: 99.50\n")})
		deadline := time.Now().Add(60 * time.Second)
		var b map[string]any
		for b = c.batch(extID, batchID); !terminal(b) && time.Now().Before(deadline); b = c.batch(extID, batchID) {
			time.Sleep(50 * time.Millisecond)
		}
		if b["status"] != "processed" && !terminal(b) {
			t.Fatalf("batch = %v", b)
		}
		stop()
		if got := debug.SetMemoryLimit(-1); got != goLimit {
			t.Errorf("Go memory limit after serve = %d, want %d as before", got, goLimit)
		}
	})
}

// keyedServer returns the environment of a server on eng (with env's
// variables too) in a new data directory, or the one env names, and an
// API key of account acme that `docparse keys create` made there.
func keyedServer(t *testing.T, eng store.Engine, env map[string]string) (getenv func(string) string, key string) {
	t.Helper()
	all := map[string]string{"DOCPARSE_DATA_DIR": t.TempDir(), "DOCPARSE_RATE_LIMIT": "0"}
	maps.Copy(all, env)
	seedPDFiumCache(t, all["DOCPARSE_DATA_DIR"])
	if eng == store.Postgres {
		all["DATABASE_URL"] = storetest.URL(t, eng)
		all["DOCPARSE_SECRET_KEY"] = testSecretKey(t)
	}
	getenv = getenvFrom(all)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"keys", "create", "--account", "acme", "--name", "ci"}, getenv, nil, &out, &errOut); err != nil {
		t.Fatalf("keys create: %v (%s)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 1 || !regexp.MustCompile(`^dp_live_[0-9A-Za-z]{32}$`).MatchString(lines[0]) {
		t.Fatalf("keys create stdout = %q, want one dp_live_ key", out.String())
	}
	return getenv, lines[0]
}

// serveInProcess runs `docparse serve --addr 127.0.0.1:0 args...` in
// process and returns its base URL once it listens; stop cancels it and
// fails t unless it returns nil within 60s.
func serveInProcess(t *testing.T, getenv func(string) string, args ...string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), getenv, nil, io.Discard, pw)
		pw.Close()
	}()
	base = waitListening(t, pr)
	return base, func() {
		cancel()
		awaitServe(t, done, t.Fatalf)
	}
}

// TestConfigErrors: every bad flag is reported at once, exit code 1.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "--rate-limit", "-1", "--workers", "0", "--log-level", "loud"},
		getenvFrom(nil), nil, io.Discard, &errOut)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("err = %v, exit %d", err, exitCode(err))
	}
	for _, want := range []string{"--rate-limit", "--workers", "--log-level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	errOut.Reset()
	err = run(context.Background(), []string{"serve", "--trusted-proxies", "10.0.0.0/8,proxy"}, getenvFrom(nil), nil, io.Discard, &errOut)
	if msg := errOut.String(); err == nil || !strings.Contains(msg, "trusted-proxies") || !strings.Contains(msg, `"proxy" is not an IP address`) {
		t.Errorf("bad --trusted-proxies: %v: %.300s", err, msg)
	}
	c, err := loadConfig("serve", nil, getenvFrom(map[string]string{"DOCPARSE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"}), io.Discard)
	if err != nil || fmt.Sprint(c.TrustedProxies) != "[10.0.0.0/8 192.0.2.1/32]" {
		t.Errorf("DOCPARSE_TRUSTED_PROXIES: %v, %v", c.TrustedProxies, err)
	}
	err = run(context.Background(), []string{"serve"}, getenvFrom(map[string]string{"DOCPARSE_WORKERS": "many"}), nil, io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "DOCPARSE_WORKERS") {
		t.Errorf("bad env twin: %v", err)
	}
	err = run(context.Background(), []string{"serve", "--blob-url", "s3://?endpoint=localhost:9000"}, getenvFrom(nil), nil, io.Discard, &errOut)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "--blob-url") || !strings.Contains(err.Error(), "missing bucket") {
		t.Errorf("bad --blob-url: %v", err)
	}
	c, err = loadConfig("serve", nil, getenvFrom(map[string]string{"DOCPARSE_BLOB_URL": "s3://docs?region=eu-west-1", "DOCPARSE_DATA_DIR": "/srv/dp"}), io.Discard)
	if err != nil || c.blobURL() != "s3://docs?region=eu-west-1" {
		t.Errorf("DOCPARSE_BLOB_URL: %q, %v", c.blobURL(), err)
	}
	c, err = loadConfig("serve", []string{"--data-dir", "/srv/dp"}, getenvFrom(nil), io.Discard)
	if err != nil || c.blobURL() != "file:///srv/dp/blobs" {
		t.Errorf("default blob url: %q, %v; want file:///srv/dp/blobs", c.blobURL(), err)
	}
	err = run(context.Background(), []string{"serve", "--quota-files-per-day", "-1"}, getenvFrom(nil), nil, io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--quota-files-per-day=-1") {
		t.Errorf("negative quota: %v", err)
	}
	c, err = loadConfig("serve", []string{"--quota-extractions", "5"}, getenvFrom(map[string]string{"DOCPARSE_QUOTA_STORED_BYTES": "0"}), io.Discard)
	if err != nil || c.QuotaStoredBytes != 0 || c.QuotaExtractions != 5 || c.QuotaFilesPerDay != 10000 {
		t.Errorf("quotas: stored %d, extractions %d, files per day %d, %v; want 0 (env), 5 (flag), 10000 (default)",
			c.QuotaStoredBytes, c.QuotaExtractions, c.QuotaFilesPerDay, err)
	}
}

// awaitServe waits for serve, cancelled, to return its error on done:
// one is reported with report, no return within 60s fails t.
func awaitServe(t *testing.T, done <-chan error, report func(format string, args ...any)) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			report("serve returned %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// extractTestdata reads a document of package extract's testdata.
func extractTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "extract", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startServer starts the binary and returns its base URL.
// restartServer starts `docparse serve` again on the same data, stopped
// at the test's end, and returns it with its base URL once it listens.
func restartServer(t *testing.T, bin string, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := startServer(t, bin, env, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	return cmd, waitListening(t, stderr)
}

// listening starts cmd, a server not yet started, and returns its base URL
// once it listens. The test stops it.
func listening(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return waitListening(t, stderr)
}

// binaryEnv is the environment of the binary on eng with data in dataDir,
// plus extra: the database (dbURL is empty on SQLite) and on PostgreSQL a
// secret key. key is an API key of account acme made by running
// `docparse keys create` in it.
func binaryEnv(t *testing.T, bin string, eng store.Engine, dataDir string, extra ...string) (env []string, dbURL, key string) {
	t.Helper()
	if eng == store.Postgres {
		dbURL = storetest.URL(t, eng)
	}
	seedPDFiumCache(t, dataDir)
	env = append([]string{"DOCPARSE_DATA_DIR=" + dataDir, "DOCPARSE_RATE_LIMIT=0", "DATABASE_URL=" + dbURL}, extra...)
	if eng == store.Postgres {
		env = append(env, "DOCPARSE_SECRET_KEY="+testSecretKey(t))
	}
	keyCmd := exec.Command(bin, "keys", "create", "--account", "acme")
	keyCmd.Env = append(os.Environ(), env...)
	out, err := keyCmd.Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	return env, dbURL, strings.TrimSpace(string(out))
}

func startServer(t *testing.T, bin string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// TestCrashRecovery kills the server with SIGKILL while files are being
// processed, starts it again, and checks that every file ends and the batch
// reaches a terminal status: jobs cut off by the crash run again.
//
// Not parallel, nor is TestInterruptDuringOCR: both keep two workers busy
// (PDFium, Tesseract) under file timeouts of a few seconds, and running
// beside each other or other tests of this package, on a loaded machine,
// they hit those timeouts.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	bin := buildBinary(t)
	pdf := extractTestdata(t, "AzureInterior.pdf")
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		dataDir := t.TempDir()
		env, dbURL, key := binaryEnv(t, bin, eng, dataDir)
		args := []string{"--file-timeout", "2s", "--rescue-after", "8s", "--workers", "2"}

		first := startServer(t, bin, env, args...)
		c := testClient{t: t, base: listening(t, first), key: key}
		extID := c.createExtraction()
		files := map[string][]byte{}
		for i := range 30 {
			files[fmt.Sprintf("invoice-%02d.pdf", i)] = pdf
		}
		batchID := c.upload(extID, files)
		// Kill as soon as work has started.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			b := c.batch(extID, batchID)
			if b["status"] != "queued" {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		first.Process.Signal(syscall.SIGKILL)
		first.Wait()
		// The crash must have cut the work off midway, or the test proves
		// nothing.
		db, err := store.Open(context.Background(), dbURL, dataDir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var acct string
		if a, err := db.AccountByName(context.Background(), "acme"); err == nil {
			acct = a.ID
		}
		mid, _, err := db.BatchWithFiles(context.Background(), acct, extID, batchID)
		db.Close()
		if err != nil || mid.Status.Terminal() {
			t.Fatalf("at the crash the batch was %s (%v): the crash did not interrupt work", mid.Status, err)
		}

		_, c.base = restartServer(t, bin, env, args...)
		b := c.waitTerminal(extID, batchID, 3*time.Minute)
		if b["status"] != "processed" {
			t.Fatalf("after crash and restart the batch is %v, want processed: %v", b["status"], b)
		}
		counts := b["counts"].(map[string]any)
		if counts["processed"].(float64)+counts["needs_review"].(float64) != 30 {
			t.Errorf("counts = %v", counts)
		}
	})
}

// TestWebhookSurvivesCrash kills the server with SIGKILL while the first
// delivery of a batch's events is in flight (after the status change that
// caused it committed), starts it again, and checks that every event of
// the feed reaches the receiver, the interrupted one with the same
// webhook-id.
func TestWebhookSurvivesCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t.Parallel()
	bin := buildBinary(t)
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		env, _, key := binaryEnv(t, bin, eng, t.TempDir())

		var mu sync.Mutex
		hang := true
		inflight := make(chan string, 1)
		received := map[string]int{}
		release := make(chan struct{})
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			id := r.Header.Get("webhook-id")
			mu.Lock()
			if hang {
				hang = false
				mu.Unlock()
				inflight <- id
				<-release // until the test ends; the server dies meanwhile
				return
			}
			received[id]++
			mu.Unlock()
			w.WriteHeader(200)
		}))
		defer rc.Close()
		defer close(release)

		args := []string{"--allow-private-webhooks", "--webhook-timeout", "2s", "--webhook-lease", "7s"}
		first := startServer(t, bin, env, args...)
		c := testClient{t: t, base: listening(t, first), key: key}
		status, v := c.do("POST", "/v1/webhook_endpoints", "application/json", strings.NewReader(`{"url":"`+rc.URL+`/hook"}`))
		if status != 201 {
			t.Fatalf("create endpoint: %d %v", status, v)
		}
		extID := c.createExtraction()
		batchID := c.upload(extID, map[string][]byte{"a.txt": []byte("Invoice No: 1\nTotal: 5.00\n")})
		var cut string
		select {
		case cut = <-inflight:
		case <-time.After(60 * time.Second):
			t.Fatal("no delivery arrived")
		}
		first.Process.Signal(syscall.SIGKILL)
		first.Wait()

		_, c.base = restartServer(t, bin, env, args...)
		if b := c.batch(extID, batchID); !terminal(b) {
			t.Fatalf("batch not terminal: %v", b)
		}
		_, feed := c.do("GET", "/v1/events", "", nil)
		var ids []string
		for _, e := range feed["data"].([]any) {
			ids = append(ids, e.(map[string]any)["id"].(string))
		}
		if len(ids) != 2 {
			t.Fatalf("feed has %d events, want 2 (file and batch)", len(ids))
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			mu.Lock()
			all := true
			for _, id := range ids {
				if received[id] == 0 {
					all = false
				}
			}
			got := received[cut]
			mu.Unlock()
			if all && got > 0 {
				break
			}
			if time.Now().After(deadline) {
				mu.Lock()
				t.Fatalf("after restart received %v, want every one of %v (cut: %s)", received, ids, cut)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// TestInterruptDuringOCR starts the real binary in a process group of its
// own, as a shell starts a foreground job, uploads 30 images that need
// OCR, and sends SIGINT to the whole group (a terminal's Ctrl-C) while
// Tesseract is reading them. The server must stop its Tesseract children
// itself and leave the files to be read again: after a restart on the
// same data every file ends processed, none failed.
func TestInterruptDuringOCR(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	bin := buildBinary(t)
	png := extractTestdata(t, "dotmatrix-receipt.png")
	// English only, to keep the test short: Tesseract loads every
	// language it is given for each image, about a second for four.
	tessdata := engOnlyTessdata(t)
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		dataDir := t.TempDir()
		env, dbURL, key := binaryEnv(t, bin, eng, dataDir, "TESSDATA_PREFIX="+tessdata)
		// A file's timeout leaves room for a loaded machine (the other
		// packages' tests run beside this one): a file that times out
		// fails for good, and the test would blame the restart for it.
		args := []string{"--workers", "2", "--shutdown-grace", "1s", "--file-timeout", "30s", "--rescue-after", "40s"}

		first := startServer(t, bin, env, args...)
		first.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		c := testClient{t: t, base: listening(t, first), key: key}
		extID := c.createExtraction()
		files := map[string][]byte{}
		for i := range 30 {
			// Different bytes per file: a PNG reader ignores what follows
			// the IEND chunk.
			files[fmt.Sprintf("receipt-%02d.png", i)] = append(slices.Clip(png), fmt.Sprintf("%02d", i)...)
		}
		batchID := c.upload(extID, files)
		// Interrupt while Tesseract runs: wait until a Tesseract child of
		// the server exists.
		deadline := time.Now().Add(30 * time.Second)
		for !hasChild(first.Process.Pid, "tesseract") {
			if time.Now().After(deadline) {
				t.Fatal("no tesseract child within 30s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		if err := syscall.Kill(-first.Process.Pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- first.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the interrupted server exited with %v, want a clean shutdown", err)
			}
		case <-time.After(30 * time.Second):
			first.Process.Kill()
			t.Fatal("the server did not stop within 30s of SIGINT")
		}
		mid, failed := batchFromStore(t, dbURL, dataDir, extID, batchID)
		if mid.Status.Terminal() {
			t.Fatalf("at the interrupt the batch was already %s: the test interrupted nothing", mid.Status)
		}
		for _, f := range failed {
			t.Errorf("after the interrupt %s is failed (%v): an interrupted read must be retried", f.FileName, f.Error)
		}

		var second *exec.Cmd
		second, c.base = restartServer(t, bin, env, args...)
		b := c.waitTerminal(extID, batchID, 3*time.Minute)
		second.Process.Signal(syscall.SIGTERM)
		second.Wait()
		_, failed = batchFromStore(t, dbURL, dataDir, extID, batchID)
		for _, f := range failed {
			t.Errorf("after the restart %s is failed (%v)", f.FileName, f.Error)
		}
		if b["status"] != "processed" {
			t.Fatalf("after interrupt and restart the batch is %v, want processed: %v", b["status"], b["counts"])
		}
		counts := b["counts"].(map[string]any)
		if counts["processed"].(float64)+counts["needs_review"].(float64) != 30 {
			t.Errorf("counts = %v", counts)
		}
	})
}

// engOnlyTessdata makes a Tesseract data directory holding only the
// installed English (and orientation) models, or skips the test.
func engOnlyTessdata(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/share/tesseract-ocr/*/tessdata")
	if len(dirs) == 0 {
		t.Skip("no Tesseract data directory under /usr/share/tesseract-ocr")
	}
	dir := t.TempDir()
	for _, name := range []string{"eng.traineddata", "osd.traineddata", "configs", "tessconfigs"} {
		if _, err := os.Stat(filepath.Join(dirs[0], name)); err == nil {
			if err := os.Symlink(filepath.Join(dirs[0], name), filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// hasChild reports whether process pid has a descendant whose command
// name is name (from /proc; Linux).
func hasChild(pid int, name string) bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	parent := func(p string) string {
		b, err := os.ReadFile("/proc/" + p + "/stat")
		if err != nil {
			return ""
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			return ""
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			return ""
		}
		return f[1]
	}
	want := strconv.Itoa(pid)
	for _, e := range ents {
		comm, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != name {
			continue
		}
		for p, n := parent(e.Name()), 0; p != "" && p != "0" && n < 10; p, n = parent(p), n+1 {
			if p == want {
				return true
			}
		}
	}
	return false
}

// batchFromStore reads a batch and the files of it that failed straight
// from the store, while no server runs.
func batchFromStore(t *testing.T, dbURL, dataDir, extID, batchID string) (docparse.Batch, []docparse.File) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, dataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.AccountByName(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	b, files, err := db.BatchWithFiles(ctx, a.ID, extID, batchID)
	if err != nil {
		t.Fatal(err)
	}
	var failed []docparse.File
	for _, f := range files {
		if f.Status == docparse.FileFailed {
			failed = append(failed, f)
		}
	}
	return b, failed
}

// TestRetentionFlag: --retention (and DOCPARSE_RETENTION) takes days, a
// Go duration or off, default off; under an hour, negative or not a
// duration is refused at start, naming the flag and why.
func TestRetentionFlag(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		env  map[string]string
		want time.Duration
		err  string // in the error or on stderr; "" for none
	}{
		{nil, nil, 0, ""},
		{[]string{"--retention", "30d"}, nil, 30 * 24 * time.Hour, ""},
		{[]string{"--retention", "720h"}, nil, 720 * time.Hour, ""},
		{[]string{"--retention", "off"}, map[string]string{"DOCPARSE_RETENTION": "2d"}, 0, ""},
		{[]string{"--retention", "0"}, nil, 0, ""},
		{nil, map[string]string{"DOCPARSE_RETENTION": "2d"}, 48 * time.Hour, ""},
		{[]string{"--retention", "30m"}, nil, 0, "--retention=30m0s: must be off (0) or at least 1h"},
		{[]string{"--retention", "-1d"}, nil, 0, "--retention=-24h0m0s: must be off (0) or at least 1h"},
		{[]string{"--retention", "soon"}, nil, 0, `invalid value "soon" for flag -retention: not a duration such as 30d, 720h or off`},
		{nil, map[string]string{"DOCPARSE_RETENTION": "1.5d"}, 0, `DOCPARSE_RETENTION="1.5d": not a duration such as 30d, 720h or off`},
	} {
		var errOut bytes.Buffer
		cfg, err := loadConfig("serve", c.args, getenvFrom(c.env), &errOut)
		if c.err == "" {
			if err != nil || cfg.Retention != c.want {
				t.Errorf("%v %v: retention %v, %v; want %v", c.args, c.env, cfg.Retention, err, c.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error()+errOut.String(), c.err) {
			t.Errorf("%v %v: %v (stderr %.200q), want an error saying %q", c.args, c.env, err, errOut.String(), c.err)
		}
	}
}

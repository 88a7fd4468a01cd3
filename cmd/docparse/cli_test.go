package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/servertest"
)

// cliRun runs one client command as a user would, stdout not a terminal.
func cliRun(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, getenvFrom(env), nil, &out, &errb)
	code = 0
	if err != nil {
		code = exitCode(err)
	}
	return out.String(), errb.String(), code
}

// cliCreate runs a create command (args: "NOUN create ...") and returns
// the id it prints; it stops the test unless the command exits 0 with an
// id that starts with prefix.
func cliCreate(t *testing.T, env map[string]string, prefix string, args ...string) string {
	t.Helper()
	out, errOut, code := cliRun(t, env, args...)
	id := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(id, prefix) {
		t.Fatalf("%s %s: %d %q %q", args[0], args[1], code, out, errOut)
	}
	return id
}

// cliListed checks that a list command (args: "NOUN list") exits 0 and
// prints every one of want.
func cliListed(t *testing.T, env map[string]string, args []string, want ...string) {
	t.Helper()
	out, _, code := cliRun(t, env, args...)
	ok := code == 0
	for _, w := range want {
		ok = ok && strings.Contains(out, w)
	}
	if !ok {
		t.Errorf("%s: %d %q", strings.Join(args, " "), code, out)
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true}, func(t *testing.T, srv *servertest.Server) {
		env := map[string]string{"DOCPARSE_API_KEY": srv.Key("acme"), "DOCPARSE_BASE_URL": srv.URL}
		dir := t.TempDir()
		schema := filepath.Join(dir, "schema.json")
		os.WriteFile(schema, []byte(`{"name": "Invoices", "fields": [{"key": "invoice_number", "type": "string"}, {"key": "total", "type": "number"}]}`), 0o600)
		good := filepath.Join(dir, "good.txt")
		os.WriteFile(good, []byte("Invoice No: 4711\nTotal: 99.90\n"), 0o600)
		bad := filepath.Join(dir, "bad.bin")
		os.WriteFile(bad, []byte{0, 1, 2, 3, 0, 0, 0, 9}, 0o600)

		extID := cliCreate(t, env, "ext_", "extractions", "create", "--schema", schema)
		cliListed(t, env, []string{"extractions", "list"}, extID, "Invoices")

		// A batch that ends processed: exit 0, plain lines with counts.
		out, errOut, code := cliRun(t, env, "upload", extID, good, "--wait", "--name", "cli")
		if code != 0 || !strings.Contains(out, "processed") || strings.Contains(out, "\r") || strings.Contains(out, "\033") {
			t.Fatalf("upload --wait: %d %q %q", code, out, errOut)
		}
		batchID := strings.Fields(strings.TrimPrefix(strings.Split(out, "\n")[0], "batch "))[0]
		batchID = strings.TrimSuffix(batchID, ":")
		// A batch with a bad file ends partial: exit 3 and the file's reason.
		out, _, code = cliRun(t, env, "upload", extID, good, bad, "--wait")
		if code != 3 || !strings.Contains(out, "unsupported_type") || !strings.Contains(out, "partial") {
			t.Errorf("upload --wait partial: %d %q", code, out)
		}
		// Results as CSV to a file.
		csvPath := filepath.Join(dir, "out.csv")
		if _, errOut, code := cliRun(t, env, "results", extID, batchID, "--format", "csv", "--out", csvPath); code != 0 {
			t.Fatalf("results: %d %s", code, errOut)
		}
		f, _ := os.Open(csvPath)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != 2 || !strings.Contains(strings.Join(recs[1], ","), "4711") {
			t.Errorf("csv = %v, %v", recs, err)
		}
		if out, _, code := cliRun(t, env, "batches", "get", extID, batchID, "--json"); code != 0 || !json.Valid([]byte(out)) {
			t.Errorf("batches get --json: %d %q", code, out)
		}

		// API errors: message and request id, exit 2, no stack trace.
		_, errOut, code = cliRun(t, env, "batches", "get", extID, "btc_nope")
		if code != 2 || !strings.Contains(errOut, "not_found") || !strings.Contains(errOut, "request req_") || strings.Contains(errOut, "goroutine") {
			t.Errorf("404: %d %q", code, errOut)
		}
		// Usage errors: exit 1; --help never shows the key.
		if _, _, code := cliRun(t, env, "upload", extID); code != 1 {
			t.Errorf("upload without files: exit %d", code)
		}
		if _, errOut, code := cliRun(t, map[string]string{"DOCPARSE_BASE_URL": srv.URL}, "extractions", "list"); code != 1 || !strings.Contains(errOut, "DOCPARSE_API_KEY") {
			t.Errorf("no key: %d %q", code, errOut)
		}
		if out, errOut, code := cliRun(t, env, "upload", "--help"); code != 0 || strings.Contains(out+errOut, env["DOCPARSE_API_KEY"]) {
			t.Errorf("upload --help: exit %d, or it prints the API key", code)
		}

		// Webhooks: listen receives and verifies real deliveries.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		out, _, code = cliRun(t, env, "webhooks", "create", "--url", "http://127.0.0.1:"+strconv.Itoa(port)+"/", "--events", "extraction.completed")
		if code != 0 {
			t.Fatalf("webhooks create: %d %q", code, out)
		}
		var epID, secret string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) == 2 && f[0] == "endpoint" {
				epID = f[1]
			} else if len(f) == 2 && f[0] == "secret" {
				secret = f[1]
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"webhooks", "listen", "--port", strconv.Itoa(port), "--secret", secret}, getenvFrom(env), nil, pw, io.Discard)
			pw.Close()
		}()
		lines := make(chan string, 100)
		go func() {
			b := make([]byte, 1<<16)
			var acc string
			for {
				n, err := pr.Read(b)
				acc += string(b[:n])
				for strings.Contains(acc, "\n") {
					i := strings.Index(acc, "\n")
					lines <- acc[:i]
					acc = acc[i+1:]
				}
				if err != nil {
					close(lines)
					return
				}
			}
		}()
		time.Sleep(200 * time.Millisecond)
		if out, _, code := cliRun(t, env, "webhooks", "test", epID); code != 0 || !strings.Contains(out, "status 2") {
			t.Errorf("webhooks test: %d %q", code, out)
		}
		cliRun(t, env, "upload", extID, good, "--wait")
		seen := map[string]bool{}
		timeout := time.After(20 * time.Second)
		for !(seen["endpoint.test"] && seen["extraction.completed"]) {
			select {
			case l := <-lines:
				for _, typ := range []string{"endpoint.test", "extraction.completed"} {
					if strings.Contains(l, typ) && strings.HasSuffix(l, "verified") {
						seen[typ] = true
					}
				}
			case <-timeout:
				t.Fatalf("listen saw %v", seen)
			}
		}
		cancel()
		<-done
		// The attempt is logged once the receiver has answered, which can
		// be a moment after listen printed the delivery.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			out, _, code := cliRun(t, env, "webhooks", "attempts", epID)
			if code == 0 && strings.Contains(out, "extraction.completed") {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("webhooks attempts: %d %q", code, out)
				break
			}
		}
		if out, _, code := cliRun(t, env, "events", "tail", "--no-follow"); code != 0 || strings.Count(out, "extraction.completed") != 3 {
			t.Errorf("events tail: %d %q", code, out)
		}
		if out, _, code := cliRun(t, env, "webhooks", "rotate", epID, "--grace", "1h"); code != 0 || !strings.HasPrefix(out, "whsec_") {
			t.Errorf("rotate: %d %q", code, out)
		}
		if _, _, code := cliRun(t, env, "webhooks", "delete", epID); code != 0 {
			t.Errorf("delete: %d", code)
		}
	})
}

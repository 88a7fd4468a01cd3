package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/secretbox"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// call does one API request with a JSON body (none when body is nil) and
// returns the status, the decoded body and the headers. A body that is no
// JSON fails the test.
func call(t *testing.T, base, key, method, path, idemKey string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	ctype := ""
	if body != nil {
		b, _ := json.Marshal(body)
		rd, ctype = bytes.NewReader(b), "application/json"
	}
	resp, b := testClient{t, base, key}.send(method, path, ctype, idemKey, rd)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil && len(b) > 0 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, v, resp.Header
}

// secretForms returns the byte strings a leaked secret could appear as: the
// secret, its standard and URL-safe base64, and for a whsec_ secret the raw
// HMAC key behind it.
func secretForms(t *testing.T, s string) [][]byte {
	t.Helper()
	forms := [][]byte{[]byte(s), []byte(base64.StdEncoding.EncodeToString([]byte(s))),
		[]byte(base64.RawURLEncoding.EncodeToString([]byte(s)))}
	if raw, ok := strings.CutPrefix(s, "whsec_"); ok {
		key, err := base64.StdEncoding.DecodeString(raw)
		if err != nil || len(key) < 16 {
			t.Fatalf("secret %q does not decode", s)
		}
		forms = append(forms, []byte(raw), key)
	}
	return forms
}

// scanDir fails the test for every file under dir holding one of the
// secrets in any of its forms. It returns how many files it read.
func scanDir(t *testing.T, dir string, secrets map[string]string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for name, s := range secrets {
			for _, f := range secretForms(t, s) {
				if bytes.Contains(b, f) {
					t.Errorf("%s holds %s (as %q...)", path, name, f[:min(len(f), 12)])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// scanPostgres fails the test for every table of the test schema holding
// one of the secrets in any of its forms, and returns how many rows it read.
func scanPostgres(t *testing.T, dbURL string, secrets map[string]string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 5 {
		t.Fatalf("tables %v, %v", tables, err)
	}
	n := 0
	for _, tbl := range tables {
		rows, err := conn.Query(ctx, `SELECT t::text FROM `+pgx.Identifier{tbl}.Sanitize()+` t`)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range texts {
			n++
			for name, s := range secrets {
				for _, f := range secretForms(t, s) {
					if strings.Contains(row, string(f)) {
						t.Errorf("table %s holds %s", tbl, name)
					}
				}
			}
		}
	}
	return n
}

// TestNoSecretAtRest creates an API key and a webhook endpoint, rotates the
// endpoint's secret with a grace period and replays all three requests by
// their Idempotency-Key (the replays answer without the secret), checks
// that a delivery is signed by both secrets, and then finds none of the
// secrets' bytes in any file under the data directory (database, WAL,
// shared memory, blobs, log) or, on PostgreSQL, in any row of any table.
//
// Not parallel: serve sets the process-wide Go memory limit while it runs
// (see TestServeInProcess).
func TestNoSecretAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		dataDir := t.TempDir()
		seedPDFiumCache(t, dataDir)
		env := map[string]string{"DOCPARSE_DATA_DIR": dataDir, "DOCPARSE_RATE_LIMIT": "0", "DOCPARSE_LOG_LEVEL": "debug",
			"DOCPARSE_ALLOW_PRIVATE_WEBHOOKS": "true"}
		dbURL := ""
		if eng == store.Postgres {
			dbURL = storetest.URL(t, eng)
			env["DATABASE_URL"] = dbURL
			env["DOCPARSE_SECRET_KEY"] = testSecretKey(t)
		}
		getenv := getenvFrom(env)
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"keys", "create", "--account", "acme"}, getenv, nil, &out, &errOut); err != nil {
			t.Fatalf("keys create: %v (%s)", err, errOut.String())
		}
		key1 := strings.TrimSpace(out.String())

		// The server's log goes to a file in the data directory too.
		logFile, err := os.Create(filepath.Join(dataDir, "serve.log"))
		if err != nil {
			t.Fatal(err)
		}
		defer logFile.Close()
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--workers", "1"}, getenv, nil, io.Discard, io.MultiWriter(pw, logFile))
			pw.Close()
		}()
		stopped := false
		stop := func() {
			if stopped {
				return
			}
			stopped = true
			cancel()
			awaitServe(t, done, t.Errorf)
		}
		defer stop()
		base := waitListening(t, pr)

		// An API key, created and replayed.
		st, k2, _ := call(t, base, key1, "POST", "/v1/api_keys", "key-1", map[string]any{"name": "second"})
		key2, _ := k2["key"].(string)
		if st != 201 || !strings.HasPrefix(key2, "dp_live_") {
			t.Fatalf("create key: %d %v", st, k2)
		}
		st, again, h := call(t, base, key1, "POST", "/v1/api_keys", "key-1", map[string]any{"name": "second"})
		if st != 201 || h.Get("Idempotent-Replayed") != "true" || again["key"] != nil ||
			again["api_key"].(map[string]any)["id"] != k2["api_key"].(map[string]any)["id"] {
			t.Fatalf("replayed key creation: %d %v %v, want the same key without its secret", st, again, h)
		}
		if _, ok := again["key"]; !ok {
			t.Errorf("replayed key creation has no key field (want null): %v", again)
		}
		if st, _, _ := call(t, base, key2, "GET", "/v1/api_keys", "", nil); st != 200 {
			t.Fatalf("the new key does not authenticate: %d", st)
		}

		// A receiver that keeps what it gets.
		rc := newReceiver(t)

		// An endpoint, created and replayed.
		st, ep, _ := call(t, base, key1, "POST", "/v1/webhook_endpoints", "ep-1", map[string]any{"url": rc.URL + "/hook"})
		secret1, _ := ep["secret"].(string)
		if st != 201 || !strings.HasPrefix(secret1, "whsec_") {
			t.Fatalf("create endpoint: %d %v", st, ep)
		}
		epID := ep["webhook_endpoint"].(map[string]any)["id"].(string)
		st, again, h = call(t, base, key1, "POST", "/v1/webhook_endpoints", "ep-1", map[string]any{"url": rc.URL + "/hook"})
		if st != 201 || h.Get("Idempotent-Replayed") != "true" || again["secret"] != nil || again["webhook_endpoint"].(map[string]any)["id"] != epID {
			t.Fatalf("replayed endpoint creation: %d %v", st, again)
		}

		// A rotation with a grace period, replayed: one rotation only.
		st, rot, _ := call(t, base, key1, "POST", "/v1/webhook_endpoints/"+epID+"/rotate_secret", "rot-1", map[string]any{"grace_period_seconds": 3600})
		secret2, _ := rot["secret"].(string)
		if st != 200 || !strings.HasPrefix(secret2, "whsec_") || secret2 == secret1 {
			t.Fatalf("rotate: %d %v", st, rot)
		}
		st, again, h = call(t, base, key1, "POST", "/v1/webhook_endpoints/"+epID+"/rotate_secret", "rot-1", map[string]any{"grace_period_seconds": 3600})
		if st != 200 || h.Get("Idempotent-Replayed") != "true" || again["secret"] != nil {
			t.Fatalf("replayed rotation: %d %v", st, again)
		}
		if _, ok := again["secret"]; !ok {
			t.Errorf("replayed rotation has no secret field (want null): %v", again)
		}

		// A delivery is signed by the new secret and, in the grace period,
		// the old one: the signer opened both sealed secrets.
		if st, res, _ := call(t, base, key1, "POST", "/v1/webhook_endpoints/"+epID+"/test", "", nil); st != 200 {
			t.Fatalf("test send: %d %v", st, res)
		}
		got := rc.deliveries()
		if len(got) != 1 {
			t.Fatalf("receiver got %d deliveries, want 1", len(got))
		}
		d := got[0]
		for name, s := range map[string]string{"new secret": secret2, "old secret": secret1} {
			if err := client.Verify(s, d.h, d.body); err != nil {
				t.Errorf("delivery does not verify with the %s: %v", name, err)
			}
		}
		if err := client.Verify("whsec_"+base64.StdEncoding.EncodeToString(make([]byte, 32)), d.h, d.body); err == nil {
			t.Error("delivery verifies with an unrelated secret: the check proves nothing")
		}

		secrets := map[string]string{"API key 1": key1, "API key 2": key2, "endpoint secret": secret1, "rotated secret": secret2}
		if eng == store.Postgres {
			n := scanPostgres(t, dbURL, secrets)
			t.Logf("scanned %d PostgreSQL rows", n)
		} else {
			// While the server runs: the -wal and -shm files are there.
			if _, err := os.Stat(filepath.Join(dataDir, "docparse.db-wal")); err != nil {
				t.Errorf("no WAL file while serving: %v", err)
			}
			n := scanDir(t, dataDir, secrets)
			t.Logf("scanned %d files while serving", n)
		}
		stop()
		n := scanDir(t, dataDir, secrets)
		t.Logf("scanned %d files after shutdown", n)
		// The log file did get written (the scan read something real).
		if b, _ := os.ReadFile(filepath.Join(dataDir, "serve.log")); !bytes.Contains(b, []byte(epID)) && !bytes.Contains(b, []byte("webhook_endpoints")) {
			t.Errorf("serve.log does not mention the endpoint requests: %.300s", b)
		}
	})
}

// TestSecretsRotateCommand: docparse secrets rotate seals every stored
// secret again under a new key, resumably; with the key file it installs
// the new key there; the old key is then refused at start.
func TestSecretsRotateCommand(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		ctx := context.Background()
		dataDir := t.TempDir()
		env := map[string]string{"DOCPARSE_DATA_DIR": dataDir}
		if eng == store.Postgres {
			env["DATABASE_URL"] = storetest.URL(t, eng)
			env["DOCPARSE_SECRET_KEY"] = testSecretKey(t)
		}
		getenv := getenvFrom(env)
		c, oldBox, logger := serveConfig(t, getenv)
		db, err := openDBWith(ctx, c, oldBox, logger)
		if err != nil {
			t.Fatal(err)
		}
		var acct docparse.Account
		ids := docparse.NewIDs(time.Now)
		now := time.Now().UTC()
		exp := now.Add(time.Hour)
		ep := docparse.Endpoint{ID: ids.New(docparse.PrefixEndpoint), URL: "https://example.com/h", Enabled: true, EventTypes: []string{},
			Secret:     "whsec_" + base64.StdEncoding.EncodeToString([]byte("a-secret-of-thirty-two-bytes-ok!")),
			PrevSecret: "whsec_" + base64.StdEncoding.EncodeToString([]byte("the-previous-secret-of-32-bytes!")), PrevSecretExpiresAt: &exp,
			CreatedAt: now, UpdatedAt: now}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if acct, err = tx.EnsureAccount(ctx, ids.New(docparse.PrefixAccount), "acme", now); err != nil {
				return err
			}
			ep.AccountID = acct.ID
			return tx.InsertEndpoint(ctx, ep)
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}

		var out, errOut bytes.Buffer
		args := []string{"secrets", "rotate"}
		var newText string
		if eng == store.Postgres {
			// Environment mode: the new key comes from a 0600 file.
			newText = testSecretKey(t)
			f := filepath.Join(t.TempDir(), "new.key")
			if err := os.WriteFile(f, []byte(newText+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := run(ctx, append(args, "--new-key-file", f), getenv, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "chmod 600") {
				t.Fatalf("rotate with a 0644 key file: %v", err)
			}
			os.Chmod(f, 0o600)
			args = append(args, "--new-key-file", f)
		} else {
			// Key file mode, resuming: an interrupted rotation left its new
			// key in secret.key.new, and the rotation goes on with it.
			newText = testSecretKey(t)
			if err := secretbox.WriteKeyFile(filepath.Join(dataDir, "secret.key.new"), newText, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := run(ctx, args, getenv, nil, &out, &errOut); err != nil {
			t.Fatalf("secrets rotate: %v (%s)", err, errOut.String())
		}
		if !strings.Contains(out.String(), "sealed 1 endpoints") {
			t.Errorf("rotate said %q", out.String())
		}
		if eng == store.Postgres {
			// Again with the same new key: nothing left to do.
			out.Reset()
			if err := run(ctx, args, getenv, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "sealed 0 endpoints") {
				t.Fatalf("second rotate: %v %q", err, out.String())
			}
		}

		var newBox *secretbox.Box
		if eng == store.Postgres {
			env["DOCPARSE_SECRET_KEY"] = newText
			newBox, err = loadSecrets(c, getenv, logger)
		} else {
			// The key file now holds the new key; the pending one is gone.
			newBox, err = loadSecrets(c, getenv, logger)
			if _, serr := os.Stat(filepath.Join(dataDir, "secret.key.new")); serr == nil {
				t.Error("secret.key.new left behind")
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		want, _ := secretbox.ParseKey(newText)
		if newBox.PrimaryID() == oldBox.PrimaryID() || newBox.PrimaryID() != want.ID() {
			t.Fatalf("key after rotation %s, want %s (was %s)", newBox.PrimaryID(), want.ID(), oldBox.PrimaryID())
		}
		db, err = openDBWith(ctx, c, newBox, logger)
		if err != nil {
			t.Fatalf("open under the new key: %v", err)
		}
		got, err := db.Endpoint(ctx, acct.ID, ep.ID)
		db.Close()
		if err != nil || got.Secret != ep.Secret || got.PrevSecret != ep.PrevSecret {
			t.Fatalf("after rotation: %q %q, %v", got.Secret, got.PrevSecret, err)
		}
		if _, err := openDBWith(ctx, c, oldBox, logger); err == nil || !strings.Contains(err.Error(), newBox.PrimaryID()) {
			t.Fatalf("open under the old key: %v, want a clear refusal", err)
		}
		out.Reset()
		if err := run(ctx, []string{"secrets", "status"}, getenv, nil, &out, &errOut); err != nil ||
			!strings.Contains(out.String(), "sealed under "+newBox.PrimaryID()+"\t2") || !strings.Contains(out.String(), "plaintext\t0") {
			t.Fatalf("status: %v %q", err, out.String())
		}
	})
}

// TestPostgresNeedsSecretKey: a PostgreSQL deployment without
// DOCPARSE_SECRET_KEY does not start, and says why.
func TestPostgresNeedsSecretKey(t *testing.T) {
	t.Parallel()
	storetest.NeedPostgres(t)
	env := map[string]string{"DATABASE_URL": storetest.URL(t, store.Postgres), "DOCPARSE_DATA_DIR": t.TempDir()}
	err := run(context.Background(), []string{"migrate"}, getenvFrom(env), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "DOCPARSE_SECRET_KEY is not set") || exitCode(err) != 1 {
		t.Fatalf("migrate without the key: %v (exit %d)", err, exitCode(err))
	}
}

// serveConfig loads serve's configuration and secret key from getenv, and
// a logger that keeps errors only, for tests that open its database.
func serveConfig(t *testing.T, getenv func(string) string) (config, *secretbox.Box, *slog.Logger) {
	t.Helper()
	c, err := loadConfig("serve", nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logger := newLogger(io.Discard, "error")
	box, err := loadSecrets(c, getenv, logger)
	if err != nil {
		t.Fatal(err)
	}
	return c, box, logger
}

// receiver is a webhook receiver that keeps what it gets; it stops when
// the test ends.
type receiver struct {
	URL string
	mu  sync.Mutex
	got []delivery
}

type delivery struct {
	h    http.Header
	body []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{r.Header.Clone(), b})
		rc.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL
	return rc
}

// deliveries returns what rc got so far.
func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

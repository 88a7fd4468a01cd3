package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/store"
)

// failAnswers makes storing an Idempotency-Key's answer fail, as a crash
// between what a request creates and its stored answer would; the
// returned func removes the failure.
func failAnswers(t *testing.T, db *store.DB, eng store.Engine) func() {
	t.Helper()
	ctx := context.Background()
	create := []string{`CREATE TRIGGER fail_answer BEFORE UPDATE OF status_code ON idempotency_keys
		BEGIN SELECT RAISE(ABORT, 'injected failure before the answer is stored'); END`}
	drop := `DROP TRIGGER fail_answer`
	if eng == store.Postgres {
		create = []string{`CREATE OR REPLACE FUNCTION fail_answer() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'injected failure before the answer is stored'; END $$`,
			`CREATE TRIGGER fail_answer BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION fail_answer()`}
		drop = `DROP TRIGGER fail_answer ON idempotency_keys`
	}
	for _, q := range create {
		if _, err := db.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		if _, err := db.Writer().ExecContext(ctx, drop); err != nil {
			t.Fatal(err)
		}
	}
}

// claims returns the rows stored under key: "<status>" each.
func claims(t *testing.T, db *store.DB, key string) []string {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), `SELECT status_code FROM idempotency_keys WHERE key = $1`, key)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s int
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// blobFiles counts the stored documents.
func blobFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// idemRoute is a creating route with what it creates.
type idemRoute struct {
	name   string
	status int
	send   func(hdr ...string) response
	count  func() int // how many of what it creates exist
	id     func(response) string
}

func idemRoutes(t *testing.T, e *env) []idemRoute {
	extID := e.createExtraction()
	clsID := e.createClassification(mailroomClassification(""))["id"].(string)
	count := func(path string) func() int {
		return func() int { return len(e.doJSON("GET", path, nil).json(t)["data"].([]any)) }
	}
	idOf := func(kind string) func(response) string {
		return func(r response) string { return r.json(t)[kind].(map[string]any)["id"].(string) }
	}
	files := []upload{{"a.txt", lines(invoiceDoc)}, {"b.txt", lines(letterDoc)}}
	return []idemRoute{
		{"extraction", 201, func(hdr ...string) response { return e.doJSON("POST", "/v1/extractions", invoiceSchema, hdr...) },
			count("/v1/extractions"), idOf("extraction")},
		{"classification", 201, func(hdr ...string) response {
			return e.doJSON("POST", "/v1/classifications", mailroomClassification(extID), hdr...)
		}, count("/v1/classifications"), idOf("classification")},
		{"batch", 202, func(hdr ...string) response { return e.upload(extID, files, hdr...) },
			count("/v1/extractions/" + extID + "/batches"), idOf("batch")},
		{"classification batch", 202, func(hdr ...string) response {
			ct, body := multipartBody(t, "mail", files)
			return e.do("POST", "/v1/classifications/"+clsID+"/batches", e.key, ct, bytes.NewReader(body), hdr...)
		}, count("/v1/classifications/" + clsID + "/batches"), idOf("batch")},
	}
}

// TestIdempotencyAtomic: on every creating route (the routes that answer
// a secret: TestSecretRoutesIdempotency), a failure after the creation is
// written and before its answer is stored leaves neither the creation nor
// a claim behind, so a retry with the key creates once and its replay
// answers the same; a claim an older version left without an answer does
// not block the key; concurrent requests with one key create one thing.
func TestIdempotencyAtomic(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		for _, rt := range idemRoutes(t, e) {
			t.Run(rt.name, func(t *testing.T) {
				key := "crash-" + rt.name
				before, blobs := rt.count(), blobFiles(t, e.blobDir)
				restore := failAnswers(t, e.db, e.engine)
				r := rt.send("Idempotency-Key", key)
				restore()
				if r.status != 500 {
					t.Fatalf("with the answer failing: %d %s, want 500", r.status, r.body)
				}
				if c := claims(t, e.db, key); len(c) != 0 {
					t.Fatalf("the failed request left claims %v", c)
				}
				if n := rt.count(); n != before {
					t.Fatalf("the failed request left its creation: %d, want %d", n, before)
				}
				if n := blobFiles(t, e.blobDir); n != blobs {
					t.Fatalf("the failed request left %d stored documents, want %d", n, blobs)
				}

				first := rt.send("Idempotency-Key", key)
				again := rt.send("Idempotency-Key", key)
				if first.status != rt.status || first.header.Get("Idempotent-Replayed") != "" {
					t.Fatalf("retry after the failure: %d %s", first.status, first.body)
				}
				if again.status != rt.status || again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.body, again.body) {
					t.Fatalf("replay: %d %s\nwant %d %s", again.status, again.body, first.status, first.body)
				}
				if n := rt.count(); n != before+1 {
					t.Fatalf("%d after a create and a replay, want %d", n, before+1)
				}
				if c := claims(t, e.db, key); len(c) != 1 || c[0] != fmt.Sprint(rt.status) {
					t.Fatalf("claims %v, want one answered %d", c, rt.status)
				}

				// A claim committed without its answer by an older version.
				stuck := "stuck-" + rt.name
				if _, err := e.db.Writer().ExecContext(context.Background(), `INSERT INTO idempotency_keys
					(account_id, key, method, path, status_code, body, created_at) VALUES ($1, $2, 'POST', '/v1/old', 0, '', $3)`,
					accountOf(t, e), stuck, time.Now().Add(-time.Hour).UnixMicro()); err != nil {
					t.Fatal(err)
				}
				if r := rt.send("Idempotency-Key", stuck); r.status != rt.status || r.header.Get("Idempotent-Replayed") != "" {
					t.Fatalf("a key with a leftover claim: %d %s, want %d", r.status, r.body, rt.status)
				}

				// Eight at once with one key: one creation, eight equal answers.
				before = rt.count()
				var wg sync.WaitGroup
				answers := make([]response, 8)
				for i := range answers {
					wg.Go(func() { answers[i] = rt.send("Idempotency-Key", "together-"+rt.name) })
				}
				wg.Wait()
				ids := map[string]bool{}
				for i, a := range answers {
					if a.status != rt.status {
						t.Fatalf("concurrent request %d: %d %s", i, a.status, a.body)
					}
					ids[rt.id(a)] = true
				}
				if n := rt.count(); n != before+1 || len(ids) != 1 {
					t.Fatalf("8 concurrent requests with one key: %d created, %d ids answered; want 1 and 1", n-before, len(ids))
				}
			})
		}
		// Every document stored belongs to a committed batch: the
		// concurrent uploads that lost were removed.
		var files int
		for _, q := range []string{`SELECT COUNT(*) FROM files`, `SELECT COUNT(*) FROM classification_files`} {
			var n int
			if err := e.db.Writer().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			files += n
		}
		if n := blobFiles(t, e.blobDir); n != files {
			t.Errorf("%d stored documents for %d files", n, files)
		}
	})
}

// TestIdempotencyRefusal: a refused request's answer (4xx) is stored and
// replayed, as before; a stored upload answer replays whatever the body;
// a key is bound to its route.
func TestIdempotencyRefusal(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		bad := map[string]any{"name": "x", "fields": []map[string]any{{"key": "Bad Key", "type": "string"}}}
		r := e.doJSON("POST", "/v1/extractions", bad, "Idempotency-Key", "refused")
		if r.status/100 != 4 {
			t.Fatalf("bad schema: %d %s", r.status, r.body)
		}
		again := e.doJSON("POST", "/v1/extractions", invoiceSchema, "Idempotency-Key", "refused")
		if again.status != r.status || again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(stripRequestID(t, r.body), stripRequestID(t, again.body)) {
			t.Fatalf("replay of a refusal: %d %s, want %d %s", again.status, again.body, r.status, r.body)
		}
		if n := len(e.doJSON("GET", "/v1/extractions", nil).json(t)["data"].([]any)); n != 0 {
			t.Fatalf("%d extractions after a refusal and its replay", n)
		}
		// A finished upload's key replays whatever the repeat's body: one
		// that is not even multipart gets the stored answer.
		extID := e.createExtraction()
		up := e.upload(extID, []upload{{"a.txt", []byte("x")}}, "Idempotency-Key", "up")
		rep := e.do("POST", "/v1/extractions/"+extID+"/batches", e.key, "text/plain", strings.NewReader("not multipart"), "Idempotency-Key", "up")
		if up.status != 202 || rep.status != 202 || rep.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(up.body, rep.body) {
			t.Fatalf("upload replay without a body: %d %s / %d %s", up.status, up.body, rep.status, rep.body)
		}
		// Same key, other route.
		if r := e.doJSON("POST", "/v1/classifications", mailroomClassification(""), "Idempotency-Key", "refused"); r.status != 422 ||
			!strings.Contains(string(r.body), "idempotency_key_reused") {
			t.Fatalf("the key on another route: %d %s", r.status, r.body)
		}
	})
}

// stripRequestID drops the request_id of an error answer.
func stripRequestID(t *testing.T, b []byte) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	delete(v, "request_id")
	out, _ := json.Marshal(v)
	return out
}

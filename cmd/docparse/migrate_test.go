package main

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/blob/blobtest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// TestNodesMigrateTogether opens one fresh PostgreSQL database from three
// nodes at once, as a cluster started together does: each applies
// docparse's and River's migrations under the migration lock, so every
// node starts (without it two create the same table or function and one
// fails).
func TestNodesMigrateTogether(t *testing.T) {
	t.Parallel()
	storetest.NeedPostgres(t)
	url := storetest.URL(t, store.Postgres)
	c, box, logger := serveConfig(t, getenvFrom(map[string]string{"DOCPARSE_DATA_DIR": t.TempDir(), "DATABASE_URL": url, "DOCPARSE_SECRET_KEY": testSecretKey(t)}))
	const nodes = 3
	start := make(chan struct{})
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			<-start
			db, err := openDBWith(context.Background(), c, box, logger)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
}

// TestMigrateKnowsEveryTable lists the tables of a migrated SQLite
// installation (sqlite_master, docparse's and River's migrations) and
// fails if migrate --to neither copies one nor leaves it out on purpose
// (River's tables, the record of migrations): a table a new migration
// adds must be taught to store.Copy.
func TestMigrateKnowsEveryTable(t *testing.T) {
	t.Parallel()
	c, box, logger := serveConfig(t, getenvFrom(map[string]string{"DOCPARSE_DATA_DIR": t.TempDir()}))
	db, err := openDBWith(context.Background(), c, box, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := db.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tables, "river_job") || !slices.Contains(tables, "files") {
		t.Fatalf("tables = %v: want docparse's and River's", tables)
	}
	unknown, err := db.UnknownTables(context.Background())
	if err != nil || len(unknown) > 0 {
		t.Errorf("tables migrate does not know: %v (%v); add them to store.copyTables", unknown, err)
	}
	for _, name := range store.CopiedTables() {
		if !slices.Contains(tables, name) {
			t.Errorf("migrate copies %s, which the schema does not have", name)
		}
	}
}

// migrateRun runs `docparse migrate args...` with env and returns its
// stdout and error. With cancelAfter > 0 its context ends once it has
// printed that many progress lines (copying or copied), as an
// interrupted run's does.
func migrateRun(t *testing.T, env map[string]string, cancelAfter int, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWatch{cancelAfter: cancelAfter, cancel: cancel}
	var errOut bytes.Buffer
	err := run(ctx, append([]string{"migrate"}, args...), getenvFrom(env), nil, out, &errOut)
	if errOut.Len() > 0 {
		t.Logf("migrate stderr: %s", errOut.String())
	}
	return out.String(), err
}

// lineWatch keeps what is written and calls cancel once cancelAfter
// progress lines have been written.
type lineWatch struct {
	bytes.Buffer
	cancelAfter, seen int
	cancel            func()
}

func (w *lineWatch) Write(p []byte) (int, error) {
	for _, l := range strings.Split(string(p), "\n") {
		if strings.HasPrefix(l, "copying ") || strings.HasPrefix(l, "copied ") {
			w.seen++
			if w.seen == w.cancelAfter {
				w.cancel()
			}
		}
	}
	return w.Buffer.Write(p)
}

// TestMigrateTo fills a SQLite installation through the real service (an
// extraction with a processed batch, a webhook endpoint with delivery
// attempts, a classification with a classified file, a batch left queued
// by a server that does not work) and copies it with migrate --to to a
// fresh PostgreSQL schema and a versitygw bucket: first interrupted, then
// again to the end, then once more (nothing left to do). A server on the
// copy answers the same results and documents byte for byte, takes the
// same API key, signs with the endpoint's secret and processes the queued
// batch. --check names a tampered row's table and a tampered document; a
// copy that changed on its own (the server processed the queued batch)
// is refused by another run, as is another installation's copy into the
// same database.
//
// Not parallel: serve sets the process-wide Go memory limit.
func TestMigrateTo(t *testing.T) {
	storetest.NeedPostgres(t)
	s3 := blobtest.Start(t)
	dataDir := t.TempDir()
	srcEnv := map[string]string{"DOCPARSE_DATA_DIR": dataDir, "DOCPARSE_ALLOW_PRIVATE_WEBHOOKS": "true"}
	getenv, key := keyedServer(t, store.SQLite, srcEnv)
	srcEnv["DOCPARSE_RATE_LIMIT"] = "0"

	rc := newReceiver(t)

	base, stop := serveInProcess(t, getenv)
	c := testClient{t: t, base: base, key: key}
	st, ep, _ := call(t, base, key, "POST", "/v1/webhook_endpoints", "", map[string]any{"url": rc.URL + "/hook"})
	secret, _ := ep["secret"].(string)
	if st != 201 || secret == "" {
		t.Fatalf("create endpoint: %d %v", st, ep)
	}
	epID := ep["webhook_endpoint"].(map[string]any)["id"].(string)
	docs := map[string][]byte{
		"QualityHosting.pdf": extractTestdata(t, "QualityHosting.pdf"),
		"invoice.txt":        extractTestdata(t, "invoice.txt"),
	}
	extID := c.createExtraction()
	batchID := c.upload(extID, docs)
	if b := c.waitTerminal(extID, batchID, 90*time.Second); b["status"] != "processed" {
		t.Fatalf("batch = %v, want processed", b)
	}
	_, before := c.do("GET", "/v1/extractions/"+extID+"/batches/"+batchID, "", nil)
	// The batch's events are delivered: attempts are stored.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, v := c.do("GET", "/v1/webhook_endpoints/"+epID+"/attempts", "", nil)
		if a, _ := v["data"].([]any); len(a) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no delivery attempt within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cli := map[string]string{"DOCPARSE_API_KEY": key, "DOCPARSE_BASE_URL": base}
	spec := filepath.Join(t.TempDir(), "mailroom.json")
	os.WriteFile(spec, []byte(`{"name": "Mailroom", "categories": [
		{"name": "Invoice", "description": "A bill from a supplier asking for payment", "keywords": ["invoice", "amount due"]},
		{"name": "Letter", "description": "Correspondence that opens with Dear and ends with a signature", "keywords": ["dear", "sincerely"]}]}`), 0o600)
	clsID := cliCreate(t, cli, "cls_", "classifications", "create", "--file", spec)
	invoice := filepath.Join(t.TempDir(), "invoice.txt")
	os.WriteFile(invoice, docs["invoice.txt"], 0o600)
	if out, errOut, code := cliRun(t, cli, "classify", clsID, invoice, "--wait"); code != 0 {
		t.Fatalf("classify: %d %s %s", code, out, errOut)
	}
	stop()
	// A batch that stays queued: this server does not work.
	base, stop = serveInProcess(t, getenv, "--work=false")
	c.base = base
	queuedID := c.upload(extID, map[string][]byte{"invoice.txt": docs["invoice.txt"]})
	stop()

	pgURL := storetest.URL(t, store.Postgres)
	maps.Copy(srcEnv, s3.Env())
	args := []string{"--to", pgURL, "--blob-url", s3.URL(), "--chunk-rows", "1"}
	if out, err := migrateRun(t, srcEnv, 6, args...); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted migrate: %v\n%s", err, out)
	}
	out, err := migrateRun(t, srcEnv, 0, args...)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	t.Logf("migrate:\n%s", out)
	for _, want := range []string{
		"copied  accounts                      1 rows (0 inserted, 0 updated, 0 deleted)", // by the interrupted run
		"verified files                         3 rows",
		"verified classification_files          1 rows",
		"verified delivery_attempts",
		"documents: 4 copied, size and sha256 verified",
		"queued 1 unfinished files on the destination",
		`secret key: run every destination node with DOCPARSE_SECRET_KEY="$(cat ` + filepath.Join(dataDir, "secret.key") + `)"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate output lacks %q", want)
		}
	}
	// Once more: nothing to do.
	out, err = migrateRun(t, srcEnv, 0, "--to", pgURL, "--blob-url", s3.URL())
	if err != nil || strings.Count(out, "(0 inserted, 0 updated, 0 deleted)") != len(store.CopiedTables()) ||
		!strings.Contains(out, "(0 copied, 4 already there, 0 missing in the source)") || !strings.Contains(out, "queued 0 unfinished") {
		t.Errorf("migrate again: %v\n%s", err, out)
	}

	if out, err := migrateRun(t, srcEnv, 0, "--to", pgURL, "--blob-url", s3.URL(), "--check"); err != nil ||
		strings.Contains(out, "MISMATCH") || !strings.Contains(out, "migrate: the destination holds this installation's data") {
		t.Errorf("check of the copy: %v\n%s", err, out)
	}

	// A server on the copy, with nothing of the SQLite installation.
	keyText, err := os.ReadFile(filepath.Join(dataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	dstEnv := s3.Env()
	maps.Copy(dstEnv, map[string]string{"DOCPARSE_DATA_DIR": t.TempDir(), "DATABASE_URL": pgURL, "DOCPARSE_BLOB_URL": s3.URL(),
		"DOCPARSE_SECRET_KEY": strings.TrimSpace(string(keyText)), "DOCPARSE_RATE_LIMIT": "0", "DOCPARSE_ALLOW_PRIVATE_WEBHOOKS": "true"})
	seedPDFiumCache(t, dstEnv["DOCPARSE_DATA_DIR"])
	base, stop = serveInProcess(t, getenvFrom(dstEnv))
	c.base = base
	status, after := c.do("GET", "/v1/extractions/"+extID+"/batches/"+batchID, "", nil)
	if status != 200 || !reflect.DeepEqual(after["files"], before["files"]) {
		t.Errorf("batch on the copy: %d\n%v\nwant files as on the source:\n%v", status, after["files"], before["files"])
	}
	files, _ := after["files"].([]any)
	for _, f := range files {
		c.checkContent(extID, batchID, f, docs, " on the copy")
	}
	if status, _ := c.do("GET", "/v1/classifications/"+clsID, "", nil); status != 200 {
		t.Errorf("classification on the copy: %d", status)
	}
	if b := c.waitTerminal(extID, queuedID, 90*time.Second); b["status"] != "processed" {
		t.Errorf("batch queued on the source, on the copy: %v; want processed", b)
	}
	sent := len(rc.deliveries())
	if st, res, _ := call(t, base, key, "POST", "/v1/webhook_endpoints/"+epID+"/test", "", nil); st != 200 {
		t.Fatalf("test send on the copy: %d %v", st, res)
	}
	// The test send is answered once delivered.
	got := rc.deliveries()[sent:]
	signed := false
	for _, d := range got {
		signed = signed || client.Verify(secret, d.h, d.body) == nil
	}
	n := len(got)
	if !signed {
		t.Errorf("none of %d deliveries from the copy verifies with the endpoint's secret", n)
	}
	stop()

	// Tampered: a result and a document.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	var fileID, blobKey string
	if err := conn.QueryRow(ctx, `SELECT id, blob_key FROM files WHERE batch_id = $1 ORDER BY id LIMIT 1`, batchID).Scan(&fileID, &blobKey); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `UPDATE files SET result = '{"total": 1}' WHERE id = $1`, fileID); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if _, _, err := s3.Store(t).Put(ctx, blobKey, strings.NewReader("not the document"), -1, nil); err != nil {
		t.Fatal(err)
	}
	out, err = migrateRun(t, srcEnv, 0, "--to", pgURL, "--blob-url", s3.URL(), "--check")
	if err == nil || !strings.Contains(err.Error(), "differs from the source in") || !strings.Contains(err.Error(), "files") ||
		!strings.Contains(err.Error(), "document "+blobKey) || !strings.Contains(out, "MISMATCH files") || exitCode(err) != 2 {
		t.Errorf("check of a tampered copy: %v\n%s", err, out)
	}
	// Not the queued batch: the copy processed it, the source did not.
	if !strings.Contains(out, "MISMATCH batches") {
		t.Errorf("check: the copy's processed batch is not reported:\n%s", out)
	}

	// The copy went on working: copying into it again is refused.
	out, err = migrateRun(t, srcEnv, 0, "--to", pgURL)
	if err == nil || !strings.Contains(err.Error(), "destination table batches, row "+queuedID+": changed on the destination") {
		t.Errorf("migrate into a copy that changed: %v\n%s", err, out)
	}

	// Another installation's copy into the same database is refused.
	// Under another secret key, the copy's sealed secrets stop it; under
	// the same key, its accounts.
	other, _ := keyedServer(t, store.SQLite, nil)
	otherEnv := map[string]string{"DOCPARSE_DATA_DIR": other("DOCPARSE_DATA_DIR")}
	out, err = migrateRun(t, otherEnv, 0, "--to", pgURL)
	if err == nil || !strings.Contains(err.Error(), "stored webhook secrets are sealed under key") {
		t.Errorf("migrate of another installation under another key: %v\n%s", err, out)
	}
	otherEnv["DOCPARSE_SECRET_KEY"] = dstEnv["DOCPARSE_SECRET_KEY"]
	out, err = migrateRun(t, otherEnv, 0, "--to", pgURL)
	if err == nil || !strings.Contains(err.Error(), "destination table accounts, row acct_") ||
		!strings.Contains(err.Error(), "this installation has no such account") {
		t.Errorf("migrate of another installation: %v\n%s", err, out)
	}
}

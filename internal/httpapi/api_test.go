package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/httpapi"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

var (
	engineOnce sync.Once
	engine     *extract.Engine
	engineErr  error
)

// sharedEngine starts PDFium once for the package's tests: starting the
// WebAssembly runtime is the slow part.
func sharedEngine(t *testing.T) *extract.Engine {
	engineOnce.Do(func() { engine, engineErr = extract.NewEngine(extract.Config{Workers: 2}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// env is a running API over a real database, blob directory and River.
type env struct {
	t       *testing.T
	db      *store.DB
	svc     *pipeline.Service
	srv     *httptest.Server
	blobDir string
	key     string       // an API key of account "acme"
	engine  store.Engine // the engine of db
}

type envOptions struct {
	rateLimit      float64
	keysPerHour    int
	maxFiles       int
	maxFileSize    int64
	now            func() time.Time // default time.Now
	webhookTimeout time.Duration
	fileTimeout    time.Duration
	perEndpoint    int
	webhookLease   time.Duration
	quotas         pipeline.Quotas
	noWorkers      bool // jobs are inserted, never worked
}

func newEnv(t *testing.T, engineName store.Engine, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, engineName)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if err := pipeline.MigrateRiver(ctx, db, logger); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.fileTimeout == 0 {
		o.fileTimeout = 30 * time.Second
	}
	svc, err := pipeline.New(db, blobs, sharedEngine(t), pipeline.Config{
		Work: !o.noWorkers, Workers: 4, FileTimeout: o.fileTimeout, MaxFiles: o.maxFiles, MaxFileSize: o.maxFileSize,
		Webhooks: pipeline.DispatchConfig{AllowPrivate: true, Timeout: o.webhookTimeout, PerEndpoint: o.perEndpoint, Lease: o.webhookLease},
		Quotas:   o.quotas,
	}, o.now, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Stop(sctx)
	})
	api := httpapi.New(db, svc, httpapi.Config{Limits: ratelimit.New(ratelimit.Config{Rate: o.rateLimit, Burst: 20, KeysPerHour: o.keysPerHour}, o.now)}, logger)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, svc: svc, srv: srv, blobDir: dir, engine: engineName}
	e.key = e.newKey("acme")
	return e
}

// eachEnv runs test in parallel on every engine, each with a fresh env
// of options o.
func eachEnv(t *testing.T, o envOptions, test func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		test(t, newEnv(t, eng, o))
	})
}

func (e *env) newKey(account string) string {
	e.t.Helper()
	_, secret, err := e.svc.CreateAccountKey(context.Background(), account, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func (e *env) do(method, path, key, contentType string, body io.Reader, hdr ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) doJSON(method, path string, v any, hdr ...string) response {
	e.t.Helper()
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	return e.do(method, path, e.key, "application/json", body, hdr...)
}

// mustDelete fails the test unless DELETE path answers 204.
func (e *env) mustDelete(path string) {
	e.t.Helper()
	if r := e.doJSON("DELETE", path, nil); r.status != http.StatusNoContent {
		e.t.Fatalf("delete %s: %d %s", path, r.status, r.body)
	}
}

// upload is one multipart file.
type upload struct {
	name    string
	content []byte
}

// multipartBody is the upload form of files, the batch named batchName
// (no name when it is "").
func multipartBody(t *testing.T, batchName string, files []upload) (string, []byte) {
	t.Helper()
	parts := make([]servertest.File, len(files))
	for i, f := range files {
		parts[i] = servertest.File{Name: f.name, Content: f.content}
	}
	return servertest.UploadForm([]string{"name", batchName}, parts...)
}

func (e *env) upload(extID string, files []upload, hdr ...string) response {
	e.t.Helper()
	ct, body := multipartBody(e.t, "test batch", files)
	return e.do("POST", "/v1/extractions/"+extID+"/batches", e.key, ct, bytes.NewReader(body), hdr...)
}

var invoiceSchema = map[string]any{
	"name": "Invoices",
	"fields": []map[string]any{
		{"key": "invoice_number", "type": "string", "description": "Invoice number"},
		{"key": "date", "type": "date", "description": "Invoice date"},
		{"key": "total", "type": "number", "description": "Total amount due"},
	},
}

func (e *env) createExtraction() string {
	e.t.Helper()
	return e.createExtractionOf(invoiceSchema)
}

// createExtractionOf creates an extraction of schema and answers its id.
func (e *env) createExtractionOf(schema any) string {
	e.t.Helper()
	r := e.doJSON("POST", "/v1/extractions", schema)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create extraction: %d %s", r.status, r.body)
	}
	return r.json(e.t)["extraction"].(map[string]any)["id"].(string)
}

// uploadBatch uploads files to extID as one batch and answers its id; an
// answer other than 202 fails the test.
func (e *env) uploadBatch(extID string, files ...upload) string {
	e.t.Helper()
	r := e.upload(extID, files)
	if r.status != http.StatusAccepted {
		e.t.Fatalf("upload: %d %s", r.status, r.body)
	}
	return r.json(e.t)["batch"].(map[string]any)["id"].(string)
}

// extractOne uploads f alone to extID, waits for its batch to end and
// answers the file as the batch lists it and the answer about the file
// with its result.
func (e *env) extractOne(extID string, f upload) (file, result map[string]any) {
	e.t.Helper()
	batchID := e.uploadBatch(extID, f)
	file = e.waitBatch(extID, batchID)["files"].([]any)[0].(map[string]any)
	r := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+batchID+"/files/"+file["id"].(string), nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("get file: %d %s", r.status, r.body)
	}
	return file, r.json(e.t)
}

// waitBatch polls like a client until the batch is terminal.
func (e *env) waitBatch(extID, batchID string) map[string]any {
	e.t.Helper()
	return e.waitEnded("/v1/extractions/"+extID+"/batches/"+batchID, "batch "+batchID)
}

// waitEnded polls the batch at path like a client until it ends, and
// answers its last poll; what names the batch when it does not end.
func (e *env) waitEnded(path, what string) map[string]any {
	e.t.Helper()
	var v map[string]any
	ended := servertest.Eventually(60*time.Second, func() bool {
		r := e.doJSON("GET", path, nil)
		if r.status != http.StatusOK {
			e.t.Fatalf("poll: %d %s", r.status, r.body)
		}
		v = r.json(e.t)
		switch v["batch"].(map[string]any)["status"] {
		case "processed", "partial", "failed":
			return true
		}
		return false
	})
	if !ended {
		e.t.Fatalf("%s did not end within 60s", what)
	}
	return v
}

// corpusFile reads a document of package extract's testdata.
func corpusFile(t *testing.T, name string) []byte {
	t.Helper()
	return testdata(t, "extract", name)
}

// testdata reads the file name of the testdata of package pkg.
func testdata(t *testing.T, pkg, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", pkg, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expectRefused fails t unless r is an error answer of status and code
// whose fields, when path is not empty, name path.
func expectRefused(t *testing.T, r response, status int, code, path string) {
	t.Helper()
	if r.status != status || errorCode(t, r) != code {
		t.Fatalf("got %d %s, want %d %s", r.status, r.body, status, code)
	}
	if path != "" {
		fields, _ := r.json(t)["fields"].(map[string]any)
		if _, ok := fields[path]; !ok {
			t.Errorf("error fields %v lack %s", fields, path)
		}
	}
}

func errorCode(t *testing.T, r response) string {
	t.Helper()
	v := r.json(t)
	if v["request_id"] == "" || v["error"] == "" {
		t.Errorf("error body lacks request_id or error: %s", r.body)
	}
	code, _ := v["code"].(string)
	return code
}

func TestBatchLifecycle(t *testing.T) {
	eachEnv(t, envOptions{rateLimit: 0}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		invoice := []byte("ACME Supplies\nInvoice No: 42183017\nInvoice Date: 24/05/2026\nTotal: 1,234.56 EUR\n")
		random := make([]byte, 4096)
		for i := range random {
			random[i] = byte(i*7919 + i/3)
		}
		files := []upload{
			{"invoice.txt", invoice},
			{"random.pdf", random}, // the name lies: content is sniffed
			{"empty.txt", nil},
		}
		r := e.upload(extID, files)
		if r.status != http.StatusAccepted {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		b := r.json(t)["batch"].(map[string]any)
		if b["status"] != "queued" || b["file_count"].(float64) != 3 || b["name"] != "test batch" {
			t.Fatalf("upload answer: %s", r.body)
		}
		batchID := b["id"].(string)
		done := e.waitBatch(extID, batchID)
		batch := done["batch"].(map[string]any)
		if batch["status"] != "partial" || batch["completed_at"] == nil {
			t.Fatalf("batch ended %v, want partial: %v", batch["status"], done)
		}
		counts := batch["counts"].(map[string]any)
		if counts["failed"].(float64) != 2 || counts["processed"].(float64)+counts["needs_review"].(float64) != 1 {
			t.Fatalf("counts = %v", counts)
		}
		byName := map[string]map[string]any{}
		for _, f := range done["files"].([]any) {
			fm := f.(map[string]any)
			byName[fm["file_name"].(string)] = fm
		}
		for name, code := range map[string]string{"random.pdf": "unsupported_type", "empty.txt": "empty_document"} {
			f := byName[name]
			if f["status"] != "failed" || f["error"].(map[string]any)["code"] != code {
				t.Errorf("%s = %v, want failed with %s", name, f, code)
			}
		}
		inv := byName["invoice.txt"]
		fr := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+batchID+"/files/"+inv["id"].(string), nil)
		if fr.status != http.StatusOK {
			t.Fatalf("file result: %d %s", fr.status, fr.body)
		}
		res := fr.json(t)
		result := res["result"].(map[string]any)
		if result["invoice_number"] != "42183017" || result["total"] != 1234.56 || result["date"] != "2026-05-24" {
			t.Errorf("result = %v", result)
		}
		conf := res["confidence"].(map[string]any)
		for k, c := range conf {
			if c.(float64) < 0 || c.(float64) > 1 {
				t.Errorf("confidence[%s] = %v, outside [0,1]", k, c)
			}
		}
		// The original upload comes back byte for byte.
		cr := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+batchID+"/files/"+inv["id"].(string)+"/content", nil)
		if cr.status != http.StatusOK || !bytes.Equal(cr.body, invoice) {
			t.Errorf("content: %d %q", cr.status, cr.body)
		}
		// Exports.
		xr := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+batchID+"/export?format=csv", nil)
		if xr.status != http.StatusOK || !strings.Contains(string(xr.body), "42183017") ||
			!strings.HasPrefix(string(xr.body), "file_id,file_name,status,error_code,date,invoice_number,total") {
			t.Errorf("csv export: %d %s", xr.status, xr.body)
		}
		jr := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+batchID+"/export?format=json", nil)
		if jr.status != http.StatusOK || len(jr.json(t)["files"].([]any)) != 3 {
			t.Errorf("json export: %d %s", jr.status, jr.body)
		}
		// Listing with filters.
		lr := e.doJSON("GET", "/v1/extractions/"+extID+"/batches?status=partial", nil)
		if lr.status != http.StatusOK || len(lr.json(t)["data"].([]any)) != 1 {
			t.Errorf("list partial: %d %s", lr.status, lr.body)
		}
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		lr = e.doJSON("GET", "/v1/extractions/"+extID+"/batches?updated_after="+future, nil)
		if lr.status != http.StatusOK || len(lr.json(t)["data"].([]any)) != 0 {
			t.Errorf("list updated_after future: %d %s", lr.status, lr.body)
		}
		// Deleting the extraction removes its documents.
		e.mustDelete("/v1/extractions/" + extID)
		if r := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+batchID, nil); r.status != http.StatusNotFound {
			t.Errorf("batch after delete: %d", r.status)
		}
		if n := countFiles(t, e.blobDir); n != 0 {
			t.Errorf("%d blobs left after delete", n)
		}
	})
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestPDFBatch(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		azure := corpusFile(t, "AzureInterior.pdf")
		files := []upload{
			{"azure.pdf", azure},
			{"aws.pdf", corpusFile(t, "AmazonWebServices.pdf")},
			{"hosting.pdf", corpusFile(t, "QualityHosting.pdf")},
			{"locked.pdf", corpusFile(t, "encrypted-password.pdf")},
			{"truncated.pdf", azure[:len(azure)/2]},
		}
		r := e.upload(extID, files)
		if r.status != http.StatusAccepted {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		b := r.json(t)["batch"].(map[string]any)
		// Pages are counted at upload: 1 + 1 + 2 for the readable PDFs.
		if b["page_count"].(float64) != 4 {
			t.Errorf("page_count = %v, want 4", b["page_count"])
		}
		done := e.waitBatch(extID, b["id"].(string))
		if done["batch"].(map[string]any)["status"] != "partial" {
			t.Errorf("batch = %v", done["batch"])
		}
		want := map[string]string{"azure.pdf": "", "aws.pdf": "", "hosting.pdf": "",
			"locked.pdf": "encrypted_document", "truncated.pdf": "corrupt_document"}
		for _, f := range done["files"].([]any) {
			fm := f.(map[string]any)
			code := ""
			if fm["error"] != nil {
				code = fm["error"].(map[string]any)["code"].(string)
			}
			if code != want[fm["file_name"].(string)] {
				t.Errorf("%s: status %v code %q, want code %q", fm["file_name"], fm["status"], code, want[fm["file_name"].(string)])
			}
		}
	})
}

// TestFileTimeout: a file that takes longer than the per-file timeout fails
// with timeout; its neighbours are unaffected.
func TestFileTimeout(t *testing.T) {
	eachEnv(t, envOptions{fileTimeout: time.Millisecond}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		r := e.upload(extID, []upload{{"slow.pdf", corpusFile(t, "QualityHosting.pdf")}})
		done := e.waitBatch(extID, r.json(t)["batch"].(map[string]any)["id"].(string))
		f := done["files"].([]any)[0].(map[string]any)
		if f["status"] != "failed" || f["error"].(map[string]any)["code"] != "timeout" {
			t.Errorf("file = %v, want failed with timeout", f)
		}
	})
}

func TestAuthAndIsolation(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		if r := e.do("GET", "/v1/extractions", "", "", nil); r.status != 401 || errorCode(t, r) != "missing_api_key" {
			t.Errorf("no key: %d %s", r.status, r.body)
		}
		if r := e.do("GET", "/v1/extractions", "dp_live_"+strings.Repeat("x", 32), "", nil); r.status != 401 || errorCode(t, r) != "invalid_api_key" {
			t.Errorf("bad key: %d %s", r.status, r.body)
		}
		other := e.newKey("globex")
		for _, path := range []string{"/v1/extractions/" + extID, "/v1/extractions/" + extID + "/batches"} {
			if r := e.do("GET", path, other, "", nil); r.status != 404 {
				t.Errorf("other account GET %s: %d %s", path, r.status, r.body)
			}
		}
		if r := e.do("DELETE", "/v1/extractions/"+extID, other, "", nil); r.status != 404 {
			t.Errorf("other account DELETE: %d", r.status)
		}
		if r := e.do("GET", "/v1/extractions", other, "", nil); r.status != 200 || len(r.json(t)["data"].([]any)) != 0 {
			t.Errorf("other account list: %s", r.body)
		}
		// Keys: create up to 5, list, revoke; a revoked key stops at once.
		var created []string
		for i := 0; i < 4; i++ {
			r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": fmt.Sprint("k", i)})
			if r.status != 201 {
				t.Fatalf("create key %d: %d %s", i, r.status, r.body)
			}
			v := r.json(t)
			key := v["key"].(string)
			if !strings.HasPrefix(key, "dp_live_") || len(key) != len("dp_live_")+32 {
				t.Errorf("key %q has the wrong shape", key)
			}
			created = append(created, v["api_key"].(map[string]any)["id"].(string))
		}
		if r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "sixth"}); r.status != 409 || errorCode(t, r) != "limit_reached" {
			t.Errorf("6th key: %d %s", r.status, r.body)
		}
		lr := e.doJSON("GET", "/v1/api_keys", nil)
		if lr.status != 200 || len(lr.json(t)["data"].([]any)) != 5 {
			t.Errorf("list keys: %s", lr.body)
		}
		if strings.Contains(string(lr.body), "dp_live_") {
			t.Errorf("key list leaks a key: %s", lr.body)
		}
		if r := e.do("DELETE", "/v1/api_keys/"+created[0], other, "", nil); r.status != 404 {
			t.Errorf("revoke another account's key: %d", r.status)
		}
		// Revoke the key the test uses, through itself.
		keys := lr.json(t)["data"].([]any)
		own := keys[len(keys)-1].(map[string]any)["id"].(string) // oldest: the env's key
		e.mustDelete("/v1/api_keys/" + own)
		if r := e.doJSON("GET", "/v1/extractions", nil); r.status != 401 {
			t.Errorf("revoked key: %d", r.status)
		}
	})
}

func TestSchemaValidation(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		tests := []struct {
			name   string
			body   string
			ctype  string
			status int
			code   string
			path   string
		}{
			{"malformed json", `{"name": "x", "fields": [`, "application/json", 400, "invalid_json", ""},
			{"wrong content type", `name=x`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
			{"unknown parameter", `{"name": "x", "fields": [{"key":"a","type":"string"}], "colour": 1}`, "application/json", 400, "unknown_parameter", ""},
			{"missing name", `{"fields": [{"key":"a","type":"string"}]}`, "application/json", 400, "invalid_request", "name"},
			{"bad type", `{"name": "x", "fields": [{"key":"a","type":"string"},{"key":"b","type":"money"}]}`, "application/json", 422, "invalid_schema", "fields[1].type"},
			{"nested bad key", `{"name": "x", "fields": [{"key":"a","type":"object","fields":[{"key":"Bad","type":"string"}]}]}`, "application/json", 422, "invalid_schema", "fields[0].fields[0].key"},
			{"threshold", `{"name": "x", "fields": [{"key":"a","type":"string"}], "review_threshold": 1.5}`, "application/json", 400, "invalid_request", "review_threshold"},
			{"wrong json type", `{"name": 5, "fields": []}`, "application/json", 400, "invalid_json", ""},
			{"empty body", ``, "application/json", 400, "invalid_json", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do("POST", "/v1/extractions", e.key, tt.ctype, strings.NewReader(tt.body))
				expectRefused(t, r, tt.status, tt.code, tt.path)
			})
		}
		// PATCH affects the extraction; a bad patch changes nothing.
		extID := e.createExtraction()
		if r := e.doJSON("PATCH", "/v1/extractions/"+extID, map[string]any{"name": "Renamed", "review_threshold": 0.9}); r.status != 200 {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		if r := e.doJSON("PATCH", "/v1/extractions/"+extID, map[string]any{"fields": []any{}}); r.status != 422 {
			t.Errorf("patch with no fields: %d %s", r.status, r.body)
		}
		got := e.doJSON("GET", "/v1/extractions/"+extID, nil).json(t)["extraction"].(map[string]any)
		if got["name"] != "Renamed" || got["review_threshold"] != 0.9 || len(got["fields"].([]any)) != 3 {
			t.Errorf("after patches: %v", got)
		}
	})
}

func TestUploadBadInput(t *testing.T) {
	eachEnv(t, envOptions{maxFiles: 3, maxFileSize: 1000}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		small := []byte("Invoice No: 1\n")
		path := "/v1/extractions/" + extID + "/batches"

		t.Run("too many files", func(t *testing.T) {
			r := e.upload(extID, []upload{{"a.txt", small}, {"b.txt", small}, {"c.txt", small}, {"d.txt", small}})
			if r.status != 413 {
				t.Fatalf("4 files with max 3: %d %s", r.status, r.body)
			}
		})
		t.Run("file too large", func(t *testing.T) {
			r := e.upload(extID, []upload{{"a.txt", small}, {"big.txt", bytes.Repeat([]byte("x"), 1001)}})
			if r.status != 413 {
				t.Fatalf("1001-byte file with max 1000: %d %s", r.status, r.body)
			}
		})
		t.Run("no files part", func(t *testing.T) {
			ct, body := multipartBody(t, "only a name", nil)
			r := e.do("POST", path, e.key, ct, bytes.NewReader(body))
			if r.status != 400 || errorCode(t, r) != "invalid_request" {
				t.Fatalf("no files: %d %s", r.status, r.body)
			}
		})
		t.Run("not multipart", func(t *testing.T) {
			r := e.do("POST", path, e.key, "application/json", strings.NewReader(`{}`))
			if r.status != 415 {
				t.Fatalf("json upload: %d %s", r.status, r.body)
			}
		})
		t.Run("control characters in name", func(t *testing.T) {
			r := e.upload(extID, []upload{{"evil\x07name.txt", small}})
			if r.status != 400 {
				t.Fatalf("control chars: %d %s", r.status, r.body)
			}
		})
		t.Run("name too long", func(t *testing.T) {
			// 1 MB of name: refused with its length, and not echoed back.
			long := strings.Repeat("é", 1<<19) + ".txt"
			r := e.upload(extID, []upload{{long, small}})
			if r.status != 400 || errorCode(t, r) != "invalid_request" {
				t.Fatalf("1 MB name: %d %.300s", r.status, r.body)
			}
			if len(r.body) > 1000 {
				t.Errorf("the error is %d bytes: the name was echoed back", len(r.body))
			}
			if want := fmt.Sprintf("is %d bytes long; a file name may be at most 255 bytes", len(long)); !strings.Contains(string(r.body), want) {
				t.Errorf("error %s does not say %q", r.body, want)
			}
			// 255 bytes pass, 256 do not.
			if r := e.upload(extID, []upload{{strings.Repeat("a", 251) + ".txt", small}}); r.status != 202 {
				t.Fatalf("255-byte name: %d %s", r.status, r.body)
			}
			if r := e.upload(extID, []upload{{strings.Repeat("a", 252) + ".txt", small}}); r.status != 400 {
				t.Fatalf("256-byte name: %d %s", r.status, r.body)
			}
		})
		t.Run("path in name", func(t *testing.T) {
			r := e.upload(extID, []upload{{"../../etc/passwd", small}})
			if r.status != 202 {
				t.Fatalf("path name: %d %s", r.status, r.body)
			}
			files := r.json(t)["files"].([]any)
			if got := files[0].(map[string]any)["file_name"]; got != "passwd" {
				t.Errorf("file_name = %v, want passwd", got)
			}
		})
		t.Run("truncated body", func(t *testing.T) {
			ct, body := multipartBody(t, "", []upload{{"a.txt", bytes.Repeat([]byte("y"), 500)}})
			r := e.do("POST", path, e.key, ct, bytes.NewReader(body[:len(body)-300]))
			if r.status != 400 || errorCode(t, r) != "malformed_multipart" {
				t.Fatalf("truncated: %d %s", r.status, r.body)
			}
		})
		t.Run("unknown extraction", func(t *testing.T) {
			ct, body := multipartBody(t, "", []upload{{"a.txt", small}})
			r := e.do("POST", "/v1/extractions/ext_nope/batches", e.key, ct, bytes.NewReader(body))
			if r.status != 404 {
				t.Fatalf("unknown extraction: %d %s", r.status, r.body)
			}
		})
		// Of all the refused uploads, nothing was stored: only the accepted
		// "path in name" and 255-byte name batches hold a file.
		if n := countFiles(t, e.blobDir); n != 2 {
			t.Errorf("%d blobs stored, want 2 (refused uploads must store nothing)", n)
		}
		lr := e.doJSON("GET", path, nil)
		if n := len(lr.json(t)["data"].([]any)); n != 2 {
			t.Errorf("%d batches, want 2", n)
		}
		if r := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/btc_nope", nil); r.status != 404 || errorCode(t, r) != "not_found" {
			t.Errorf("unknown batch: %d %s", r.status, r.body)
		}
		if r := e.doJSON("GET", "/v1/nothing", nil); r.status != 404 {
			t.Errorf("unknown route: %d", r.status)
		}
	})
}

func TestPollingETagAndRateLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		// The clock stands still: the bucket refills not at all, however
		// slowly the requests below go on a loaded machine.
		clk := &clock{t: time.Now()}
		e := newEnv(t, eng, envOptions{rateLimit: 1, now: clk.Now})
		extID := e.createExtraction()
		batchID := e.uploadBatch(extID, upload{"a.txt", []byte("Invoice No: 7\n")})
		path := "/v1/extractions/" + extID + "/batches/" + batchID
		// Wait for the end without burning the bucket: read the store directly.
		ended := servertest.Eventually(30*time.Second, func() bool {
			b, _, err := e.db.BatchWithFiles(context.Background(), accountOf(t, e), extID, batchID)
			if err != nil {
				t.Fatal(err)
			}
			return b.Status.Terminal()
		})
		if !ended {
			t.Fatalf("batch %s did not end within 30s", batchID)
		}
		first := e.doJSON("GET", path, nil)
		etag := first.header.Get("ETag")
		if first.status != 200 || etag == "" || first.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("poll: %d etag %q cache %q", first.status, etag, first.header.Get("Cache-Control"))
		}
		if first.header.Get("RateLimit-Limit") != "20" {
			t.Errorf("RateLimit-Limit = %q", first.header.Get("RateLimit-Limit"))
		}
		second := e.doJSON("GET", path, nil, "If-None-Match", etag)
		if second.status != 304 || len(second.body) != 0 {
			t.Errorf("If-None-Match: %d %q", second.status, second.body)
		}
		// Drain the burst: a 429 comes with Retry-After.
		var limited response
		for range 30 {
			limited = e.doJSON("GET", path, nil, "If-None-Match", etag)
			if limited.status == 429 {
				break
			}
		}
		if limited.status != 429 || limited.header.Get("Retry-After") == "" || limited.header.Get("RateLimit-Remaining") != "0" {
			t.Fatalf("after the burst: %d Retry-After %q", limited.status, limited.header.Get("Retry-After"))
		}
		if errorCode(t, limited) != "rate_limited" {
			t.Errorf("429 body: %s", limited.body)
		}
		// Another key of the account draws on the same bucket; another
		// account has its own.
		if r := e.do("GET", path, e.newKey("acme"), "", nil); r.status != 429 {
			t.Errorf("a second key of the account: %d, want 429", r.status)
		}
		if r := e.do("GET", "/v1/extractions", e.newKey("other"), "", nil); r.status != 200 {
			t.Errorf("another account: %d, want 200", r.status)
		}
	})
}

// TestPollFromMemory: polls of an unchanged batch read no database (the
// version reads /metrics counts stay put), on PostgreSQL once the node
// listens for other nodes' changes.
func TestPollFromMemory(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		if !servertest.Eventually(10*time.Second, e.db.Listening) {
			t.Fatal("polls not answered from memory within 10 s")
		}
		extID := e.createExtraction()
		batchID := e.uploadBatch(extID, upload{"a.txt", []byte("Invoice No: 7\n")})
		path := "/v1/extractions/" + extID + "/batches/" + batchID
		done := e.waitBatch(extID, batchID)
		reads := func() string {
			t.Helper()
			m := e.do("GET", "/metrics", "", "", nil)
			if !strings.Contains(string(m.body), "\ndocparse_batch_versions_in_memory 1\n") {
				t.Fatalf("metrics do not say polls are answered from memory:\n%s", m.body)
			}
			_, after, ok := strings.Cut(string(m.body), "\ndocparse_batch_version_reads_total ")
			if !ok {
				t.Fatalf("no docparse_batch_version_reads_total in:\n%s", m.body)
			}
			n, _, _ := strings.Cut(after, "\n")
			return n
		}
		first := e.doJSON("GET", path, nil)
		before := reads()
		for range 5 {
			if r := e.doJSON("GET", path, nil); r.status != 200 || r.header.Get("ETag") != first.header.Get("ETag") {
				t.Fatalf("poll: %d ETag %q, want 200 %q", r.status, r.header.Get("ETag"), first.header.Get("ETag"))
			}
		}
		if got := reads(); got != before {
			t.Fatalf("5 polls of an unchanged batch: version reads %s -> %s, want none", before, got)
		}
		if done["batch"].(map[string]any)["status"] != "processed" {
			t.Errorf("batch: %v", done["batch"])
		}
	})
}

// TestRateLimitPerAccount: the keys of one account share one bucket, so
// minting and revoking keys adds no budget; key creation is limited per
// account per hour with a precise 429; another account is unaffected.
func TestRateLimitPerAccount(t *testing.T) {
	eachEnv(t, envOptions{rateLimit: 0.5, keysPerHour: 3}, func(t *testing.T, e *env) {
		second := e.newKey("acme")
		// 20 tokens of burst, refilled at 0.5/s: the two keys together get
		// the burst and about one more, not twice the burst.
		ok := 0
		for i := range 40 {
			key := e.key
			if i%2 == 1 {
				key = second
			}
			r := e.do("GET", "/v1/extractions", key, "", nil)
			switch r.status {
			case 200:
				ok++
			case 429:
				if errorCode(t, r) != "rate_limited" || !strings.Contains(string(r.body), "per account") {
					t.Fatalf("429 body: %s", r.body)
				}
			default:
				t.Fatalf("request %d: %d %s", i, r.status, r.body)
			}
		}
		if ok < 20 || ok > 22 {
			t.Fatalf("two keys of one account got %d of 40 requests through, want the burst of 20 (+2 refilled)", ok)
		}
		if r := e.do("GET", "/v1/extractions", e.newKey("other"), "", nil); r.status != 200 {
			t.Fatalf("another account: %d %s", r.status, r.body)
		}
	})
}

// TestKeyCreationLimited: an account creates at most keysPerHour keys per
// hour through the API; the next answers 429 rate_limited with
// Retry-After; revoking does not give the budget back; another account
// is unaffected.
func TestKeyCreationLimited(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		var mu sync.Mutex
		clock := time.Now()
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		e := newEnv(t, eng, envOptions{keysPerHour: 3, now: now})
		for i := range 3 {
			r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": fmt.Sprint("k", i)})
			if r.status != 201 {
				t.Fatalf("key %d: %d %s", i, r.status, r.body)
			}
			id := r.json(t)["api_key"].(map[string]any)["id"].(string)
			e.mustDelete("/v1/api_keys/" + id)
		}
		r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "k3"}, "Idempotency-Key", "fourth")
		if r.status != 429 || errorCode(t, r) != "rate_limited" || r.header.Get("Retry-After") != "1200" ||
			!strings.Contains(string(r.body), "at most 3 per hour") {
			t.Fatalf("fourth key within the hour: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
		}
		keys, _, err := e.db.ListAPIKeys(context.Background(), accountOf(t, e), store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 {
			t.Fatalf("%d active keys, want the first one only", len(keys))
		}
		// The 429 is not kept as the key's answer: once the budget has
		// refilled (one key per 20 minutes), the same request creates it.
		mu.Lock()
		clock = clock.Add(20 * time.Minute)
		mu.Unlock()
		if r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "k3"}, "Idempotency-Key", "fourth"); r.status != 201 ||
			r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("the fourth key 20 minutes later with the same Idempotency-Key: %d %s", r.status, r.body)
		}
		other := e.newKey("other")
		if r := e.do("POST", "/v1/api_keys", other, "application/json", strings.NewReader(`{"name":"x"}`)); r.status != 201 {
			t.Fatalf("another account's key: %d %s", r.status, r.body)
		}
	})
}

func accountOf(t *testing.T, e *env) string {
	a, err := e.db.AccountByName(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func TestIdempotencyKey(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		first := e.doJSON("POST", "/v1/extractions", invoiceSchema, "Idempotency-Key", "abc")
		again := e.doJSON("POST", "/v1/extractions", invoiceSchema, "Idempotency-Key", "abc")
		if first.status != 201 || again.status != 201 || !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s / %d %s", first.status, first.body, again.status, again.body)
		}
		if n := len(e.doJSON("GET", "/v1/extractions", nil).json(t)["data"].([]any)); n != 1 {
			t.Errorf("%d extractions after a replayed create, want 1", n)
		}
		extID := first.json(t)["extraction"].(map[string]any)["id"].(string)
		u1 := e.upload(extID, []upload{{"a.txt", []byte("x")}}, "Idempotency-Key", "up-1")
		u2 := e.upload(extID, []upload{{"a.txt", []byte("x")}}, "Idempotency-Key", "up-1")
		if u1.status != 202 || !bytes.Equal(u1.body, u2.body) {
			t.Fatalf("upload replay: %d %s / %d %s", u1.status, u1.body, u2.status, u2.body)
		}
		if n := len(e.doJSON("GET", "/v1/extractions/"+extID+"/batches", nil).json(t)["data"].([]any)); n != 1 {
			t.Errorf("%d batches after a replayed upload, want 1", n)
		}
		// The same key on another route is refused.
		if r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "x"}, "Idempotency-Key", "abc"); r.status != 422 {
			t.Errorf("key reuse elsewhere: %d %s", r.status, r.body)
		}
	})
}

func TestPagination(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		for range 5 {
			e.createExtraction()
		}
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			path := "/v1/extractions?limit=2"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := e.doJSON("GET", path, nil)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			v := r.json(t)
			for _, x := range v["data"].([]any) {
				seen[x.(map[string]any)["id"].(string)] = true
			}
			pages++
			if v["has_more"] != true {
				break
			}
			cursor = v["next_cursor"].(string)
		}
		if len(seen) != 5 || pages != 3 {
			t.Errorf("saw %d extractions over %d pages, want 5 over 3", len(seen), pages)
		}
		for _, bad := range []string{"?limit=0", "?limit=101", "?limit=x", "?cursor=bm90YWN1cnNvcg"} {
			if r := e.doJSON("GET", "/v1/extractions"+bad, nil); r.status != 400 {
				t.Errorf("%s: %d", bad, r.status)
			}
		}
	})
}

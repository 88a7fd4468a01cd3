package client_test

// End-to-end tests: a real docparse (internal/servertest: real database,
// workers, dispatcher and API over HTTP) driven through the public client.
// Nothing of docparse is faked.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

// testContext bounds a test's calls, waits included: a server that stops
// answering fails the test instead of hanging it.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// fastPoll is the interval of tests that are not about the default one.
const fastPoll = 50 * time.Millisecond

// counter is an http.RoundTripper that counts the answers a client got,
// by status and by kind of request.
type counter struct {
	mu       sync.Mutex
	byStatus map[int]int
	byKind   map[string]int
}

func newCounter() *counter { return &counter{byStatus: map[int]int{}, byKind: map[string]int{}} }

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	kind := r.Method + " " + pathKind(r.URL.Path)
	c.mu.Lock()
	c.byStatus[resp.StatusCode]++
	c.byKind[kind]++
	c.mu.Unlock()
	return resp, nil
}

// pathKind replaces ids in a path with their prefix: /v1/extractions/ext_/batches.
func pathKind(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if j := strings.IndexByte(s, '_'); j > 0 && i > 1 && !strings.Contains(s, "webhook") && s != "api_keys" && s != "rotate_secret" {
			segs[i] = s[:j+1]
		}
	}
	return strings.Join(segs, "/")
}

func (c *counter) status(code int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byStatus[code]
}

func (c *counter) kind(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKind[k]
}

func (c *counter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.byStatus {
		n += v
	}
	return n
}

func (c *counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("by status %v, by kind %v", c.byStatus, c.byKind)
}

// newClient returns a client of srv for a new key of account, which polls
// every fastPoll unless the test says otherwise.
func newClient(t *testing.T, srv *servertest.Server, account string, opts ...client.Option) *client.Client {
	t.Helper()
	c := client.New(srv.URL, srv.Key(account), opts...)
	client.SetMinPollInterval(c, fastPoll/2)
	return c
}

var invoiceFields = []client.Field{
	{Key: "invoice_number", Type: client.TypeString, Description: "Invoice number"},
	{Key: "date", Type: client.TypeDate, Description: "Invoice date"},
	{Key: "total", Type: client.TypeNumber, Description: "Total amount due"},
}

const invoiceText = "ACME Supplies\nInvoice No: 42183017\nInvoice Date: 24/05/2026\nTotal: 1,234.56 EUR\n"

func createExtraction(t *testing.T, c *client.Client, name string) *client.Extraction {
	t.Helper()
	ext, err := c.CreateExtraction(context.Background(), client.ExtractionParams{Name: name, Fields: invoiceFields})
	if err != nil {
		t.Fatalf("CreateExtraction: %v", err)
	}
	return ext
}

func upload(t *testing.T, c *client.Client, extID string, files map[string]string) *client.BatchResult {
	t.Helper()
	var fs []client.File
	for name, content := range files {
		fs = append(fs, client.File{Name: name, Reader: strings.NewReader(content)})
	}
	b, err := c.UploadBatch(context.Background(), extID, fs, client.UploadOptions{Name: "test"})
	if err != nil {
		t.Fatalf("UploadBatch: %v", err)
	}
	return b
}

func asError(t *testing.T, err error) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *client.Error", err, err)
	}
	return e
}

// TestExtractionFlow drives an extraction from creation to export and
// deletion, with every extraction and batch method.
func TestExtractionFlow(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		ctx := testContext(t)
		c := newClient(t, srv, "acme")

		ext, err := c.CreateExtraction(ctx, client.ExtractionParams{Name: "Invoices", Fields: invoiceFields,
			Options: &client.Options{InferMissing: true}, IdempotencyKey: "create-1"})
		if err != nil {
			t.Fatal(err)
		}
		if ext.Language != "Multi-Lingual" || ext.ReviewThreshold != 0.7 || ext.Status != "ready" || !ext.Options.InferMissing ||
			!strings.HasPrefix(ext.ID, "ext_") {
			t.Errorf("created %+v", ext)
		}
		again, err := c.CreateExtraction(ctx, client.ExtractionParams{Name: "Invoices", Fields: invoiceFields, IdempotencyKey: "create-1"})
		if err != nil || again.ID != ext.ID {
			t.Errorf("idempotent replay = %v, %v; want %s", again, err, ext.ID)
		}
		got, err := c.GetExtraction(ctx, ext.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The create answer's times have nanoseconds, the stored ones
		// microseconds.
		if diff := cmp.Diff(ext, got, cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
			t.Errorf("GetExtraction differs from the created one (-created +got):\n%s", diff)
		}
		upd, err := c.UpdateExtraction(ctx, ext.ID, client.ExtractionUpdate{Name: new("Invoices EU"), ReviewThreshold: new(0.5)})
		if err != nil || upd.Name != "Invoices EU" || upd.ReviewThreshold != 0.5 || len(upd.Fields) != 3 {
			t.Fatalf("UpdateExtraction = %+v, %v", upd, err)
		}

		// Upload, streaming, with progress.
		var sent atomic.Int64
		res, err := c.UploadBatch(ctx, ext.ID, []client.File{
			{Name: "invoice.txt", Reader: strings.NewReader(invoiceText)},
			{Name: "empty.txt", Reader: strings.NewReader("")},
		}, client.UploadOptions{Name: "May", Progress: func(n int64) { sent.Store(n) }})
		if err != nil {
			t.Fatal(err)
		}
		if res.Batch.Status != client.BatchQueued || res.Batch.FileCount != 2 || res.Batch.Name != "May" || len(res.Files) != 2 {
			t.Errorf("upload answer %+v", res)
		}
		if sent.Load() != int64(len(invoiceText)) {
			t.Errorf("progress reported %d bytes, want %d", sent.Load(), len(invoiceText))
		}

		// Wait, with progress.
		var seen []client.Batch
		done, err := c.WaitForBatch(ctx, ext.ID, res.Batch.ID, client.WaitOptions{Interval: fastPoll,
			OnProgress: func(b client.Batch) { seen = append(seen, b) }})
		if err != nil {
			t.Fatal(err)
		}
		if done.Batch.Status != client.BatchPartial || done.Batch.CompletedAt == nil || len(done.Files) != 2 {
			t.Fatalf("WaitForBatch = %+v", done)
		}
		if len(seen) == 0 {
			t.Fatal("OnProgress was never called")
		}
		final := seen[len(seen)-1]
		if final.Status != client.BatchPartial || final.Counts.Done() != 2 || final.Counts.Failed != 1 {
			t.Errorf("last progress %+v, want partial with 2 done, 1 failed", final)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i].Counts.Done() < seen[i-1].Counts.Done() {
				t.Errorf("progress went back: %+v after %+v", seen[i].Counts, seen[i-1].Counts)
			}
		}
		byName := map[string]client.BatchFile{}
		for _, f := range done.Files {
			byName[f.FileName] = f
		}
		if f := byName["empty.txt"]; f.Status != client.FileFailed || f.Error == nil || f.Error.Code != "empty_document" {
			t.Errorf("empty.txt = %+v", f)
		}
		inv := byName["invoice.txt"]

		gb, err := c.GetBatch(ctx, ext.ID, res.Batch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(done, gb); diff != "" {
			t.Errorf("GetBatch differs from WaitForBatch (-wait +get):\n%s", diff)
		}

		// File result, typed and as maps.
		fr, err := c.GetFile(ctx, ext.ID, res.Batch.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var invoice struct {
			Number string  `json:"invoice_number"`
			Date   string  `json:"date"`
			Total  float64 `json:"total"`
		}
		if err := fr.DecodeResult(&invoice); err != nil {
			t.Fatal(err)
		}
		if invoice.Number != "42183017" || invoice.Date != "2026-05-24" || invoice.Total != 1234.56 {
			t.Errorf("result %+v", invoice)
		}
		conf, err := fr.ConfidenceMap()
		if err != nil || len(conf) != 3 {
			t.Errorf("confidence %v, %v", conf, err)
		}
		// A text file's values cite its page, without a box (a text
		// format has no page geometry).
		if c, err := fr.CitationOf("total"); err != nil || c == nil || c.Page == nil || *c.Page != 1 || c.Box != nil || c.Source != "" {
			t.Errorf("CitationOf(total) = %+v, %v; want page 1 without a box", c, err)
		}
		if _, err := fr.CitationOf("seller.name"); err == nil {
			t.Error("CitationOf a path the schema lacks: no error")
		}
		if fr.File.ContentType == "" || fr.File.Size != int64(len(invoiceText)) || fr.File.BatchID != res.Batch.ID {
			t.Errorf("file %+v", fr.File)
		}
		failedFile, err := c.GetFile(ctx, ext.ID, res.Batch.ID, byName["empty.txt"].ID)
		if err != nil || failedFile.HasResult() {
			t.Errorf("failed file: %+v, %v", failedFile, err)
		}
		if m, err := failedFile.ResultMap(); m != nil || err != nil {
			t.Errorf("ResultMap of a file without result = %v, %v", m, err)
		}

		// Content and exports stream.
		rc, err := c.FileContent(ctx, ext.ID, res.Batch.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		content, _ := io.ReadAll(rc)
		rc.Close()
		if string(content) != invoiceText {
			t.Errorf("content %q", content)
		}
		csv, err := c.Export(ctx, ext.ID, res.Batch.ID, client.FormatCSV)
		if err != nil {
			t.Fatal(err)
		}
		csvText, _ := io.ReadAll(csv)
		csv.Close()
		if !strings.HasPrefix(string(csvText), "file_id,file_name,status,error_code,date,invoice_number,total\n") ||
			!strings.Contains(string(csvText), "42183017") {
			t.Errorf("csv export %s", csvText)
		}
		xp, err := c.ExportJSON(ctx, ext.ID, res.Batch.ID)
		if err != nil || len(xp.Files) != 2 || xp.Batch.ID != res.Batch.ID {
			t.Fatalf("ExportJSON = %+v, %v", xp, err)
		}
		if _, err := c.Export(ctx, ext.ID, res.Batch.ID, "xml"); !client.IsInvalid(err) {
			t.Errorf("xml export: %v, want 400", err)
		}

		// Batch lists: filters, a page, and the iterator across pages.
		second := upload(t, c, ext.ID, map[string]string{"b.txt": "Invoice No: 2\n"})
		if _, err := c.WaitForBatch(ctx, ext.ID, second.Batch.ID, client.WaitOptions{Interval: fastPoll}); err != nil {
			t.Fatal(err)
		}
		client.SetPageSize(c, 1)
		var ids []string
		for b, err := range c.ListBatches(ctx, ext.ID, client.BatchListParams{}) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, b.ID)
		}
		if diff := cmp.Diff([]string{second.Batch.ID, res.Batch.ID}, ids); diff != "" {
			t.Errorf("ListBatches, newest first, one per page (-want +got):\n%s", diff)
		}
		pg, err := c.ListBatchesPage(ctx, ext.ID, client.BatchListParams{Status: client.BatchPartial})
		if err != nil || len(pg.Data) != 1 || pg.Data[0].ID != res.Batch.ID || pg.HasMore {
			t.Errorf("partial batches: %+v, %v", pg, err)
		}
		pg, err = c.ListBatchesPage(ctx, ext.ID, client.BatchListParams{UpdatedAfter: done.Batch.UpdatedAt})
		if err != nil || len(pg.Data) != 1 || pg.Data[0].ID != second.Batch.ID {
			t.Errorf("batches updated after the first ended: %+v, %v", pg, err)
		}

		// Extraction list iterator across pages.
		createExtraction(t, c, "Receipts")
		createExtraction(t, c, "Contracts")
		var names []string
		for e, err := range c.ListExtractions(ctx, client.ListParams{Limit: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, e.Name)
		}
		if diff := cmp.Diff([]string{"Contracts", "Receipts", "Invoices EU"}, names); diff != "" {
			t.Errorf("ListExtractions (-want +got):\n%s", diff)
		}
		// Stopping early stops the iteration.
		n := 0
		for range c.ListExtractions(ctx, client.ListParams{}) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("break after the first item yielded %d", n)
		}

		// Deleting the extraction removes its batches.
		if err := c.DeleteExtraction(ctx, ext.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetBatch(ctx, ext.ID, res.Batch.ID); !client.IsNotFound(err) {
			t.Errorf("batch after delete: %v", err)
		}
	})
}

// TestErrors: the API's errors arrive as *client.Error with status, code,
// message, request id and fields.
func TestErrors(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := servertest.Start(t, servertest.Options{NoRateLimit: true})
	c := newClient(t, srv, "acme")
	ext := createExtraction(t, c, "Invoices")

	_, err := c.GetBatch(ctx, ext.ID, "btc_01JZZZZZZZZZZZZZZZZZZZZZZZ")
	e := asError(t, err)
	if e.StatusCode != 404 || e.Code != "not_found" || e.Message == "" || !strings.HasPrefix(e.RequestID, "req_") || !client.IsNotFound(err) {
		t.Errorf("404 = %+v", e)
	}
	if !strings.Contains(err.Error(), e.RequestID) || !strings.Contains(err.Error(), "404 not_found") {
		t.Errorf("Error() = %q", err.Error())
	}

	// Another account's extraction is a 404 too.
	other := newClient(t, srv, "globex")
	if _, err := other.GetExtraction(ctx, ext.ID); !client.IsNotFound(err) {
		t.Errorf("other account: %v", err)
	}

	_, err = c.CreateExtraction(ctx, client.ExtractionParams{Name: "Bad", Fields: []client.Field{
		{Key: "a", Type: client.TypeString},
		{Key: "b", Type: "money"},
		{Key: "c", Type: client.TypeObject, Fields: []client.Field{{Key: "Bad", Type: client.TypeString}}},
	}})
	e = asError(t, err)
	if e.StatusCode != 422 || e.Code != "invalid_schema" || !client.IsInvalid(err) {
		t.Errorf("422 = %+v", e)
	}
	for _, p := range []string{"fields[1].type", "fields[2].fields[0].key"} {
		if e.Fields[p] == "" {
			t.Errorf("422 fields %v lack %s", e.Fields, p)
		}
	}
	_, err = c.CreateExtraction(ctx, client.ExtractionParams{Fields: invoiceFields})
	if e := asError(t, err); e.StatusCode != 400 || e.Code != "invalid_request" || e.Fields["name"] == "" {
		t.Errorf("400 = %+v", e)
	}

	// Uploads: an unknown extraction, and a file over the 25 MB limit,
	// streamed from a reader that never holds it (413, nothing stored).
	_, err = c.UploadBatch(ctx, "ext_01JZZZZZZZZZZZZZZZZZZZZZZZ", []client.File{{Name: "a.txt", Reader: strings.NewReader("x")}}, client.UploadOptions{})
	if !client.IsNotFound(err) {
		t.Errorf("upload to an unknown extraction: %v", err)
	}
	big := io.LimitReader(zeros{}, 26<<20)
	_, err = c.UploadBatch(ctx, ext.ID, []client.File{{Name: "big.txt", Reader: big}}, client.UploadOptions{})
	if e := asError(t, err); e.StatusCode != 413 || e.Code != "too_large" {
		t.Errorf("26 MB upload: %v", err)
	}
	if pg, err := c.ListBatchesPage(ctx, ext.ID, client.BatchListParams{}); err != nil || len(pg.Data) != 0 {
		t.Errorf("batches after refused uploads: %+v, %v", pg, err)
	}

	// WaitForBatch on an unknown batch ends with the 404.
	_, err = c.WaitForBatch(ctx, ext.ID, "btc_01JZZZZZZZZZZZZZZZZZZZZZZZ", client.WaitOptions{Interval: fastPoll})
	if !client.IsNotFound(err) {
		t.Errorf("WaitForBatch of an unknown batch: %v", err)
	}

	// API keys: create, list, the limit, revoke.
	k, err := c.CreateAPIKey(ctx, client.APIKeyParams{Name: "ci"})
	if err != nil || !strings.HasPrefix(k.Key, "dp_live_") || k.APIKey.Last4 != k.Key[len(k.Key)-4:] {
		t.Fatalf("CreateAPIKey = %+v, %v", k, err)
	}
	keyed := client.New(srv.URL, k.Key)
	if _, err := keyed.GetExtraction(ctx, ext.ID); err != nil {
		t.Errorf("new key: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.CreateAPIKey(ctx, client.APIKeyParams{Name: fmt.Sprint("k", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateAPIKey(ctx, client.APIKeyParams{Name: "sixth"}); !client.IsConflict(err) || asError(t, err).Code != "limit_reached" {
		t.Errorf("sixth key: %v", err)
	}
	client.SetPageSize(c, 2)
	var keys []client.APIKey
	for k, err := range c.ListAPIKeys(ctx, client.ListParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if len(keys) != 5 {
		t.Errorf("%d keys listed, want 5", len(keys))
	}
	if err := c.RevokeAPIKey(ctx, k.APIKey.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keyed.GetExtraction(ctx, ext.ID); !client.IsUnauthorized(err) || asError(t, err).Code != "invalid_api_key" {
		t.Errorf("revoked key: %v", err)
	}
}

// eventually polls cond for up to 30 s: for state that the server
// records just after the test can observe the delivery.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// sleepCtx sleeps for d and reports whether ctx is still alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// zeros is an endless reader of 'a's.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestWaitForBatchConcurrent: 100 concurrent waits on one extraction, with
// one Client at the 2 s minimum interval, against docparse's default rate
// limit (10/s, burst 20): every wait completes, and the Client is never
// rate limited.
func TestWaitForBatchConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 30 s")
	}
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true}, func(t *testing.T, srv *servertest.Server) { // default limit
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cnt := newCounter()
		waiter := client.New(srv.URL, srv.Key("acme"), client.WithHTTPClient(&http.Client{Transport: cnt}),
			client.WithPollInterval(client.MinPollInterval))
		// Uploads go straight to the pipeline, not through the API: all
		// keys of an account draw on one bucket, and the test is about the
		// waits' requests.
		ext := createExtraction(t, client.New(srv.URL, srv.Key("acme")), "Invoices")
		acct, err := srv.DB.AccountByName(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}

		const n = 100
		start := time.Now()
		var wg sync.WaitGroup
		results := make([]*client.BatchResult, n)
		errs := make([]error, n)
		progress := make([]atomic.Int32, n)
		for i := range n {
			wg.Go(func() {
				content := fmt.Sprintf("Invoice No: %d\nTotal: %d.00\n", 1000+i, i)
				batchID, err := pipelineUpload(ctx, srv, acct.ID, ext.ID, content)
				if err != nil {
					errs[i] = err
					return
				}
				results[i], errs[i] = waiter.WaitForBatch(ctx, ext.ID, batchID, client.WaitOptions{
					OnProgress: func(client.Batch) { progress[i].Add(1) }})
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("wait %d: %v", i, errs[i])
			}
			if !results[i].Batch.Terminal() || len(results[i].Files) != 1 || progress[i].Load() == 0 {
				t.Errorf("wait %d: %+v, %d progress calls", i, results[i].Batch, progress[i].Load())
			}
		}
		if got := cnt.status(http.StatusTooManyRequests); got != 0 {
			t.Errorf("the waiting client was rate limited %d times: %v", got, cnt)
		}
		// Per round at most a list, two reads of new batches and a
		// revalidation, plus one read per ended batch: nowhere near a
		// request per wait per interval.
		rounds := int(elapsed/client.MinPollInterval) + 1
		if total, bound := cnt.total(), n+4*rounds; total > bound {
			t.Errorf("%d requests for %d waits over %d rounds, want at most %d: %v", total, n, rounds, bound, cnt)
		}
		t.Logf("%d waits in %v: %d requests; %v", n, elapsed.Round(time.Millisecond), cnt.total(), cnt)
	})
}

// uploadRetrying uploads one file, again after a 429's Retry-After.
// pipelineUpload uploads one text file as a batch through the server's
// pipeline, as the API would, without drawing on the account's rate limit.
func pipelineUpload(ctx context.Context, srv *servertest.Server, accountID, extID, content string) (string, error) {
	up, err := srv.Service.NewUpload(ctx, accountID, extID)
	if err != nil {
		return "", err
	}
	defer up.Abort() // a no-op after Commit
	if err := up.Add(ctx, "invoice.txt", strings.NewReader(content)); err != nil {
		return "", err
	}
	b, _, err := up.Commit(ctx, "", nil)
	return b.ID, err
}

// receiver is a real webhook receiver: WebhookHandler behind an
// httptest.Server, recording what it was handed.
type receiver struct {
	srv    *httptest.Server
	secret atomic.Value // string: set once the endpoint exists
	mu     sync.Mutex
	events []*client.Event
	raw    []rawDelivery
	notify chan struct{}
}

type rawDelivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{notify: make(chan struct{}, 1000)}
	rc.secret.Store("")
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.raw = append(rc.raw, rawDelivery{header: r.Header.Clone(), body: body})
		rc.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		client.WebhookHandler(rc.secret.Load().(string), func(ctx context.Context, ev *client.Event) error {
			rc.mu.Lock()
			rc.events = append(rc.events, ev)
			rc.mu.Unlock()
			rc.notify <- struct{}{}
			return nil
		}).ServeHTTP(w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// waitFor waits until the receiver has handled an event matching ok.
func (rc *receiver) waitFor(t *testing.T, what string, ok func(*client.Event) bool) *client.Event {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		rc.mu.Lock()
		for _, ev := range rc.events {
			if ok(ev) {
				rc.mu.Unlock()
				return ev
			}
		}
		rc.mu.Unlock()
		select {
		case <-rc.notify:
		case <-deadline:
			t.Fatalf("no %s delivered within 30 s", what)
		}
	}
}

func (rc *receiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, ev := range rc.events {
		if ev.ID == id {
			n++
		}
	}
	return n
}

func (rc *receiver) lastRaw() rawDelivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.raw[len(rc.raw)-1]
}

// TestWebhooksAndEvents: real deliveries from docparse reach
// WebhookHandler, typed; the events feed lists the same events; endpoints
// are managed through the client.
func TestWebhooksAndEvents(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		ctx := testContext(t)
		c := newClient(t, srv, "acme")
		rc := newReceiver(t)

		if _, err := c.CreateWebhookEndpoint(ctx, client.WebhookEndpointParams{URL: "ftp://example.com"}); !client.IsInvalid(err) || asError(t, err).Fields["url"] == "" {
			t.Errorf("ftp endpoint: %v", err)
		}
		created, err := c.CreateWebhookEndpoint(ctx, client.WebhookEndpointParams{URL: rc.srv.URL + "/hook", Description: "test"})
		if err != nil {
			t.Fatal(err)
		}
		ep := created.WebhookEndpoint
		if !strings.HasPrefix(created.Secret, "whsec_") || ep.Status != "active" || !ep.Enabled || len(ep.EventTypes) != 0 {
			t.Fatalf("created %+v", created)
		}
		rc.secret.Store(created.Secret)

		// A test send reaches the handler, signed.
		tr, err := c.TestWebhookEndpoint(ctx, ep.ID)
		if err != nil || tr.StatusCode == nil || *tr.StatusCode != http.StatusNoContent || tr.Error != nil {
			t.Fatalf("TestWebhookEndpoint = %+v, %v", tr, err)
		}
		test := rc.waitFor(t, "endpoint.test", func(ev *client.Event) bool { return ev.Type == client.EventEndpointTest })
		var msg client.TestEventData
		if err := test.DecodeData(&msg); err != nil || !strings.Contains(msg.Message, "configured correctly") || !strings.HasPrefix(test.ID, "evt_") {
			t.Errorf("test event %+v: %+v, %v", test, msg, err)
		}

		// A batch's events arrive typed.
		ext := createExtraction(t, c, "Invoices")
		b := upload(t, c, ext.ID, map[string]string{"invoice.txt": invoiceText, "blob.bin": "\x00\x01\x02\x00\xff"})
		completed := rc.waitFor(t, "extraction.completed", func(ev *client.Event) bool { return ev.Type == client.EventExtractionCompleted })
		data, err := completed.BatchEvent()
		if err != nil {
			t.Fatal(err)
		}
		if data.BatchID != b.Batch.ID || data.ExtractionID != ext.ID || data.Status != client.BatchPartial || data.FileCount != 2 ||
			data.Counts.Failed != 1 || len(data.Files) != 2 || completed.Timestamp.IsZero() {
			t.Errorf("extraction.completed %+v", data)
		}
		failed := rc.waitFor(t, "file.failed", func(ev *client.Event) bool { return ev.Type == client.EventFileFailed })
		fd, err := failed.FileEvent()
		if err != nil || fd.File.FileName != "blob.bin" || fd.File.Error == nil || fd.File.Error.Code != "unsupported_type" || fd.BatchID != b.Batch.ID {
			t.Errorf("file.failed %+v, %v", fd, err)
		}

		// The feed holds the same events (not endpoint.test), in commit
		// order, the batch's last; across pages; resumable from any id.
		client.SetPageSize(c, 2)
		var feed []client.Event
		for ev, err := range c.EventsAfter(ctx, "") {
			if err != nil {
				t.Fatal(err)
			}
			feed = append(feed, ev)
		}
		if len(feed) != 3 || feed[2].ID != completed.ID || feed[2].Type != client.EventExtractionCompleted {
			t.Fatalf("feed %+v", feed)
		}
		if fromFeed, err := feed[2].BatchEvent(); err != nil || !cmp.Equal(fromFeed, data) {
			t.Errorf("feed's batch event differs from the delivery's: %s", cmp.Diff(data, fromFeed))
		}
		if feed[2].CreatedAt.IsZero() || len(feed[2].Deliveries) != 1 || feed[2].Deliveries[0].EndpointID != ep.ID {
			t.Errorf("feed event %+v", feed[2])
		}
		var rest []string
		for ev, err := range c.EventsAfter(ctx, feed[0].ID) {
			if err != nil {
				t.Fatal(err)
			}
			rest = append(rest, ev.ID)
		}
		if diff := cmp.Diff([]string{feed[1].ID, feed[2].ID}, rest); diff != "" {
			t.Errorf("EventsAfter the first (-want +got):\n%s", diff)
		}
		for ev, err := range c.EventsAfter(ctx, feed[2].ID) {
			t.Errorf("EventsAfter the last yielded %+v, %v", ev, err)
		}
		var onlyFiles int
		for ev, err := range c.EventsAfter(ctx, "", client.EventFileProcessed, client.EventFileNeedsReview, client.EventFileFailed) {
			if err != nil || !strings.HasPrefix(ev.Type, "file.") {
				t.Errorf("filtered feed: %+v, %v", ev, err)
			}
			onlyFiles++
		}
		if onlyFiles != 2 {
			t.Errorf("%d file events, want 2", onlyFiles)
		}
		for _, err := range c.EventsAfter(ctx, "evt_01JZZZZZZZZZZZZZZZZZZZZZZZ") {
			if !client.IsNotFound(err) {
				t.Errorf("EventsAfter an unknown cursor: %v", err)
			}
		}
		pg, err := c.ListEventsPage(ctx, client.EventListParams{Limit: 1})
		if err != nil || len(pg.Data) != 1 || !pg.HasMore || pg.NextCursor != feed[0].ID {
			t.Errorf("ListEventsPage = %+v, %v", pg, err)
		}
		got, err := c.GetEvent(ctx, completed.ID)
		if err != nil || got.Type != client.EventExtractionCompleted || !cmp.Equal(got.Data, feed[2].Data) {
			t.Errorf("GetEvent = %+v, %v", got, err)
		}

		// Resend: the same webhook-id again, which receivers dedupe on.
		if n, err := c.ResendEvent(ctx, completed.ID, ep.ID); err != nil || n != 1 {
			t.Fatalf("ResendEvent = %d, %v", n, err)
		}
		if !eventually(func() bool { return rc.count(completed.ID) == 2 }) {
			t.Errorf("resent event delivered %d times in all, want 2", rc.count(completed.ID))
		}

		// The attempts log: the test, three events, the resend.
		var attempts []client.Attempt
		if !eventually(func() bool {
			attempts, err = c.ListWebhookAttempts(ctx, ep.ID)
			return err == nil && len(attempts) == 5
		}) {
			t.Fatalf("ListWebhookAttempts = %d, %v; want 5", len(attempts), err)
		}
		if a := attempts[0]; a.EndpointID != ep.ID || a.StatusCode == nil || *a.StatusCode != http.StatusNoContent || a.RequestBody == "" {
			t.Errorf("attempt %+v", a)
		}

		// Rotation with a grace period: deliveries carry both signatures,
		// and Verify accepts them with either secret.
		newSecret, err := c.RotateWebhookSecret(ctx, ep.ID, time.Hour)
		if err != nil || newSecret == created.Secret || !strings.HasPrefix(newSecret, "whsec_") {
			t.Fatalf("RotateWebhookSecret = %q, %v", newSecret, err)
		}
		if tr, err := c.TestWebhookEndpoint(ctx, ep.ID); err != nil || *tr.StatusCode != http.StatusNoContent {
			t.Fatalf("test after rotation: %+v, %v", tr, err)
		}
		d := rc.lastRaw()
		if n := len(strings.Fields(d.header.Get("webhook-signature"))); n != 2 {
			t.Errorf("%d signatures during the grace period, want 2", n)
		}
		for _, s := range []string{created.Secret, newSecret, strings.TrimPrefix(newSecret, "whsec_")} {
			if err := client.Verify(s, d.header, d.body); err != nil {
				t.Errorf("Verify with a current secret: %v", err)
			}
		}
		if err := client.Verify(created.Secret, d.header, append(d.body, ' ')); !errors.Is(err, client.ErrNoMatchingSignature) {
			t.Errorf("Verify of a tampered real delivery = %v", err)
		}
		if _, err := client.ParseEvent(newSecret, d.header, d.body); err != nil {
			t.Errorf("ParseEvent: %v", err)
		}
		// Without a grace period the old secret stops at once: the
		// handler, still on it, answers 401, which the test reports.
		third, err := c.RotateWebhookSecret(ctx, ep.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		tr, err = c.TestWebhookEndpoint(ctx, ep.ID)
		if err != nil || tr.StatusCode == nil || *tr.StatusCode != http.StatusUnauthorized {
			t.Errorf("test with a stale receiver secret = %+v, %v; want a 401 reported", tr, err)
		}
		rc.secret.Store(third)

		// Update, list, get, recover, delete.
		upd, err := c.UpdateWebhookEndpoint(ctx, ep.ID, client.WebhookEndpointUpdate{Enabled: new(false), Description: new("paused")})
		if err != nil || upd.WebhookEndpoint.Status != "disabled" || upd.WebhookEndpoint.DisabledReason == nil || upd.Recovery != nil {
			t.Fatalf("disable: %+v, %v", upd, err)
		}
		upd, err = c.UpdateWebhookEndpoint(ctx, ep.ID, client.WebhookEndpointUpdate{Enabled: new(true)})
		if err != nil || upd.WebhookEndpoint.Status != "active" || upd.Recovery == nil {
			t.Fatalf("re-enable: %+v, %v", upd, err)
		}
		if _, err := c.RecoverWebhookEndpoint(ctx, ep.ID, upd.Recovery.Since); err != nil {
			t.Errorf("RecoverWebhookEndpoint: %v", err)
		}
		second, err := c.CreateWebhookEndpoint(ctx, client.WebhookEndpointParams{URL: rc.srv.URL + "/two",
			EventTypes: []string{client.EventExtractionFailed}, IdempotencyKey: "ep-2"})
		if err != nil {
			t.Fatal(err)
		}
		var eps []string
		for e, err := range c.ListWebhookEndpoints(ctx, client.ListParams{Limit: 1}) {
			if err != nil {
				t.Fatal(err)
			}
			eps = append(eps, e.ID)
		}
		if diff := cmp.Diff([]string{second.WebhookEndpoint.ID, ep.ID}, eps); diff != "" {
			t.Errorf("ListWebhookEndpoints (-want +got):\n%s", diff)
		}
		if g, err := c.GetWebhookEndpoint(ctx, ep.ID); err != nil || g.Description != "paused" {
			t.Errorf("GetWebhookEndpoint = %+v, %v", g, err)
		}
		if err := c.DeleteWebhookEndpoint(ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetWebhookEndpoint(ctx, ep.ID); !client.IsNotFound(err) {
			t.Errorf("after delete: %v", err)
		}
	})
}

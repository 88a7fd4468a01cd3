package dashboard_test

// What the dashboard tests put into an account before they look at its
// pages: through the public Go client, as a program would.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

// eachAcme runs fn on a test server (no rate limit) of each database
// engine, as servertest.Each does, with the account most tests use:
// acme, whose user signs in with email and password, and api, a client
// of its API. t and the engines' subtests run in parallel: each has a
// server, database, blob directory and browser of its own.
func eachAcme(t *testing.T, fn func(t *testing.T, srv *servertest.Server, api *client.Client)) {
	t.Helper()
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)
		fn(t, srv, client.New(srv.URL, srv.Key("acme")))
	})
}

// must returns v, or fails the test with err: must(c.GetBatch(...))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// invoiceFields is the schema of one field most tests extract.
var invoiceFields = []client.Field{{Key: "invoice_number", Type: client.TypeString, Description: "Invoice number"}}

// upload is one file of a multipart upload.
type upload struct{ name, content string }

// files are the uploads as the client sends them.
func files(ups ...upload) []client.File {
	out := make([]client.File, len(ups))
	for i, u := range ups {
		out[i] = client.File{Name: u.name, Reader: strings.NewReader(u.content)}
	}
	return out
}

// process uploads files as a batch named name of the extraction and
// returns it once it has ended.
func process(t *testing.T, c *client.Client, extID, name string, ups ...upload) *client.BatchResult {
	t.Helper()
	b := must(c.UploadBatch(t.Context(), extID, files(ups...), client.UploadOptions{Name: name}))(t)
	get := func() (*client.BatchResult, error) { return c.GetBatch(t.Context(), extID, b.Batch.ID) }
	return waitEnded(t, get, func(r *client.BatchResult) bool { return r.Batch.Terminal() })
}

// classify is process for a classification.
func classify(t *testing.T, c *client.Client, clsID, name string, ups ...upload) *client.ClassificationBatchResult {
	t.Helper()
	b := must(c.UploadClassificationBatch(t.Context(), clsID, files(ups...), client.UploadOptions{Name: name}))(t)
	get := func() (*client.ClassificationBatchResult, error) {
		return c.GetClassificationBatch(t.Context(), clsID, b.Batch.ID)
	}
	return waitEnded(t, get, func(r *client.ClassificationBatchResult) bool { return r.Batch.Terminal() })
}

// waitEnded calls get until the batch it answers has ended and returns
// that answer. It asks every 20 ms: the client's own wait asks every 2 s
// at the quickest, as the API asks programs to.
func waitEnded[R any](t *testing.T, get func() (R, error), ended func(R) bool) R {
	t.Helper()
	var r R
	if !servertest.Eventually(60*time.Second, func() bool { r = must(get())(t); return ended(r) }) {
		t.Fatalf("the batch did not end: %+v", r)
	}
	return r
}

// classified returns the files of a classification batch as the API
// lists them.
func classified(t *testing.T, c *client.Client, clsID, batchID string) []client.ClassificationFile {
	t.Helper()
	return must(c.GetClassificationBatch(context.Background(), clsID, batchID))(t).Files
}

// fileResult returns the status, result and confidence of the file at
// the dashboard path file (/dashboard/extractions/ext/batches/btc/files/f)
// as the API answers them.
func fileResult(t *testing.T, c *client.Client, file string) (status string, result, confidence map[string]any) {
	t.Helper()
	p := strings.Split(file, "/")
	f := must(c.GetFile(context.Background(), p[3], p[5], p[7]))(t)
	if err := json.Unmarshal(f.Result, &result); err != nil {
		t.Fatalf("decode result %s: %v", f.Result, err)
	}
	if err := json.Unmarshal(f.Confidence, &confidence); err != nil {
		t.Fatalf("decode confidence %s: %v", f.Confidence, err)
	}
	return f.File.Status, result, confidence
}

package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

// waitKind is one kind of batch that the wait tests run on. Extraction
// and classification batches are waited for by the same poller, and every
// test of waiting holds for both.
type waitKind struct {
	name string
	// batches and batch are the counter's kinds of the batch list and of
	// the polling endpoint; unknown is a batch id that does not exist.
	batches, batch, unknown string
	// owner creates what batches are uploaded to; upload answers the
	// new batch.
	owner  func(t *testing.T, c *client.Client) string
	upload func(ctx context.Context, c *client.Client, ownerID string, files []client.File) (*waited, error)
	// wait waits at the fastPoll interval and hands progress the counts
	// of each change it reports.
	wait func(ctx context.Context, c *client.Client, ownerID, batchID string, progress func(client.Counts)) (*waited, error)
}

// waited is what an upload or a wait answered, of either kind.
type waited struct {
	id, status string
	files      int
}

// waitedOf is the answer res of an upload or a wait, a *BatchResult or a
// *ClassificationBatchResult, as waited; err is the call's error.
func waitedOf(res any, err error) (*waited, error) {
	if err != nil {
		return nil, err
	}
	switch r := res.(type) {
	case *client.BatchResult:
		return &waited{id: r.Batch.ID, status: r.Batch.Status, files: len(r.Files)}, nil
	case *client.ClassificationBatchResult:
		return &waited{id: r.Batch.ID, status: r.Batch.Status, files: len(r.Files)}, nil
	}
	panic(fmt.Sprintf("waitedOf(%T)", res))
}

var waitKinds = []waitKind{{
	name:    "extraction",
	batches: "GET /v1/extractions/ext_/batches", batch: "GET /v1/extractions/ext_/batches/btc_", unknown: "btc_01NOPE",
	owner: func(t *testing.T, c *client.Client) string { return createExtraction(t, c, "Invoices").ID },
	upload: func(ctx context.Context, c *client.Client, id string, files []client.File) (*waited, error) {
		return waitedOf(c.UploadBatch(ctx, id, files, client.UploadOptions{}))
	},
	wait: func(ctx context.Context, c *client.Client, id, batchID string, progress func(client.Counts)) (*waited, error) {
		return waitedOf(c.WaitForBatch(ctx, id, batchID, client.WaitOptions{Interval: fastPoll,
			OnProgress: func(b client.Batch) { progress(b.Counts) }}))
	},
}, {
	name:    "classification",
	batches: "GET /v1/classifications/cls_/batches", batch: "GET /v1/classifications/cls_/batches/cbtc_", unknown: "cbtc_01NOPE",
	owner: func(t *testing.T, c *client.Client) string {
		t.Helper()
		cls, err := c.CreateClassification(context.Background(), client.ClassificationParams{Name: "Mailroom",
			Categories: []client.CategoryParams{{Name: "Invoices", Keywords: []string{"invoice"}}, {Name: "Letters", Keywords: []string{"dear"}}}})
		if err != nil {
			t.Fatalf("CreateClassification: %v", err)
		}
		return cls.ID
	},
	upload: func(ctx context.Context, c *client.Client, id string, files []client.File) (*waited, error) {
		return waitedOf(c.UploadClassificationBatch(ctx, id, files, client.UploadOptions{}))
	},
	wait: func(ctx context.Context, c *client.Client, id, batchID string, progress func(client.Counts)) (*waited, error) {
		return waitedOf(c.WaitForClassificationBatch(ctx, id, batchID, client.WaitOptions{Interval: fastPoll,
			OnProgressClassification: func(b client.ClassificationBatch) { progress(b.Counts) }}))
	},
}}

// eachKind runs test once for each kind of batch.
func eachKind(t *testing.T, test func(t *testing.T, k waitKind)) {
	for _, k := range waitKinds {
		t.Run(k.name, func(t *testing.T) { test(t, k) })
	}
}

// textFile is one small text document to upload.
func textFile() []client.File {
	return []client.File{{Name: "a.txt", Reader: strings.NewReader(invoiceText)}}
}

// TestWaitContext: a wait polls its one batch with If-None-Match, reports
// progress once for a batch that stays queued, ends when its context does
// (and its poller stops polling), and returns an *Error for an unknown
// batch.
func TestWaitContext(t *testing.T) {
	eachKind(t, func(t *testing.T, k waitKind) {
		ctx := testContext(t)
		srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
		cnt := newCounter()
		c := newClient(t, srv, "acme", client.WithHTTPClient(&http.Client{Transport: cnt}))
		owner := k.owner(t, c)
		up, err := k.upload(ctx, c, owner, textFile())
		if err != nil {
			t.Fatal(err)
		}

		wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		calls := 0
		_, err = k.wait(wctx, c, owner, up.id, func(client.Counts) { calls++ })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("wait = %v, want the context's deadline", err)
		}
		if calls != 1 {
			t.Errorf("progress reported %d times for a batch that stayed queued, want 1", calls)
		}
		polls := cnt.total()
		time.Sleep(5 * fastPoll) // nothing to wait for: the poller must stay quiet
		if n := cnt.total(); n != polls {
			t.Errorf("%d requests after the wait returned: the poller did not stop", n-polls)
		}
		if cnt.kind(k.batch) < 3 || cnt.status(http.StatusNotModified) == 0 {
			t.Errorf("a single wait polls the batch with If-None-Match, at least 3 times in 300 ms at %v: %v", fastPoll, cnt)
		}
		if _, err := k.wait(ctx, c, owner, k.unknown, func(client.Counts) {}); !client.IsNotFound(err) {
			t.Errorf("unknown batch: %v", err)
		}
	})
}

// TestWaitRateLimited: on a server limiting the key to 1 request/s
// (burst 2), a wait still completes: it honours Retry-After instead of
// polling into the limit.
func TestWaitRateLimited(t *testing.T) {
	eachKind(t, func(t *testing.T, k waitKind) {
		ctx := testContext(t)
		srv := servertest.Start(t, servertest.Options{RateLimit: 1, RateBurst: 2})
		key := srv.Key("acme")
		setup := client.New(srv.URL, key)
		owner := k.owner(t, setup)
		up, err := k.upload(ctx, setup, owner, textFile())
		if err != nil {
			t.Fatal(err)
		}
		// The waiting Client has seen no answer yet; the key's bucket is
		// emptied through another one, so the first poll is refused. Any
		// call counts against the key's limit: listing keys is the cheapest.
		cnt := newCounter()
		c := client.New(srv.URL, key, client.WithHTTPClient(&http.Client{Transport: cnt}))
		client.SetMinPollInterval(c, fastPoll/2)
		other := client.New(srv.URL, key)
		var limited error
		for range 10 {
			if _, limited = other.ListAPIKeysPage(ctx, client.ListParams{}); limited != nil {
				break
			}
		}
		if e := asError(t, limited); e.StatusCode != 429 || e.Code != "rate_limited" || e.RetryAfter < time.Second || !client.IsRateLimited(limited) {
			t.Fatalf("emptying the bucket: %+v", e)
		}
		// And keep it empty for two seconds, like a busy application would.
		busy, stop := context.WithTimeout(ctx, 2*time.Second)
		defer stop()
		go func() {
			for sleepCtx(busy, 10*time.Millisecond) {
				_, _ = other.ListAPIKeysPage(busy, client.ListParams{})
			}
		}()
		before := cnt.status(429)
		start := time.Now()
		res, err := k.wait(ctx, c, owner, up.id, func(client.Counts) {})
		if err != nil {
			t.Fatal(err)
		}
		if res.status != client.BatchProcessed && res.status != client.BatchPartial && res.status != client.BatchFailed {
			t.Errorf("batch %s", res.status)
		}
		// At a 50 ms interval, ignoring Retry-After would be about 20 refusals
		// a second; honouring it, at most one per Retry-After.
		elapsed := time.Since(start)
		got := cnt.status(429) - before
		if got == 0 {
			t.Errorf("the wait was never rate limited: the test proves nothing (%v)", cnt)
		}
		if limit := int(elapsed/time.Second) + 2; got > limit {
			t.Errorf("%d 429s during a %v wait, want at most %d: Retry-After not honoured (%v)", got, elapsed, limit, cnt)
		}
		t.Logf("wait took %v with %d 429s; %v", elapsed, got, cnt)
	})
}

// failing is an http.RoundTripper that answers the first n polls of a
// batch (requests of kind poll) with a 503 of its own, as a proxy before
// a restarting server would, and records when each poll was made.
type failing struct {
	poll string
	n    int
	mu   sync.Mutex
	at   []time.Time
}

func (f *failing) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method+" "+pathKind(r.URL.Path) == f.poll {
		f.mu.Lock()
		f.at = append(f.at, time.Now())
		fail := len(f.at) <= f.n
		f.mu.Unlock()
		if fail {
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(strings.NewReader("restarting")), Request: r}, nil
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (f *failing) polls() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.at...)
}

// TestWaitBackoff: 5xx answers do not fail a wait; it polls again after
// an exponential backoff (at least half of the interval doubled per
// failure) and returns the batch once the server answers.
func TestWaitBackoff(t *testing.T) {
	t.Parallel()
	eachKind(t, func(t *testing.T, k waitKind) {
		t.Parallel() // load only lengthens the gaps it checks
		ctx := testContext(t)
		srv := servertest.Start(t, servertest.Options{NoRateLimit: true})
		const failures = 3
		tr := &failing{poll: k.batch, n: failures}
		c := newClient(t, srv, "acme", client.WithHTTPClient(&http.Client{Transport: tr}))
		owner := k.owner(t, c)
		up, err := k.upload(ctx, c, owner, textFile())
		if err != nil {
			t.Fatal(err)
		}
		res, err := k.wait(ctx, c, owner, up.id, func(client.Counts) {})
		if err != nil {
			t.Fatalf("wait after %d 503s: %v", failures, err)
		}
		if res.id != up.id || res.status != client.BatchProcessed || res.files != 1 {
			t.Errorf("wait = %+v", res)
		}
		at := tr.polls()
		if len(at) <= failures {
			t.Fatalf("%d polls, want more than the %d that failed", len(at), failures)
		}
		// After the n-th failure in a row the wait is the interval doubled
		// n-1 times, less up to half of it for jitter.
		least := fastPoll / 2
		for i := 1; i <= failures; i++ {
			if gap := at[i].Sub(at[i-1]); gap < least {
				t.Errorf("poll %d came %v after failure %d, want at least %v", i+1, gap, i, least)
			}
			least *= 2
		}
	})
}

// TestWaitShared: waits on batches that are still processing share one
// poller, which learns of changes from the batch list, reports progress
// and reads each batch once it has ended; two waits on one batch both get
// it.
func TestWaitShared(t *testing.T) {
	t.Parallel()
	var pdfs [][]byte
	for _, name := range []string{"AzureInterior.pdf", "AmazonWebServices.pdf", "QualityHosting.pdf"} {
		b, err := os.ReadFile(filepath.Join("..", "internal", "extract", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		pdfs = append(pdfs, b)
	}
	eachKind(t, func(t *testing.T, k waitKind) {
		t.Parallel()
		ctx := testContext(t)
		srv := servertest.Start(t, servertest.Options{NoRateLimit: true})
		cnt := newCounter()
		// A poll rate that never holds the poller back, so that it polls
		// every fastPoll while the batches are processed.
		c := newClient(t, srv, "acme", client.WithHTTPClient(&http.Client{Transport: cnt}), client.WithPollRate(1000))
		owner := k.owner(t, c)
		const n = 8
		uploadStart := time.Now()
		var batches []string
		for i := range n {
			var files []client.File
			for j, b := range pdfs {
				files = append(files, client.File{Name: fmt.Sprintf("%d-%d.pdf", i, j), Reader: bytes.NewReader(b)})
			}
			up, err := k.upload(ctx, c, owner, files)
			if err != nil {
				t.Fatal(err)
			}
			batches = append(batches, up.id)
		}
		t.Logf("%d uploads of 3 PDFs in %v", n, time.Since(uploadStart).Round(time.Millisecond))
		before := cnt.total()
		start := time.Now()
		var wg sync.WaitGroup
		results := make([]*waited, n+1)
		errs := make([]error, n+1)
		seen := make([][]client.Counts, n+1)
		for i := range n + 1 {
			id := batches[i%n] // the last wait is a second one on batch 0
			wg.Go(func() {
				results[i], errs[i] = k.wait(ctx, c, owner, id, func(counts client.Counts) { seen[i] = append(seen[i], counts) })
			})
		}
		wg.Wait()
		intermediate := 0
		for i := range n + 1 {
			if errs[i] != nil {
				t.Fatalf("wait %d: %v", i, errs[i])
			}
			r := results[i]
			if r.id != batches[i%n] || r.status != client.BatchProcessed || r.files != 3 {
				t.Errorf("wait %d: %+v", i, r)
			}
			last := seen[i][len(seen[i])-1]
			if last.Done() != 3 {
				t.Errorf("wait %d: last progress %+v", i, last)
			}
			if len(seen[i]) > 1 {
				intermediate++
			}
		}
		if intermediate == 0 {
			t.Errorf("no wait saw its batch before it ended: the test did not exercise progress (%v)", cnt)
		}
		// Per round one list (or one read, when a single batch is left), two
		// reads of new batches in the first rounds and a revalidation every
		// fifth; plus one read per batch that ended. Not one per wait.
		rounds := int(time.Since(start)/fastPoll) + 1
		polls := cnt.total() - before
		if lists := cnt.kind(k.batches); lists == 0 || polls > n+2*rounds+2 {
			t.Errorf("%d requests (%d lists) for %d waits over at most %d rounds: %v", polls, lists, n+1, rounds, cnt)
		}
		t.Logf("%d requests over at most %d rounds; %v; progress %v", polls, rounds, cnt, seen)
	})
}

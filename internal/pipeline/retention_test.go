package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/blob/blobtest"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// fakeClock is the pipeline's clock in a test: it stands still until the
// test moves it.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// postText uploads one text file as a batch to the extraction or
// classification at owner (its API path) and returns the batch's path.
func postText(t *testing.T, srv *servertest.Server, key, owner, name, text string) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("files", name)
	io.WriteString(fw, text)
	mw.Close()
	st, v, _ := api(t, srv.URL, key, "POST", owner+"/batches", mw.FormDataContentType(), buf.Bytes())
	if st != http.StatusAccepted {
		t.Fatalf("upload to %s = %d %v", owner, st, v)
	}
	return owner + "/batches/" + v["batch"].(map[string]any)["id"].(string)
}

// uploadEnded uploads one text file (postText) and waits for its batch to
// end; it returns the batch's path and its files' blob keys.
func uploadEnded(t *testing.T, srv *servertest.Server, key, owner, name, text string) (string, []string) {
	t.Helper()
	path := postText(t, srv, key, owner, name, text)
	var v map[string]any
	ended := servertest.Eventually(60*time.Second, func() bool {
		_, v, _ = api(t, srv.URL, key, "GET", path, "", nil)
		return v["batch"].(map[string]any)["completed_at"] != nil
	})
	if !ended {
		t.Fatalf("%s never ended: %v", path, v)
	}
	var blobs []string
	for _, f := range v["files"].([]any) {
		blobs = append(blobs, blobKey(t, srv, f.(map[string]any)["id"].(string)))
	}
	return path, blobs
}

// pollStatus polls the batch at path with If-None-Match: etag and
// returns the status code.
func pollStatus(t *testing.T, srv *servertest.Server, key, path, etag string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("If-None-Match", etag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// isStored reports whether the server's blob store holds key.
func isStored(t *testing.T, srv *servertest.Server, key string) bool {
	t.Helper()
	r, _, err := srv.Blobs.Open(context.Background(), key)
	if errors.Is(err, blob.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatalf("open document %s: %v", key, err)
	}
	r.Close()
	return true
}

// blobKey reads a file's blob key, of either kind.
func blobKey(t *testing.T, srv *servertest.Server, fileID string) string {
	t.Helper()
	var k string
	if err := srv.DB.Writer().QueryRowContext(context.Background(),
		`SELECT blob_key FROM files WHERE id = $1 UNION SELECT blob_key FROM classification_files WHERE id = $1`, fileID).Scan(&k); err != nil {
		t.Fatalf("blob key of %s: %v", fileID, err)
	}
	return k
}

func createJSON(t *testing.T, srv *servertest.Server, key, path string, body any) string {
	t.Helper()
	b, _ := json.Marshal(body)
	st, v, _ := api(t, srv.URL, key, "POST", path, "application/json", b)
	if st != http.StatusCreated {
		t.Fatalf("POST %s = %d %v", path, st, v)
	}
	for _, obj := range v {
		if m, ok := obj.(map[string]any); ok {
			return m["id"].(string)
		}
	}
	t.Fatalf("POST %s: no object in %v", path, v)
	return ""
}

const letterText = "Dear Ms Smith,\nThank you for your letter of May 3rd. We will call you next week.\nYours sincerely,\nJohn Brown\n"

// TestPeriodicRetention: with --retention 7 days, River's periodic
// retention job, on the pipeline's fake clock, deletes the batches of
// both kinds that ended more than 7 days ago (the API answers 404; a
// file needing review leaves the review queue), their stored documents
// (those a classification handed to an extraction too, once neither
// file remains) and the webhook attempts of that time; it keeps younger
// batches, another account's by their own age, a batch that never ended,
// and younger attempts.
func TestPeriodicRetention(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		t.Parallel()
		ctx := context.Background()
		clock := newFakeClock(time.Now())
		const retention = 7 * 24 * time.Hour
		o := servertest.Options{Engine: engine, NoRateLimit: true, Now: clock.Now,
			Retention: retention, RetentionInterval: 200 * time.Millisecond, HoldWorkers: true}
		// Documents in a directory on SQLite, in an S3 bucket on
		// PostgreSQL (as a cluster keeps them).
		if engine == store.Postgres {
			o.Blobs = blobtest.Start(t).Store(t)
		}
		srv := servertest.Start(t, o)
		stored := func(key string) bool { return isStored(t, srv, key) }
		key, otherKey := srv.Key("acme"), srv.Key("other")
		// A document whose rows a run deleted, but not the document (a
		// crash after the commit, or a failed delete): the next run
		// deletes it.
		const orphan = "acc_gone/btc_gone/file_gone"
		if _, _, err := srv.Blobs.Put(ctx, orphan, strings.NewReader("left behind"), -1, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.DB.Writer().ExecContext(ctx, `INSERT INTO blob_deletions (blob_key) VALUES ($1)`, orphan); err != nil {
			t.Fatal(err)
		}
		rc := servertest.NewReceiver(t)
		createJSON(t, srv, key, "/v1/webhook_endpoints", map[string]any{"url": rc.URL + "/hooks"})

		// A batch that never ends: its job is gone, as in a database
		// copied from another installation before RequeueUnfinished.
		ext := "/v1/extractions/" + createJSON(t, srv, key, "/v1/extractions", reviewSchema)
		unfinished := postText(t, srv, key, ext, "stuck.txt", "Invoice No: 1\n")
		if _, err := srv.DB.Writer().ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'process_file'`); err != nil {
			t.Fatal(err)
		}
		srv.StartWorkers()

		// Day 0: a file that needs review, a letter classified and an
		// invoice classified and handed on to the extraction (one stored
		// document for both), another account's batch.
		oldReview, oldReviewBlobs := uploadEnded(t, srv, key, ext, "invoice.txt", "ACME Supplies\nInvoice No: 42183017\nTotal: 12.00 EUR\n")
		cls := "/v1/classifications/" + createJSON(t, srv, key, "/v1/classifications", map[string]any{"name": "Mail", "categories": []map[string]any{
			{"name": "Invoices", "keywords": []string{"invoice", "amount due", "total"}, "linked_extraction_id": ext[len("/v1/extractions/"):]},
			{"name": "Letters", "keywords": []string{"dear", "yours sincerely"}}}})
		oldLetter, oldLetterBlobs := uploadEnded(t, srv, key, cls, "letter.txt", letterText)
		oldInvoice, oldInvoiceBlobs := uploadEnded(t, srv, key, cls, "bill.txt", "Invoice No: 7\nTotal amount due: 30.00 EUR\n")
		_, v, _ := api(t, srv.URL, key, "GET", oldInvoice, "", nil)
		linked, _ := v["files"].([]any)[0].(map[string]any)["linked_batch_id"].(string)
		if linked == "" {
			t.Fatalf("the invoice was not handed on to the extraction: %v", v)
		}
		oldChained := ext + "/batches/" + linked
		if !servertest.Eventually(60*time.Second, func() bool {
			_, v, _ := api(t, srv.URL, key, "GET", oldChained, "", nil)
			return v["batch"].(map[string]any)["completed_at"] != nil
		}) {
			t.Fatal("the chained batch never ended")
		}
		otherExt := "/v1/extractions/" + createJSON(t, srv, otherKey, "/v1/extractions", reviewSchema)
		otherOld, otherOldBlobs := uploadEnded(t, srv, otherKey, otherExt, "a.txt", "Invoice No: 5\n")
		rc.WaitN(30*time.Second, 1)
		attemptsBefore := func(at time.Time) int {
			var n int
			if err := srv.DB.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM delivery_attempts WHERE created_at < $1`, at.UnixMicro()).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// River's leader has run the retention job on day 0, and it
		// deleted nothing (checked on day 6).
		ran := servertest.Eventually(30*time.Second, func() bool {
			var n int
			if err := srv.DB.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'retention' AND state = 'completed'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		})
		if !ran {
			t.Fatal("no retention job ran")
		}
		if !servertest.Eventually(10*time.Second, func() bool { return !stored(orphan) }) {
			t.Error("the retention job did not delete the pending document")
		}
		if left, err := srv.DB.PendingBlobDeletions(ctx, "", 10); err != nil || len(left) != 0 {
			t.Errorf("pending deletions after the run: %v, %v", left, err)
		}
		day0 := clock.Now()

		// Day 6: a batch of each account; day 8: the day-0 work is past
		// the retention.
		clock.Advance(6 * 24 * time.Hour)
		young, youngBlobs := uploadEnded(t, srv, key, ext, "young.txt", "Invoice No: 9\n")
		otherYoung, otherYoungBlobs := uploadEnded(t, srv, otherKey, otherExt, "b.txt", "Invoice No: 6\n")
		youngLetter, youngLetterBlobs := uploadEnded(t, srv, key, cls, "letter2.txt", letterText)
		day6 := clock.Now()
		youngAttempts := func() int { return attemptsBefore(day6.Add(time.Hour)) - attemptsBefore(day6) }
		if !servertest.Eventually(30*time.Second, func() bool { return youngAttempts() > 0 }) {
			t.Fatal("no webhook attempt on day 6")
		}
		if attemptsBefore(day0.Add(time.Hour)) == 0 {
			t.Fatal("no webhook attempt on day 0")
		}
		etags := map[string]string{}
		for _, p := range []string{oldReview, oldLetter, oldInvoice, oldChained, young, unfinished} {
			st, _, h := api(t, srv.URL, key, "GET", p, "", nil)
			if st != http.StatusOK {
				t.Fatalf("on day 6, GET %s = %d: retention deleted it a day early", p, st)
			}
			etags[p] = h.Get("ETag")
		}
		// Polls of the batches keep their versions in memory.
		for p, etag := range etags {
			if st := pollStatus(t, srv, key, p, etag); st != http.StatusNotModified {
				t.Fatalf("on day 6, a poll of %s with its ETag = %d, want 304", p, st)
			}
		}
		clock.Advance(2 * 24 * time.Hour)

		gone := map[string]string{oldReview: key, oldLetter: key, oldInvoice: key, oldChained: key, otherOld: otherKey}
		deleted := servertest.Eventually(30*time.Second, func() bool {
			for p, k := range gone {
				if st, _, _ := api(t, srv.URL, k, "GET", p, "", nil); st != http.StatusNotFound {
					return false
				}
			}
			return true
		})
		if !deleted {
			for p, k := range gone {
				st, _, _ := api(t, srv.URL, k, "GET", p, "", nil)
				t.Errorf("on day 8, GET %s = %d, want 404", p, st)
			}
			t.FailNow()
		}
		// A poll with the ETag of a deleted batch is not answered from
		// memory.
		for _, p := range []string{oldReview, oldLetter, oldInvoice, oldChained} {
			if st := pollStatus(t, srv, key, p, etags[p]); st != http.StatusNotFound {
				t.Errorf("on day 8, a poll of %s with its ETag = %d, want 404", p, st)
			}
		}
		file := oldReview + "/files/" + filepath.Base(oldReviewBlobs[0])
		for _, p := range []string{file, file + "/content", oldReview + "/export?format=csv"} {
			if st, _, _ := api(t, srv.URL, key, "GET", p, "", nil); st != http.StatusNotFound {
				t.Errorf("on day 8, GET %s = %d, want 404", p, st)
			}
		}
		for p, k := range map[string]string{young: key, unfinished: key, youngLetter: key, otherYoung: otherKey} {
			if st, v, _ := api(t, srv.URL, k, "GET", p, "", nil); st != http.StatusOK {
				t.Errorf("on day 8, GET %s = %d %v, want 200", p, st, v)
			}
		}
		acme, err := srv.DB.AccountByName(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		queue, _, err := srv.DB.ReviewQueue(ctx, acme.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var inQueue []string
		for _, it := range queue {
			inQueue = append(inQueue, ext+"/batches/"+it.File.BatchID)
		}
		if !slices.Equal(inQueue, []string{young}) {
			t.Errorf("the review queue holds the files of %v, want those of %s only", inQueue, young)
		}
		for _, k := range append(append(append(append([]string{}, oldReviewBlobs...), oldLetterBlobs...), oldInvoiceBlobs...), otherOldBlobs...) {
			if stored(k) {
				t.Errorf("document %s of a deleted batch is still stored", k)
			}
		}
		for _, k := range append(append(append([]string{}, youngBlobs...), otherYoungBlobs...), youngLetterBlobs...) {
			if !stored(k) {
				t.Errorf("document %s of a young batch is gone", k)
			}
		}
		if !servertest.Eventually(10*time.Second, func() bool { return attemptsBefore(day0.Add(time.Hour)) == 0 }) {
			t.Errorf("%d webhook attempts of day 0 left", attemptsBefore(day0.Add(time.Hour)))
		}
		if youngAttempts() == 0 {
			t.Error("the webhook attempts of day 6 are gone")
		}
	})
}

// TestRetentionOff: without --retention nothing is deleted, however old.
func TestRetentionOff(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		t.Parallel()
		clock := newFakeClock(time.Now())
		srv := servertest.Start(t, servertest.Options{Engine: engine, NoRateLimit: true, Now: clock.Now})
		key := srv.Key("acme")
		ext := "/v1/extractions/" + createJSON(t, srv, key, "/v1/extractions", reviewSchema)
		p, blobs := uploadEnded(t, srv, key, ext, "invoice.txt", "Invoice No: 1\n")
		clock.Advance(10 * 365 * 24 * time.Hour)
		r, err := srv.Service.Retention(context.Background())
		if err != nil || r.Batches != 0 {
			t.Fatalf("Retention = %+v, %v, want nothing deleted", r, err)
		}
		if st, _, _ := api(t, srv.URL, key, "GET", p, "", nil); st != http.StatusOK {
			t.Errorf("GET %s = %d", p, st)
		}
		if !isStored(t, srv, blobs[0]) {
			t.Error("the document is gone")
		}
	})
}

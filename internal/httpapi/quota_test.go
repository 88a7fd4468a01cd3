package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// textFiles returns n one-line text files of size bytes each.
func textFiles(n, size int) []upload {
	files := make([]upload, n)
	for i := range files {
		files[i] = upload{name: "note.txt", content: []byte(strings.Repeat("x", size-1) + "\n")}
	}
	return files
}

// TestQuotaFilesPerDay: an upload that would take the account past its
// files per day is refused whole with 429 file_quota_exceeded and
// Retry-After until 00:00 UTC, nothing stored; up to the quota exactly
// passes; classification uploads count too; another account is not
// affected; the next UTC day the quota is back.
func TestQuotaFilesPerDay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		var clock atomic.Int64
		clock.Store(time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC).UnixNano())
		now := func() time.Time { return time.Unix(0, clock.Load()) }
		e := newEnv(t, eng, envOptions{now: now, quotas: pipeline.Quotas{FilesPerDay: 5}})
		ext := e.createExtraction()
		if r := e.upload(ext, textFiles(3, 10)); r.status != http.StatusAccepted {
			t.Fatalf("3 files: %d %s", r.status, r.body)
		}
		stored := countFiles(t, e.blobDir)
		r := e.upload(ext, textFiles(3, 10))
		if r.status != http.StatusTooManyRequests || errorCode(t, r) != "file_quota_exceeded" {
			t.Fatalf("3 more files: %d %s, want 429 file_quota_exceeded", r.status, r.body)
		}
		if got := r.header.Get("Retry-After"); got != "3600" {
			t.Errorf("Retry-After = %q, want 3600 (until 00:00 UTC)", got)
		}
		if msg := r.json(t)["error"].(string); !strings.Contains(msg, "5 files per day") || !strings.Contains(msg, "nothing was stored") {
			t.Errorf("message %q does not name the quota or say nothing was stored", msg)
		}
		if n := countFiles(t, e.blobDir); n != stored {
			t.Errorf("%d blobs after the refused upload, want %d", n, stored)
		}
		if r := e.upload(ext, textFiles(2, 10)); r.status != http.StatusAccepted {
			t.Fatalf("2 files, reaching the quota: %d %s", r.status, r.body)
		}
		// Used up: refused before the body is read.
		if r := e.upload(ext, textFiles(1, 10)); r.status != http.StatusTooManyRequests {
			t.Fatalf("one file past the quota: %d %s", r.status, r.body)
		}
		cls := e.createClassification(mailroomClassification(""))["id"].(string)
		if r := e.uploadClassification(cls, []upload{{"letter.txt", lines(letterDoc)}}); r.status != http.StatusTooManyRequests {
			t.Fatalf("classification upload past the quota: %d %s", r.status, r.body)
		}
		other := e.newKey("other")
		extOther := e.do("POST", "/v1/extractions", other, "application/json", bytes.NewReader(mustMarshal(t, invoiceSchema))).json(t)["extraction"].(map[string]any)["id"].(string)
		ct, body := multipartBody(t, "", textFiles(5, 10))
		if r := e.do("POST", "/v1/extractions/"+extOther+"/batches", other, ct, bytes.NewReader(body)); r.status != http.StatusAccepted {
			t.Fatalf("another account: %d %s", r.status, r.body)
		}
		clock.Add(int64(time.Hour))
		if r := e.upload(ext, textFiles(5, 10)); r.status != http.StatusAccepted {
			t.Fatalf("the next day: %d %s", r.status, r.body)
		}
	})
}

// TestQuotaStoredBytes: an upload that would take the account's stored
// documents past the quota is refused whole with 413
// storage_quota_exceeded, nothing stored, whether the file that crosses
// it is the first or a later one of the upload; up to the quota exactly
// passes; deleting an extraction frees its bytes.
func TestQuotaStoredBytes(t *testing.T) {
	eachEnv(t, envOptions{quotas: pipeline.Quotas{StoredBytes: 1000}}, func(t *testing.T, e *env) {
		ext := e.createExtraction()
		if r := e.upload(ext, textFiles(2, 300)); r.status != http.StatusAccepted {
			t.Fatalf("600 bytes: %d %s", r.status, r.body)
		}
		stored := countFiles(t, e.blobDir)
		for _, files := range [][]upload{textFiles(1, 500), append(textFiles(1, 100), textFiles(1, 350)...)} {
			r := e.upload(ext, files)
			if r.status != http.StatusRequestEntityTooLarge || errorCode(t, r) != "storage_quota_exceeded" {
				t.Fatalf("upload past the quota: %d %s, want 413 storage_quota_exceeded", r.status, r.body)
			}
			if msg := r.json(t)["error"].(string); !strings.Contains(msg, "1000 bytes") || !strings.Contains(msg, "600 bytes are stored") {
				t.Errorf("message %q does not name the quota and the stored bytes", msg)
			}
			if n := countFiles(t, e.blobDir); n != stored {
				t.Errorf("%d blobs after the refused upload, want %d", n, stored)
			}
		}
		// Two uploads at once that fit alone but not together: one
		// passes, whichever commits second is refused.
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.upload(ext, textFiles(1, 300)).status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if statuses[0] != http.StatusAccepted || statuses[1] != http.StatusRequestEntityTooLarge {
			t.Fatalf("two concurrent uploads of 300 bytes with 400 left: %v, want one 202 and one 413", statuses)
		}
		if r := e.upload(ext, textFiles(1, 100)); r.status != http.StatusAccepted {
			t.Fatalf("100 bytes, reaching the quota: %d %s", r.status, r.body)
		}
		if r := e.upload(ext, textFiles(1, 1)); r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("one byte past the quota: %d %s", r.status, r.body)
		}
		e.mustDelete("/v1/extractions/" + ext)
		if r := e.upload(e.createExtraction(), textFiles(1, 1000)); r.status != http.StatusAccepted {
			t.Fatalf("after deleting: %d %s", r.status, r.body)
		}
	})
}

// TestQuotaExtractions: an account holds at most the quota of
// extractions, and apart from them of classifications; one more answers
// 409 limit_reached; deleting one makes room.
func TestQuotaExtractions(t *testing.T) {
	eachEnv(t, envOptions{quotas: pipeline.Quotas{Extractions: 2}}, func(t *testing.T, e *env) {
		first := e.createExtraction()
		e.createExtraction()
		r := e.doJSON("POST", "/v1/extractions", invoiceSchema)
		if r.status != http.StatusConflict || errorCode(t, r) != "limit_reached" || !strings.Contains(string(r.body), "at most 2 extractions") {
			t.Fatalf("third extraction: %d %s, want 409 limit_reached", r.status, r.body)
		}
		e.createClassification(mailroomClassification(""))
		e.createClassification(mailroomClassification(""))
		if r := e.doJSON("POST", "/v1/classifications", mailroomClassification("")); r.status != http.StatusConflict || errorCode(t, r) != "limit_reached" {
			t.Fatalf("third classification: %d %s, want 409 limit_reached", r.status, r.body)
		}
		e.mustDelete("/v1/extractions/" + first)
		e.createExtraction()
	})
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

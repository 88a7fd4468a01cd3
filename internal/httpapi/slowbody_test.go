package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// TestSlowUploadCutOff: an upload whose body trickles in (headers and a
// first 2000 bytes at once, then 10 bytes/s) over a real connection is cut
// off once it falls under the minimum rate after the grace period: the
// server answers 408 request_timeout and closes the connection, and the
// temporary file and the upload's folder are gone. A body that keeps the
// rate but not the overall deadline is cut off too, and a normal upload
// still works. Small limits through the config: 1000 bytes/s after 1 s,
// whole within 4 s.
func TestSlowUploadCutOff(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		t.Parallel()
		cfg := ratelimit.BodyConfig{MinRate: 1000, Grace: time.Second, Timeout: 4 * time.Second}
		srv := servertest.Start(t, servertest.Options{Engine: engine, NoWorkers: true, NoRateLimit: true, Body: cfg})
		key := srv.Key("acme")
		call := func(method, path, ct string, body io.Reader, length int64) (*http.Response, []byte, error) {
			req, err := http.NewRequest(method, srv.URL+path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = length
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, nil, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return resp, b, err
		}
		schema := `{"name":"Invoices","fields":[{"key":"total","type":"number","description":"Total"}]}`
		resp, b, err := call("POST", "/v1/extractions", "application/json", strings.NewReader(schema), int64(len(schema)))
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("create extraction: %v %s", err, b)
		}
		var ext struct{ Extraction struct{ ID string } }
		if err := json.Unmarshal(b, &ext); err != nil {
			t.Fatal(err)
		}
		path := "/v1/extractions/" + ext.Extraction.ID + "/batches"

		// trickle sends the upload's headers and a first 2000 bytes at
		// once, then size bytes every interval, and reads the answer.
		// While the body trickles, the file being received is a temporary
		// file in the blob store.
		trickle := func(every time.Duration, size int) (status int, code string, elapsed time.Duration, sawTemp, closed bool) {
			a := srv.Trickle(servertest.Trickle{Path: path, Header: "Authorization: Bearer " + key + "\r\n",
				First: bytes.Repeat([]byte("x"), 2000), Every: every, Chunk: bytes.Repeat([]byte("y"), size), Wait: cfg.Timeout + 5*time.Second,
				During: func() {
					sawTemp = servertest.Eventually(time.Second, func() bool {
						files, _ := srv.BlobEntries()
						for _, f := range files {
							if strings.HasPrefix(filepath.Base(f), ".upload-") {
								return true
							}
						}
						return false
					})
				}})
			var eb struct{ Code, Error string }
			_ = json.Unmarshal(a.Body, &eb)
			t.Logf("trickle every %v of %d bytes: %d %s after %v; temporary file seen %v; closed %v", every, size, a.Status, eb.Code, a.Elapsed, sawTemp, a.Closed)
			return a.Status, eb.Code, a.Elapsed, sawTemp, a.Closed
		}

		// 10 bytes/s: under the rate once the grace and the 2 s the first
		// 2000 bytes earned are spent, about 3 s in.
		status, code, elapsed, sawTemp, closed := trickle(time.Second, 10)
		if status != http.StatusRequestTimeout || code != "request_timeout" {
			t.Fatalf("slow upload answered %d %q after %v, want 408 request_timeout", status, code, elapsed)
		}
		if elapsed < 2*time.Second || elapsed > 4*time.Second+time.Second {
			t.Fatalf("slow upload cut off after %v, want about 3 s (grace 1 s + 2000 bytes at 1000 bytes/s)", elapsed)
		}
		if !sawTemp {
			t.Fatal("no temporary upload file seen while the body trickled: the test proves nothing")
		}
		if !closed {
			t.Fatal("the connection stayed open 2 s after the answer")
		}
		if files, dirs := srv.BlobEntries(); len(files) != 0 || len(dirs) > 1 {
			t.Fatalf("after the cut-off the blob store holds files %v and folders %v, want at most the account's empty folder", files, dirs)
		}

		// 1500 bytes every 1 s keeps the rate but not the 4 s deadline.
		status, code, elapsed, _, closed = trickle(time.Second, 1500)
		if status != http.StatusRequestTimeout || code != "request_timeout" || !closed || elapsed > cfg.Timeout+time.Second {
			t.Fatalf("upload over the overall deadline answered %d %q after %v (connection closed: %v), want 408 within about %v and a close",
				status, code, elapsed, closed, cfg.Timeout)
		}
		if files, dirs := srv.BlobEntries(); len(files) != 0 || len(dirs) > 1 {
			t.Fatalf("after the deadline the blob store holds files %v and folders %v", files, dirs)
		}

		// A normal upload still works.
		ct, body := servertest.UploadForm(nil, servertest.File{Name: "a.txt", Content: []byte("Invoice No: 7\nTotal: 12.50\n")})
		resp, b, err = call("POST", path, ct, bytes.NewReader(body), int64(len(body)))
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("normal upload: %v %s", err, b)
		}
		if files, _ := srv.BlobEntries(); len(files) != 1 {
			t.Fatalf("after a normal upload the blob store holds %v, want its one file", files)
		}
	})
}

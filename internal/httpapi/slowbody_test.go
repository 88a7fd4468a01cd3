package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// blobEntries lists what is under dir: files and folders, relative.
func blobEntries(t *testing.T, dir string) (files, dirs []string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel != "." {
				dirs = append(dirs, rel)
			}
		} else {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files, dirs
}

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

		// trickle sends, over its own connection, the request's headers,
		// the multipart head and a first 2000 bytes at once, then size
		// bytes every interval, and reads the answer. It reports whether
		// the server then closed the connection.
		trickle := func(every time.Duration, size int) (status int, code string, elapsed time.Duration, sawTemp, closed bool) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var head bytes.Buffer
			fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: docparse\r\nAuthorization: Bearer %s\r\n"+
				"Content-Type: multipart/form-data; boundary=slowboundary\r\nContent-Length: %d\r\n\r\n", path, key, 10<<20)
			mw := multipart.NewWriter(&head)
			if err := mw.SetBoundary("slowboundary"); err != nil {
				t.Fatal(err)
			}
			if _, err := mw.CreateFormFile("files", "slow.txt"); err != nil {
				t.Fatal(err)
			}
			head.Write(bytes.Repeat([]byte("x"), 2000))
			start := time.Now()
			if _, err := conn.Write(head.Bytes()); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				chunk := bytes.Repeat([]byte("y"), size)
				for {
					select {
					case <-stop:
						return
					case <-time.After(every):
					}
					if _, err := conn.Write(chunk); err != nil {
						return
					}
				}
			}()
			done := make(chan struct{})
			go func() {
				// While the body trickles, the file being received is a
				// temporary file in the blob store.
				defer close(done)
				sawTemp = servertest.Eventually(time.Second, func() bool {
					files, _ := blobEntries(t, srv.BlobDir)
					for _, f := range files {
						if strings.HasPrefix(filepath.Base(f), ".upload-") {
							return true
						}
					}
					return false
				})
			}()
			br := bufio.NewReader(conn)
			conn.SetReadDeadline(time.Now().Add(cfg.Timeout + 5*time.Second))
			resp, err := http.ReadResponse(br, nil)
			elapsed = time.Since(start)
			<-done
			if err != nil {
				t.Fatalf("slow upload after %v: %v (want a 408 answer)", elapsed, err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read the answer: %v", err)
			}
			var eb struct{ Code, Error string }
			_ = json.Unmarshal(b, &eb)
			// The server closes the connection: the read after the answer
			// ends (EOF or reset), it does not time out.
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err = io.Copy(io.Discard, br)
			var ne net.Error
			closed = !(errors.As(err, &ne) && ne.Timeout())
			t.Logf("trickle every %v of %d bytes: %d %s after %v; temporary file seen %v; closed %v", every, size, resp.StatusCode, eb.Code, elapsed, sawTemp, closed)
			return resp.StatusCode, eb.Code, elapsed, sawTemp, closed
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
		if files, dirs := blobEntries(t, srv.BlobDir); len(files) != 0 || len(dirs) > 1 {
			t.Fatalf("after the cut-off the blob store holds files %v and folders %v, want at most the account's empty folder", files, dirs)
		}

		// 1500 bytes every 1 s keeps the rate but not the 4 s deadline.
		status, code, elapsed, _, closed = trickle(time.Second, 1500)
		if status != http.StatusRequestTimeout || code != "request_timeout" || !closed || elapsed > cfg.Timeout+time.Second {
			t.Fatalf("upload over the overall deadline answered %d %q after %v (connection closed: %v), want 408 within about %v and a close",
				status, code, elapsed, closed, cfg.Timeout)
		}
		if files, dirs := blobEntries(t, srv.BlobDir); len(files) != 0 || len(dirs) > 1 {
			t.Fatalf("after the deadline the blob store holds files %v and folders %v", files, dirs)
		}

		// A normal upload still works.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("files", "a.txt")
		fmt.Fprint(fw, "Invoice No: 7\nTotal: 12.50\n")
		mw.Close()
		resp, b, err = call("POST", path, mw.FormDataContentType(), bytes.NewReader(body.Bytes()), int64(body.Len()))
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("normal upload: %v %s", err, b)
		}
		if files, _ := blobEntries(t, srv.BlobDir); len(files) != 1 {
			t.Fatalf("after a normal upload the blob store holds %v, want its one file", files)
		}
	})
}

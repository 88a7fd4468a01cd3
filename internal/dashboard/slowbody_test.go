package dashboard_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
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

// TestSlowDashboardUpload: a dashboard upload (the upload script's) whose
// body trickles in over a real connection is cut off after the grace
// period with 408 and a message, the connection is closed, and the blob
// store keeps no temporary file and no folder of it.
func TestSlowDashboardUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		srv := servertest.Start(t, servertest.Options{Engine: engine, NoWorkers: true, NoRateLimit: true,
			Body: ratelimit.BodyConfig{MinRate: 1000, Grace: time.Second, Timeout: 10 * time.Second}})
		srv.User("acme", email, password)
		key := srv.Key("acme")
		schema := `{"name":"Invoices","fields":[{"key":"total","type":"number","description":"Total"}]}`
		req, _ := http.NewRequest("POST", srv.URL+"/v1/extractions", strings.NewReader(schema))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ext struct{ Extraction struct{ ID string } }
		if err := json.NewDecoder(resp.Body).Decode(&ext); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("create extraction: %d %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		b := newBrowser(t, srv.URL)
		csrf := b.login(email, password).csrf(t)

		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var head bytes.Buffer
		fmt.Fprintf(&head, "POST /dashboard/extractions/%s/batches HTTP/1.1\r\nHost: docparse\r\nCookie: dp_session=%s\r\n"+
			"X-CSRF-Token: %s\r\nAccept: application/json\r\nContent-Type: multipart/form-data; boundary=slowboundary\r\nContent-Length: %d\r\n\r\n",
			ext.Extraction.ID, b.sessionCookie(), csrf, 10<<20)
		mw := multipart.NewWriter(&head)
		if err := mw.SetBoundary("slowboundary"); err != nil {
			t.Fatal(err)
		}
		if _, err := mw.CreateFormFile("files", "slow.txt"); err != nil {
			t.Fatal(err)
		}
		head.WriteString("the first bytes")
		start := time.Now()
		if _, err := conn.Write(head.Bytes()); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(500 * time.Millisecond):
				}
				if _, err := conn.Write([]byte("y")); err != nil {
					return
				}
			}
		}()
		br := bufio.NewReader(conn)
		conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		resp, err = http.ReadResponse(br, nil)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("slow upload after %v: %v (want a 408 answer)", elapsed, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "The upload arrived too slowly") {
			t.Fatalf("slow dashboard upload: %d after %v: %s", resp.StatusCode, elapsed, body)
		}
		if elapsed > 3*time.Second {
			t.Fatalf("slow dashboard upload cut off after %v, want about 1 s", elapsed)
		}
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.Copy(io.Discard, br); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the connection stayed open 2 s after the answer")
			}
		}
		var left []string
		filepath.WalkDir(srv.BlobDir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && p != srv.BlobDir && (!d.IsDir() || strings.Count(strings.TrimPrefix(p, srv.BlobDir), string(filepath.Separator)) > 1) {
				left = append(left, p)
			}
			return nil
		})
		if len(left) != 0 {
			t.Fatalf("the cut-off upload left %v in the blob store", left)
		}
	})
}

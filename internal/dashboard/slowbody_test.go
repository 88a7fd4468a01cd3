package dashboard_test

import (
	"encoding/json"
	"net/http"
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

		a := srv.Trickle(servertest.Trickle{Path: "/dashboard/extractions/" + ext.Extraction.ID + "/batches",
			Header: "Cookie: dp_session=" + b.sessionCookie() + "\r\nX-CSRF-Token: " + csrf + "\r\nAccept: application/json\r\n",
			First:  []byte("the first bytes"), Every: 500 * time.Millisecond, Chunk: []byte("y"), Wait: 15 * time.Second})
		if a.Status != http.StatusRequestTimeout || !strings.Contains(string(a.Body), "The upload arrived too slowly") {
			t.Fatalf("slow dashboard upload: %d after %v: %s", a.Status, a.Elapsed, a.Body)
		}
		if a.Elapsed > 3*time.Second {
			t.Fatalf("slow dashboard upload cut off after %v, want about 1 s", a.Elapsed)
		}
		if !a.Closed {
			t.Fatal("the connection stayed open 2 s after the answer")
		}
		if files, dirs := srv.BlobEntries(); len(files) != 0 || len(dirs) > 1 {
			t.Fatalf("the cut-off upload left files %v and folders %v in the blob store", files, dirs)
		}
	})
}

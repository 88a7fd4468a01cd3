package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/servertest"
)

// TestDashboardRateLimited: a signed-in user's pages, polls and uploads
// draw on the account's bucket, shared with its API keys: past the burst
// they answer 429 with Retry-After and a message (JSON for the upload
// script); another account is unaffected. Key creation from the dashboard
// is limited per hour.
func TestDashboardRateLimited(t *testing.T) {
	servertest.Each(t, servertest.Options{NoWorkers: true, RateLimit: 0.1, RateBurst: 6, KeysPerHour: 2}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)
		srv.User("other", "bob@example.com", password)
		key := srv.Key("acme")
		b := newBrowser(t, srv.URL)
		csrf := b.login(email, password).csrf(t) // the landing page takes 1

		// Two keys from the dashboard (2 requests each: the POST and
		// nothing else, answered directly), the third refused for the hour.
		for i := 0; i < 2; i++ {
			if p := b.post("/dashboard/api/keys", url.Values{"csrf_token": {csrf}, "name": {"k"}}); p.status != http.StatusOK {
				t.Fatalf("key %d: %d\n%s", i, p.status, p.body)
			}
		}
		p := b.post("/dashboard/api/keys", url.Values{"csrf_token": {csrf}, "name": {"k"}})
		if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "has created 2 keys within the hour") {
			t.Fatalf("third key within the hour: %d\n%s", p.status, p.body)
		}
		// 4 of the burst of 6 are spent; the API key takes the fifth.
		if s := apiStatus(t, srv.URL, key); s != http.StatusOK {
			t.Fatalf("API request within the account's burst: %d", s)
		}
		if p := b.get("/dashboard/extractions"); p.status != http.StatusOK {
			t.Fatalf("sixth request: %d", p.status)
		}
		// The bucket is empty: a page, the upload script and the API key
		// are all refused.
		resp, err := b.c.Get(srv.URL + "/dashboard/extractions")
		if err != nil {
			t.Fatal(err)
		}
		p = read(t, resp)
		if p.status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(p.body, "Too many requests for this account") {
			t.Fatalf("page past the burst: %d Retry-After %q\n%s", p.status, resp.Header.Get("Retry-After"), p.body)
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/dashboard/extractions/ext_x/batches", strings.NewReader("--b--\r\n"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		resp, err = b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		p = read(t, resp)
		if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, `"error":"Too many requests for this account`) {
			t.Fatalf("upload past the burst: %d\n%s", p.status, p.body)
		}
		if s := apiStatus(t, srv.URL, key); s != http.StatusTooManyRequests {
			t.Fatalf("API key of the account after the dashboard spent the bucket: %d, want 429", s)
		}

		// Another account is unaffected.
		other := newBrowser(t, srv.URL)
		if p := other.login("bob@example.com", password); p.status != http.StatusOK || p.path != "/dashboard/" {
			t.Fatalf("another account: %d on %s", p.status, p.path)
		}
	})
}

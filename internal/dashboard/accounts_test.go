package dashboard_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/servertest"
)

// apiCall sends a JSON API request with key and decodes the answer,
// failing the test on a non-2xx status.
func apiCall(t *testing.T, base, key, method, path, contentType string, body []byte) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, b)
	}
	var v map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
	}
	return v
}

// seedAccount gives an account data whose every name carries marker: an
// API key, a webhook endpoint, an extraction and a finished batch, and a
// classification (a category linked to the extraction) with a finished
// batch whose file was chained to the extraction.
func seedAccount(t *testing.T, srv *servertest.Server, account, marker, hookURL string) {
	t.Helper()
	key := srv.Key(account)
	j := func(v any) []byte { b, _ := json.Marshal(v); return b }
	apiCall(t, srv.URL, key, "POST", "/v1/api_keys", "application/json", j(map[string]any{"name": marker + "-key"}))
	apiCall(t, srv.URL, key, "POST", "/v1/webhook_endpoints", "application/json", j(map[string]any{"url": hookURL + "/" + marker}))
	ext := apiCall(t, srv.URL, key, "POST", "/v1/extractions", "application/json", j(map[string]any{
		"name": marker + " invoices", "description": marker,
		"fields": []map[string]any{{"key": "invoice_number", "type": "string", "description": "Invoice number"}}}))
	extID := ext["extraction"].(map[string]any)["id"].(string)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", marker+" batch")
	fw, _ := mw.CreateFormFile("files", marker+".txt")
	io.WriteString(fw, "ACME Supplies\nInvoice No: 42183017\nTotal: 12.00 EUR\n")
	mw.Close()
	batch := apiCall(t, srv.URL, key, "POST", "/v1/extractions/"+extID+"/batches", mw.FormDataContentType(), buf.Bytes())
	waitBatch(t, srv.URL, key, "/v1/extractions/"+extID+"/batches/"+batch["batch"].(map[string]any)["id"].(string))

	cls := apiCall(t, srv.URL, key, "POST", "/v1/classifications", "application/json", j(map[string]any{
		"name": marker + " mailroom", "description": marker,
		"categories": []map[string]any{
			{"name": marker + " invoices", "description": "A bill asking for payment, with an invoice number.",
				"keywords": []string{"invoice", marker}, "linked_extraction_id": extID},
			{"name": marker + " letters", "description": "Correspondence opening with Dear.", "keywords": []string{"dear"}},
		}}))
	clsID := cls["classification"].(map[string]any)["id"].(string)
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	mw.WriteField("name", marker+" post")
	fw, _ = mw.CreateFormFile("files", marker+"-post.txt")
	io.WriteString(fw, "ACME Supplies\nINVOICE\nInvoice No: 42183017\nAmount due: 12.00 EUR\n")
	mw.Close()
	cb := apiCall(t, srv.URL, key, "POST", "/v1/classifications/"+clsID+"/batches", mw.FormDataContentType(), buf.Bytes())
	waitBatch(t, srv.URL, key, "/v1/classifications/"+clsID+"/batches/"+cb["batch"].(map[string]any)["id"].(string))
}

// waitBatch polls the batch at the API path until it ends.
func waitBatch(t *testing.T, base, key, path string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b := apiCall(t, base, key, "GET", path, "", nil)
		if s := b["batch"].(map[string]any)["status"]; s == "processed" || s == "partial" || s == "failed" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %s did not end", path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var hrefRE = regexp.MustCompile(`href="(/dashboard/[^"#]*)"`)

// crawl visits every dashboard page reachable by links from start, as the
// signed-in browser b, and returns the paths with their bodies.
func crawl(t *testing.T, b *browser, start string) map[string]string {
	t.Helper()
	seen := map[string]string{}
	queue := []string{start}
	for len(queue) > 0 && len(seen) < 300 {
		p := queue[0]
		queue = queue[1:]
		if _, ok := seen[p]; ok || strings.HasPrefix(p, "/dashboard/assets/") {
			continue
		}
		pg := b.get(p)
		seen[p] = pg.body
		if pg.status != http.StatusOK {
			t.Errorf("own page %s answered %d", p, pg.status)
			continue
		}
		for _, m := range hrefRE.FindAllStringSubmatch(pg.body, -1) {
			u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
			if err == nil {
				queue = append(queue, u.RequestURI())
			}
		}
	}
	return seen
}

// TestAccountsApart: every dashboard page that account A's user reaches by
// following links, fetched by account B's user, is either not found or
// shows none of A's data; and B's own pages never mention A.
func TestAccountsApart(t *testing.T) {
	servertest.Each(t, servertest.Options{NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		rc := newReceiver(t)
		seedAccount(t, srv, "acme", "zebra", rc.URL)
		seedAccount(t, srv, "globex", "okapi", rc.URL)
		srv.User("acme", "a@acme.test", password)
		srv.User("globex", "b@globex.test", password)

		a := newBrowser(t, srv.URL)
		a.login("a@acme.test", password)
		pagesA := crawl(t, a, "/dashboard/")
		if len(pagesA) < 3 {
			t.Fatalf("crawled only %d pages of A", len(pagesA))
		}
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`^/dashboard/extractions/ext_\w+$`),
			regexp.MustCompile(`^/dashboard/extractions/ext_\w+/batches/btc_\w+$`),
			regexp.MustCompile(`^/dashboard/extractions/ext_\w+/batches/btc_\w+/files/file_\w+$`),
			regexp.MustCompile(`^/dashboard/extractions/ext_\w+/batches/btc_\w+/export\?format=csv$`),
			regexp.MustCompile(`^/dashboard/api/logs/att_\w+`),
			regexp.MustCompile(`^/dashboard/classifications/cls_\w+$`),
			regexp.MustCompile(`^/dashboard/classifications/cls_\w+/edit$`),
			regexp.MustCompile(`^/dashboard/classifications/cls_\w+/batches/cbtc_\w+$`),
		} {
			var found bool
			for p := range pagesA {
				found = found || want.MatchString(p)
			}
			if !found {
				t.Errorf("the crawl of A's pages reached no page like %s", want)
			}
		}
		var sawMarker bool
		for _, body := range pagesA {
			sawMarker = sawMarker || strings.Contains(body, "zebra")
		}
		if !sawMarker {
			t.Fatal("A's own pages never show A's data: the crawl proves nothing")
		}

		b := newBrowser(t, srv.URL)
		b.login("b@globex.test", password)
		for p := range pagesA {
			pg := b.get(p)
			if strings.Contains(pg.body, "zebra") {
				t.Errorf("B's view of %s (status %d) shows A's data", p, pg.status)
			}
		}
		for p, body := range crawl(t, b, "/dashboard/") {
			if strings.Contains(body, "zebra") {
				t.Errorf("B's page %s shows A's data", p)
			}
		}
		t.Logf("checked %d pages of A against B", len(pagesA))
	})
}

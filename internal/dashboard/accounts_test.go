package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

// seedAccount gives an account data whose every name carries marker: an
// API key, a webhook endpoint, an extraction and a finished batch, and a
// classification (a category linked to the extraction) with a finished
// batch whose file was chained to the extraction.
func seedAccount(t *testing.T, srv *servertest.Server, account, marker, hookURL string) {
	t.Helper()
	c, ctx := client.New(srv.URL, srv.Key(account)), context.Background()
	must(c.CreateAPIKey(ctx, client.APIKeyParams{Name: marker + "-key"}))(t)
	must(c.CreateWebhookEndpoint(ctx, client.WebhookEndpointParams{URL: hookURL + "/" + marker}))(t)
	ext := must(c.CreateExtraction(ctx, client.ExtractionParams{Name: marker + " invoices", Description: marker, Fields: invoiceFields}))(t)
	process(t, c, ext.ID, marker+" batch", upload{marker + ".txt", "ACME Supplies\nInvoice No: 42183017\nTotal: 12.00 EUR\n"})
	cls := must(c.CreateClassification(ctx, client.ClassificationParams{Name: marker + " mailroom", Description: marker,
		Categories: []client.CategoryParams{
			{Name: marker + " invoices", Description: "A bill asking for payment, with an invoice number.",
				Keywords: []string{"invoice", marker}, LinkedExtractionID: ext.ID},
			{Name: marker + " letters", Description: "Correspondence opening with Dear.", Keywords: []string{"dear"}},
		}}))(t)
	classify(t, c, cls.ID, marker+" post", upload{marker + "-post.txt", "ACME Supplies\nINVOICE\nInvoice No: 42183017\nAmount due: 12.00 EUR\n"})
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
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		rc := servertest.NewReceiver(t)
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

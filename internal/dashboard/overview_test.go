package dashboard_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

var (
	reviewCountRE = regexp.MustCompile(`<dd id="review-count"><a href="/dashboard/review">(\d+)</a></dd>`)
	usageFilesRE  = regexp.MustCompile(`<dd id="usage-files">(\d+)</dd>`)
	usagePagesRE  = regexp.MustCompile(`<dd id="usage-pages">(\d+)</dd>`)
)

// TestOverview: signed in, the dashboard opens on the overview: the
// newest batches with their extraction and status, the review queue's
// size, the webhook endpoints' health and this month's usage, of the
// user's account only.
func TestOverview(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		b := newBrowser(t, srv.URL)
		p := b.login(email, password)
		if p.path != "/dashboard/" || !strings.Contains(p.body, `id="recent-empty"`) || !strings.Contains(p.body, "No webhook endpoints") {
			t.Fatalf("a new account's overview on %s lacks the empty states:\n%s", p.path, p.body)
		}
		checkOverviewCount(t, p.body, reviewCountRE, "0")
		checkOverviewCount(t, p.body, usageFilesRE, "0")
		if !strings.Contains(p.body, `<p class="hint" id="retention">Documents are kept until deleted.</p>`) {
			t.Error("without --retention the overview does not say documents are kept until deleted")
		}

		// A file that needs review (two pages of usage: AzureInterior.pdf
		// has one), a processed text file, and an endpoint.
		uploadForReview(t, api, "Review me", "AzureInterior.pdf", readFile(t, reviewPDF))
		ext := must(api.CreateExtraction(context.Background(), client.ExtractionParams{Name: "Invoices", Fields: invoiceFields}))(t)
		done := process(t, api, ext.ID, "May invoices", upload{"a.txt", "Invoice number: INV-1\n"})
		rc := servertest.NewReceiver(t)
		must(api.CreateWebhookEndpoint(context.Background(), client.WebhookEndpointParams{URL: rc.URL + "/docparse"}))(t)

		// Another account's work shows nowhere.
		other := client.New(srv.URL, srv.Key("other"))
		oext := must(other.CreateExtraction(context.Background(), client.ExtractionParams{Name: "Not yours", Fields: invoiceFields}))(t)
		process(t, other, oext.ID, "Secret batch", upload{"b.txt", "Invoice number: X\n"})

		p = b.get("/dashboard/")
		if p.status != http.StatusOK {
			t.Fatalf("overview = %d", p.status)
		}
		checkOverviewCount(t, p.body, reviewCountRE, "1")
		checkOverviewCount(t, p.body, usageFilesRE, "2")
		checkOverviewCount(t, p.body, usagePagesRE, "2")
		for _, want := range []string{
			`href="/dashboard/extractions/` + ext.ID + `/batches/` + done.Batch.ID + `">May invoices</a>`,
			`>Invoices</a>`, `>Review me</a>`, "1 to review", "status-processed", rc.URL + "/docparse", `status active`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
		recent := p.body[strings.Index(p.body, `id="recent-batches"`):]
		if strings.Index(recent, "May invoices") > strings.Index(recent, "Review me") {
			t.Error("the overview lists the older batch first")
		}
		for _, leak := range []string{"Not yours", "Secret batch", oext.ID} {
			if strings.Contains(p.body, leak) {
				t.Errorf("overview shows another account's %q", leak)
			}
		}
	})
}

// TestOverviewRetention: with --retention the overview says how long
// documents are kept.
func TestOverviewRetention(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true, Retention: 30 * 24 * time.Hour}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)
		p := newBrowser(t, srv.URL).login(email, password)
		want := `<p class="hint" id="retention">Documents are kept for 30 days after their batch ends, then deleted with their results.</p>`
		if !strings.Contains(p.body, want) {
			t.Errorf("the overview with --retention 30d lacks %q", want)
		}
	})
}

func checkOverviewCount(t *testing.T, body string, re *regexp.Regexp, want string) {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil || m[1] != want {
		t.Errorf("%s: got %v, want %s", re, m, want)
	}
}

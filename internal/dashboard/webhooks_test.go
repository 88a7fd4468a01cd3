package dashboard_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

var (
	whsecRE    = regexp.MustCompile(`whsec_[0-9A-Za-z+/=]+`)
	attemptRE  = regexp.MustCompile(`href="/dashboard/api/logs/(att_[0-9A-Za-z]+)\?endpoint=`)
	endpointRE = regexp.MustCompile(`/dashboard/api/logs\?endpoint=(we_[0-9A-Za-z]+)`)
)

// waitEvent returns the next delivery of event type typ, skipping others.
func waitEvent(rc *servertest.Receiver, typ string) servertest.Delivery {
	return rc.Wait(60*time.Second, typ, func(d servertest.Delivery) bool { return d.Type() == typ })
}

// uploadText creates an extraction and uploads one small text file
// through the API.
func uploadText(t *testing.T, c *client.Client) {
	t.Helper()
	ext := must(c.CreateExtraction(context.Background(), client.ExtractionParams{Name: "Invoices", Fields: invoiceFields}))(t)
	must(c.UploadBatch(context.Background(), ext.ID, files(upload{"invoice.txt", "ACME Supplies\nInvoice No: 42183017\nTotal: 12.00 EUR\n"}), client.UploadOptions{}))(t)
}

func TestWebhooks(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		srv.User("other", "bob@example.com", password)
		rc := servertest.NewReceiver(t)
		b := newBrowser(t, srv.URL)
		b.login(email, password)
		p := b.get("/dashboard/api")
		if !strings.Contains(p.body, "Webhook Settings") || !strings.Contains(p.body, `value="extraction.completed"`) {
			t.Fatalf("API page lacks the webhook settings card:\n%s", p.body)
		}
		csrf := p.csrf(t)

		// Validation errors are shown on the page, with the form kept.
		p = b.post("/dashboard/api/webhooks", url.Values{"csrf_token": {csrf}, "url": {"ftp://example.com/hook"},
			"event_types": {"extraction.completed"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `role="alert">URL: `) ||
			!strings.Contains(p.body, `value="ftp://example.com/hook"`) || !strings.Contains(p.body, `value="extraction.completed" checked`) {
			t.Fatalf("create with an invalid URL = %d, want 400 with the message and the form kept:\n%s", p.status, p.body)
		}
		p = b.post("/dashboard/api/webhooks", url.Values{"csrf_token": {csrf}, "url": {rc.URL}, "event_types": {"nope"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Event types: ") {
			t.Fatalf("create with an unknown event type = %d, want 400 with the message:\n%s", p.status, p.body)
		}
		// Without the CSRF token: refused.
		if p := b.post("/dashboard/api/webhooks", url.Values{"url": {rc.URL}}); p.status != http.StatusForbidden {
			t.Fatalf("create without csrf = %d, want 403", p.status)
		}

		// Create: the secret is shown once.
		p = b.post("/dashboard/api/webhooks", url.Values{"csrf_token": {csrf}, "url": {rc.URL},
			"event_types": {"extraction.completed", "endpoint.test"}})
		secret := whsecRE.FindString(html.UnescapeString(p.body))
		if p.status != http.StatusOK || secret == "" {
			t.Fatalf("create endpoint = %d, want 200 showing whsec_...:\n%s", p.status, p.body)
		}
		p = b.get("/dashboard/api")
		if strings.Contains(html.UnescapeString(p.body), secret) || strings.Contains(p.body, "whsec_") {
			t.Fatal("API page shows the endpoint's secret")
		}
		m := endpointRE.FindStringSubmatch(p.body)
		if m == nil || !strings.Contains(p.body, rc.URL) || !strings.Contains(p.body, "extraction.completed, endpoint.test") ||
			!strings.Contains(p.body, `status active`) {
			t.Fatalf("API page does not list the endpoint as active:\n%s", p.body)
		}
		epID := m[1]

		// Send test event: 200, and the receiver got a signed endpoint.test.
		p = b.post("/dashboard/api/webhooks/"+epID+"/test", url.Values{"csrf_token": {csrf}})
		if p.status != http.StatusOK || !strings.Contains(p.body, `class="ok">200<`) || !strings.Contains(p.body, " ms<") ||
			!strings.Contains(p.body, "received") {
			t.Fatalf("send test event = %d, want 200 showing status 200, latency and body:\n%s", p.status, p.body)
		}
		d := waitEvent(rc, "endpoint.test")
		if err := client.Verify(secret, d.Header, d.Body); err != nil {
			t.Fatalf("test event signature: %v", err)
		}

		// Logs list the test attempt; its detail shows the request body.
		p = b.get("/dashboard/api/logs?endpoint=" + epID)
		am := attemptRE.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || am == nil || !strings.Contains(p.body, "<code>endpoint.test</code>") ||
			!strings.Contains(p.body, "<time datetime=") {
			t.Fatalf("logs = %d, want the test attempt listed:\n%s", p.status, p.body)
		}
		p = b.get("/dashboard/api/logs/" + am[1] + "?endpoint=" + epID)
		if p.status != http.StatusOK || !strings.Contains(html.UnescapeString(p.body), `"type":"endpoint.test"`) ||
			!strings.Contains(strings.ToLower(p.body), "webhook-signature") || !strings.Contains(p.body, "X-Receiver") {
			t.Fatalf("attempt detail = %d, want request and response shown:\n%s", p.status, p.body)
		}

		// A real event: extraction.completed reaches the receiver; resend
		// it from its detail page and it arrives again.
		uploadText(t, api)
		first := waitEvent(rc, "extraction.completed")
		if err := client.Verify(secret, first.Header, first.Body); err != nil {
			t.Fatalf("extraction.completed signature: %v", err)
		}
		var attemptID string
		deadline := time.Now().Add(30 * time.Second)
		for attemptID == "" && time.Now().Before(deadline) {
			p = b.get("/dashboard/api/logs?endpoint=" + epID)
			for _, row := range strings.Split(p.body, "<tr>") {
				if strings.Contains(row, "<code>extraction.completed</code>") {
					attemptID = attemptRE.FindStringSubmatch(row)[1]
					break
				}
			}
			if attemptID == "" {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if attemptID == "" {
			t.Fatalf("logs never listed the extraction.completed attempt:\n%s", p.body)
		}
		detail := "/dashboard/api/logs/" + attemptID + "?endpoint=" + epID
		p = b.get(detail)
		if !strings.Contains(p.body, `/resend?endpoint=`+epID) {
			t.Fatalf("attempt detail has no Resend button:\n%s", p.body)
		}
		p = b.post("/dashboard/api/logs/"+attemptID+"/resend?endpoint="+epID, url.Values{"csrf_token": {csrf}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "queued for delivery again") {
			t.Fatalf("resend = %d:\n%s", p.status, p.body)
		}
		again := waitEvent(rc, "extraction.completed")
		if first.Header.Get("webhook-id") != again.Header.Get("webhook-id") {
			t.Errorf("resent webhook-id = %q, want the event's %q", again.Header.Get("webhook-id"), first.Header.Get("webhook-id"))
		}
		if p := b.post("/dashboard/api/logs/"+attemptID+"/resend?endpoint="+epID, nil); p.status != http.StatusForbidden {
			t.Errorf("resend without csrf = %d, want 403", p.status)
		}

		// Regenerate the secret with a grace period: the new one is shown
		// once, and both sign the next test event.
		p = b.post("/dashboard/api/webhooks/"+epID+"/rotate", url.Values{"csrf_token": {csrf}, "grace_hours": {"2"}})
		newSecret := whsecRE.FindString(html.UnescapeString(p.body))
		if p.status != http.StatusOK || newSecret == "" || newSecret == secret || !strings.Contains(p.body, "2 more hours") {
			t.Fatalf("rotate = %d, want the new secret shown:\n%s", p.status, p.body)
		}
		if p := b.post("/dashboard/api/webhooks/"+epID+"/rotate", url.Values{"csrf_token": {csrf}, "grace_hours": {"500"}}); p.status != http.StatusBadRequest ||
			!strings.Contains(p.body, "Grace period: ") {
			t.Fatalf("rotate with a 500 h grace = %d, want 400 with the message:\n%s", p.status, p.body)
		}
		b.post("/dashboard/api/webhooks/"+epID+"/test", url.Values{"csrf_token": {csrf}})
		d = waitEvent(rc, "endpoint.test")
		for _, s := range []string{secret, newSecret} {
			if err := client.Verify(s, d.Header, d.Body); err != nil {
				t.Errorf("test event after rotation, secret new=%v: %v (headers %v)", s == newSecret, err, d.Header)
			}
		}

		// Another account sees none of it.
		other := newBrowser(t, srv.URL)
		other.login("bob@example.com", password)
		op := other.get("/dashboard/api")
		if strings.Contains(op.body, epID) {
			t.Fatal("another account's API page lists the endpoint")
		}
		ocsrf := op.csrf(t)
		for _, path := range []string{"/dashboard/api/logs?endpoint=" + epID, detail, "/dashboard/api/logs", "/dashboard/api/logs/" + attemptID} {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("other account GET %s = %d, want 404", path, p.status)
			}
		}
		for _, path := range []string{"/dashboard/api/webhooks/" + epID + "/test", "/dashboard/api/webhooks/" + epID + "/rotate",
			"/dashboard/api/webhooks/" + epID + "/disable", "/dashboard/api/webhooks/" + epID + "/delete",
			"/dashboard/api/logs/" + attemptID + "/resend?endpoint=" + epID} {
			if p := other.post(path, url.Values{"csrf_token": {ocsrf}}); p.status != http.StatusNotFound {
				t.Errorf("other account POST %s = %d, want 404", path, p.status)
			}
		}

		// Disable, enable, delete.
		p = b.post("/dashboard/api/webhooks/"+epID+"/disable", url.Values{"csrf_token": {csrf}})
		if p.path != "/dashboard/api" || !strings.Contains(p.body, "status disabled") || !strings.Contains(p.body, "disabled by the user") {
			t.Fatalf("disable landed on %s without the disabled status:\n%s", p.path, p.body)
		}
		p = b.post("/dashboard/api/webhooks/"+epID+"/enable", url.Values{"csrf_token": {csrf}})
		if !strings.Contains(p.body, "status active") {
			t.Fatalf("enable: endpoint not active:\n%s", p.body)
		}
		p = b.post("/dashboard/api/webhooks/"+epID+"/delete", url.Values{"csrf_token": {csrf}})
		if p.path != "/dashboard/api" || strings.Contains(p.body, epID) || !strings.Contains(p.body, "No webhook endpoints yet.") {
			t.Fatalf("delete: endpoint still listed:\n%s", p.body)
		}
		acct, err := srv.DB.AccountByName(context.Background(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.DB.Endpoint(context.Background(), acct.ID, epID); err == nil {
			t.Fatal("endpoint still stored after delete")
		}
	})
}

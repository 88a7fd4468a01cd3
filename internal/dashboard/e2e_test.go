package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

// TestBrowserSignedOut: a visitor without a session sees the sign-in page
// and nothing else, whatever dashboard page they ask for.
func TestBrowserSignedOut(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
	b := newTab(t, srv.URL, 390, 844)
	for _, p := range []string{"/dashboard/", "/dashboard/api", "/dashboard/api/logs", "/dashboard/extractions", "/dashboard/review"} {
		b.open(p)
		if got := b.path(); got != "/dashboard/login" {
			t.Errorf("signed out, %s shows %s, want the sign-in page", p, got)
		}
	}
	b.screenshot("login-phone")
}

// TestBrowserLoginPage renders the sign-in page in a real browser at phone
// width: the DOM it builds holds the form, and the screenshot is a real
// image of that size, not a blank one.
func TestBrowserLoginPage(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
	u := srv.URL + "/dashboard/login"

	dom := string(chromium(t, "--window-size=390,844", "--dump-dom", u))
	for _, want := range []string{`<form method="post" action="/dashboard/login"`, `type="password"`, `name="csrf_token"`, "Sign in"} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM of %s lacks %q:\n%s", u, want, dom)
		}
	}

	shot := filepath.Join(t.TempDir(), "login.png")
	chromium(t, "--window-size=390,844", "--hide-scrollbars", "--screenshot="+shot, u)
	img := checkRendered(t, shot)
	if b := img.Bounds(); b.Dx() != 390 || b.Dy() != 844 {
		t.Errorf("screenshot is %dx%d, want 390x844", b.Dx(), b.Dy())
	}
}

// TestBrowserAPIAndWebhooks drives the API page as a user does: sign in,
// create an API key and see it exactly once, add a webhook endpoint that
// points at a local receiver, send a test event and see its status and
// latency, open the Webhook Logs entry of a real batch's delivery, and
// regenerate the secret.
func TestBrowserAPIAndWebhooks(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)
		rc := servertest.NewReceiver(t)
		b := signedInTab(t, srv.URL, email, password)

		// An API key, shown once.
		b.open("/dashboard/api")
		b.run("create key",
			chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "importer"),
			chromedp.Click(chromedp.CSS(`form[action="/dashboard/api/keys"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`#new-key`)),
		)
		created := b.text("#new-key")
		secret := secretRE.FindString(created)
		if secret == "" {
			t.Fatalf("the key page shows no key:\n%s", created)
		}
		b.screenshot("api-key-created")
		b.open("/dashboard/api")
		if page := b.text("main"); strings.Contains(page, secret) || !strings.Contains(page, secret[len(secret)-4:]) {
			t.Fatalf("after creation the API page must show the last four characters only:\n%s", page)
		}

		// A webhook endpoint at the receiver: its secret shown once.
		b.run("add endpoint",
			chromedp.SendKeys(chromedp.CSS(`form[action="/dashboard/api/webhooks"] input[name=url]`), rc.URL+"/hooks"),
			chromedp.Click(chromedp.CSS(`form[action="/dashboard/api/webhooks"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`#new-secret`)),
		)
		firstSecret := b.text("#new-secret")
		if !whsecRE.MatchString(firstSecret) {
			t.Fatalf("new endpoint secret %q", firstSecret)
		}
		b.open("/dashboard/api")
		if strings.Contains(b.text("main"), firstSecret) {
			t.Fatal("the API page shows the endpoint secret again")
		}

		// Send test event: the page shows the receiver's status and latency.
		b.run("send test event",
			chromedp.Click(chromedp.CSS(`form[action$="/test"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`dl.facts`)),
		)
		facts := b.text("dl.facts")
		if !strings.Contains(facts, "200") || !strings.Contains(facts, " ms") {
			t.Fatalf("test event result lacks status 200 and a latency:\n%s", facts)
		}
		waitEvent(rc, "endpoint.test")
		b.screenshot("webhook-test-event")

		// A real batch: its delivery appears in the Webhook Logs and opens
		// to the request and the response.
		uploadText(t, client.New(srv.URL, srv.Key("acme")))
		waitEvent(rc, "extraction.completed")
		// The attempt is logged once the receiver has answered, which can
		// be a moment after it got the delivery: open the logs until they
		// list it.
		if !servertest.Eventually(30*time.Second, func() bool {
			b.open("/dashboard/api")
			b.run("open logs", chromedp.Click(chromedp.CSS(`a[href^="/dashboard/api/logs?endpoint="]`)),
				chromedp.WaitVisible(chromedp.CSS(`table.attempts`)))
			return strings.Contains(b.text("table.attempts"), "extraction.completed")
		}) {
			t.Fatalf("the Webhook Logs do not list the batch's delivery:\n%s", b.text("main"))
		}
		b.screenshot("webhook-logs")
		b.run("open the batch's delivery",
			chromedp.Click(chromedp.Search(`//tr[.//code[text()="extraction.completed"]]//a`)),
			chromedp.WaitVisible(chromedp.CSS(`main pre`)),
		)
		detail := b.text("main")
		for _, want := range []string{"extraction.completed", "Webhook-Signature", "received"} {
			if !strings.Contains(detail, want) {
				t.Errorf("attempt page lacks %q:\n%s", want, detail)
			}
		}
		b.screenshot("webhook-attempt")

		// Regenerate the secret with a grace period: a new secret, shown once.
		b.open("/dashboard/api")
		b.eval(`window.confirm = () => true`)
		b.run("regenerate",
			chromedp.SendKeys(chromedp.CSS(`form[action$="/rotate"] input[name=grace_hours]`), "2"),
			chromedp.Click(chromedp.CSS(`form[action$="/rotate"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`#new-secret`)),
		)
		if s := b.text("#new-secret"); !whsecRE.MatchString(s) || s == firstSecret {
			t.Fatalf("regenerated secret %q (first %q)", s, firstSecret)
		}
		if page := b.text("main"); !strings.Contains(page, "2 more hours") {
			t.Errorf("rotation page does not state the grace period:\n%s", page)
		}
	})
}

// TestBrowserBatchListLive: a batch still running when its extraction's
// page opens is shown finished in the batch list without a reload.
func TestBrowserBatchListLive(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		extID := must(api.CreateExtraction(context.Background(), client.ExtractionParams{Name: "Scans", Fields: invoiceFields}))(t).ID

		b := signedInTab(t, srv.URL, email, password)

		// A scanned page: OCR keeps the batch running for a second or more,
		// longer than the page takes to open.
		scan, err := os.ReadFile("../extract/testdata/scan-invoice.png")
		if err != nil {
			t.Fatal(err)
		}
		must(api.UploadBatch(context.Background(), extID, files(upload{"scan.png", string(scan)}), client.UploadOptions{}))(t)
		b.open("/dashboard/extractions/" + extID)
		if s := b.evalString(`document.querySelector("#batch-list tbody tr").dataset.terminal`); s != "false" {
			t.Fatalf("the batch had ended (terminal %q) before its extraction's page opened", s)
		}
		b.evalString(`window.notReloaded = "yes"; ""`)
		b.waitJS("the listed batch ends", `document.querySelector("#batch-list tbody tr").dataset.terminal === "true"`)
		if b.evalString(`window.notReloaded || ""`) != "yes" {
			t.Fatal("the page reloaded to show the end")
		}
		row := b.text("#batch-list tbody tr")
		if !strings.Contains(row, "processed") || !strings.Contains(row, "1 ") {
			t.Errorf("the finished batch's row reads %q", row)
		}
	})
}

// hostile is markup a user might put in any name: rendered as text, it
// runs nothing.
const hostile = `"><img src=x onerror=window.pwned=1><b onmouseover=window.pwned=2>`

// TestBrowserHostileNames: names, file names and descriptions holding
// markup are shown as text on every page of the dashboard, and no script
// of theirs runs.
func TestBrowserHostileNames(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, servertest.Options{NoRateLimit: true})
	srv.User("acme", email, password)
	api, ctx := client.New(srv.URL, srv.Key("acme")), context.Background()
	must(api.CreateAPIKey(ctx, client.APIKeyParams{Name: hostile}))(t)
	ext := must(api.CreateExtraction(ctx, client.ExtractionParams{Name: hostile, Description: hostile,
		Fields: []client.Field{{Key: "invoice_number", Type: client.TypeString, Description: hostile}}}))(t)
	cls := must(api.CreateClassification(ctx, client.ClassificationParams{Name: hostile, Description: hostile, Categories: []client.CategoryParams{
		{Name: hostile, Description: hostile, Keywords: []string{"invoice", hostile}, LinkedExtractionID: ext.ID},
		{Name: "Letters", Description: "Correspondence opening with Dear."}}}))(t)
	doc := upload{hostile + ".txt", "ACME Supplies\nINVOICE\nInvoice No: " + hostile + "\nAmount due: 12.00 EUR\n"}
	process(t, api, ext.ID, hostile, doc)
	classify(t, api, cls.ID, hostile, doc)

	hb := newBrowser(t, srv.URL)
	hb.login(email, password)
	b := signedInTab(t, srv.URL, email, password)
	shown := 0
	for p := range crawl(t, hb, "/dashboard/") {
		if strings.HasSuffix(p, "/content") || strings.Contains(p, "/export") || strings.Contains(p, "/pages/") {
			continue // downloads, not pages
		}
		b.open(p)
		b.eval(`document.querySelectorAll("[onmouseover]").forEach(e => e.dispatchEvent(new MouseEvent("mouseover")))`)
		if v := b.evalString(`String(window.pwned)`); v != "undefined" {
			t.Errorf("%s ran the markup of a name: window.pwned = %s", p, v)
		}
		if n := b.evalString(`String(document.querySelectorAll("img[src=x], b[onmouseover]").length)`); n != "0" {
			t.Errorf("%s holds %s elements made from a name", p, n)
		}
		if strings.Contains(b.text("main"), `<img src=x onerror=window.pwned=1>`) {
			shown++
		}
	}
	t.Logf("the markup shows as text on %d pages", shown)
	if shown < 6 {
		t.Errorf("the markup shows as text on only %d pages; the test reached too few", shown)
	}
}

package dashboard_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

var newRowRE = regexp.MustCompile(`^line_items\[(\d+)\]\.description$`)

// TestBrowserReview drives the review queue as a reviewer does: a real
// PDF lands in needs_review through the API; the reviewer opens the queue
// and the file, sees the rendered page and the highlighted field, corrects
// values with the keyboard, adds a line item row, and confirms; the file
// leaves the queue, the API shows the corrected result, and file.processed
// reaches a webhook receiver.
func TestBrowserReview(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		rc := servertest.NewReceiver(t)
		must(api.CreateWebhookEndpoint(context.Background(), client.WebhookEndpointParams{URL: rc.URL + "/hooks", EventTypes: []string{"file.processed"}}))(t)
		file := uploadForReview(t, api, "Supplier invoices", "AzureInterior.pdf", readFile(t, reviewPDF))

		b := signedInTab(t, srv.URL, email, password)
		b.open("/dashboard/review")
		if q := b.text("main"); !strings.Contains(q, "Supplier invoices") || !strings.Contains(q, "AzureInterior.pdf") {
			t.Fatalf("review queue:\n%s", q)
		}
		b.screenshot("review-queue")

		b.run("open the file",
			chromedp.Click(chromedp.CSS(`a[href="`+file+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form.review-form`)),
		)
		// The rendered page loads (a real image, decoded by the browser).
		w := get(b, "page image loads", chromedp.Poll[float64](
			`(() => { const i = document.querySelector(".doc-page img"); return i && i.complete && i.naturalWidth; })()`))
		if w < 500 {
			t.Errorf("page image naturalWidth = %v, want a rendered page", w)
		}
		// The missing field is highlighted, and says so in words.
		low, _ := b.eval(`[...document.querySelectorAll(".rf.low")].map(e => e.innerText.replace(/\s+/g, " ")).join(" | ")`).(string)
		if !strings.Contains(low, "Paid NOT FOUND LOW 0%") {
			t.Errorf("highlighted fields %q: want Paid, marked Not found and Low in words", low)
		}
		b.screenshot("review-file")

		// At phone width the page stacks: the document above the fields.
		phone := newTab(t, srv.URL, 390, 844)
		phone.run("phone viewport", chromedp.EmulateViewport(390, 844))
		phone.signIn(email, password)
		phone.open(file)
		get(phone, "page image loads on the phone", chromedp.Poll[float64](
			`(() => { const i = document.querySelector(".doc-page img"); return i && i.complete && i.naturalWidth; })()`))
		if stacked := phone.eval(`(() => {
			const d = document.querySelector(".doc-pane").getBoundingClientRect(), f = document.querySelector(".fields-pane").getBoundingClientRect();
			return f.top >= d.bottom && f.width <= window.innerWidth; })()`); stacked != true {
			t.Errorf("at 390 px the fields are not below the document")
		}
		if wide := phone.eval(`document.documentElement.scrollWidth <= window.innerWidth`); wide != true {
			t.Errorf("at 390 px the file page scrolls sideways")
		}
		phone.screenshot("review-file-phone")

		// Correct values with the keyboard: select all and type over the
		// invoice number, pick "Yes" for paid by typing, add a row.
		selectAll := chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl))
		b.run("correct the invoice number",
			chromedp.Focus(chromedp.CSS(`#f-invoice_number`)), selectAll,
			chromedp.KeyEvent("INV-2023-0008-R"),
		)
		b.run("set paid", chromedp.Focus(chromedp.CSS(`#f-paid`)), chromedp.KeyEvent("Y"))
		if v := b.eval(`document.querySelector("#f-paid").value`); v != "true" {
			t.Fatalf("paid after typing Y = %v, want true", v)
		}
		b.run("add a row", chromedp.Focus(chromedp.CSS(`button[data-add-row]`)), chromedp.KeyEvent("\r"))
		name, _ := b.eval(`document.activeElement.name`).(string)
		m := newRowRE.FindStringSubmatch(name)
		if m == nil {
			t.Fatalf("after Add row the focus is on %q, want the new row's description", name)
		}
		b.run("fill the new row",
			chromedp.KeyEvent("Gift card"),
			chromedp.Focus(chromedp.CSS(`input[name="line_items[`+m[1]+`].amount"]`)),
			chromedp.KeyEvent("5"),
		)
		b.run("confirm with Enter",
			chromedp.Focus(chromedp.CSS(`#f-invoice_number`)),
			chromedp.KeyEvent("\r"),
			chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
		)
		if p := b.path(); !strings.HasPrefix(p, "/dashboard/review") {
			t.Fatalf("after confirm the browser is at %s, want the review queue", p)
		}
		if q := b.text("main"); !strings.Contains(q, "Nothing to review") || !strings.Contains(q, "AzureInterior.pdf") {
			t.Errorf("queue after confirm (a notice naming the file, then the empty state):\n%s", q)
		}

		// The API: processed, with the corrected values.
		s, res, conf := fileResult(t, api, file)
		if s != "processed" {
			t.Errorf("file status = %v, want processed", s)
		}
		if res["invoice_number"] != "INV-2023-0008-R" || res["paid"] != true || conf["invoice_number"] != 1.0 || conf["paid"] != 1.0 {
			t.Errorf("result %v, confidence %v: want the corrections with confidence 1", res, conf)
		}
		items, _ := res["line_items"].([]any)
		if len(items) == 0 || items[len(items)-1].(map[string]any)["description"] != "Gift card" || items[len(items)-1].(map[string]any)["amount"] != 5.0 {
			t.Errorf("line_items = %v, want the added Gift card row last", items)
		}
		d := waitEvent(rc, "file.processed")
		if !strings.Contains(string(d.Body), file[strings.LastIndex(file, "/")+1:]) {
			t.Errorf("file.processed delivery names another file: %s", d.Body)
		}
	})
}

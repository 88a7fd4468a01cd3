package dashboard_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/extract/pdftest"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
)

// An XML e-invoice's file page shows the invoice, readable (parties,
// lines, totals), not its XML; values read from the XML are marked; a
// Factur-X PDF whose page contradicts its XML shows the warning beside
// its pages and the invoice.
func TestEInvoiceFilePage(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		b := newBrowser(t, srv.URL)
		b.login(email, password)

		xml := readFile(t, "../einvoice/testdata/cii-en16931.xml")
		file := uploadForReview(t, api, "E-invoices", "rechnung.xml", xml)
		p := b.get(file)
		if p.status != http.StatusOK {
			t.Fatalf("file page = %d:\n%s", p.status, p.body)
		}
		for _, want := range []string{`<article class="einvoice"`, "Invoice 471102", "profile EN16931", "Lieferant GmbH", "Kunden AG Mitte",
			"Lieferantenstraße 20", "DE123456789", "Trennblätter A4", "Joghurt Banane", "529.87", "56.87", "DE5467894567876500",
			`<span class="flag xml"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("XML invoice page lacks %q", want)
			}
		}
		for _, bad := range []string{"CrossIndustryInvoice", "rsm:", "ram:", "<pre class=\"doc-text\">"} {
			if strings.Contains(p.body, bad) {
				t.Errorf("XML invoice page shows %q: raw XML or text instead of the invoice", bad)
			}
		}

		// In a real browser: the invoice renders (styles allowed by the
		// CSP), and its totals read as a table.
		if srv.DB.Engine() == store.SQLite {
			tb := signedInTab(t, srv.URL, email, password)
			tb.open(file)
			if h := tb.text("#einvoice-title"); h != "Invoice 471102" {
				t.Errorf("invoice title %q", h)
			}
			if tot := tb.text(".ei-totals"); !strings.Contains(tot, "Total with VAT") || !strings.Contains(tot, "529.87") {
				t.Errorf("totals %q", tot)
			}
			// The lines table lays out as a table, not as raw text: its
			// cells have a computed right alignment from the style sheet.
			if al, _ := tb.eval(`getComputedStyle(document.querySelector(".ei-lines td.num")).textAlign`).(string); al != "right" {
				t.Errorf("line amounts align %q, want right (style sheet applied)", al)
			}
			tb.screenshot("einvoice-file")
		}

		page := pdftest.Text([]string{"Lieferant GmbH", "Invoice number: 471102", "Invoice date: 2018-03-05", "Total: 592.87 EUR"})
		forged := pdftest.Attach(page, pdftest.Attachment{Name: "factur-x.xml", Data: xml, Compress: true})
		file = uploadForReview(t, api, "Factur-X", "forged.pdf", forged)
		p = b.get(file)
		for _, want := range []string{`id="file-warnings"`, `<a href="#f-total">Total</a>: the page shows 592.87 where the e-invoice&#39;s XML says 529.87.`,
			`<code>einvoice_page_mismatch</code>`, `<article class="einvoice"`, `<img src="` + file + `/pages/1"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("Factur-X page lacks %q", want)
			}
		}
		if t.Failed() {
			t.Logf("page:\n%s", p.body)
		}
	})
}

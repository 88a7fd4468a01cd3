package httpapi_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/extract/pdftest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

func einvoiceFile(t *testing.T, name string) []byte {
	t.Helper()
	return testdata(t, "einvoice", name)
}

var einvoiceSchema = map[string]any{
	"name": "E-invoices",
	"fields": []map[string]any{
		{"key": "invoice_number", "type": "string"},
		{"key": "invoice_date", "type": "date"},
		{"key": "total", "type": "number", "description": "Total amount including VAT"},
		{"key": "seller", "type": "object", "fields": []map[string]any{
			{"key": "name", "type": "string"}, {"key": "vat_id", "type": "string"}}},
		{"key": "line_items", "type": "list<object>", "fields": []map[string]any{
			{"key": "description", "type": "string"}, {"key": "quantity", "type": "number"}, {"key": "amount", "type": "number"}}},
	},
}

// TestEInvoiceBatch uploads e-invoices as a client would: a Factur-X PDF
// whose page agrees with its XML, one whose page shows another total, one
// whose attachment is broken, CII and UBL XML files, and hostile XML. The
// XML's values come out at confidence 1 from embedded_xml with the
// invoice itself; the contradiction and the broken attachment send their
// files to review with a warning; hostile XML fails with a clear code
// while the rest of the batch finishes.
func TestEInvoiceBatch(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtractionOf(einvoiceSchema)

		xml := einvoiceFile(t, "cii-en16931.xml")
		hybrid := func(total string, att pdftest.Attachment) []byte {
			page := pdftest.Text([]string{"Lieferant GmbH", "Invoice number: 471102", "Invoice date: 2018-03-05", "Total: " + total + " EUR"})
			return pdftest.Attach(page, att)
		}
		open := `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">`
		secret := filepath.Join(t.TempDir(), "secret.txt")
		if err := os.WriteFile(secret, []byte("TOPSECRET-4711"), 0o600); err != nil {
			t.Fatal(err)
		}
		files := []upload{
			{"facturx.pdf", hybrid("529.87", pdftest.Attachment{Name: "factur-x.xml", Data: xml, Compress: true})},
			{"forged.pdf", hybrid("592.87", pdftest.Attachment{Name: "factur-x.xml", Data: xml, Compress: true})},
			{"broken.pdf", hybrid("529.87", pdftest.Attachment{Name: "factur-x.xml", Data: []byte(open + "<unclosed>")})},
			{"blank.pdf", pdftest.Attach(pdftest.Minimal([]string{""}, false), pdftest.Attachment{Name: "factur-x.xml", Data: xml})},
			{"mustang.pdf", einvoiceFile(t, "facturx-en16931.pdf")},
			{"cii.xml", einvoiceFile(t, "cii-basicwl.xml")},
			{"xrechnung.dat", einvoiceFile(t, "ubl-xrechnung.xml")},
			{"bomb.xml", []byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` + open + `<x>&b;</x></rsm:CrossIndustryInvoice>`)},
			{"xxe.xml", []byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://` + secret + `">]>` + open + `<rsm:ExchangedDocument><ram:ID xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">&xxe;</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>`)},
			{"deep.xml", []byte(open + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + "</rsm:CrossIndustryInvoice>")},
		}
		// Every other syntax and profile of the committed examples.
		profiles := []string{"cii1-comfort.xml", "cii-minimum.xml", "cii-basic.xml", "cii-en16931.xml", "cii-extended.xml", "cii-xrechnung.xml", "ubl-peppol.xml", "ubl-creditnote.xml"}
		for _, name := range profiles {
			files = append(files, upload{"profile-" + name, einvoiceFile(t, name)})
		}
		r := e.upload(extID, files)
		if r.status != http.StatusAccepted {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		b := r.json(t)["batch"].(map[string]any)
		if b["page_count"].(float64) != 4+2+5+8 {
			t.Errorf("page_count = %v, want 19 (4 built PDF pages, 2 of the real Factur-X, 13 XML files of 1)", b["page_count"])
		}
		done := e.waitBatch(extID, b["id"].(string))
		if st := done["batch"].(map[string]any)["status"]; st != "partial" {
			t.Errorf("batch status %v, want partial", st)
		}
		byName := map[string]map[string]any{}
		for _, f := range done["files"].([]any) {
			fm := f.(map[string]any)
			byName[fm["file_name"].(string)] = fm
		}
		result := func(name string) map[string]any {
			t.Helper()
			r := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+b["id"].(string)+"/files/"+byName[name]["id"].(string), nil)
			if r.status != http.StatusOK {
				t.Fatalf("get %s: %d %s", name, r.status, r.body)
			}
			return r.json(t)
		}

		// The Factur-X PDF: every value from the XML, exact.
		fx := result("facturx.pdf")
		if st := fx["file"].(map[string]any)["status"]; st != "processed" {
			t.Errorf("facturx.pdf: status %v, want processed (warnings %v)", st, fx["warnings"])
		}
		res, conf, src := fx["result"].(map[string]any), fx["confidence"].(map[string]any), fx["sources"].(map[string]any)
		if res["invoice_number"] != "471102" || res["invoice_date"] != "2018-03-05" || res["total"] != 529.87 {
			t.Errorf("facturx.pdf: result %v", res)
		}
		if seller := res["seller"].(map[string]any); seller["name"] != "Lieferant GmbH" || seller["vat_id"] != "DE123456789" {
			t.Errorf("facturx.pdf: seller %v", seller)
		}
		if items := res["line_items"].([]any); len(items) != 2 || items[1].(map[string]any)["amount"] != 275.0 {
			t.Errorf("facturx.pdf: line_items %v", items)
		}
		if conf["total"] != 1.0 || conf["seller"].(map[string]any)["vat_id"] != 1.0 || src["total"] != "embedded_xml" ||
			src["line_items"].([]any)[0].(map[string]any)["description"] != "embedded_xml" {
			t.Errorf("facturx.pdf: confidence %v, sources %v", conf, src)
		}
		inv, _ := fx["einvoice"].(map[string]any)
		if inv == nil || inv["syntax"] != "cii" || inv["profile"] != "EN16931" || inv["id"] != "471102" ||
			inv["totals"].(map[string]any)["grand_total"] != "529.87" || len(inv["lines"].([]any)) != 2 {
			t.Errorf("facturx.pdf: einvoice %v", inv)
		}
		if fx["warnings"] != nil {
			t.Errorf("facturx.pdf: warnings %v", fx["warnings"])
		}

		// A real Factur-X PDF (ZUGFeRD/mustangproject's EN16931_Einfach):
		// the XML's values, and its page agrees with them.
		real := result("mustang.pdf")
		if st := real["file"].(map[string]any)["status"]; st != "processed" {
			t.Errorf("mustang.pdf: status %v, want processed (warnings %v)", st, real["warnings"])
		}
		res = real["result"].(map[string]any)
		if res["invoice_number"] != "471102" || res["invoice_date"] != "2024-11-15" || res["total"] != 529.87 ||
			real["sources"].(map[string]any)["invoice_date"] != "embedded_xml" || real["confidence"].(map[string]any)["total"] != 1.0 {
			t.Errorf("mustang.pdf: result %v sources %v", res, real["sources"])
		}
		if c := real["citations"].(map[string]any)["invoice_date"]; !reflect.DeepEqual(c, map[string]any{"page": nil, "source": "embedded_xml"}) {
			t.Errorf("mustang.pdf: the XML's invoice date cites %v, want no page and source embedded_xml", c)
		}
		if inv, _ := real["einvoice"].(map[string]any); inv == nil || inv["profile"] != "EN16931" || inv["seller"].(map[string]any)["name"] != "Lieferant GmbH" {
			t.Errorf("mustang.pdf: einvoice %v", real["einvoice"])
		}

		// The page shows another total than the XML: a warning and review.
		forged := result("forged.pdf")
		if st := forged["file"].(map[string]any)["status"]; st != "needs_review" {
			t.Errorf("forged.pdf: status %v, want needs_review", st)
		}
		ws, _ := forged["warnings"].([]any)
		if len(ws) != 1 {
			t.Fatalf("forged.pdf: warnings %v, want one", forged["warnings"])
		}
		if w := ws[0].(map[string]any); w["code"] != "einvoice_page_mismatch" || w["field"] != "total" || w["page_value"] != 592.87 || w["xml_value"] != 529.87 {
			t.Errorf("forged.pdf: warning %v", w)
		}
		if forged["result"].(map[string]any)["total"] != 529.87 {
			t.Errorf("forged.pdf: total %v, want the XML's 529.87", forged["result"].(map[string]any)["total"])
		}

		// A broken attachment: the page is read, with a warning, for review.
		broken := result("broken.pdf")
		if st := broken["file"].(map[string]any)["status"]; st != "needs_review" {
			t.Errorf("broken.pdf: status %v, want needs_review", st)
		}
		if ws, _ := broken["warnings"].([]any); len(ws) != 1 || ws[0].(map[string]any)["code"] != "einvoice_unreadable" {
			t.Errorf("broken.pdf: warnings %v", broken["warnings"])
		}
		if broken["einvoice"] != nil || broken["result"].(map[string]any)["total"] != 529.87 || broken["sources"].(map[string]any)["total"] != "text" {
			t.Errorf("broken.pdf: einvoice %v, result %v, sources %v", broken["einvoice"], broken["result"], broken["sources"])
		}

		// A PDF whose page has no text: the XML answers, with a warning
		// that nothing checked it against the page.
		blank := result("blank.pdf")
		if st := blank["file"].(map[string]any)["status"]; st != "needs_review" {
			t.Errorf("blank.pdf: status %v, want needs_review", st)
		}
		if ws, _ := blank["warnings"].([]any); len(ws) != 1 || ws[0].(map[string]any)["code"] != "page_unreadable" {
			t.Errorf("blank.pdf: warnings %v", blank["warnings"])
		}
		if blank["result"].(map[string]any)["total"] != 529.87 || blank["sources"].(map[string]any)["total"] != "embedded_xml" {
			t.Errorf("blank.pdf: result %v sources %v", blank["result"], blank["sources"])
		}

		// XML uploads, CII and UBL (whatever their names).
		for name, want := range map[string]map[string]any{
			"cii.xml":       {"invoice_number": "F20260023", "invoice_date": "2026-01-31", "total": 104.9, "syntax": "cii"},
			"xrechnung.dat": {"syntax": "ubl"},
		} {
			x := result(name)
			res, conf, src := x["result"].(map[string]any), x["confidence"].(map[string]any), x["sources"].(map[string]any)
			inv, _ := x["einvoice"].(map[string]any)
			if inv == nil || inv["syntax"] != want["syntax"] {
				t.Errorf("%s: einvoice %v", name, x["einvoice"])
				continue
			}
			if x["file"].(map[string]any)["content_type"] != "application/xml" || x["file"].(map[string]any)["page_count"] != 1.0 {
				t.Errorf("%s: file %v", name, x["file"])
			}
			if res["invoice_number"] != inv["id"] || res["total"] == nil || conf["invoice_number"] != 1.0 || src["invoice_number"] != "embedded_xml" {
				t.Errorf("%s: result %v confidence %v sources %v", name, res, conf, src)
			}
			for k, v := range want {
				if k != "syntax" && res[k] != v {
					t.Errorf("%s: %s = %v, want %v", name, k, res[k], v)
				}
			}
		}

		// Hostile XML fails with a clear code.
		for _, name := range profiles {
			x := result("profile-" + name)
			inv, _ := x["einvoice"].(map[string]any)
			res, _ := x["result"].(map[string]any)
			if inv == nil || res == nil {
				t.Errorf("%s: no einvoice or result: %v", name, x)
				continue
			}
			total, _ := strconv.ParseFloat(inv["totals"].(map[string]any)["grand_total"].(string), 64)
			if res["invoice_number"] != inv["id"] || res["invoice_date"] != inv["issue_date"] || res["total"] != total ||
				x["confidence"].(map[string]any)["total"] != 1.0 || x["sources"].(map[string]any)["invoice_number"] != "embedded_xml" {
				t.Errorf("%s: result %v, einvoice id %v date %v total %v", name, res, inv["id"], inv["issue_date"], total)
			}
			if lines, _ := inv["lines"].([]any); len(lines) > 0 {
				items, _ := res["line_items"].([]any)
				if len(items) != len(lines) || items[0].(map[string]any)["description"] != lines[0].(map[string]any)["name"] {
					t.Errorf("%s: line_items %v, einvoice lines %v", name, items, lines)
				}
			}
		}

		// Hostile XML fails with a clear code; the external entity is never
		// read.
		for name, code := range map[string]string{"bomb.xml": "corrupt_document", "xxe.xml": "corrupt_document", "deep.xml": "too_large_content"} {
			f := byName[name]
			if f["status"] != "failed" || f["error"] == nil || f["error"].(map[string]any)["code"] != code {
				t.Errorf("%s: %v, want failed with %s", name, f, code)
			}
			if x := result(name); strings.Contains(fmt.Sprint(x), "TOPSECRET") || x["result"] != nil {
				t.Errorf("%s: %v", name, x)
			}
		}
	})
}

// TestInferredSource: with infer_missing, a document that prints its total
// and tax but no net amount gets the net computed, named "inferred" in
// sources (at confidence at most 0.5, so the file goes to review), while
// the values read keep the page's source.
func TestInferredSource(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtractionOf(map[string]any{
			"name": "Totals",
			"fields": []map[string]any{
				{"key": "invoice_number", "type": "string"},
				{"key": "net", "type": "number", "description": "Net amount before VAT"},
				{"key": "tax", "type": "number"},
				{"key": "total", "type": "number"},
			},
			"options": map[string]any{"infer_missing": true},
		})
		pdf := pdftest.Text([]string{"ACME GmbH", "Invoice number: 2026-17", "VAT 20%: 20.00 EUR", "Total: 120.00 EUR"})
		_, x := e.extractOne(extID, upload{"invoice.pdf", pdf})
		res, conf, src := x["result"].(map[string]any), x["confidence"].(map[string]any), x["sources"].(map[string]any)
		if res["net"] != 100.0 || res["tax"] != 20.0 || res["total"] != 120.0 {
			t.Fatalf("result %v, want net 100 (inferred), tax 20, total 120", res)
		}
		if src["net"] != "inferred" || src["tax"] != "text" || src["total"] != "text" || src["invoice_number"] != "text" {
			t.Errorf("sources %v, want net inferred, the rest text", src)
		}
		// Citations: the inferred value stands on no page; the values read
		// cite page 1, each in a box inside the page, the invoice number's
		// line above the total's.
		cites := x["citations"].(map[string]any)
		if !reflect.DeepEqual(cites["net"], map[string]any{"page": nil, "source": "inferred"}) {
			t.Errorf("net cites %v, want no page and source inferred", cites["net"])
		}
		boxes := map[string][]float64{}
		for _, k := range []string{"invoice_number", "tax", "total"} {
			c, _ := cites[k].(map[string]any)
			b, _ := c["box"].([]any)
			if c == nil || c["page"] != 1.0 || len(b) != 4 {
				t.Fatalf("%s cites %v, want page 1 and a box", k, cites[k])
			}
			for _, v := range b {
				boxes[k] = append(boxes[k], v.(float64))
			}
			if bx := boxes[k]; bx[0] < 0 || bx[1] < 0 || bx[2] > 1 || bx[3] > 1 || bx[0] >= bx[2] || bx[1] >= bx[3] {
				t.Errorf("%s's box %v is not a box inside the page", k, bx)
			}
		}
		if boxes["invoice_number"][3] > boxes["total"][1] || boxes["tax"][3] > boxes["total"][1] {
			t.Errorf("boxes %v: the invoice number's and the tax's lines stand above the total's", boxes)
		}
		if c, _ := conf["net"].(float64); c <= 0 || c > 0.5 {
			t.Errorf("confidence of net %v, want in (0, 0.5]", conf["net"])
		}
		if st := x["file"].(map[string]any)["status"]; st != "needs_review" {
			t.Errorf("status %v, want needs_review (an inferred value's confidence is at most 0.5)", st)
		}
	})
}

// TestEInvoiceAttachmentBomb uploads a 1 MB PDF whose factur-x.xml
// attachment inflates to 1 GiB: the attachment is refused (too large for
// the PDF reader's memory limit), the page is still read, and the file
// goes to review with an einvoice_unreadable warning saying so. The
// memory bound itself is asserted by extract's TestAttachmentsGigabyteBomb.
func TestEInvoiceAttachmentBomb(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("inflates up to the PDF reader's memory limit")
	}
	page := pdftest.Text([]string{"ACME GmbH", "Invoice number: 2026-9", "Invoice date: 2026-03-02", "Total: 120.00 EUR"})
	bomb := pdftest.Attach(page, pdftest.Attachment{Name: "factur-x.xml", Data: pdftest.Zeros(1 << 30), Deflated: true})
	if len(bomb) > 2<<20 {
		t.Fatalf("the upload is %d bytes, want about 1 MB", len(bomb))
	}
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		t.Parallel()
		e := newEnv(t, eng, envOptions{})
		f, x := e.extractOne(e.createExtractionOf(einvoiceSchema), upload{"bomb.pdf", bomb})
		if f["status"] != "needs_review" {
			t.Errorf("status %v (error %v), want needs_review", f["status"], f["error"])
		}
		ws, _ := x["warnings"].([]any)
		if len(ws) != 1 {
			t.Fatalf("warnings %v, want one", x["warnings"])
		}
		w := ws[0].(map[string]any)
		msg, _ := w["message"].(string)
		if w["code"] != "einvoice_unreadable" || !strings.Contains(msg, `"factur-x.xml"`) || !strings.Contains(msg, "inflates past the 512 MB memory limit") {
			t.Errorf("warning %v, want einvoice_unreadable naming the attachment and the memory limit", w)
		}
		res, src := x["result"].(map[string]any), x["sources"].(map[string]any)
		if x["einvoice"] != nil || res["invoice_number"] != "2026-9" || res["total"] != 120.0 || src["total"] != "text" {
			t.Errorf("einvoice %v, result %v, sources %v; want the page's values", x["einvoice"], res, src)
		}
	})
}

package extract

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/extract/pdftest"
)

func readEInvoice(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "einvoice", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSniffEInvoice(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"cii1-comfort.xml", "cii-minimum.xml", "cii-en16931.xml", "ubl-xrechnung.xml", "ubl-creditnote.xml"} {
		b := readEInvoice(t, name)
		kind, mime := Sniff(b[:min(len(b), HeadLen)], "upload.txt")
		if kind != KindEInvoice || mime != "application/xml" {
			t.Errorf("Sniff(%s) = %s, %s; want einvoice, application/xml", name, kind, mime)
		}
	}
	// Other XML stays text; the file name decides nothing.
	for name, head := range map[string]string{
		"other xml": `<?xml version="1.0"?><order><id>1</id></order>`,
		"rss":       `<?xml version="1.0"?><rss version="2.0"><channel/></rss>`,
	} {
		if kind, _ := Sniff([]byte(head), "factur-x.xml"); kind != KindText {
			t.Errorf("Sniff(%s) = %s, want text", name, kind)
		}
	}
}

func TestEInvoiceXMLFile(t *testing.T) {
	t.Parallel()
	path := writeTemp(t, "invoice.xml", readEInvoice(t, "cii-en16931.xml"))
	inv, from, err := engine.EInvoice(context.Background(), path, KindEInvoice)
	if err != nil || inv == nil || from != "" {
		t.Fatalf("EInvoice = %v, %q, %v", inv, from, err)
	}
	if inv.ID != "471102" || inv.Totals.GrandTotal != "529.87" {
		t.Errorf("invoice %q total %q, want 471102, 529.87", inv.ID, inv.Totals.GrandTotal)
	}
	if n, err := engine.Pages(context.Background(), path, KindEInvoice); n != 1 || err != nil {
		t.Errorf("Pages = %d, %v; want 1", n, err)
	}
	doc, err := engine.Extract(context.Background(), path, KindEInvoice)
	if err != nil {
		t.Fatal(err)
	}
	text := doc.Text()
	for _, want := range []string{"Invoice number: 471102", "Invoice date: 2018-03-05", "Seller: Lieferant GmbH", "Total incl VAT: 529.87"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "<") {
		t.Errorf("text holds markup:\n%s", text)
	}
}

func TestEInvoiceHostileXML(t *testing.T) {
	t.Parallel()
	open := `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">`
	bomb := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` + open + `<x>&b;</x></rsm:CrossIndustryInvoice>`
	deep := open + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + `</rsm:CrossIndustryInvoice>`
	for name, tc := range map[string]struct {
		xml, code string
	}{
		"entity expansion": {bomb, CodeCorruptDocument},
		"deep nesting":     {deep, CodeTooLargeContent},
	} {
		if kind, _ := Sniff([]byte(tc.xml[:min(len(tc.xml), HeadLen)]), "x.xml"); kind != KindEInvoice {
			t.Errorf("%s: sniffed as %s, want einvoice", name, kind)
		}
		path := writeTemp(t, "hostile.xml", []byte(tc.xml))
		if _, err := engine.Extract(context.Background(), path, KindEInvoice); !IsCode(err, tc.code) {
			t.Errorf("%s: Extract = %v, want %s", name, err, tc.code)
		}
		if _, _, err := engine.EInvoice(context.Background(), path, KindEInvoice); !IsCode(err, tc.code) {
			t.Errorf("%s: EInvoice = %v, want %s", name, err, tc.code)
		}
	}
}

func TestEInvoicePDF(t *testing.T) {
	t.Parallel()
	page := pdftest.Text([]string{"Invoice 471102", "Total 529.87"})
	hybrid := pdftest.Attach(page, pdftest.Attachment{Name: "factur-x.xml", Data: readEInvoice(t, "cii-en16931.xml"), Compress: true})
	inv, from, err := engine.EInvoice(context.Background(), writeTemp(t, "hybrid.pdf", hybrid), KindPDF)
	if err != nil || inv == nil || from != "factur-x.xml" || inv.ID != "471102" {
		t.Fatalf("EInvoice(hybrid) = %v, %q, %v", inv, from, err)
	}
	// No attachment, or one that is no invoice: no invoice, no error.
	other := pdftest.Attach(page, pdftest.Attachment{Name: "notes.xml", Data: []byte(`<notes/>`)})
	for name, pdf := range map[string][]byte{"plain": page, "other attachment": other} {
		if inv, _, err := engine.EInvoice(context.Background(), writeTemp(t, "p.pdf", pdf), KindPDF); inv != nil || err != nil {
			t.Errorf("EInvoice(%s) = %v, %v; want none", name, inv, err)
		}
	}
	// A broken invoice attachment is an error the caller can report.
	broken := pdftest.Attach(page, pdftest.Attachment{Name: "factur-x.xml", Data: []byte(`<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><unclosed>`)})
	if _, _, err := engine.EInvoice(context.Background(), writeTemp(t, "b.pdf", broken), KindPDF); !IsCode(err, CodeCorruptDocument) {
		t.Errorf("EInvoice(broken attachment) = %v, want corrupt_document", err)
	}
	// Any other kind holds none.
	if inv, _, err := engine.EInvoice(context.Background(), writeTemp(t, "t.txt", []byte("Invoice 1")), KindText); inv != nil || err != nil {
		t.Errorf("EInvoice(text) = %v, %v", inv, err)
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docparse/docparse/bench/internal/dataset"
	"github.com/docparse/docparse/internal/einvoice"
	"github.com/google/go-cmp/cmp"
)

func TestHasAmount(t *testing.T) {
	t.Parallel()
	page := newPageText("Netto 1.234,56 EUR\nMwSt 19%   234,57\nTotal: 1,469.13 $  Rest 12 345.00  neg -25,00 long 104,905 ref 99104.90")
	for v, want := range map[string]bool{
		"1234.56":  true, // 1.234,56
		"234.57":   true, // not mistaken for the tail of 1.234,57
		"1469.13":  true, // 1,469.13
		"12345.00": true, // 12 345.00
		"-25.00":   true, // sign ignored
		"25.00":    true,
		"104.90":   false, // only inside 104,905 and 99104.90
		"34.56":    false, // only inside 1.234,56
		"1.23":     false,
	} {
		if got := page.hasAmount(v); got != want {
			t.Errorf("hasAmount(%s) = %v, want %v", v, got, want)
		}
	}
}

func TestHasDate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		page, date string
		want       bool
	}{
		{"Rechnungsdatum: 06.12.2026", "2026-12-06", true},
		{"Datum 6.12.2026", "2026-12-06", true},
		{"Date 06/12/2026", "2026-12-06", true},
		{"Date: 2026-12-06", "2026-12-06", true},
		{"Datum: 6. Dezember 2026", "2026-12-06", true},
		{"le 6 décembre 2026", "2026-12-06", true},
		{"December 6, 2026", "2026-12-06", true},
		{"06 Dec. 2026", "2026-12-06", true},
		{"Datum 06.12.26", "2026-12-06", true},
		{"Datum 16.12.2026", "2026-12-06", false},
		{"Datum 06.12.2025", "2026-12-06", false},
		{"16. Dezember 2026", "2026-12-06", false},
		{"nothing here", "2026-12-06", false},
	} {
		if got := newPageText(tt.page).hasDate(tt.date); got != tt.want {
			t.Errorf("hasDate(%q in %q) = %v, want %v", tt.date, tt.page, got, tt.want)
		}
	}
}

func TestHasText(t *testing.T) {
	t.Parallel()
	page := newPageText("Lieferant   GmbH\nLieferantenstraße 20\nUSt-IdNr.: DE 123 456 789\nIBAN DE02 1203 0000 0000 2020 51\nRechnung Nr. 471102-A")
	for _, tt := range []struct {
		check func(string) bool
		v     string
		want  bool
	}{
		{page.hasText, "LIEFERANT GMBH", true},
		{page.hasText, "Lieferant", true},
		{page.hasText, "Lieferantenstraße", true},
		{page.hasText, "Liefer", false}, // part of a word
		{page.hasText, "471102-A", true},
		{page.hasText, "471102-AB", false},
		{page.hasText, "71102", false},
		{page.hasCompact, "DE123456789", true},
		{page.hasCompact, "DE02120300000000202051", true},
		{page.hasCompact, "DE02120300000000202052", false},
		{page.hasCurrency, "EUR", false},
	} {
		if got := tt.check(tt.v); got != tt.want {
			t.Errorf("check(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
	if !newPageText("Summe 12,00 €").hasCurrency("EUR") || !newPageText("total EUR 12.00").hasCurrency("EUR") {
		t.Error("hasCurrency misses € or EUR")
	}
}

func TestTruthOf(t *testing.T) {
	t.Parallel()
	inv := &einvoice.Invoice{
		ID: "F1", IssueDate: "2026-01-31", Currency: "eur",
		Seller: einvoice.Party{Name: "ACME", VATID: "DE1"},
		IBAN:   "de02 1203 0000 0000 2020 51",
		Totals: einvoice.Totals{GrandTotal: "104.905", TaxBasis: "100.00", Tax: "4.9050"},
	}
	want := map[string]string{
		"invoice_number": "F1", "date": "2026-01-31", "currency": "EUR", "seller_name": "ACME", "seller_vat_id": "DE1",
		"iban": "DE02120300000000202051", "total": "104.91", "net": "100.00", "tax": "4.91",
	}
	if diff := cmp.Diff(want, truthOf(inv)); diff != "" {
		t.Errorf("truthOf (-want +got):\n%s", diff)
	}
}

func TestEInvoiceIDStable(t *testing.T) {
	t.Parallel()
	a := einvoiceID("ZUGFeRD/mustangproject:library/src/test/resources/EN16931_Einfach.pdf")
	b := einvoiceID("ZUGFeRD/mustangproject:validator/src/test/resources/EN16931_Einfach.pdf")
	if a == b || !strings.HasPrefix(a, "en16931-einfach-") || a != einvoiceID("ZUGFeRD/mustangproject:library/src/test/resources/EN16931_Einfach.pdf") {
		t.Fatalf("ids %q, %q: want stable, distinct, named after the file", a, b)
	}
}

func TestSellerGroup(t *testing.T) {
	t.Parallel()
	group := func(name string) string {
		inv := &einvoice.Invoice{}
		inv.Seller.Name = name
		return sellerGroup(inv, "the-id")
	}
	if a, b := group("Lieferant GmbH & Co. KG"), group("LIEFERANT GMBH"); a != b || a != "seller:lieferant" {
		t.Errorf("one seller in two spellings: groups %q, %q, want both seller:lieferant", a, b)
	}
	if a, b := group("Lieferant GmbH"), group("Musterlieferant GmbH"); a == b {
		t.Errorf("two sellers share the group %q", a)
	}
	if g := group(""); g != "the-id" {
		t.Errorf("no seller: group %q, want the item's own id", g)
	}
	if g := group("GmbH"); g != "the-id" {
		t.Errorf("a seller named only by its legal form: group %q, want the item's own id", g)
	}
}

func TestAssignSplits(t *testing.T) {
	t.Parallel()
	// Two groups whose hash sends them to validation; one of them holds
	// an invoice development has read.
	var read, fresh string
	for i := 0; read == "" || fresh == ""; i++ {
		g := fmt.Sprintf("seller:s%d", i)
		if dataset.Split("einvoice", g) != dataset.Validation {
			continue
		}
		if read == "" {
			read = g
		} else {
			fresh = g
		}
	}
	items := []dataset.Item{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	groups := map[string]string{"a": read, "b": read, "c": fresh}
	assignSplits(items, groups, map[string]bool{"b": true})
	for _, it := range items {
		want := dataset.Train
		if it.ID == "c" {
			want = dataset.Validation
		}
		if it.Split != want {
			t.Errorf("item %s (group %s): split %s, want %s", it.ID, groups[it.ID], it.Split, want)
		}
	}
}

func TestOpenRepoRefusesReserved(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ZUGFeRD+corpus", "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := openRepo(dir); err == nil {
		t.Fatal("openRepo opened ZUGFeRD/corpus")
	}
}

// TestEInvoiceItems lays out a repository holding a hybrid PDF (made here:
// a page of text and a CII attachment) and a plain one, as a checkout and
// as a bare git directory.
func TestEInvoiceItems(t *testing.T) {
	for _, tool := range []string{"qpdf", "pdftotext", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (.ci/run installs it)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	tmp := t.TempDir()
	checkout := filepath.Join(tmp, "acme+invoices", "checkout")
	if err := os.MkdirAll(filepath.Join(checkout, "pdf"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The page shows the number, the date, the seller, the buyer and the
	// total, but neither the net nor the tax nor the IBAN of the XML.
	plain := filepath.Join(checkout, "pdf", "plain.pdf")
	if err := os.WriteFile(plain, onePagePDF("Rechnung F20260023 vom 31.01.2026", "LE FOURNISSEUR an LE CLIENT", "Gesamtbetrag 104,90 EUR"), 0o644); err != nil {
		t.Fatal(err)
	}
	xml := filepath.Join(tmp, "factur-x.xml")
	if err := os.WriteFile(xml, []byte(testCII), 0o644); err != nil {
		t.Fatal(err)
	}
	hybrid := filepath.Join(checkout, "pdf", "Hybrid Invoice.pdf")
	if out, err := exec.Command("qpdf", plain, hybrid, "--add-attachment", xml, "--key=factur-x.xml", "--").CombinedOutput(); err != nil {
		t.Fatalf("qpdf --add-attachment: %v: %s", err, out)
	}
	// The same invoice rendered again: not a second item.
	plain2 := filepath.Join(tmp, "plain2.pdf")
	if err := os.WriteFile(plain2, onePagePDF("Rechnung F20260023", "Gesamtbetrag 104,90 EUR"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", plain2, filepath.Join(checkout, "pdf", "zz-copy.pdf"), "--add-attachment", xml, "--key=factur-x.xml", "--").CombinedOutput(); err != nil {
		t.Fatalf("qpdf --add-attachment: %v: %s", err, out)
	}

	// Four more invoices of the same seller: the seller's group holds
	// maxPerSeller items, the first laid out (in path order).
	for _, n := range []string{"F20260024", "F20260025", "F20260026", "F20260027"} {
		pdf, x := filepath.Join(tmp, n+".pdf"), filepath.Join(tmp, n+".xml")
		if err := os.WriteFile(pdf, onePagePDF("Rechnung "+n+" vom 31.01.2026", "LE FOURNISSEUR an LE CLIENT"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(x, []byte(strings.Replace(testCII, "F20260023", n, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("qpdf", pdf, filepath.Join(checkout, "pdf", "seller-"+n+".pdf"), "--add-attachment", x, "--key=factur-x.xml", "--").CombinedOutput(); err != nil {
			t.Fatalf("qpdf --add-attachment: %v: %s", err, out)
		}
	}

	check := func(t *testing.T, repo, wantName string) {
		out := t.TempDir()
		items, err := einvoiceItems([]string{repo}, out)
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, it := range items {
			numbers = append(numbers, it.Truth["invoice_number"])
			if it.Split != dataset.Split("einvoice", "seller:le fournisseur") {
				t.Errorf("item %s in split %s, want its seller's", it.ID, it.Split)
			}
		}
		// The hybrid PDF and the first two of the seller's others (in
		// path order); zz-copy repeats the first invoice.
		if want := []string{"F20260023", "F20260024", "F20260025"}; !slices.Equal(numbers, want) {
			t.Fatalf("items of invoices %v, want %v", numbers, want)
		}
		it := items[0]
		wantTruth := map[string]string{
			"invoice_number": "F20260023", "date": "2026-01-31", "seller_name": "LE FOURNISSEUR",
			"buyer_name": "LE CLIENT", "currency": "EUR", "total": "104.90",
		}
		if diff := cmp.Diff(wantTruth, it.Truth); diff != "" {
			t.Errorf("truth (-want +got):\n%s", diff)
		}
		if it.Origin != wantName+":pdf/Hybrid Invoice.pdf" || it.Source != "einvoice" || it.Kind != dataset.KindInvoice ||
			it.File != "einvoice/"+it.ID+".pdf" {
			t.Errorf("item %+v", it)
		}
		keys, err := attachmentKeys(context.Background(), filepath.Join(out, it.File))
		if err != nil || len(keys) != 0 {
			t.Errorf("the laid-out PDF has attachments %v (%v)", keys, err)
		}
	}
	t.Run("checkout", func(t *testing.T) { check(t, checkout, "checkout") })
	t.Run("bare", func(t *testing.T) {
		for _, args := range [][]string{
			{"-C", checkout, "init", "-q"},
			{"-C", checkout, "add", "."},
			{"-C", checkout, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "pdfs"},
			{"clone", "-q", "--bare", checkout, filepath.Join(tmp, "acme+invoices", "repo")},
		} {
			if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v: %s", args, err, out)
			}
		}
		check(t, filepath.Join(tmp, "acme+invoices", "repo"), "acme/invoices")
	})
}

// onePagePDF writes a one-page PDF showing lines in Helvetica.
func onePagePDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 12 Tf 72 720 Td 16 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

const testCII = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument><ram:ID>F20260023</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">20260131</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>LE FOURNISSEUR</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>LE CLIENT</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630006000011234567890189</ram:IBANID></ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">4.90</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>104.90</ram:GrandTotalAmount>
        <ram:DuePayableAmount>104.90</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`

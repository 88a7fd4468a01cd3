package fields

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/einvoice"
	"github.com/docparse/docparse/internal/extract"
)

func parseTestInvoice(t testing.TB, name string) *einvoice.Invoice {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "einvoice", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := einvoice.Parse(f, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// invoiceSchema asks for the common fields under keys a user would write,
// some flat ("seller_vat_id"), some nested.
var einvoiceSchema = []docparse.Field{
	{Key: "invoice_no", Type: docparse.TypeString},
	{Key: "invoice_date", Type: docparse.TypeDate},
	{Key: "due_date", Type: docparse.TypeDate},
	{Key: "currency", Type: docparse.TypeString},
	{Key: "total", Type: docparse.TypeNumber, Description: "Total amount including VAT"},
	{Key: "net_amount", Type: docparse.TypeNumber},
	{Key: "vat_amount", Type: docparse.TypeNumber},
	{Key: "iban", Type: docparse.TypeString},
	{Key: "order_number", Type: docparse.TypeString},
	{Key: "supplier", Type: docparse.TypeObject, Fields: []docparse.Field{
		{Key: "name", Type: docparse.TypeString},
		{Key: "vat_id", Type: docparse.TypeString},
		{Key: "address", Type: docparse.TypeString},
		{Key: "city", Type: docparse.TypeString},
	}},
	{Key: "customer_name", Type: docparse.TypeString},
	{Key: "buyer_vat_number", Type: docparse.TypeString},
	{Key: "notes", Type: docparse.TypeString},
	{Key: "line_items", Type: docparse.TypeListObject, Fields: []docparse.Field{
		{Key: "description", Type: docparse.TypeString},
		{Key: "quantity", Type: docparse.TypeNumber},
		{Key: "unit_price", Type: docparse.TypeNumber},
		{Key: "amount", Type: docparse.TypeNumber},
		{Key: "sku", Type: docparse.TypeString},
	}},
}

func TestFromInvoice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want map[string]any
	}{
		{"cii-basicwl.xml", map[string]any{
			"invoice_no": "F20260023", "invoice_date": "2026-01-31", "due_date": "2026-03-02", "currency": "EUR",
			"total": 104.9, "net_amount": 100.0, "vat_amount": 4.9, "iban": "FR20 1254 2547 2569 8542 5874 698", "order_number": "PO201925478",
			"supplier": map[string]any{"name": "LE FOURNISSEUR", "vat_id": "FR11123456782",
				"address": "35 rue d'ici, Seller line 2, Seller line 3, 75018 PARIS, FR", "city": "PARIS"},
			"customer_name": "LE CLIENT", "buyer_vat_number": "FR 05 987 654 321", "notes": nil, "line_items": nil,
		}},
		{"ubl-xrechnung.xml", nil},
		{"cii-en16931.xml", nil},
	} {
		inv := parseTestInvoice(t, tc.file)
		res := FromInvoice(inv, einvoiceSchema)
		if tc.want != nil && !reflect.DeepEqual(res.Values, tc.want) {
			t.Errorf("%s: values\n got %#v\nwant %#v", tc.file, res.Values, tc.want)
		}
		if res.Values["invoice_no"] != inv.ID || res.Values["total"] == nil || res.Confidence["invoice_no"] != 1.0 || res.Confidence["notes"] != 0.0 {
			t.Errorf("%s: invoice_no %v (%v), total %v, notes conf %v", tc.file, res.Values["invoice_no"], res.Confidence["invoice_no"], res.Values["total"], res.Confidence["notes"])
		}
		if sup := res.Values["supplier"].(map[string]any); sup["name"] != inv.Seller.Name {
			t.Errorf("%s: supplier name %v, want %q", tc.file, sup["name"], inv.Seller.Name)
		}
		items, _ := res.Values["line_items"].([]any)
		if len(items) != len(inv.Lines) {
			t.Fatalf("%s: %d line items, want %d", tc.file, len(items), len(inv.Lines))
		}
		for i, it := range items {
			row := it.(map[string]any)
			l := inv.Lines[i]
			if row["description"] != l.Name || row["sku"] != nil || row["amount"] == nil || row["quantity"] == nil {
				t.Errorf("%s: line %d = %v, want %+v", tc.file, i, row, l)
			}
			if c := res.Confidence["line_items"].([]any)[i].(map[string]any); c["amount"] != 1.0 || c["sku"] != 0.0 {
				t.Errorf("%s: line %d confidence %v", tc.file, i, c)
			}
		}
	}
}

func TestFromInvoiceLines(t *testing.T) {
	t.Parallel()
	res := FromInvoice(parseTestInvoice(t, "cii-en16931.xml"), einvoiceSchema)
	want := []any{
		map[string]any{"description": "Trennblätter A4", "quantity": 20.0, "unit_price": 9.9, "amount": 198.0, "sku": nil},
		map[string]any{"description": "Joghurt Banane", "quantity": 50.0, "unit_price": 5.5, "amount": 275.0, "sku": nil},
	}
	if !reflect.DeepEqual(res.Values["line_items"], want) {
		t.Errorf("line_items = %#v", res.Values["line_items"])
	}
	if res.Values["total"] != 529.87 || res.Values["net_amount"] != 473.0 || res.Values["vat_amount"] != 56.87 {
		t.Errorf("totals %v %v %v", res.Values["total"], res.Values["net_amount"], res.Values["vat_amount"])
	}
}

func TestMergeInvoice(t *testing.T) {
	t.Parallel()
	schema := []docparse.Field{
		{Key: "invoice_number", Type: docparse.TypeString},
		{Key: "date", Type: docparse.TypeDate},
		{Key: "total", Type: docparse.TypeNumber},
		{Key: "notes", Type: docparse.TypeString},
		{Key: "seller", Type: docparse.TypeObject, Fields: []docparse.Field{
			{Key: "name", Type: docparse.TypeString}, {Key: "vat_id", Type: docparse.TypeString}}},
		{Key: "items", Type: docparse.TypeListObject, Fields: []docparse.Field{
			{Key: "description", Type: docparse.TypeString}, {Key: "sku", Type: docparse.TypeString}}},
	}
	inv := &einvoice.Invoice{Syntax: einvoice.SyntaxCII, ID: "F-1", IssueDate: "2026-01-31", Currency: "EUR",
		Seller: einvoice.Party{Name: "ACME SARL", VATID: "FR11123456782"},
		Buyer:  einvoice.Party{Name: "Client SA", VATID: "FR05987654321"},
		Totals: einvoice.Totals{TaxBasis: "100.00", Tax: "4.90", GrandTotal: "104.90", DuePayable: "104.90"},
		Lines:  []einvoice.Line{{Name: "Widget", NetAmount: "100.00"}}}
	page := Result{
		Values: map[string]any{"invoice_number": "f 1", "date": "2026-01-31", "total": 140.9, "notes": "Thanks",
			"seller": map[string]any{"name": "Acme", "vat_id": "FR 11 123456783"},
			"items":  []any{map[string]any{"description": "Widget x", "sku": "W-1"}}},
		Confidence: map[string]any{"invoice_number": 0.9, "date": 0.8, "total": 0.95, "notes": 0.7,
			"seller": map[string]any{"name": 0.6, "vat_id": 0.9},
			"items":  []any{map[string]any{"description": 0.8, "sku": 0.75}}},
	}
	// The page shows the XML's date in another format, and its invoice
	// number with other spacing; its total and VAT id are others.
	doc := pageDoc("Invoice f 1", "Date 31.01.2026", "Total 140,90 EUR", "Seller Acme", "VAT FR 11 123456783")
	m := MergeInvoice(schema, inv, page, SourceText, doc)
	wantVals := map[string]any{"invoice_number": "F-1", "date": "2026-01-31", "total": 104.9, "notes": "Thanks",
		"seller": map[string]any{"name": "ACME SARL", "vat_id": "FR11123456782"},
		"items":  []any{map[string]any{"description": "Widget", "sku": "W-1"}}}
	if !reflect.DeepEqual(m.Values, wantVals) {
		t.Errorf("values %#v", m.Values)
	}
	wantConf := map[string]any{"invoice_number": 1.0, "date": 1.0, "total": 1.0, "notes": 0.7,
		"seller": map[string]any{"name": 1.0, "vat_id": 1.0},
		"items":  []any{map[string]any{"description": 1.0, "sku": 0.75}}}
	if !reflect.DeepEqual(m.Confidence, wantConf) {
		t.Errorf("confidence %#v", m.Confidence)
	}
	wantSrc := map[string]any{"invoice_number": SourceEmbeddedXML, "date": SourceEmbeddedXML, "total": SourceEmbeddedXML, "notes": SourceText,
		"seller": map[string]any{"name": SourceEmbeddedXML, "vat_id": SourceEmbeddedXML},
		"items":  []any{map[string]any{"description": SourceEmbeddedXML, "sku": SourceText}}}
	if !reflect.DeepEqual(m.Sources, wantSrc) {
		t.Errorf("sources %#v", m.Sources)
	}
	// The invoice number folds to the same identifier; the name is free
	// text; the total and the VAT id differ.
	wantMis := []Mismatch{
		{Field: "total", PageValue: 140.9, XMLValue: 104.9},
		{Field: "seller.vat_id", PageValue: "FR 11 123456783", XMLValue: "FR11123456782"},
	}
	if !reflect.DeepEqual(m.Mismatches, wantMis) {
		t.Errorf("mismatches %#v", m.Mismatches)
	}
	if m := MergeInvoice(schema, inv, page, SourceText, nil); len(m.Mismatches) != 0 {
		t.Errorf("no document: mismatches %v", m.Mismatches)
	}
	// A misreading is no contradiction: the page engine took another
	// number for the total and the date, but the page shows the XML's
	// values elsewhere (as "1.104,90"-style amounts and another date
	// format too).
	misread := pageDoc("Invoice F-1 of January 31, 2026", "Net 140.90", "Total due 104,90 €", "Seller VAT no. FR11123456782")
	if m := MergeInvoice(schema, inv, page, SourceText, misread); len(m.Mismatches) != 0 {
		t.Errorf("misread page: mismatches %v", m.Mismatches)
	}
	// A value the invoice holds elsewhere (the subtotal read as the total,
	// the buyer's VAT id as the seller's) is a misreading, not a
	// contradiction, even when the XML's own value is not printed.
	page.Values["total"] = 100.0
	page.Values["seller"].(map[string]any)["vat_id"] = "FR 05 987 654 321"
	if m := MergeInvoice(schema, inv, page, SourceText, pageDoc("Invoice F-1")); len(m.Mismatches) != 0 {
		t.Errorf("values of other fields: mismatches %v", m.Mismatches)
	}
}

// A total the page engine inferred stays inferred where the XML does not
// answer it, becomes the XML's where it does, and is never a
// contradiction of the XML (it is printed nowhere).
func TestMergeInvoiceInferred(t *testing.T) {
	t.Parallel()
	schema := []docparse.Field{
		{Key: "subtotal", Type: docparse.TypeNumber}, {Key: "tax", Type: docparse.TypeNumber}, {Key: "total", Type: docparse.TypeNumber}}
	page := Result{Values: map[string]any{"subtotal": 100.0, "tax": 20.0, "total": 120.0},
		Confidence: map[string]any{"subtotal": 0.9, "tax": 0.9, "total": 0.5}, Inferred: []string{"total"}}
	doc := pageDoc("Subtotal 100.00", "VAT 20.00")

	noTotal := &einvoice.Invoice{Syntax: einvoice.SyntaxCII, ID: "1", Totals: einvoice.Totals{TaxBasis: "100.00"}}
	m := MergeInvoice(schema, noTotal, page, SourceText, doc)
	want := map[string]any{"subtotal": SourceEmbeddedXML, "tax": SourceText, "total": SourceInferred}
	if !reflect.DeepEqual(m.Sources, want) || !reflect.DeepEqual(m.Inferred, []string{"total"}) {
		t.Errorf("XML without a total: sources %v, inferred %v; want %v, [total]", m.Sources, m.Inferred, want)
	}

	other := &einvoice.Invoice{Syntax: einvoice.SyntaxCII, ID: "1", Totals: einvoice.Totals{GrandTotal: "130.00"}}
	m = MergeInvoice(schema, other, page, SourceText, doc)
	if m.Sources["total"] != SourceEmbeddedXML || m.Values["total"] != 130.0 || m.Inferred != nil || len(m.Mismatches) != 0 {
		t.Errorf("XML with another total: sources %v, values %v, inferred %v, mismatches %v", m.Sources, m.Values, m.Inferred, m.Mismatches)
	}
}

// pageDoc is a one-page document of lines, words split at spaces.
func pageDoc(lines ...string) *extract.Document {
	p := extract.Page{Number: 1}
	for _, l := range lines {
		ln := extract.Line{Text: l}
		for _, w := range strings.Fields(l) {
			ln.Words = append(ln.Words, extract.Word{Text: w, Conf: 1})
		}
		p.Lines = append(p.Lines, ln)
	}
	return &extract.Document{Pages: []extract.Page{p}}
}

func TestSources(t *testing.T) {
	t.Parallel()
	schema := []docparse.Field{
		{Key: "a", Type: docparse.TypeString},
		{Key: "b", Type: docparse.TypeNumber},
		{Key: "tags", Type: docparse.TypeListString},
		{Key: "o", Type: docparse.TypeObject, Fields: []docparse.Field{{Key: "x", Type: docparse.TypeString}}},
	}
	got := Sources(schema, map[string]any{"a": "v", "b": nil, "tags": []any{"p", "q"}, "o": map[string]any{"x": nil}}, SourceOCR)
	want := map[string]any{"a": SourceOCR, "b": nil, "tags": []any{SourceOCR, SourceOCR}, "o": map[string]any{"x": nil}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sources = %#v", got)
	}
}

// BenchmarkFromInvoice maps a parsed EN 16931 invoice onto a schema.
func BenchmarkFromInvoice(b *testing.B) {
	inv := parseTestInvoice(b, "cii-en16931.xml")
	for b.Loop() {
		FromInvoice(inv, einvoiceSchema)
	}
}

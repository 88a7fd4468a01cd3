package fields

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

// textDoc turns text into a one-page Document with one Line per text line,
// words split on spaces and placed on the monospace grid that extract uses
// for plain text (6 points a column, 12 a line), so columns set apart by
// spacing keep their positions.
func textDoc(text string) *extract.Document {
	const charW, lineH = 6.0, 12.0
	page := extract.Page{Number: 1}
	for i, raw := range strings.Split(text, "\n") {
		l := extract.Line{Text: raw}
		col := 0
		for _, f := range strings.Split(raw, " ") {
			if f != "" {
				n := len([]rune(f))
				box := extract.Box{X0: float64(col) * charW, Y0: float64(i) * lineH, X1: float64(col+n) * charW, Y1: float64(i+1) * lineH}
				l.Words = append(l.Words, extract.Word{Text: f, Box: box, Conf: 1})
			}
			col += len([]rune(f)) + 1
		}
		page.Lines = append(page.Lines, l)
	}
	return &extract.Document{Pages: []extract.Page{page}}
}

func field(key string, typ docparse.FieldType, children ...docparse.Field) docparse.Field {
	return docparse.Field{Key: key, Type: typ, Fields: children}
}

// valueCase is a document's text and the value Extract should find in it;
// name, when set, stands for the text in failure messages.
type valueCase struct {
	name, text string
	want       any
}

// checkValues extracts each case's text with schema and opts and checks
// the value at key. It returns the results, case by case, for further
// checks.
func checkValues(t *testing.T, schema []docparse.Field, opts Options, key string, cases []valueCase) []Result {
	t.Helper()
	results := make([]Result, len(cases))
	for i, tc := range cases {
		results[i] = Extract(textDoc(tc.text), schema, opts)
		if got := results[i].Values[key]; got != tc.want {
			label := tc.name
			if label == "" {
				label = fmt.Sprintf("%q", tc.text)
			}
			t.Errorf("%s: %s = %v, want %v", label, key, got, tc.want)
		}
	}
	return results
}

func TestExtractScalars(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		field    docparse.Field
		lang     string
		want     any
		wantConf float64
	}{
		{"invoice number after a colon", "Invoice No: 42183017", field("invoice_number", docparse.TypeString), "", "42183017", 0.81},
		{"amount with currency and thousands", "Total: $1,234.56", field("total", docparse.TypeNumber), "", 1234.56, 1},
		{"total named by a synonym", "Grand Total: $1,234.56", field("amount", docparse.TypeNumber), "", 1234.56, 0.9},
		{"day-first date", "Date: 24/05/2026", field("date", docparse.TypeDate), "", "2026-05-24", 1},
		{"value in the next column", "Invoice Number:          INV-0042", field("invoice_number", docparse.TypeString), "", "INV-0042", 0.9},
		{"value on the next line", "Invoice Number\n42183017", field("invoice_number", docparse.TypeString), "", "42183017", 0.765},
		{"value under a label is not read past another value", "Due Date:\nCustomer Copy\n2026-05-24", field("due_date", docparse.TypeDate), "", nil, 0.0},
		{"document date falls back to the first date", "Facture n°562044387\n02 Juillet 2015\nDate limite de paiement le 05 Juillet 2015", field("date", docparse.TypeDate), "", "2015-07-02", 0.3},
		{"document date after the number on the title line", "Facture n°562044387 du 02 Juillet 2015\nDate limite de paiement le 05 Juillet 2015", field("date", docparse.TypeDate), "", "2015-07-02", 0.9},
		{"value under a blank line", "Invoice Date:\n\n2026-05-24", field("invoice_date", docparse.TypeDate), "", "2026-05-24", 0.85},
		{"value two lines below", "Invoice Date:\n                    Ref: A1\n2026-05-24", field("invoice_date", docparse.TypeDate), "", "2026-05-24", 0.8},
		{"French invoice number", "Facture n° 2022089083", field("invoice_number", docparse.TypeString), "", "2022089083", 0.81},
		{"German due date in a sentence", "Rechnung # RE-505\nBitte überweisen Sie bis zum 30.05.2017.", field("due_date", docparse.TypeDate), "", "2017-05-30", 0.788},
		{"French number glued to its label", "Facture n°562044387 du 02 Juillet 2015", field("invoice_number", docparse.TypeString), "", "562044387", 0.81},
		{"French total", "Total TTC :        1 234,56 €", field("amount", docparse.TypeNumber), "", 1234.56, 0.9},
		{"French subtotal, not the total", "Total HT :   1 028,80 €", field("total", docparse.TypeNumber), "", nil, 0.0},
		{"French date", "Date de facture : 24 mai 2026", field("date", docparse.TypeDate), "", "2026-05-24", 1},
		{"German invoice number", "Rechnungsnr.      30064443", field("invoice_number", docparse.TypeString), "", "30064443", 0.81},
		{"German date", "Rechnungsdatum: 24. Mai 2026", field("date", docparse.TypeDate), "", "2026-05-24", 0.9},
		{"German total", "Gesamtbetrag: 1.234,56 EUR", field("total", docparse.TypeNumber), "", 1234.56, 0.9},
		{"German compound split", "Rechnungs Datum: 24.05.2026", field("date", docparse.TypeDate), "", "2026-05-24", 0.7},
		{"overlapping labels merge", "N° TVA intracommunautaire : FR 40 303 265 045", field("vat_number", docparse.TypeString), "", "FR 40 303 265 045", 0.81},
		{"Spanish date", "Fecha: 24 de mayo de 2026", field("date", docparse.TypeDate), "", "2026-05-24", 0.7},
		{"Spanish tax", "IVA (21%):   212,10 €", field("tax", docparse.TypeNumber), "", 212.1, 0.9},
		{"label of another concept claims the word", "Due Date: 30/06/2026\nOrder Date: 01/05/2026\nDate: 24/05/2026", field("date", docparse.TypeDate), "", "2026-05-24", 1},
		{"ambiguous date, English", "Date: 05/06/2026", field("date", docparse.TypeDate), "English", "2026-05-06", 0.75},
		{"ambiguous date, French", "Date: 05/06/2026", field("date", docparse.TypeDate), "French", "2026-06-05", 0.75},
		{"ambiguous date, document shows day first", "Date: 05/06/2026\nDue date: 20/06/2026", field("date", docparse.TypeDate), "English", "2026-06-05", 0.75},
		{"integer", "Quantity: 12", field("quantity", docparse.TypeInteger), "", int64(12), 0.9},
		{"integer refuses a fraction", "Quantity: 12.5", field("quantity", docparse.TypeInteger), "", nil, 0.0},
		{"boolean", "Paid: oui", field("paid", docparse.TypeBoolean), "", true, 1},
		{"datetime with zone", "Issued at: 2026-05-24 14:30 +02:00", field("issued_at", docparse.TypeDateTime), "", "2026-05-24T12:30:00Z", 1},
		{"free text", "Payment terms: 30 days net", field("payment_terms", docparse.TypeString), "", "30 days net", 0.8},
		{"IBAN with spaces, checked", "IBAN : FR76 3000 6000 0112 3456 7890 189 - BIC : AGRIFRPP", field("iban", docparse.TypeString), "", "FR7630006000011234567890189", 1},
		{"amount refuses a sentence", "Amount due on receipt of this invoice, see terms.", field("amount", docparse.TypeNumber), "", nil, 0.0},
		{"percentage is no amount", "VAT 20%", field("vat", docparse.TypeNumber), "", nil, 0.0},
		{"missing field", "Invoice No: 42183017\nTotal: 10.00", field("due_date", docparse.TypeDate), "", nil, 0.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// wantConf is the raw score (see the package comment); Extract
			// emits its calibration.
			raw, _ := extractTraced(textDoc(tt.text), []docparse.Field{tt.field}, Options{Language: tt.lang}, false)
			if diff := cmp.Diff(tt.want, raw.Values[tt.field.Key]); diff != "" {
				t.Errorf("Extract(%q) %s mismatch (-want +got):\n%s", tt.text, tt.field.Key, diff)
			}
			if got := raw.Confidence[tt.field.Key]; got != tt.wantConf {
				t.Errorf("Extract(%q) raw score of %s = %v, want %v", tt.text, tt.field.Key, got, tt.wantConf)
			}
			res := Extract(textDoc(tt.text), []docparse.Field{tt.field}, Options{Language: tt.lang})
			if diff := cmp.Diff(raw.Values, res.Values); diff != "" {
				t.Errorf("Extract(%q) values differ from the raw run (-raw +calibrated):\n%s", tt.text, diff)
			}
			c, _ := res.Confidence[tt.field.Key].(float64)
			if (tt.want == nil) != (c == 0) || c < 0 || c > 1 {
				t.Errorf("Extract(%q) confidence of %s = %v, want 0 exactly when nothing is found, else in (0,1]", tt.text, tt.field.Key, c)
			}
		})
	}
}

func TestExtractInvoice(t *testing.T) {
	doc := textDoc(`ACME GmbH                                          RECHNUNG
Hauptstraße 1, 10115 Berlin

Rechnungsnummer:  2026-0042                        Rechnungsdatum:  24.05.2026
Kundennummer:     K-991                            Fälligkeitsdatum: 07.06.2026

Pos.  Beschreibung                    Menge     Einzelpreis      Betrag
1     Beratung Mai                    10        95,00            950,00
      (Remote, 10 Stunden)
2     Reisekosten                     1         87,20            87,20

                                               Summe netto       1.037,20
                                               MwSt. 19 %          197,07
                                               Gesamtbetrag      1.234,27

IBAN DE89 3704 0044 0532 0130 00`)
	schema := []docparse.Field{
		field("invoice_number", docparse.TypeString),
		field("date", docparse.TypeDate),
		field("due_date", docparse.TypeDate),
		field("customer_number", docparse.TypeString),
		field("subtotal", docparse.TypeNumber),
		field("tax", docparse.TypeNumber),
		field("total", docparse.TypeNumber),
		field("iban", docparse.TypeString),
		field("purchase_order", docparse.TypeString),
		field("line_items", docparse.TypeListObject,
			field("description", docparse.TypeString),
			field("quantity", docparse.TypeNumber),
			field("unit_price", docparse.TypeNumber),
			field("amount", docparse.TypeNumber)),
	}
	res := Extract(doc, schema, Options{Language: "German"})
	want := map[string]any{
		"invoice_number":  "2026-0042",
		"date":            "2026-05-24",
		"due_date":        "2026-06-07",
		"customer_number": "K-991",
		"subtotal":        1037.2,
		"tax":             197.07,
		"total":           1234.27,
		"iban":            "DE89370400440532013000",
		"purchase_order":  nil,
		"line_items": []any{
			// The line under an item that holds only text continues its description.
			map[string]any{"description": "Beratung Mai\n(Remote, 10 Stunden)", "quantity": 10.0, "unit_price": 95.0, "amount": 950.0},
			map[string]any{"description": "Reisekosten", "quantity": 1.0, "unit_price": 87.2, "amount": 87.2},
		},
	}
	if diff := cmp.Diff(want, res.Values); diff != "" {
		t.Errorf("Extract() values mismatch (-want +got):\n%s", diff)
	}
	if got := res.Confidence["purchase_order"]; got != 0.0 {
		t.Errorf("confidence of a missing field = %v, want 0", got)
	}
	items, ok := res.Confidence["line_items"].([]any)
	if !ok || len(items) != 2 {
		t.Fatalf("confidence of line_items = %#v, want a list of 2 maps", res.Confidence["line_items"])
	}
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			t.Fatalf("line_items[%d] confidence = %#v, want a map", i, it)
		}
		for k, c := range m {
			if f, ok := c.(float64); !ok || f <= 0.5 || f > 1 {
				t.Errorf("line_items[%d].%s confidence = %v, want in (0.5, 1]", i, k, c)
			}
		}
	}
	if got := MinConfidence(res.Confidence); got != 0 {
		t.Errorf("MinConfidence() = %v, want 0 (purchase_order is missing)", got)
	}
}

func TestExtractNestedObject(t *testing.T) {
	doc := textDoc(`INVOICE 2026-17

Seller
Name: Northwind Traders Ltd
VAT number: GB123456789

Buyer
Name: Jane Doe
Address: 12 Long Road, Leeds

Totals
Subtotal: 100.00
Tax: 20.00
Total: 120.00`)
	schema := []docparse.Field{
		field("seller", docparse.TypeObject, field("name", docparse.TypeString), field("vat_number", docparse.TypeString)),
		field("buyer", docparse.TypeObject, field("name", docparse.TypeString), field("address", docparse.TypeString), field("email", docparse.TypeString)),
		field("totals", docparse.TypeObject, field("subtotal", docparse.TypeNumber), field("tax", docparse.TypeNumber), field("total", docparse.TypeNumber)),
	}
	res := Extract(doc, schema, Options{})
	want := map[string]any{
		"seller": map[string]any{"name": "Northwind Traders Ltd", "vat_number": "GB123456789"},
		"buyer":  map[string]any{"name": "Jane Doe", "address": "12 Long Road, Leeds", "email": nil},
		"totals": map[string]any{"subtotal": 100.0, "tax": 20.0, "total": 120.0},
	}
	if diff := cmp.Diff(want, res.Values); diff != "" {
		t.Errorf("Extract() values mismatch (-want +got):\n%s", diff)
	}
	buyer, ok := res.Confidence["buyer"].(map[string]any)
	if !ok {
		t.Fatalf("confidence of buyer = %#v, want a map", res.Confidence["buyer"])
	}
	if buyer["email"] != 0.0 || buyer["name"].(float64) <= 0.5 {
		t.Errorf("confidence of buyer = %v, want name > 0.5 and email 0", buyer)
	}
}

func TestExtractInferMissing(t *testing.T) {
	doc := textDoc("Subtotal: 262.90\nTax 15%:   16.94")
	schema := []docparse.Field{field("amount", docparse.TypeNumber), field("amount_untaxed", docparse.TypeNumber), field("vat", docparse.TypeNumber)}

	res := Extract(doc, schema, Options{})
	if res.Values["amount"] != nil || res.Confidence["amount"] != 0.0 {
		t.Errorf("without InferMissing: amount = %v (%v), want nil (0)", res.Values["amount"], res.Confidence["amount"])
	}
	res = Extract(doc, schema, Options{InferMissing: true})
	want := map[string]any{"amount": 279.84, "amount_untaxed": 262.9, "vat": 16.94}
	if diff := cmp.Diff(want, res.Values); diff != "" {
		t.Errorf("with InferMissing: values mismatch (-want +got):\n%s", diff)
	}
	if c := res.Confidence["amount"].(float64); c <= 0 || c > 0.5 {
		t.Errorf("with InferMissing: confidence of amount = %v, want in (0, 0.5]", c)
	}

	if !reflect.DeepEqual(res.Inferred, []string{"amount"}) {
		t.Errorf("with InferMissing: Inferred = %v, want [amount]", res.Inferred)
	}
	src := Sources(schema, res.Values, SourceText)
	MarkInferred(src, res.Inferred)
	if want := map[string]any{"amount": SourceInferred, "amount_untaxed": SourceText, "vat": SourceText}; !reflect.DeepEqual(src, want) {
		t.Errorf("with InferMissing: sources = %v, want %v", src, want)
	}

	// The symmetric case: the subtotal from the total and the tax.
	res = Extract(textDoc("VAT: 20.00\nTotal: 120.00"), schema, Options{InferMissing: true})
	if res.Values["amount_untaxed"] != 100.0 || !reflect.DeepEqual(res.Inferred, []string{"amount_untaxed"}) {
		t.Errorf("with InferMissing: amount_untaxed = %v, Inferred %v; want 100, [amount_untaxed]", res.Values["amount_untaxed"], res.Inferred)
	}

	// Nothing to infer, nothing inferred; inside an object, the path.
	if res = Extract(textDoc("Subtotal: 100.00\nVAT: 20.00\nTotal: 120.00"), schema, Options{InferMissing: true}); res.Inferred != nil {
		t.Errorf("all three read: Inferred = %v, want none", res.Inferred)
	}
	nested := []docparse.Field{{Key: "totals", Type: docparse.TypeObject, Fields: schema}}
	res = Extract(textDoc("VAT: 20.00\nTotal: 120.00"), nested, Options{InferMissing: true})
	src = Sources(nested, res.Values, SourceOCR)
	MarkInferred(src, res.Inferred)
	if !reflect.DeepEqual(res.Inferred, []string{"totals.amount_untaxed"}) || asMap(src["totals"])["amount_untaxed"] != SourceInferred || asMap(src["totals"])["vat"] != SourceOCR {
		t.Errorf("nested: Inferred = %v, sources %v", res.Inferred, src)
	}
}

func TestExtractLists(t *testing.T) {
	doc := textDoc(`Tags: urgent, paid; export
Notes:
- first note
- second note

Footer`)
	schema := []docparse.Field{field("tags", docparse.TypeListString), field("notes", docparse.TypeListString), field("labels", docparse.TypeListString)}
	res := Extract(doc, schema, Options{})
	want := map[string]any{
		"tags":   []any{"urgent", "paid", "export"},
		"notes":  []any{"first note", "second note"},
		"labels": nil,
	}
	if diff := cmp.Diff(want, res.Values); diff != "" {
		t.Errorf("Extract() values mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"tags": []any{0.9, 0.9, 0.9}, "notes": []any{0.765, 0.765}, "labels": 0.0}, res.Confidence); diff != "" {
		t.Errorf("Extract() confidence mismatch (-want +got):\n%s", diff)
	}
}

// TestExtractExampleShape: a field's example finds a value of its shape
// with no label, and among labelled values prefers the one of its shape.
func TestExtractExampleShape(t *testing.T) {
	tests := []struct {
		name, text, key string
		conf            float64
	}{
		{"found by the example's shape", "Order 7781 shipped.\nRef INV-0042 in all correspondence.", "invoice_id", 0.5},
		{"shaped like the example", "Invoice No: 7781          Invoice Ref: INV-0042", "invoice_number", 0.9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := docparse.Field{Key: tc.key, Type: docparse.TypeString, Example: "INV-0001"}
			res, _ := extractTraced(textDoc(tc.text), []docparse.Field{f}, Options{}, false)
			if res.Values[tc.key] != "INV-0042" || res.Confidence[tc.key] != tc.conf {
				t.Errorf("%s = %v (%v), want INV-0042 (%v), %s", tc.key, res.Values[tc.key], res.Confidence[tc.key], tc.conf, tc.name)
			}
		})
	}
}

func TestExtractNilDocument(t *testing.T) {
	res := Extract(nil, []docparse.Field{field("total", docparse.TypeNumber), field("party", docparse.TypeObject, field("name", docparse.TypeString))}, Options{})
	want := Result{
		Values:     map[string]any{"total": nil, "party": map[string]any{"name": nil}},
		Confidence: map[string]any{"total": 0.0, "party": map[string]any{"name": 0.0}},
		Citations:  map[string]any{"total": nil, "party": map[string]any{"name": nil}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Extract(nil) mismatch (-want +got):\n%s", diff)
	}
}

func TestMinConfidence(t *testing.T) {
	tests := []struct {
		conf map[string]any
		want float64
	}{
		{map[string]any{}, 1},
		{map[string]any{"a": 0.9, "b": 0.8}, 0.8},
		{map[string]any{"a": 0.9, "o": map[string]any{"x": 0.4}}, 0.4},
		{map[string]any{"l": []any{0.9, 0.3}}, 0.3},
		{map[string]any{"items": []any{map[string]any{"q": 0.95}, map[string]any{"q": 0.2}}}, 0.2},
		{map[string]any{"items": []any{}}, 1},
	}
	for _, tt := range tests {
		if got := MinConfidence(tt.conf); got != tt.want {
			t.Errorf("MinConfidence(%v) = %v, want %v", tt.conf, got, tt.want)
		}
	}
}

// TestExtractCorpusText reads the plain-text invoice of invoice2data's
// test set (testdata/Orlen.txt, MIT licence: testdata/invoice2data-LICENSE.md)
// and checks the fields its expected JSON gives that the page really shows.
func TestExtractCorpusText(t *testing.T) {
	text, err := os.ReadFile("testdata/Orlen.txt")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/Orlen.json")
	if err != nil {
		t.Fatal(err)
	}
	var expected []struct {
		InvoiceNumber string  `json:"invoice_number"`
		Date          string  `json:"date"`
		Amount        float64 `json:"amount"`
	}
	if err := json.Unmarshal(raw, &expected); err != nil || len(expected) != 1 {
		t.Fatalf("read Orlen.json: %v", err)
	}
	schema := []docparse.Field{
		field("invoice_number", docparse.TypeString),
		field("date", docparse.TypeDate),
		field("amount", docparse.TypeNumber),
	}
	res := Extract(textDoc(string(text)), schema, Options{})
	// invoice2data's template cut the number after its first word ("F");
	// the page prints "Faktura nr: F 1234K20/1234/12".
	want := map[string]any{
		"invoice_number": "F 1234K20/1234/12",
		"date":           expected[0].Date,
		"amount":         expected[0].Amount,
	}
	if diff := cmp.Diff(want, res.Values); diff != "" {
		t.Errorf("Extract(Orlen.txt) mismatch (-want +got):\n%s", diff)
	}
	if got := res.Values["invoice_number"].(string); !strings.HasPrefix(got, expected[0].InvoiceNumber) {
		t.Errorf("invoice_number = %q, want it to start with the JSON's %q", got, expected[0].InvoiceNumber)
	}
	if got := MinConfidence(res.Confidence); got < 0.7 {
		t.Errorf("MinConfidence() = %v, want at least the default review threshold 0.7", got)
	}
}

// A row of totals' labels over a row of amounts reads each amount under
// its label, though the amounts' line starts with small print and the
// amounts look like a row of line items.
func TestLabelsOverValues(t *testing.T) {
	text := `FACTURE N° : F20260023
Date : 31/01/2026
                                                                      TOTAL HT      TOTAL TVA      TOTAL TTC
Indemnité forfaitaire pour frais de recouvrement : 40 €.
Les réglements reçus avant échéance ne donnent pas lieu à escompte.     100,00           4,90         104,90
                                                                          Montant déjà payé :           0,00
Date d'échéance : 02/03/2026                                              NET A PAYER                 104,90 EUR`
	schema := []docparse.Field{field("net", docparse.TypeNumber), field("tax", docparse.TypeNumber), field("total", docparse.TypeNumber)}
	res := Extract(textDoc(text), schema, Options{InferMissing: true})
	want := map[string]any{"net": 100.0, "tax": 4.9, "total": 104.9}
	for k, v := range want {
		if res.Values[k] != v {
			t.Errorf("%s = %v, want %v", k, res.Values[k], v)
		}
	}
	// A table's header over its rows is no row of labels over values.
	table := `Description        Qty      Unit price      Amount
Widget A            2          10,00        20,00
Widget B            1           5,00         5,00
                                  Total:      25,00`
	if got := Extract(textDoc(table), []docparse.Field{field("amount", docparse.TypeNumber)}, Options{}).Values["amount"]; got != 25.0 {
		t.Errorf("amount under a table's header = %v, want 25", got)
	}
	for text, want := range map[string]bool{
		"Net:      Tax:\n1,00      2,00":           true,
		"Net:      Tax:\n1,00      2,00      3,00": false, // an amount under no label
		"Net:\n1,00      2,00":                     false, // one label heads no row
	} {
		lay := newLayout(textDoc(text))
		if got := labelsOverValues(lay.lines[0], lay.lines[1]); got != want {
			t.Errorf("labelsOverValues(%q) = %v, want %v", text, got, want)
		}
	}
}

package fields

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/extract/pdftest"
)

// The tests of this file write invoices whose line items run over two or
// three pages as real PDFs (pdftest) and read them back through
// internal/extract, the path every uploaded PDF takes.

var (
	pdfEngineOnce sync.Once
	pdfEngine     *extract.Engine
	pdfEngineErr  error
)

// readPDF writes pdf to a file and reads it with a shared extract.Engine,
// started on first use. Compiling PDFium takes seconds, so the compiled
// module is kept in the user's cache directory (private to the user, as
// extract.Config.CacheDir requires) for the next run.
func readPDF(t *testing.T, pdf []byte) *extract.Document {
	t.Helper()
	pdfEngineOnce.Do(func() {
		dir, err := os.UserCacheDir()
		if err == nil {
			dir = filepath.Join(dir, "docparse", "fields-test-pdfium")
			err = os.MkdirAll(dir, 0o700)
		}
		if err != nil {
			dir = "" // compile every time
		}
		pdfEngine, pdfEngineErr = extract.NewEngine(extract.Config{CacheDir: dir, Workers: 1})
	})
	if pdfEngineErr != nil {
		t.Fatalf("start the PDF engine: %v", pdfEngineErr)
	}
	p := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := pdfEngine.Extract(context.Background(), p, extract.KindPDF)
	if err != nil {
		t.Fatalf("extract %s: %v", p, err)
	}
	return doc
}

// helvetica holds the advance widths (1/1000 em) of the Helvetica
// characters the invoices use that differ from 556; right-aligned text is
// placed with them.
var helvetica = map[rune]float64{
	' ': 278, ',': 278, '.': 278, ':': 278, '%': 889, '-': 333, '/': 278, '(': 333, ')': 333,
	'i': 222, 'l': 222, 'j': 222, 't': 278, 'f': 278, 'r': 333, 'I': 278, 'm': 833, 'w': 722,
	'M': 833, 'W': 944, 'A': 667, 'B': 667, 'C': 722, 'D': 722, 'E': 667, 'G': 778, 'H': 722,
	'K': 667, 'N': 722, 'O': 778, 'P': 667, 'Q': 778, 'R': 722, 'S': 667, 'U': 722, 'V': 667,
	'X': 667, 'Y': 667, 'Ü': 722, 'À': 667, 'é': 556, 'T': 611, 'F': 611, 'L': 556, 'Z': 611,
	'c': 500, 'k': 500, 's': 500, 'v': 500, 'x': 500, 'y': 500, 'z': 500, 'J': 500,
}

func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if v, ok := helvetica[r]; ok {
			w += v
		} else {
			w += 556
		}
	}
	return w * size / 1000
}

// pdfLine is one line of a page: runs at x positions; a negative x
// right-aligns the run at -x.
type pdfLine []struct {
	x    float64
	text string
}

func runs(xs ...any) pdfLine {
	var l pdfLine
	for i := 0; i+1 < len(xs); i += 2 {
		l = append(l, struct {
			x    float64
			text string
		}{xs[i].(float64), xs[i+1].(string)})
	}
	return l
}

// pagesPDF draws pages of lines, 10 points high, one every 13 points from
// the top; a nil line is a blank line.
func pagesPDF(pages [][]pdfLine) []byte {
	const size, lead, top = 10.0, 13.0, 750.0
	contents := make([]string, len(pages))
	for i, lines := range pages {
		var rs []pdftest.TextRun
		for j, l := range lines {
			y := top - lead*float64(j)
			for _, r := range l {
				x := r.x
				if x < 0 {
					x = -x - textWidth(r.text, size)
				}
				rs = append(rs, pdftest.TextRun{X: x, Y: y, Size: size, Text: r.text})
			}
		}
		contents[i] = pdftest.TextOps(rs...)
	}
	return pdftest.Minimal(contents, true)
}

// Column positions of the invoices: the description starts at colDesc,
// the numbers end at the others.
const (
	colDesc   = 72.0
	colQty    = -340.0
	colPrice  = -430.0
	colAmount = -540.0
)

// invItem is one line item; desc holds its lines (a wrapped description).
type invItem struct {
	desc        []string
	qty, price  float64
	noPageSplit bool
}

func (it invItem) amount() float64 { return math.Round(it.qty*it.price*100) / 100 }

// lang holds the words and number format of one invoice language.
type lang struct {
	desc, qty, price, amount   string
	subtotal, tax, total       string
	company, address, bank     string
	number                     string // "Invoice No: INV-2041"
	pageOf                     string // "Page %d of %d"
	decimal, thousands         string
	carryOut, carryIn, perPage string // carried-total labels; "" when unused
}

var (
	langEN = lang{
		desc: "Description", qty: "Qty", price: "Unit Price", amount: "Amount",
		subtotal: "Subtotal", tax: "VAT 20%", total: "Total",
		company: "Brightwater Office Supplies Ltd", address: "14 Harbour Road, Bristol BS1 5TY, United Kingdom",
		bank:   "Bank: Lloyds Bank  Sort code 30-94-57  Account 12345678",
		number: "Invoice No: INV-2041", pageOf: "Page %d of %d",
		decimal: ".", thousands: ",",
	}
	langDE = lang{
		desc: "Beschreibung", qty: "Menge", price: "Einzelpreis", amount: "Betrag",
		subtotal: "Zwischensumme", tax: "MwSt. 19%", total: "Gesamtbetrag",
		company: "Kellermann Bürobedarf GmbH", address: "Hauptstraße 12, 10115 Berlin",
		bank:   "Bankverbindung: Sparkasse Berlin  IBAN DE89 3704 0044 0532 0130 00",
		number: "Rechnungsnummer: 2026-0417", pageOf: "Seite %d von %d",
		decimal: ",", thousands: ".",
	}
	langFR = lang{
		desc: "Désignation", qty: "Quantité", price: "Prix unitaire", amount: "Montant HT",
		subtotal: "Total HT", tax: "TVA 20%", total: "Total TTC",
		company: "Papeterie Moreau SARL", address: "8 rue des Lilas, 69003 Lyon",
		bank:   "RIB : Crédit Agricole  IBAN FR76 3000 6000 0112 3456 7890 189",
		number: "Facture n° F-2026-118", pageOf: "Page %d/%d",
		decimal: ",", thousands: " ",
	}
)

// money formats v with two decimals in l's format.
func (l lang) money(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(l.thousands)
		}
		b.WriteRune(r)
	}
	return b.String() + l.decimal + frac
}

func (l lang) qtyText(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.Replace(fmt.Sprintf("%.1f", v), ".", l.decimal, 1)
}

// multiPage describes how an invoice's items are laid out over pages.
type multiPage struct {
	lang        lang
	items       []invItem
	perPage     []int // items on each page; the last page also gets the totals
	headerEvery bool  // the column header is repeated on every page
	pageHeader  bool  // pages after the first start with the company and invoice number
	footer      bool  // every page ends with the address, bank and page number
	// carryInDesc puts the carried-total rows in the description column
	// (else they sit, like the totals, left of the amount column).
	carryInDesc bool
	// splitLast breaks the last item of every page but the last before
	// the last line of its description.
	splitLast bool
	// busy adds numbers to the page headers and footers (phone,
	// registration, customer number) and a seven-line footer.
	busy bool
	// terms is a page of terms and conditions after the invoice.
	terms bool
	// noHeader draws no column header at all: the items are read as a
	// table without one (headerless), descriptions on one line only.
	noHeader bool // markers writes "Page 1 of 2" and "Continued on page 2" right under
	// the last item of a page, and "Page 2 of 2 (continued)" at the top
	// of the next, at the left margin, with no blank line between.
	markers bool
}

// build returns the invoice's pages.
func (m multiPage) build() [][]pdfLine {
	l := m.lang
	header := runs(colDesc, l.desc, colQty, l.qty, colPrice, l.price, colAmount, l.amount)
	carry := func(label string, v float64) pdfLine {
		if m.carryInDesc {
			return runs(colDesc, label, colAmount, l.money(v))
		}
		return runs(300.0, label, colAmount, l.money(v))
	}
	var pages [][]pdfLine
	next, running := 0, 0.0
	var pending []string // description lines that run onto the next page
	for p, n := range m.perPage {
		var lines []pdfLine
		if p == 0 {
			lines = append(lines, runs(colDesc, l.company), runs(colDesc, l.address), nil,
				runs(colDesc, l.number), runs(colDesc, "Date: 2026-03-02"), nil, nil)
		} else if m.pageHeader {
			lines = append(lines, runs(colDesc, l.company, -540.0, l.number))
			if m.busy {
				lines = append(lines, runs(colDesc, "Customer No. 10442", colPrice, "2026-03-02", colAmount, fmt.Sprintf(l.pageOf, p+1, len(m.perPage))))
			}
			lines = append(lines, nil)
		}
		if p > 0 && m.markers {
			lines = append(lines, runs(colDesc, fmt.Sprintf(l.pageOf, p+1, len(m.perPage))+" (continued)"))
		}
		if (p == 0 || m.headerEvery) && !m.noHeader {
			lines = append(lines, header)
		}
		if p > 0 && l.carryIn != "" {
			lines = append(lines, carry(l.carryIn, running))
		}
		for _, d := range pending {
			lines = append(lines, runs(colDesc, d))
		}
		pending = nil
		lastPage := p == len(m.perPage)-1
		pageSum := 0.0
		for i := 0; i < n; i++ {
			it := m.items[next]
			next++
			running += it.amount()
			pageSum += it.amount()
			lines = append(lines, runs(colDesc, it.desc[0], colQty, l.qtyText(it.qty), colPrice, l.money(it.price), colAmount, l.money(it.amount())))
			rest := it.desc[1:]
			if m.splitLast && !lastPage && i == n-1 && len(rest) > 0 {
				// The page ends inside the description: its last
				// line opens the next page.
				pending, rest = rest[len(rest)-1:], rest[:len(rest)-1]
			}
			for _, d := range rest {
				lines = append(lines, runs(colDesc, d))
			}
		}
		last := lastPage
		if !last && l.perPage != "" {
			lines = append(lines, carry(l.perPage, pageSum))
		}
		if !last && l.carryOut != "" {
			lines = append(lines, carry(l.carryOut, running))
		}
		if last {
			tax := math.Round(running*0.2*100) / 100
			lines = append(lines, nil,
				runs(300.0, l.subtotal, colAmount, l.money(running)),
				runs(300.0, l.tax, colAmount, l.money(tax)),
				runs(300.0, l.total, colAmount, l.money(running+tax)))
		}
		if !last && m.markers {
			lines = append(lines, runs(colDesc, fmt.Sprintf(l.pageOf, p+1, len(m.perPage))),
				runs(colDesc, fmt.Sprintf("Continued on page %d", p+2)))
		}
		if !last && m.busy {
			lines = append(lines, runs(colAmount, "continued on next page"))
		}
		if m.footer || m.busy {
			for len(lines) < 50 {
				lines = append(lines, nil)
			}
			lines = append(lines, runs(colDesc, l.company+"  ·  "+l.address),
				runs(colDesc, l.bank, colAmount, fmt.Sprintf(l.pageOf, p+1, len(m.perPage))))
		}
		if m.busy {
			lines = append(lines, runs(colDesc, "Phone +44 117 496 0000", colPrice, "Reg. No. 08123456"),
				runs(colDesc, "Directors: A. Whitfield, R. Osei", colPrice, "VAT GB 123 4567 89"),
				runs(colDesc, "Registered in England and Wales", colAmount, "Rev. 3"),
				runs(colDesc, "Orders over 250.00 ship free", colAmount, "12 %"),
				runs(colDesc, "www.example.com"))
		}
		pages = append(pages, lines)
	}
	if m.terms {
		pages = append(pages, []pdfLine{
			runs(colDesc, "Terms and conditions"), nil,
			runs(colDesc, "1. Payment", colAmount, "30 days"),
			runs(colDesc, "2. Late payment interest per month", colAmount, "1.50"),
			runs(colDesc, "3. Minimum order value", colAmount, "25.00"),
			runs(colDesc, "4. Restocking fee on returns", colPrice, "15 %", colAmount, "10.00"),
			runs(colDesc, "5. Express delivery, per parcel", colQty, "1", colPrice, "12.00", colAmount, "12.00"),
		})
	}
	return pages
}

// dumpDoc prints the lines the matcher reads, for debugging a failing
// test.
func dumpDoc(t *testing.T, doc *extract.Document) {
	t.Helper()
	lay := newLayout(doc)
	var b strings.Builder
	for _, ln := range lay.lines {
		fmt.Fprintf(&b, "p%d %3d gap=%-5v", ln.page, ln.index, ln.gap)
		for _, c := range ln.cells {
			fmt.Fprintf(&b, " [%.0f-%.0f %q]", c.x0, c.x1, c.text)
		}
		b.WriteByte('\n')
	}
	t.Log("\n" + b.String())
}

// TestTableAcrossPages reads invoices whose items run over two or three
// pages: every item comes out once, in order, and no carried total, page
// header or page footer becomes an item; the items then add up to the
// subtotal.
func TestTableAcrossPages(t *testing.T) {
	withCarry := func(l lang, out, in, page string) lang {
		l.carryOut, l.carryIn, l.perPage = out, in, page
		return l
	}
	tests := []struct {
		name string
		m    multiPage
		// spillJoins: a description line that runs onto the next page
		// joins its item (else it is dropped).
		spillJoins bool
	}{
		{name: "2 pages, header on each page", m: multiPage{lang: langEN, items: sampleItems(14), perPage: []int{9, 5},
			headerEvery: true, pageHeader: true, footer: true}},
		{name: "2 pages, header on page 1 only", m: multiPage{lang: langEN, items: sampleItems(14), perPage: []int{9, 5},
			pageHeader: true, footer: true}},
		{name: "2 pages, header once, no page furniture", m: multiPage{lang: langEN, items: sampleItems(12), perPage: []int{8, 4}}},
		{name: "carried forward in the description column", m: multiPage{lang: withCarry(langEN, "Carried forward", "Brought forward", ""),
			items: sampleItems(14), perPage: []int{9, 5}, headerEvery: true, pageHeader: true, footer: true, carryInDesc: true}},
		{name: "carried forward, header once", m: multiPage{lang: withCarry(langEN, "Carried forward", "Brought forward", ""),
			items: sampleItems(14), perPage: []int{9, 5}, pageHeader: true, footer: true, carryInDesc: true}},
		{name: "3 pages, carried forward beside the amounts, header once", m: multiPage{lang: withCarry(langEN, "Carried forward", "Brought forward", ""),
			items: sampleItems(18), perPage: []int{8, 6, 4}, pageHeader: true, footer: true}},
		{name: "subtotal this page, header on each page", m: multiPage{lang: withCarry(langEN, "", "", "Subtotal this page"),
			items: sampleItems(14), perPage: []int{9, 5}, headerEvery: true, footer: true, carryInDesc: true}},
		{name: "page subtotal, header once", m: multiPage{lang: withCarry(langEN, "", "", "Subtotal"),
			items: sampleItems(14), perPage: []int{9, 5}, pageHeader: true, footer: true}},
		{name: "3 pages, Übertrag at both ends", m: multiPage{lang: withCarry(langDE, "Übertrag", "Übertrag", ""),
			items: sampleItems(18), perPage: []int{7, 7, 4}, headerEvery: true, pageHeader: true, footer: true, carryInDesc: true}},
		{name: "3 pages, Übertrag, header once", m: multiPage{lang: withCarry(langDE, "Zwischensumme Übertrag", "Übertrag von Seite", ""),
			items: sampleItems(18), perPage: []int{7, 7, 4}, pageHeader: true, footer: true, carryInDesc: true}},
		{name: "à reporter and report", m: multiPage{lang: withCarry(langFR, "À reporter", "Report", ""),
			items: sampleItems(14), perPage: []int{9, 5}, headerEvery: true, pageHeader: true, footer: true, carryInDesc: true}},
		{name: "à reporter and report, header once", m: multiPage{lang: withCarry(langFR, "Total à reporter", "Report", ""),
			items: sampleItems(14), perPage: []int{9, 5}, footer: true, carryInDesc: true}},
		{name: "3 pages, busy page headers and footers, header once", m: multiPage{lang: langEN, items: sampleItems(18), perPage: []int{8, 6, 4},
			pageHeader: true, busy: true}},
		{name: "3 pages, busy page headers and footers, header on each page", m: multiPage{lang: withCarry(langEN, "Carried forward", "Brought forward", ""),
			items: sampleItems(18), perPage: []int{8, 6, 4}, headerEvery: true, pageHeader: true, busy: true, carryInDesc: true}},
		{name: "page total labelled Total", m: multiPage{lang: withCarry(langEN, "", "", "Total"),
			items: sampleItems(14), perPage: []int{9, 5}, pageHeader: true, footer: true}},
		{name: "a subtotal at the bottom of page 1 and at the top of page 2", m: multiPage{lang: withCarry(langEN, "", "Subtotal", "Subtotal"),
			items: sampleItems(14), perPage: []int{9, 5}, pageHeader: true, footer: true}},
		{name: "the totals alone on page 2", m: multiPage{lang: langEN, items: sampleItems(9), perPage: []int{9, 0},
			pageHeader: true, footer: true}},
		{name: "terms and conditions after the invoice", m: multiPage{lang: langEN, items: sampleItems(9), perPage: []int{9},
			footer: true, terms: true}},
		{name: "no header, 2 pages, carried forward", m: multiPage{lang: withCarry(langEN, "Carried forward", "Brought forward", ""),
			items: oneLine(sampleItems(14)), perPage: []int{9, 5}, pageHeader: true, footer: true, carryInDesc: true, noHeader: true}},
		{name: "no header, 3 pages, Übertrag", m: multiPage{lang: withCarry(langDE, "Übertrag", "Übertrag", ""),
			items: oneLine(sampleItems(18)), perPage: []int{7, 7, 4}, pageHeader: true, footer: true, carryInDesc: true, noHeader: true}},
		{name: "page markers right under the items, header once", m: multiPage{lang: langEN, items: sampleItems(18), perPage: []int{8, 6, 4},
			markers: true}},
		{name: "page markers right under the items, header repeated", m: multiPage{lang: langDE, items: sampleItems(18), perPage: []int{8, 6, 4},
			markers: true, headerEvery: true}},
		{name: "description split by the page break, header repeated", m: multiPage{lang: langEN, items: sampleItems(14), perPage: []int{7, 7},
			headerEvery: true, pageHeader: true, footer: true, splitLast: true}, spillJoins: true},
		{name: "description split by the page break, header once", m: multiPage{lang: langEN, items: sampleItems(14), perPage: []int{7, 7},
			pageHeader: true, footer: true, splitLast: true}},
	}
	schema := []docparse.Field{lineItems, field("subtotal", docparse.TypeNumber), field("tax", docparse.TypeNumber), field("total", docparse.TypeNumber)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := readPDF(t, pagesPDF(tt.m.build()))
			if want := len(tt.m.build()); len(doc.Pages) != want {
				t.Fatalf("read %d pages, want %d", len(doc.Pages), want)
			}
			want, sum := tt.m.want(tt.spillJoins)
			res, traces := extractTraced(doc, schema, Options{}, false)
			if diff := cmp.Diff(want, res.Values["lines"]); diff != "" {
				dumpDoc(t, doc)
				t.Fatalf("lines mismatch (-want +got):\n%s", diff)
			}
			if got, ok := res.Values["subtotal"].(float64); !ok || math.Abs(got-sum) > amountTol {
				t.Errorf("subtotal = %v, want %.2f", res.Values["subtotal"], sum)
			}
			total := sum + math.Round(sum*0.2*100)/100
			if got, ok := res.Values["total"].(float64); !ok || math.Abs(got-total) > amountTol {
				t.Errorf("total = %v, want %.2f", res.Values["total"], total)
			}
			agrees := false
			for _, tr := range traces {
				if tr.path == "lines[0].amount" {
					agrees = tr.key.flag
				}
			}
			if !agrees {
				t.Errorf("the items' amounts do not agree with the subtotal")
			}
		})
	}
}

// want returns the items m's invoice should yield and their sum.
func (m multiPage) want(spillJoins bool) ([]any, float64) {
	var out []any
	sum := 0.0
	next := 0
	for p, n := range m.perPage {
		for i := range n {
			it := m.items[next]
			next++
			desc := it.desc
			if m.splitLast && !spillJoins && p < len(m.perPage)-1 && i == n-1 && len(desc) > 1 {
				desc = desc[:len(desc)-1]
			}
			out = append(out, map[string]any{"description": strings.Join(desc, "\n"), "quantity": it.qty, "unit_price": it.price, "amount": it.amount()})
			sum += it.amount()
		}
	}
	return out, math.Round(sum*100) / 100
}

var lineItems = field("lines", docparse.TypeListObject,
	field("description", docparse.TypeString), field("quantity", docparse.TypeNumber),
	field("unit_price", docparse.TypeNumber), field("amount", docparse.TypeNumber))

// oneLine returns items with their descriptions cut to one line.
func oneLine(items []invItem) []invItem {
	for i := range items {
		items[i].desc = items[i].desc[:1]
	}
	return items
}

// sampleItems returns n items, the third and every seventh wrapped on
// two lines.
func sampleItems(n int) []invItem {
	names := []string{
		"Copy paper A4 80 g, 500 sheets", "Ballpoint pens blue (box of 50)", "Desk organiser, black mesh",
		"Stapler heavy duty 100 sheets", "Staples 24/6 (box of 1000)", "Lever arch files A4 75 mm",
		"Whiteboard markers, 4 colours", "Sticky notes 76 x 76 mm yellow", "Laminating pouches A4 (100)",
		"Envelopes C5 self-seal (500)", "Printer toner HP 26X black", "USB-C charging cable 2 m",
		"Monitor arm, single, gas spring", "Cable ties 200 mm (pack of 100)", "Label printer tape 12 mm",
		"Shredder bags 34 l (20)", "Paper clips 32 mm (1000)", "Scissors 21 cm stainless",
	}
	prices := []float64{4.99, 12.50, 18.90, 24.00, 3.45, 2.79, 6.40, 1.95, 14.20, 21.35, 89.90, 9.99, 119.00, 4.25, 17.60, 11.80, 2.10, 5.55}
	qtys := []float64{10, 2, 1, 3, 12, 25, 4, 30, 2, 1, 2, 6, 1, 5, 3, 2, 10, 4}
	var items []invItem
	for i := range n {
		it := invItem{desc: []string{names[i%len(names)]}, qty: qtys[i%len(qtys)], price: prices[i%len(prices)]}
		if i == 2 || i%7 == 6 {
			it.desc = append(it.desc, fmt.Sprintf("Article no. %d-%02d, delivered 2026-02-%02d", 4400+i, i, 10+i))
		}
		items = append(items, it)
	}
	return items
}

// Package synth generates synthetic invoices whose values are known, for
// calibrating the field matcher's confidence and measuring it on data it
// was not tuned on.
//
// Each invoice draws its wording from one of five languages (English,
// French, German, Spanish, Dutch), its date and number formats from that
// language's conventions, and its layout from a set of independent
// choices: where the seller's name stands (top left, top right, after a
// label, only in the footer), how header fields are laid out (label and
// value in one cell, in two columns, the value under its label, a grid of
// labels over a row of values), which columns the item table has
// (description, quantity, unit, unit price, tax rate, amount, position,
// code; headers on one or two lines; descriptions that wrap), and how the
// totals are shown (a right-aligned block, a table of net / tax / gross, a
// single line, a total that includes the tax). Every invoice carries
// distractors: order and customer numbers, order and delivery dates,
// phone numbers, postcodes, the buyer's VAT number, amounts paid,
// previous balances, shipping lines, page numbers.
//
// The generator knows nothing of the matcher: it writes what invoices
// print. Some labels are outside the matcher's lexicon on purpose.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Seeds: the calibration table is fitted on TrainSeed; HeldOutSeed is for
// measuring it on documents it never saw.
const (
	TrainSeed   = 1
	HeldOutSeed = 2
)

// Item is one line item.
type Item struct {
	Description string // its first line
	Quantity    float64
	UnitPrice   float64
	Amount      float64
	ShowsAmount bool // the table has an amount column
}

// Doc is one synthetic invoice: its true values, which of them the page
// shows, and its layout.
type Doc struct {
	Name     string // "synth-SEED-N.txt"
	Language string // the language of its wording, as an extraction names it

	Number   string
	Date     string // YYYY-MM-DD
	Due      string // YYYY-MM-DD, or "" when there is none
	Seller   string
	VATID    string // the seller's, without spaces
	IBAN     string // without spaces
	Subtotal float64
	Tax      float64
	Total    float64
	Items    []Item

	// Distractors that are values too, when the page prints them.
	OrderNumber    string
	CustomerNumber string
	Buyer          string // the buyer's name

	shows map[string]bool
	rows  []row
	scale float64 // font size factor of Document
}

// Keys of the generic invoice schema that Expected and Truth use.
const (
	KeyNumber   = "invoice_number"
	KeyDate     = "date"
	KeyTotal    = "amount"
	KeySubtotal = "amount_untaxed"
	KeyTax      = "amount_tax"
	KeyVATID    = "vat"
	KeySeller   = "partner_name"
	KeyIBAN     = "iban"
	KeyDue      = "due_date"
	KeyOrderNo  = "order_number"
	KeyCustNo   = "customer_number"
	KeyBuyer    = "buyer_name"
)

// Truth returns every true value by schema key, printed or not.
func (d Doc) Truth() map[string]any {
	m := map[string]any{
		KeyNumber: d.Number, KeyDate: d.Date, KeyTotal: d.Total, KeySubtotal: d.Subtotal, KeyTax: d.Tax,
		KeyVATID: d.VATID, KeySeller: d.Seller, KeyIBAN: d.IBAN,
	}
	for k, v := range map[string]string{KeyDue: d.Due, KeyOrderNo: d.OrderNumber, KeyCustNo: d.CustomerNumber, KeyBuyer: d.Buyer} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// Expected returns the true values that the page shows, by schema key.
func (d Doc) Expected() map[string]any {
	m := map[string]any{}
	for k, v := range d.Truth() {
		if d.shows[k] {
			m[k] = v
		}
	}
	return m
}

// Shows reports whether the page prints the value of key.
func (d Doc) Shows(key string) bool { return d.shows[key] }

// segment is a run of text on a row: it starts at column col, or ends
// there when right is set (right-aligned numbers).
type segment struct {
	col   int
	text  string
	right bool
}

// row is one printed line; nil is a blank line, pageBreak a new page.
type row []segment

var pageBreak = row{{col: -1}}

// Generate returns n invoices drawn from seed. The same seed and n give
// the same invoices.
func Generate(seed int64, n int) []Doc {
	docs := make([]Doc, n)
	for i := range n {
		r := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		docs[i] = generate(r, fmt.Sprintf("synth-%d-%04d.txt", seed, i))
	}
	return docs
}

// gen holds one document's choices while it is built.
type gen struct {
	r     *rand.Rand
	l     *lang
	d     *Doc
	style amountStyle
	cur   string
	curIn bool // currency printed with amounts
	dates dateStyle
	rows  []row
	width int
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) add(segs ...segment) { g.rows = append(g.rows, row(segs)) }
func (g *gen) blank()              { g.rows = append(g.rows, nil) }

func generate(r *rand.Rand, name string) Doc {
	l := languages[0]
	if x := r.Float64(); x >= 0.36 {
		l = languages[1+int((x-0.36)/0.16)]
	}
	d := &Doc{Name: name, Language: l.name, shows: map[string]bool{}, scale: 0.8 + 0.4*r.Float64()}
	g := &gen{r: r, l: l, d: d, style: pick(r, l.amountStyles), cur: pick(r, l.currency), width: 78 + r.IntN(30)}
	g.curIn = g.chance(0.6)
	g.dates = pick(r, l.dateStyles)

	// Values.
	d.Number = g.invoiceNumber()
	issue := time.Date(2014+r.IntN(13), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	d.Date = issue.Format(time.DateOnly)
	due := issue.AddDate(0, 0, pick(r, []int{7, 14, 15, 30, 30, 45, 60}))
	if g.chance(0.6) {
		d.Due = due.Format(time.DateOnly)
	}
	d.Seller = g.company()
	d.VATID = g.vatID()
	d.IBAN = g.iban()
	rate := pick(r, taxRates[l.name])
	gross := g.chance(0.15) // item prices include the tax
	for range 1 + r.IntN(7) {
		it := Item{Description: pick(r, l.products), ShowsAmount: true}
		if g.chance(0.3) {
			it.Description += " " + pick(r, []string{"May", "Q3", "XL", "Pro", "(2 units)", "v2", "basic", "2026"})
		}
		it.Quantity = float64(1 + r.IntN(12))
		if g.chance(0.5) {
			it.Quantity = 1
		}
		if g.chance(0.1) {
			it.Quantity = float64(1+r.IntN(16)) / 2
		}
		it.UnitPrice = roundCents(math.Exp(r.Float64()*8 - 1))
		if g.chance(0.05) {
			it.UnitPrice = 0
		}
		it.Amount = roundCents(it.Quantity * it.UnitPrice)
		d.Items = append(d.Items, it)
	}
	sum := 0.0
	for _, it := range d.Items {
		sum += it.Amount
	}
	sum = roundCents(sum)
	if gross {
		d.Total = sum
		d.Subtotal = roundCents(sum / (1 + rate/100))
		d.Tax = roundCents(d.Total - d.Subtotal)
	} else {
		d.Subtotal = sum
		d.Tax = roundCents(sum * rate / 100)
		d.Total = roundCents(d.Subtotal + d.Tax)
	}
	var t totalsPlan
	t.rate, t.gross = rate, gross
	if !gross && g.chance(0.07) {
		// A discount on the items' sum: the subtotal is what remains.
		t.discount = roundCents(sum * pick(r, []float64{0.05, 0.1, 0.15}))
		d.Subtotal = roundCents(sum - t.discount)
		d.Tax = roundCents(d.Subtotal * rate / 100)
		d.Total = roundCents(d.Subtotal + d.Tax)
	}
	if rates := taxRates[l.name]; !gross && g.chance(0.08) && rates[len(rates)-1] != rate {
		// Two rates: part of the subtotal at a lower one.
		t.rate2 = rates[len(rates)-1]
		share := 0.4 + 0.4*r.Float64()
		t.tax1 = roundCents(d.Subtotal * share * rate / 100)
		t.tax2 = roundCents(d.Subtotal * (1 - share) * t.rate2 / 100)
		d.Tax = roundCents(t.tax1 + t.tax2)
		d.Total = roundCents(d.Subtotal + d.Tax)
	}
	if !gross && g.chance(0.1) {
		t.shipping = roundCents(2 + 20*r.Float64())
		d.Total = roundCents(d.Total + t.shipping)
	}

	// Layout, top to bottom.
	g.header(issue, due)
	g.table(rate, gross)
	g.totals(t)
	g.footer()
	if g.chance(0.15) {
		// A line above everything with a date that is not the
		// invoice's: when the page was printed. Drawn last, so that the
		// rest of the invoice is what it was without it.
		printed := issue.AddDate(0, 0, 1+r.IntN(30))
		g.rows = append([]row{{{text: printedLabels[l.name] + " " + g.date(printed)}}, nil}, g.rows...)
	}
	d.rows = g.rows
	return *d
}

// printedLabels say when a page was printed, per language.
var printedLabels = map[string]string{
	"English": "Printed", "French": "Imprimé le", "German": "Gedruckt am",
	"Spanish": "Impreso el", "Dutch": "Afgedrukt op",
}

var taxRates = map[string][]float64{
	"English": {20, 20, 10, 0, 15, 5},
	"French":  {20, 20, 10, 5.5},
	"German":  {19, 19, 7},
	"Spanish": {21, 21, 10},
	"Dutch":   {21, 21, 9},
}

func roundCents(v float64) float64 { return math.Round(v*100) / 100 }

func (g *gen) invoiceNumber() string {
	r := g.r
	y := strconv.Itoa(2014 + r.IntN(13))
	n := func(k int) string {
		s := ""
		for range k {
			s += strconv.Itoa(r.IntN(10))
		}
		return strings.Replace(s, "0", strconv.Itoa(1+r.IntN(9)), 1)
	}
	switch r.IntN(9) {
	case 0:
		return n(8)
	case 1:
		return n(5 + r.IntN(5))
	case 2:
		return "INV-" + y + "-" + n(4)
	case 3:
		return "F" + y + "/" + n(4)
	case 4:
		return y + "-" + n(4)
	case 5:
		return "RE-" + n(5)
	case 6:
		return "INV/" + y + "/" + n(2) + "/" + n(4)
	case 7:
		return "FA" + n(6)
	default:
		return strings.ToUpper(string(rune('A'+r.IntN(26)))+string(rune('A'+r.IntN(26)))) + n(7)
	}
}

func (g *gen) company() string {
	name := pick(g.r, nameParts[0]) + " " + pick(g.r, nameParts[1])
	if legal := pick(g.r, g.l.legal); legal != "" {
		if g.chance(0.3) && !strings.HasSuffix(name, ",") {
			name += ","
		}
		name += " " + legal
	}
	return name
}

func (g *gen) digits(k int) string {
	var b strings.Builder
	for range k {
		b.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return b.String()
}

// vatID returns a VAT number of the language's country, without spaces.
func (g *gen) vatID() string {
	switch g.l.name {
	case "French":
		return "FR" + g.digits(11)
	case "German":
		return "DE" + g.digits(9)
	case "Spanish":
		nif := string(rune('A'+g.r.IntN(8))) + g.digits(8)
		if g.chance(0.5) {
			return nif // printed without the country
		}
		return "ES" + nif
	case "Dutch":
		return "NL" + g.digits(9) + "B0" + strconv.Itoa(1+g.r.IntN(9))
	}
	if g.chance(0.5) {
		return "GB" + g.digits(9)
	}
	return "IE" + g.digits(7) + string(rune('A'+g.r.IntN(26)))
}

// printVATID prints a VAT number as invoices do: whole, or in groups.
func (g *gen) printVATID(v string) string {
	if v[0] < 'A' || v[1] < 'A' || v[1] > 'Z' {
		return v // a Spanish NIF without the country
	}
	switch g.r.IntN(3) {
	case 0:
		return v[:2] + " " + v[2:]
	case 1:
		if g.l.name == "German" { // DE 123 456 789
			return v[:2] + " " + v[2:5] + " " + v[5:8] + " " + v[8:]
		}
	}
	return v
}

// iban returns a valid IBAN of the language's country.
func (g *gen) iban() string {
	var country, bban string
	letters := func(k int) string {
		var b strings.Builder
		for range k {
			b.WriteByte(byte('A' + g.r.IntN(26)))
		}
		return b.String()
	}
	switch g.l.name {
	case "French":
		country, bban = "FR", g.digits(23)
	case "German":
		country, bban = "DE", g.digits(18)
	case "Spanish":
		country, bban = "ES", g.digits(20)
	case "Dutch":
		country, bban = "NL", letters(4)+g.digits(10)
	default:
		country, bban = "GB", letters(4)+g.digits(14)
	}
	return country + ibanCheck(country, bban) + bban
}

// ibanCheck computes an IBAN's check digits (ISO 13616).
func ibanCheck(country, bban string) string {
	s := bban + country + "00"
	rem := 0
	for _, c := range s {
		var v int
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
			rem = (rem*100 + v) % 97
			continue
		}
		v = int(c - '0')
		rem = (rem*10 + v) % 97
	}
	return fmt.Sprintf("%02d", 98-rem)
}

func (g *gen) printIBAN(v string) string {
	if g.chance(0.4) {
		return v
	}
	var parts []string
	for i := 0; i < len(v); i += 4 {
		parts = append(parts, v[i:min(i+4, len(v))])
	}
	return strings.Join(parts, " ")
}

// date prints t in the document's style.
func (g *gen) date(t time.Time) string {
	l := g.l
	switch g.dates {
	case dateISO:
		return t.Format("2006-01-02")
	case dateDMYSlash:
		return t.Format("02/01/2006")
	case dateMDYSlash:
		return t.Format("01/02/2006")
	case dateDMYDot:
		return t.Format("02.01.2006")
	case dateDMYDash:
		if l.name == "Dutch" {
			return t.Format("2-1-2006")
		}
		return t.Format("02-01-2006")
	case dateDMYShort:
		return t.Format("02.01.06")
	case dateLongDMY:
		m := l.months[t.Month()-1]
		switch l.name {
		case "German":
			return fmt.Sprintf("%d. %s %d", t.Day(), m, t.Year())
		case "Spanish":
			return fmt.Sprintf("%d de %s de %d", t.Day(), m, t.Year())
		case "French":
			if t.Day() == 1 {
				return fmt.Sprintf("1er %s %d", m, t.Year())
			}
		}
		return fmt.Sprintf("%d %s %d", t.Day(), m, t.Year())
	case dateShortMDY:
		m := l.months[t.Month()-1]
		if len(m) > 3 {
			m = m[:3]
		}
		return fmt.Sprintf("%s %d, %d", m, t.Day(), t.Year())
	}
	return fmt.Sprintf("%s %d, %d", l.months[t.Month()-1], t.Day(), t.Year())
}

// money prints an amount in the document's style; with cur, with its
// currency.
func (g *gen) money(v float64, cur bool) string {
	neg := v < 0
	v = math.Abs(v)
	cents := int64(math.Round(v * 100))
	whole := strconv.FormatInt(cents/100, 10)
	if g.style.thou != "" && len(whole) > 3 {
		var parts []string
		for len(whole) > 3 {
			parts = append([]string{whole[len(whole)-3:]}, parts...)
			whole = whole[:len(whole)-3]
		}
		whole = strings.Join(append([]string{whole}, parts...), g.style.thou)
	}
	s := fmt.Sprintf("%s%s%02d", whole, g.style.dec, cents%100)
	if neg {
		s = "-" + s
	}
	if !cur {
		return s
	}
	switch {
	case g.style.prefix && len(g.cur) == 3:
		return g.cur + " " + s
	case g.style.prefix && g.cur == "€":
		return "€ " + s
	case g.style.prefix:
		return g.cur + s
	case g.cur == "$" || g.cur == "£":
		return g.cur + s
	}
	return s + " " + g.cur
}

func (g *gen) qty(q float64) string {
	if q == math.Trunc(q) && g.chance(0.7) {
		return strconv.Itoa(int(q))
	}
	return strings.Replace(strconv.FormatFloat(q, 'f', 2, 64), ".", g.style.dec, 1)
}

// label returns a label as printed: as it is, or without its colon, or
// upper case.
func (g *gen) label(ls []string) string {
	s := pick(g.r, ls)
	switch {
	case g.chance(0.1):
		s = strings.TrimSuffix(strings.TrimSpace(s), ":")
	case g.chance(0.08):
		s = strings.ToUpper(s)
	}
	if g.chance(0.04) {
		s = g.typo(s)
	}
	return s
}

// typo garbles one letter of s the way a poor text layer or OCR does.
func (g *gen) typo(s string) string {
	rs := []rune(s)
	var at []int
	run := 0 // letters in the word so far
	for i, c := range rs {
		if !unicode.IsLetter(c) {
			run = 0
			continue
		}
		run++
		// Inside a word of five letters or more, not its first or last.
		if run >= 2 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]) && wordLen(rs, i) >= 5 {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	i := pick(g.r, at)
	swaps := map[rune]rune{'l': '1', 'I': 'l', 'o': '0', 'O': '0', 'e': 'c', 'a': 'o', 'n': 'r', 'u': 'v', 'i': 'l', 't': 'f'}
	if c, ok := swaps[rs[i]]; ok && g.chance(0.7) {
		rs[i] = c
		return string(rs)
	}
	return string(append(rs[:i:i], rs[i+1:]...))
}

// wordLen returns the length of the word of letters around rs[i].
func wordLen(rs []rune, i int) int {
	a, b := i, i
	for a > 0 && unicode.IsLetter(rs[a-1]) {
		a--
	}
	for b < len(rs) && unicode.IsLetter(rs[b]) {
		b++
	}
	return b - a
}

package fields

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/einvoice"
	"github.com/docparse/docparse/internal/extract"
)

// Sources of a value, as the file result's "sources" names them.
const (
	SourceText        = "text"         // read from a page's text layer (or a text format)
	SourceOCR         = "ocr"          // read from OCR of a page
	SourceEmbeddedXML = "embedded_xml" // read from an e-invoice's XML
	SourceInferred    = "inferred"     // computed from other values
	SourceReview      = "review"       // set by a person in the review queue
)

// FromInvoice fills schema from an e-invoice, by the meaning of each field
// (the same understanding of keys and descriptions as Extract: an
// "invoice_no" is the invoice's ID, a "supplier" object its seller, a
// "line_items" list its lines). The result is shaped like Extract's: a
// value the invoice answers has confidence 1; a field it does not answer
// is nil with confidence 0. LayoutMatch is the share of top-level fields
// answered.
//
// Amounts are numbers as the XML writes them (the grand total BT-112 for
// a total, unless the field asks for the amount due, BT-115; the net total
// BT-109 for a subtotal), dates YYYY-MM-DD. A list<object> is the invoice's
// lines (or, when its key names taxes, its VAT breakdown). FromInvoice is
// safe for concurrent use.
func FromInvoice(inv *einvoice.Invoice, schema []docparse.Field) Result {
	m := invoiceMapper{inv: inv}
	vals, conf, answered := m.object(schema, nil, "")
	res := Result{Values: vals, Confidence: conf}
	if len(schema) > 0 {
		res.LayoutMatch = round3(float64(answered) / float64(len(schema)))
	}
	return res
}

// specCache holds the specs FromInvoice and MergeInvoice resolved, by
// field: a batch's files share their schema, and resolving a field's
// meaning (newSpec) costs far more than mapping an invoice. Specs are
// only read once made. The cache is emptied when it reaches
// maxCachedSpecs.
var specCache struct {
	sync.Mutex
	m map[string]*spec
}

const maxCachedSpecs = 4096

// invoiceSpec is newSpec(f, parents, lex.doc), or with item
// newSpec(f, parents, lex.item, lex.doc), from the cache when it holds it.
func invoiceSpec(f docparse.Field, parents [][]string, item bool) *spec {
	var k strings.Builder
	fmt.Fprintf(&k, "%t\x00%s\x00%s\x00%s\x00%v", item, f.Key, f.Type, f.Description, f.Example)
	for _, p := range parents {
		k.WriteString("\x00" + strings.Join(p, " "))
	}
	key := k.String()
	specCache.Lock()
	s, ok := specCache.m[key]
	specCache.Unlock()
	if ok {
		return s
	}
	if item {
		s = newSpec(f, parents, lex.item, lex.doc)
	} else {
		s = newSpec(f, parents, lex.doc)
	}
	specCache.Lock()
	if specCache.m == nil || len(specCache.m) >= maxCachedSpecs {
		specCache.m = make(map[string]*spec)
	}
	specCache.m[key] = s
	specCache.Unlock()
	return s
}

type invoiceMapper struct {
	inv *einvoice.Invoice
}

// object fills one level of the schema; party is the party the level
// belongs to ("seller", "buyer", "" for the document), parents its label
// words.
func (m invoiceMapper) object(fs []docparse.Field, parents [][]string, party string) (map[string]any, map[string]any, int) {
	vals := make(map[string]any, len(fs))
	conf := make(map[string]any, len(fs))
	answered := 0
	for _, f := range fs {
		s := invoiceSpec(f, parents, false)
		switch f.Type {
		case docparse.TypeObject:
			p := party
			if p == "" {
				p = partyOf(s)
			}
			v, c, n := m.object(f.Fields, [][]string{s.keyToks}, p)
			vals[f.Key], conf[f.Key] = v, c
			if n > 0 {
				answered++
			}
		case docparse.TypeListObject:
			v, c := m.list(f, s)
			vals[f.Key], conf[f.Key] = v, c
			if v != nil {
				answered++
			}
		case docparse.TypeListString:
			vals[f.Key], conf[f.Key] = nil, 0.0
		default:
			text := m.scalarText(s, party)
			v := typed(f.Type, text)
			vals[f.Key] = v
			if v != nil {
				conf[f.Key] = 1.0
				answered++
			} else {
				conf[f.Key] = 0.0
			}
		}
	}
	return vals, conf, answered
}

// scalarText is the invoice's text for a scalar field, "" when it holds
// none.
func (m invoiceMapper) scalarText(s *spec, party string) string {
	con := s.conceptName()
	if party == "" {
		switch con {
		case "seller", "buyer":
			// "seller_name", "customer": the party's name, unless the
			// rest of the key asks for another of its attributes.
			party = con
		case "ship_to":
			return ""
		default:
			party = partyOf(s)
		}
		if party != "" {
			rest := withoutPartyWords(s.keyToks)
			if len(rest) == 0 {
				return m.partyOf(party).Name
			}
			rs := invoiceSpec(docparse.Field{Key: strings.Join(rest, "_"), Type: s.f.Type}, nil, false)
			return m.partyAttr(party, rs)
		}
		return m.docValue(s, con)
	}
	return m.partyAttr(party, s)
}

// docValue maps a document-level concept.
func (m invoiceMapper) docValue(s *spec, con string) string {
	inv := m.inv
	switch con {
	case "invoice_number":
		return inv.ID
	case "date":
		return inv.IssueDate
	case "due_date":
		return inv.DueDate
	case "total":
		if hasAny(s.keyToks, "due", "payable", "balance", "pay", "zahlbetrag") && inv.Totals.DuePayable != "" {
			return inv.Totals.DuePayable
		}
		return inv.Totals.GrandTotal
	case "subtotal":
		if hasAny(s.keyToks, "line", "lines") && inv.Totals.LineTotal != "" {
			return inv.Totals.LineTotal
		}
		return inv.Totals.TaxBasis
	case "tax":
		return inv.Totals.Tax
	case "currency":
		return inv.Currency
	case "order_number":
		return inv.OrderReference
	case "payment_terms":
		return inv.PaymentTerms
	case "vat_id":
		return m.partyAttr("seller", s)
	case "iban":
		return inv.IBAN
	case "bic":
		return inv.BIC
	}
	switch {
	case hasSeq(s.keyToks, "payment", "reference"):
		return inv.PaymentReference
	case hasSeq(s.keyToks, "buyer", "reference"), hasSeq(s.keyToks, "leitweg", "id"):
		return inv.BuyerReference
	case hasSeq(s.keyToks, "type", "code"), hasSeq(s.keyToks, "document", "type"):
		return inv.TypeCode
	}
	return ""
}

func (m invoiceMapper) partyOf(party string) einvoice.Party {
	if party == "buyer" {
		return m.inv.Buyer
	}
	return m.inv.Seller
}

// partyAttr maps a field of a party: its name, VAT id, tax number,
// address (whole or in parts), electronic address, and for the seller the
// account paid into.
func (m invoiceMapper) partyAttr(party string, s *spec) string {
	p := m.partyOf(party)
	t := s.keyToks
	con := s.conceptName()
	switch {
	case hasAny(t, "steuernummer") || hasSeq(t, "tax", "number") && !hasAny(t, "vat"):
		if p.TaxNumber != "" {
			return p.TaxNumber
		}
		return p.VATID
	case con == "vat_id" || hasAny(t, "vat", "tva", "ustid", "btw", "iva"):
		if p.VATID == "" && hasAny(t, "tax") {
			return p.TaxNumber
		}
		return p.VATID
	case con == "iban":
		if party == "seller" {
			return m.inv.IBAN
		}
		return ""
	case con == "bic":
		if party == "seller" {
			return m.inv.BIC
		}
		return ""
	case hasAny(t, "trading", "trade", "brand"):
		return p.TradingName
	case hasAny(t, "email", "mail", "electronic", "endpoint"):
		return p.ElectronicAddress
	case hasAny(t, "street", "strasse", "straße", "rue", "calle") || hasSeq(t, "address", "line"):
		return strings.Join(p.Address.Lines, ", ")
	case hasAny(t, "city", "town", "ort", "ville", "stadt", "ciudad", "citta"):
		return p.Address.City
	case hasAny(t, "zip", "postcode", "postal", "plz", "postleitzahl") || hasSeq(t, "post", "code"):
		return p.Address.PostCode
	case hasAny(t, "country", "land", "pays", "pais"):
		return p.Address.Country
	case hasAny(t, "state", "region", "province", "subdivision"):
		return p.Address.Subdivision
	case hasAny(t, "address", "adresse", "anschrift", "direccion", "indirizzo"):
		return fullAddress(p.Address)
	case con == "seller" || con == "buyer" || len(t) == 0 || hasAny(t, "name", "company", "legal", "firm", "firma", "raison"):
		return p.Name
	}
	return ""
}

// fullAddress writes an address on one line: "Street 1, 12345 City, DE".
func fullAddress(a einvoice.Address) string {
	parts := slices.Clone(a.Lines)
	if city := strings.TrimSpace(a.PostCode + " " + a.City); city != "" {
		parts = append(parts, city)
	}
	if a.Subdivision != "" {
		parts = append(parts, a.Subdivision)
	}
	if a.Country != "" {
		parts = append(parts, a.Country)
	}
	return strings.Join(parts, ", ")
}

// list fills a list<object>: the invoice's lines, or its VAT breakdown
// when the key names taxes.
func (m invoiceMapper) list(f docparse.Field, s *spec) (any, any) {
	kids := make([]*spec, len(f.Fields))
	for i, k := range f.Fields {
		kids[i] = invoiceSpec(k, nil, true)
	}
	var rows []map[string]string
	if hasAny(s.keyToks, "tax", "taxes", "vat", "tva", "mwst", "ust", "iva", "btw", "breakdown") {
		for _, t := range m.inv.Taxes {
			rows = append(rows, taxRow(t, kids))
		}
	} else {
		for _, l := range m.inv.Lines {
			rows = append(rows, lineRow(l, kids))
		}
	}
	if len(rows) == 0 {
		return nil, 0.0
	}
	vals := make([]any, len(rows))
	confs := make([]any, len(rows))
	for i, r := range rows {
		v := make(map[string]any, len(kids))
		c := make(map[string]any, len(kids))
		for _, k := range kids {
			x := typed(k.f.Type, r[k.f.Key])
			v[k.f.Key] = x
			if x != nil {
				c[k.f.Key] = 1.0
			} else {
				c[k.f.Key] = 0.0
			}
		}
		vals[i], confs[i] = v, c
	}
	return vals, confs
}

func lineRow(l einvoice.Line, kids []*spec) map[string]string {
	r := make(map[string]string, len(kids))
	for _, k := range kids {
		con := k.conceptName()
		switch con {
		case "description":
			r[k.f.Key] = l.Name
		case "quantity":
			r[k.f.Key] = l.Quantity
		case "unit_price":
			r[k.f.Key] = l.UnitPrice
		case "line_amount", "total", "subtotal":
			r[k.f.Key] = l.NetAmount
		case "tax_rate":
			r[k.f.Key] = l.TaxRate
		case "unit":
			r[k.f.Key] = l.Unit
		case "position":
			r[k.f.Key] = l.ID
		}
	}
	return r
}

func taxRow(t einvoice.Tax, kids []*spec) map[string]string {
	r := make(map[string]string, len(kids))
	for _, k := range kids {
		con := k.conceptName()
		switch {
		case con == "tax_rate" || hasAny(k.keyToks, "rate", "percent", "satz", "taux"):
			r[k.f.Key] = t.Rate
		case con == "subtotal" || hasAny(k.keyToks, "basis", "base", "taxable", "net"):
			r[k.f.Key] = t.Basis
		case hasAny(k.keyToks, "category", "code"):
			r[k.f.Key] = t.Category
		case con == "line_amount" || con == "tax" || con == "total" || hasAny(k.keyToks, "amount"):
			r[k.f.Key] = t.Amount
		}
	}
	return r
}

// typed converts the invoice's text to a value of type t, nil when text is
// empty or not of the type.
func typed(t docparse.FieldType, text string) any {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	switch t {
	case docparse.TypeNumber:
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil
		}
		return v
	case docparse.TypeInteger:
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return nil
		}
		return int64(v)
	case docparse.TypeDate:
		if !isISODate(text) {
			return nil
		}
		return text
	case docparse.TypeDateTime:
		if !isISODate(text) {
			return nil
		}
		return text + "T00:00:00Z"
	case docparse.TypeBoolean:
		return nil
	}
	return text
}

func isISODate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-'
}

// partyOf returns the party a field's words name: "seller" for a term of
// the seller concept (not its weak "from"), "buyer" for one of the buyer's
// (with its weak "customer", "client"), "" for none.
func partyOf(s *spec) string {
	if s.con != nil {
		switch s.con.name {
		case "seller", "buyer":
			return s.con.name
		}
	}
	for _, c := range lex.doc {
		switch c.name {
		case "seller":
			if containsTerm(s.keyToks, c.strong) {
				return "seller"
			}
		case "buyer":
			if containsTerm(s.keyToks, c.strong) || containsTerm(s.keyToks, c.weak) {
				return "buyer"
			}
		}
	}
	return ""
}

// withoutPartyWords drops the seller's and buyer's terms from toks.
func withoutPartyWords(toks []string) []string {
	out := slices.Clone(toks)
	for _, c := range lex.doc {
		if c.name != "seller" && c.name != "buyer" {
			continue
		}
		terms := c.strong
		if c.name == "buyer" {
			terms = append(slices.Clone(terms), c.weak...)
		}
		for _, t := range terms {
			for i := 0; i+len(t) <= len(out); i++ {
				if equalToks(out[i:i+len(t)], t) {
					out = slices.Delete(out, i, i+len(t))
					i--
				}
			}
		}
	}
	return out
}

func containsTerm(toks []string, terms [][]string) bool {
	for _, t := range terms {
		for i := 0; i+len(t) <= len(toks); i++ {
			if equalToks(toks[i:i+len(t)], t) {
				return true
			}
		}
	}
	return false
}

func hasAny(toks []string, words ...string) bool {
	for _, t := range toks {
		if slices.Contains(words, t) {
			return true
		}
	}
	return false
}

// hasSeq reports whether words occur in toks one after the other.
func hasSeq(toks []string, words ...string) bool {
	for i := 0; i+len(words) <= len(toks); i++ {
		if equalToks(toks[i:i+len(words)], words) {
			return true
		}
	}
	return false
}

// Mismatch is a field whose value on the page contradicts the e-invoice's
// XML: the file's warning einvoice_page_mismatch.
type Mismatch struct {
	Field     string `json:"field"` // path: "total", "seller.vat_id"
	PageValue any    `json:"page_value"`
	XMLValue  any    `json:"xml_value"`
}

// Merged is a result that combines an e-invoice's values with a page
// reading of the same document.
type Merged struct {
	Result
	// Sources is shaped like Confidence: a source (SourceEmbeddedXML or
	// the page's) for every value, nil for a value not found.
	Sources map[string]any
	// Mismatches lists the fields whose page value contradicts the XML.
	Mismatches []Mismatch
}

// MergeInvoice fills schema from the e-invoice inv (FromInvoice) and from
// page, Extract's reading of the document's pages, whose values came from
// pageSource: every value the XML answers wins, with its confidence 1 and
// source embedded_xml; every other value is the page's, with its own
// confidence and source. A list<object> the XML answers takes the XML's
// rows, the children the XML leaves empty filled from the page's row of
// the same index when the page read as many rows.
//
// With doc, the pages page was read from, a scalar field (at the top
// level or in an object) is a Mismatch when the page's reading
// contradicts the XML, the XML's value is shown nowhere on the pages, and
// the page's value is no value of the invoice either. Contradicts means:
// numbers that differ by a cent or more, dates that differ, identifiers
// (invoice and order numbers, VAT ids, IBANs) that differ once spaces,
// punctuation and case are folded away. The other two conditions keep a
// misreading from passing for a contradiction: an XML total printed on
// the page in any number format agrees with it, whatever the page engine
// chose to call the total; a seller's VAT id read as the buyer's, or a
// shipping charge read as the subtotal, is a value the XML holds. What
// remains is a page that shows a figure the XML lacks where the XML's own
// is nowhere: a stale or forged attachment. Free text such as names is
// not compared (a page may print a trading name where the XML holds the
// legal one), nor are the rows of lists (a table may be read with rows
// merged or split). A nil doc compares nothing.
func MergeInvoice(schema []docparse.Field, inv *einvoice.Invoice, page Result, pageSource string, doc *extract.Document) Merged {
	xml := FromInvoice(inv, schema)
	mg := &merger{pageSource: pageSource}
	if doc != nil {
		mg.shown = newPageEvidence(doc)
		mg.held = newInvoiceEvidence(inv)
	}
	out := Merged{}
	out.Values, out.Confidence, out.Sources = mg.object(schema, nil, xml.Values, xml.Confidence, page.Values, page.Confidence, "")
	out.LayoutMatch = max(xml.LayoutMatch, page.LayoutMatch)
	// A value the page engine inferred stays inferred where the XML left
	// it to the page; where the XML answers, its value replaced it.
	for _, p := range page.Inferred {
		if m, k := sourceParent(out.Sources, p); m[k] == pageSource {
			out.Inferred = append(out.Inferred, p)
		}
	}
	MarkInferred(out.Sources, out.Inferred)
	// An inferred value is printed nowhere on the page: it cannot
	// contradict the XML.
	for _, mm := range mg.mismatches {
		if !slices.Contains(page.Inferred, mm.Field) {
			out.Mismatches = append(out.Mismatches, mm)
		}
	}
	return out
}

// invoiceEvidence is every value an invoice holds, whatever its field:
// amounts, dates and identifiers folded.
type invoiceEvidence struct {
	amounts []float64
	dates   map[string]bool
	idents  map[string]bool
}

func newInvoiceEvidence(inv *einvoice.Invoice) *invoiceEvidence {
	ev := &invoiceEvidence{dates: map[string]bool{}, idents: map[string]bool{}}
	b, err := json.Marshal(inv)
	if err != nil {
		return ev
	}
	var m any
	if json.Unmarshal(b, &m) != nil {
		return ev
	}
	eachLeaf(m, func(v any) {
		s, ok := v.(string)
		if !ok {
			return
		}
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			ev.amounts = append(ev.amounts, math.Abs(x))
		}
		if isISODate(s) {
			ev.dates[s] = true
		}
		if id := foldIdent(s); id != "" {
			ev.idents[id] = true
		}
	})
	return ev
}

// holds reports whether the invoice holds value v of field s anywhere.
func (ev *invoiceEvidence) holds(s *spec, v any) bool {
	switch s.f.Type {
	case docparse.TypeNumber, docparse.TypeInteger:
		x, ok := asFloat(v)
		return ok && slices.ContainsFunc(ev.amounts, func(a float64) bool { return math.Abs(a-math.Abs(x)) < 0.005 })
	case docparse.TypeDate, docparse.TypeDateTime:
		d, _ := v.(string)
		return ev.dates[d[:min(len(d), 10)]]
	}
	id, _ := v.(string)
	return ev.idents[foldIdent(id)]
}

// pageEvidence is what a document's pages show, to check an e-invoice's
// values against: every amount, every date, and the text's letters and
// digits.
type pageEvidence struct {
	amounts []float64
	dates   map[string]bool
	idents  string // the pages' letters and digits, upper case, in order
}

func newPageEvidence(doc *extract.Document) *pageEvidence {
	ev := &pageEvidence{dates: map[string]bool{}}
	var ids strings.Builder
	for _, p := range doc.Pages {
		for _, l := range p.Lines {
			ids.WriteString(foldIdent(l.Text))
			ids.WriteByte(' ')
			for i, w := range l.Words {
				if v, _, _, ok := parseAmount(w.Text, false); ok {
					ev.amounts = append(ev.amounts, math.Abs(v))
				}
				// "1 021,91": thousands set apart by a space.
				if i+1 < len(l.Words) {
					if v, _, _, ok := parseAmount(w.Text+" "+l.Words[i+1].Text, false); ok {
						ev.amounts = append(ev.amounts, math.Abs(v))
					}
				}
			}
			f := fold(l.Text)
			for _, order := range []dateOrder{dayFirst, monthFirst} {
				for pos := 0; pos < len(f); {
					m, ok := findDate(f[pos:], order)
					if !ok || m.end <= 0 {
						break
					}
					ev.dates[m.t.Format("2006-01-02")] = true
					pos += m.end
				}
			}
		}
	}
	ev.idents = ids.String()
	return ev
}

// shows reports whether the pages show value v of field s.
func (ev *pageEvidence) shows(s *spec, v any) bool {
	switch s.f.Type {
	case docparse.TypeNumber, docparse.TypeInteger:
		x, ok := asFloat(v)
		if !ok {
			return false
		}
		for _, a := range ev.amounts {
			if math.Abs(a-math.Abs(x)) < 0.005 {
				return true
			}
		}
		return false
	case docparse.TypeDate, docparse.TypeDateTime:
		d, _ := v.(string)
		return ev.dates[d[:min(len(d), 10)]]
	}
	id, _ := v.(string)
	id = foldIdent(id)
	return id != "" && strings.Contains(ev.idents, id)
}

type merger struct {
	pageSource string
	shown      *pageEvidence // nil: compare nothing
	held       *invoiceEvidence
	mismatches []Mismatch
}

func (mg *merger) object(fs []docparse.Field, parents [][]string, xv, xc, pv, pc map[string]any, path string) (map[string]any, map[string]any, map[string]any) {
	vals := make(map[string]any, len(fs))
	conf := make(map[string]any, len(fs))
	srcs := make(map[string]any, len(fs))
	for _, f := range fs {
		k := f.Key
		switch f.Type {
		case docparse.TypeObject:
			s := invoiceSpec(f, parents, false)
			vals[k], conf[k], srcs[k] = mg.object(f.Fields, [][]string{s.keyToks}, asMap(xv[k]), asMap(xc[k]), asMap(pv[k]), asMap(pc[k]), path+k+".")
		case docparse.TypeListObject:
			vals[k], conf[k], srcs[k] = mg.list(f, xv[k], xc[k], pv[k], pc[k])
		case docparse.TypeListString:
			vals[k], conf[k], srcs[k] = mg.pageValue(f, pv[k], pc[k])
		default:
			if xv[k] == nil {
				vals[k], conf[k], srcs[k] = mg.pageValue(f, pv[k], pc[k])
				continue
			}
			vals[k], conf[k], srcs[k] = xv[k], xc[k], SourceEmbeddedXML
			if mg.shown != nil && pv[k] != nil {
				s := invoiceSpec(f, parents, false)
				if contradicts(s, pv[k], xv[k]) && !mg.shown.shows(s, xv[k]) && !mg.held.holds(s, pv[k]) {
					mg.mismatches = append(mg.mismatches, Mismatch{Field: path + k, PageValue: pv[k], XMLValue: xv[k]})
				}
			}
		}
	}
	return vals, conf, srcs
}

// pageValue is the page's value of a field, with its confidence and
// sources (nested for lists).
func (mg *merger) pageValue(f docparse.Field, v, c any) (any, any, any) {
	if c == nil {
		c = 0.0
	}
	return v, c, sourcesOf(f, v, mg.pageSource)
}

func (mg *merger) list(f docparse.Field, xv, xc, pv, pc any) (any, any, any) {
	xrows, _ := xv.([]any)
	if len(xrows) == 0 {
		return mg.pageValue(f, pv, pc)
	}
	xconf, _ := xc.([]any)
	prows, _ := pv.([]any)
	pconf, _ := pc.([]any)
	fill := len(prows) == len(xrows) && len(pconf) == len(prows)
	vals := make([]any, len(xrows))
	confs := make([]any, len(xrows))
	srcs := make([]any, len(xrows))
	for i := range xrows {
		xr, xcr := asMap(xrows[i]), asMap(at(xconf, i))
		var pr, pcr map[string]any
		if fill {
			pr, pcr = asMap(prows[i]), asMap(pconf[i])
		}
		v := make(map[string]any, len(f.Fields))
		c := make(map[string]any, len(f.Fields))
		s := make(map[string]any, len(f.Fields))
		for _, kid := range f.Fields {
			k := kid.Key
			if xr[k] != nil {
				v[k], c[k], s[k] = xr[k], xcr[k], SourceEmbeddedXML
				continue
			}
			v[k], c[k], s[k] = mg.pageValue(kid, pr[k], pcr[k])
		}
		vals[i], confs[i], srcs[i] = v, c, s
	}
	return vals, confs, srcs
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func at(l []any, i int) any {
	if i < len(l) {
		return l[i]
	}
	return nil
}

// contradicts reports whether page value pv and XML value xv of field s
// disagree in a way that matters (see MergeInvoice).
func contradicts(s *spec, pv, xv any) bool {
	switch s.f.Type {
	case docparse.TypeNumber, docparse.TypeInteger:
		p, ok1 := asFloat(pv)
		x, ok2 := asFloat(xv)
		return ok1 && ok2 && math.Abs(p-x) >= 0.005
	case docparse.TypeDate, docparse.TypeDateTime:
		p, ok1 := pv.(string)
		x, ok2 := xv.(string)
		return ok1 && ok2 && p[:min(len(p), 10)] != x[:min(len(x), 10)]
	case docparse.TypeString:
		if s.kind != kindIdent && s.kind != kindIBAN {
			return false
		}
		p, ok1 := pv.(string)
		x, ok2 := xv.(string)
		return ok1 && ok2 && foldIdent(p) != foldIdent(x)
	}
	return false
}

func asFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	}
	return 0, false
}

// foldIdent keeps the letters and digits of an identifier, upper case:
// "FR 12 345" and "fr12-345" are one identifier.
func foldIdent(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// Sources returns the sources of a result whose values all came from one
// source (SourceText or SourceOCR for a page reading), shaped like its
// confidence: source for every value found, nil for every value not.
// MarkInferred then names the values InferMissing computed.
func Sources(schema []docparse.Field, vals map[string]any, source string) map[string]any {
	out := make(map[string]any, len(schema))
	for _, f := range schema {
		out[f.Key] = sourcesOf(f, vals[f.Key], source)
	}
	return out
}

// MarkInferred sets the source of each path in inferred (Result.Inferred:
// "total", "totals.net") to SourceInferred in sources, Sources' shape,
// where a value was found.
func MarkInferred(sources map[string]any, inferred []string) {
	for _, p := range inferred {
		m, last := sourceParent(sources, p)
		if _, ok := m[last].(string); ok {
			m[last] = SourceInferred
		}
	}
}

// sourceParent returns the map of sources holding path's last key, and
// that key (a nil map when the path leads nowhere).
func sourceParent(sources map[string]any, path string) (map[string]any, string) {
	keys := strings.Split(path, ".")
	m := sources
	for _, k := range keys[:len(keys)-1] {
		m = asMap(m[k])
	}
	return m, keys[len(keys)-1]
}

// sourcesOf is the sources of field f's value v.
func sourcesOf(f docparse.Field, v any, source string) any {
	switch f.Type {
	case docparse.TypeObject:
		return Sources(f.Fields, asMap(v), source)
	case docparse.TypeListObject, docparse.TypeListString:
		// A list's sources are its items' own, each read as an object
		// of the list's fields or as one string.
		items, _ := v.([]any)
		if len(items) == 0 {
			return nil
		}
		item := docparse.Field{Type: docparse.TypeString}
		if f.Type == docparse.TypeListObject {
			item = docparse.Field{Type: docparse.TypeObject, Fields: f.Fields}
		}
		out := make([]any, len(items))
		for i, x := range items {
			out[i] = sourcesOf(item, x, source)
		}
		return out
	}
	if v == nil {
		return nil
	}
	return source
}

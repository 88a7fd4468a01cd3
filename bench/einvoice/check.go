package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"

	"github.com/docparse/docparse/internal/einvoice"
)

// The -check mode compares einvoice.Parse with a second reading of the
// same XML that shares nothing with it: a generic tree of elements built
// from encoding/xml's tokens, and fixed element paths per syntax written
// from the specifications (EN 16931-3-2 for UBL, -3-3 for CII D16B, the
// ZUGFeRD 1.0 schema), not from package einvoice's structs. Values are
// compared by meaning: amounts as exact decimals, dates as days, text with
// its white space folded.

// node is one element of the tiny DOM.
type node struct {
	space, name string
	attrs       map[string]string // by local name
	text        strings.Builder
	kids        []*node
}

// readTree reads b into a tree of elements. A DOCTYPE is skipped, never
// expanded (encoding/xml expands no entity it is not given).
func readTree(b []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{space: t.Name.Space, name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// all returns the elements reached from n by path, local names separated
// by "/", each step among direct children.
func (n *node) all(path string) []*node {
	if n == nil {
		return nil
	}
	cur := []*node{n}
	for _, step := range strings.Split(path, "/") {
		var next []*node
		for _, c := range cur {
			for _, k := range c.kids {
				if k.name == step {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// at returns the first element at path, or nil.
func (n *node) at(path string) *node {
	if n == nil {
		return nil
	}
	if a := n.all(path); len(a) > 0 {
		return a[0]
	}
	return nil
}

// val returns the text of the first element at path, or "".
func (n *node) val(path string) string {
	if e := n.at(path); e != nil {
		return e.text.String()
	}
	return ""
}

// firstVal returns the first non-blank text among the paths, in order.
func (n *node) firstVal(paths ...string) string {
	for _, p := range paths {
		for _, e := range n.all(p) {
			if s := strings.TrimSpace(e.text.String()); s != "" {
				return s
			}
		}
	}
	return ""
}

// kind of a compared value.
type kind int

const (
	kText kind = iota
	kAmount
	kDate
)

// reading is one invoice's core values, by field name, as the independent
// reader found them; kinds says how each is compared.
type reading struct {
	values map[string]string
	kinds  map[string]kind
	order  []string
}

func (r *reading) set(field string, k kind, v string) {
	if _, ok := r.values[field]; !ok {
		r.order = append(r.order, field)
	}
	r.values[field] = v
	r.kinds[field] = k
}

func newReading() *reading {
	return &reading{values: map[string]string{}, kinds: map[string]kind{}}
}

// readIndependently reads the EN 16931 core of an invoice from its tree.
func readIndependently(root *node) (*reading, error) {
	r := newReading()
	switch root.name {
	case "CrossIndustryInvoice":
		readCII(r, root, ciiPaths{
			header: "ExchangedDocument", tx: "SupplyChainTradeTransaction",
			agreement: "ApplicableHeaderTradeAgreement", settlement: "ApplicableHeaderTradeSettlement",
			summation: "SpecifiedTradeSettlementHeaderMonetarySummation",
			order:     "BuyerOrderReferencedDocument/IssuerAssignedID",
			lineNet:   "SpecifiedLineTradeSettlement/SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount",
		})
	case "CrossIndustryDocument":
		readCII(r, root, ciiPaths{
			header: "HeaderExchangedDocument", tx: "SpecifiedSupplyChainTradeTransaction",
			agreement: "ApplicableSupplyChainTradeAgreement", settlement: "ApplicableSupplyChainTradeSettlement",
			summation: "SpecifiedTradeSettlementMonetarySummation",
			order:     "BuyerOrderReferencedDocument/ID",
			lineNet:   "SpecifiedSupplyChainTradeSettlement/SpecifiedTradeSettlementMonetarySummation/LineTotalAmount",
		})
	case "Invoice", "CreditNote":
		readUBL(r, root)
	default:
		return nil, fmt.Errorf("root %s is no invoice", root.name)
	}
	return r, nil
}

type ciiPaths struct {
	header, tx, agreement, settlement, summation, order, lineNet string
}

func readCII(r *reading, root *node, p ciiPaths) {
	hd := root.at(p.header)
	tx := root.at(p.tx)
	ag := tx.at(p.agreement)
	st := tx.at(p.settlement)
	sum := st.at(p.summation)
	currency := strings.TrimSpace(st.val("InvoiceCurrencyCode"))

	r.set("id", kText, hd.val("ID"))
	r.set("type_code", kText, hd.val("TypeCode"))
	r.set("issue_date", kDate, hd.val("IssueDateTime/DateTimeString"))
	r.set("currency", kText, currency)
	for _, party := range []struct{ name, path string }{{"seller", "SellerTradeParty"}, {"buyer", "BuyerTradeParty"}} {
		pt := ag.at(party.path)
		r.set(party.name+".name", kText, pt.val("Name"))
		vat := ""
		if pt != nil {
			for _, id := range pt.all("SpecifiedTaxRegistration/ID") {
				if strings.EqualFold(strings.TrimSpace(id.attrs["schemeID"]), "VA") {
					vat = id.text.String()
					break
				}
			}
		}
		r.set(party.name+".vat_id", kText, vat)
	}
	r.set("order_reference", kText, ag.val(p.order))
	r.set("due_date", kDate, st.firstVal("SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString"))
	// BT-84 is the first payee account in document order, whether an
	// IBAN or a proprietary identifier.
	iban := ""
	for _, acc := range st.all("SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount") {
		if iban = acc.firstVal("IBANID", "ProprietaryID"); iban != "" {
			break
		}
	}
	r.set("iban", kText, iban)
	r.set("totals.line_total", kAmount, sum.val("LineTotalAmount"))
	r.set("totals.tax_basis", kAmount, sum.val("TaxBasisTotalAmount"))
	r.set("totals.tax", kAmount, inCurrency(sum.all("TaxTotalAmount"), currency))
	r.set("totals.grand_total", kAmount, sum.val("GrandTotalAmount"))
	r.set("totals.prepaid", kAmount, sum.val("TotalPrepaidAmount"))
	r.set("totals.due_payable", kAmount, sum.val("DuePayableAmount"))
	lines := tx.all("IncludedSupplyChainTradeLineItem")
	r.set("lines", kText, fmt.Sprint(len(lines)))
	for i, l := range lines {
		r.set(fmt.Sprintf("lines[%d].id", i), kText, l.val("AssociatedDocumentLineDocument/LineID"))
		r.set(fmt.Sprintf("lines[%d].net_amount", i), kAmount, l.val(p.lineNet))
	}
}

func readUBL(r *reading, root *node) {
	credit := root.name == "CreditNote"
	currency := strings.TrimSpace(root.val("DocumentCurrencyCode"))
	r.set("id", kText, root.val("ID"))
	if credit {
		// UBL 2.1 makes CreditNoteTypeCode optional: the root says
		// what the document is, 381 in UNTDID 1001.
		r.set("type_code", kText, cmp.Or(strings.TrimSpace(root.val("CreditNoteTypeCode")), "381"))
	} else {
		r.set("type_code", kText, root.val("InvoiceTypeCode"))
	}
	r.set("issue_date", kDate, root.val("IssueDate"))
	r.set("currency", kText, currency)
	for _, party := range []struct{ name, path string }{{"seller", "AccountingSupplierParty/Party"}, {"buyer", "AccountingCustomerParty/Party"}} {
		pt := root.at(party.path)
		// BT-27 / BT-44 is the legal name; a party without one is known
		// by its trading name only.
		r.set(party.name+".name", kText, pt.firstVal("PartyLegalEntity/RegistrationName", "PartyName/Name"))
		vat := ""
		if pt != nil {
			for _, ts := range pt.all("PartyTaxScheme") {
				if strings.EqualFold(strings.TrimSpace(ts.val("TaxScheme/ID")), "VAT") {
					vat = ts.val("CompanyID")
					break
				}
			}
		}
		r.set(party.name+".vat_id", kText, vat)
	}
	r.set("order_reference", kText, root.val("OrderReference/ID"))
	r.set("due_date", kDate, root.firstVal("DueDate", "PaymentMeans/PaymentDueDate"))
	r.set("iban", kText, root.firstVal("PaymentMeans/PayeeFinancialAccount/ID"))
	r.set("totals.line_total", kAmount, root.val("LegalMonetaryTotal/LineExtensionAmount"))
	r.set("totals.tax_basis", kAmount, root.val("LegalMonetaryTotal/TaxExclusiveAmount"))
	r.set("totals.tax", kAmount, inCurrency(root.all("TaxTotal/TaxAmount"), currency))
	r.set("totals.grand_total", kAmount, root.val("LegalMonetaryTotal/TaxInclusiveAmount"))
	r.set("totals.prepaid", kAmount, root.val("LegalMonetaryTotal/PrepaidAmount"))
	r.set("totals.due_payable", kAmount, root.val("LegalMonetaryTotal/PayableAmount"))
	lines := root.all("InvoiceLine")
	if credit {
		lines = root.all("CreditNoteLine")
	}
	r.set("lines", kText, fmt.Sprint(len(lines)))
	for i, l := range lines {
		r.set(fmt.Sprintf("lines[%d].id", i), kText, l.val("ID"))
		r.set(fmt.Sprintf("lines[%d].net_amount", i), kAmount, l.val("LineExtensionAmount"))
	}
}

// inCurrency returns the amount whose currencyID is currency (BT-110 in a
// document that also states BT-111), or the first amount.
func inCurrency(amounts []*node, currency string) string {
	for _, a := range amounts {
		if strings.EqualFold(strings.TrimSpace(a.attrs["currencyID"]), currency) {
			return a.text.String()
		}
	}
	if len(amounts) > 0 {
		return amounts[0].text.String()
	}
	return ""
}

// ours returns Parse's value of each field the independent reader names,
// read from inv's JSON (m, asJSON): a field is the dotted path of its value
// there ("seller.vat_id", "lines[1].net_amount"); "lines" is the number
// of lines.
func ours(m map[string]any, field string) string {
	lines, _ := m["lines"].([]any)
	if field == "lines" {
		return fmt.Sprint(len(lines))
	}
	var i int
	var sub string
	if _, err := fmt.Sscanf(field, "lines[%d].%s", &i, &sub); err == nil {
		if i < 0 || i >= len(lines) {
			return ""
		}
		m, _ = lines[i].(map[string]any)
		field = sub
	}
	s, _ := lookup(m, field).(string)
	return s
}

// asJSON returns inv as its JSON object, the paths ours reads.
func asJSON(inv *einvoice.Invoice) map[string]any {
	b, err := json.Marshal(inv)
	if err != nil {
		panic(err) // an Invoice is strings, slices and structs only
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

// same compares two values of a kind by meaning.
func same(k kind, a, b string) bool {
	a, b = strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " ")
	switch k {
	case kAmount:
		x, okx := new(big.Rat).SetString(a)
		y, oky := new(big.Rat).SetString(b)
		if okx && oky {
			return x.Cmp(y) == 0
		}
	case kDate:
		return day(a) == day(b)
	}
	return a == b
}

// day writes a CII format-102 date (YYYYMMDD) or an xs:date as YYYY-MM-DD.
func day(s string) string {
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		return s[:4] + "-" + s[4:6] + "-" + s[6:]
	}
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}

// disagreement is one field where Parse and the independent reading
// differ.
type disagreement struct {
	path, field, ours, theirs string
}

// compare returns how many fields of ind were compared with inv (those
// that either side holds) and where the two disagree; inv nil (Parse
// failed) disagrees on every field the independent reading holds.
func compare(path string, inv *einvoice.Invoice, ind *reading) (int, []disagreement) {
	compared := 0
	var diffs []disagreement
	var m map[string]any
	if inv != nil {
		m = asJSON(inv)
	}
	for _, field := range ind.order {
		theirs := strings.TrimSpace(ind.values[field])
		o := ""
		if inv != nil {
			o = ours(m, field)
		}
		if theirs == "" && o == "" {
			continue // neither holds it: nothing compared
		}
		compared++
		if inv == nil || !same(ind.kinds[field], o, theirs) {
			diffs = append(diffs, disagreement{path, field, o, theirs})
		}
	}
	return compared, diffs
}

// tally counts, per group (syntax and profile).
type tally struct {
	files, failed, compared, equal int
}

// checkFiles compares Parse with the independent reading on every file
// and prints a table per syntax and profile, the total, and with verbose
// every disagreement. It returns the total share of equal fields.
func checkFiles(files []file, verbose bool) float64 {
	groups := map[string]*tally{}
	var diffs []disagreement
	byField := map[string]int{}
	for _, f := range files {
		root, err := readTree(bytes.TrimPrefix(f.data, []byte("\xef\xbb\xbf")))
		if err != nil {
			fmt.Printf("%s: the independent reader cannot read it: %v\n", f.path, err)
			continue
		}
		ind, err := readIndependently(root)
		if err != nil {
			fmt.Printf("%s: %v\n", f.path, err)
			continue
		}
		inv, perr := einvoice.Parse(bytes.NewReader(f.data), limit)
		group := "(parse failed) " + root.name
		if perr == nil {
			p := string(inv.Profile)
			if p == "" {
				p = "(no profile)"
			}
			group = string(inv.Syntax) + " " + p
		}
		g := groups[group]
		if g == nil {
			g = &tally{}
			groups[group] = g
		}
		g.files++
		if perr != nil {
			g.failed++
			diffs = append(diffs, disagreement{f.path, "(parse)", perr.Error(), "readable"})
		}
		compared, ds := compare(f.path, inv, ind)
		g.compared += compared
		g.equal += compared - len(ds)
		for _, d := range ds {
			diffs = append(diffs, d)
			byField[genericField(d.field)]++
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var total tally
	fmt.Printf("%-28s %5s %8s %8s %8s\n", "syntax, profile", "files", "compared", "equal", "share")
	row := func(name string, t tally) {
		share := 100.0
		if t.compared > 0 {
			share = 100 * float64(t.equal) / float64(t.compared)
		}
		fail := ""
		if t.failed > 0 {
			fail = fmt.Sprintf("  (%d not parsed)", t.failed)
		}
		fmt.Printf("%-28s %5d %8d %8d %7.2f%%%s\n", name, t.files, t.compared, t.equal, share, fail)
	}
	for _, k := range keys {
		g := groups[k]
		row(k, *g)
		total.files += g.files
		total.failed += g.failed
		total.compared += g.compared
		total.equal += g.equal
	}
	row("total", total)
	if len(byField) > 0 {
		var fs []string
		for f, n := range byField {
			fs = append(fs, fmt.Sprintf("%s %d", f, n))
		}
		sort.Strings(fs)
		fmt.Printf("disagreements by field: %s\n", strings.Join(fs, ", "))
	}
	if verbose {
		for _, d := range diffs {
			fmt.Printf("  %s  %s: ours %q, independent %q\n", d.path, d.field, d.ours, d.theirs)
		}
	}
	if total.compared == 0 {
		return 0
	}
	return float64(total.equal) / float64(total.compared)
}

// genericField names a line's field without its index.
func genericField(f string) string {
	if strings.HasPrefix(f, "lines[") {
		if _, rest, ok := strings.Cut(f, "]"); ok {
			return "lines[]" + rest
		}
	}
	return f
}

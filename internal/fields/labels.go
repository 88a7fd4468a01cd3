package fields

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Labels: the value a label of the field points at, to its right, under
// it, in a row of numbers or in a table column's totals row, and how much
// the label is worth (labelScore, otherParty).

// labelled offers the value that label match m in cell ci of ln points
// at: the rest of its cell, else the next cell on the line (or the
// matching cell of a row of numbers), else the cell below it.
func (x *extractor) labelled(s *spec, ln *line, ci int, m match, p *picker) {
	c := ln.cells[ci]
	rest := cleanRest(c.text[c.toks[m.end-1].end:])
	if s.numeric() {
		// A tax's rate stands between its label and the amount: "VAT 20%
		// 12.34", "IVA (21%): 212,10".
		rest = cleanRest(reRate.ReplaceAllString(rest, ""))
	}
	if rest != "" {
		if v, fit, ok := x.fit(s, rest, false, false); ok {
			op := otherParty(s, c, m)
			p.offer(atLabel(v, labelScore(c, m, m.end)*op, 1, fit, op, ln), ln)
			return
		}
	}
	// A name's label that other words follow up to a colon labels a
	// detail of the party: "Verkäufer-BIC: BYLADEM1001" points at no
	// name, neither beside nor below it ("Seller name:" does).
	if s.kind == kindName {
		if detail, _, ok := strings.Cut(rest, ":"); ok && slices.ContainsFunc(tokenize(detail), func(t token) bool { return !nameLabels[t.norm] }) {
			return
		}
	}
	op := otherParty(s, c, m)
	lab := labelScore(c, m, len(c.toks)) * op
	// A label that shares its cell with other words ("Grondslag BTW
	// bedrag") heads the part of the cell from where it starts.
	x0, _ := c.span(m.start, m.end)
	if ci+1 < len(ln.cells) {
		right := ln.cells[ci+1:]
		if s.numeric() {
			if n := numericRun(right); n >= 2 {
				x.row(s, ln, right[:n], lab, op, p)
				return
			}
		}
		if r := right[0]; !r.isLabel() {
			if v, fit, ok := x.fit(s, r.text, false, true); ok {
				p.offer(atLabel(v, lab, 1, fit, op, ln), ln)
				return
			}
		}
	}
	x.under(s, ln, x0, c.x1, lab, op, p)
}

// row picks a value from the numbers that follow a label on its line, as
// in a totals row "Total  1  278.61  40.39  319.00": the one under a column
// header that names the field, else the last (for totals) or the first.
func (x *extractor) row(s *spec, ln *line, cells []*cell, lab, op float64, p *picker) {
	var nums []*cell
	for _, rc := range cells {
		if _, _, _, ok := parseAmount(rc.text, false); ok {
			nums = append(nums, rc)
		}
	}
	if len(nums) == 0 {
		return
	}
	pick, place := nums[0], placeRowDefault
	if s.con != nil && s.con.last {
		pick = nums[len(nums)-1]
	}
	for _, rc := range nums {
		if h := x.header(ln, rc); h != nil && len(s.matches(h, false)) > 0 {
			pick, place = rc, placeRowHeader
			break
		}
	}
	if v, fit, ok := x.fit(s, pick.text, false, true); ok {
		p.offer(atLabel(v, lab, place, fit, op, ln), ln)
	}
}

// header returns the column header above cell rc of ln: the text cells
// stacked right above the column's numbers, at most three lines, or nil.
func (x *extractor) header(ln *line, rc *cell) *cell {
	var parts []string
	for i := ln.index - 1; i >= 0 && ln.index-i <= 12; i-- {
		up := x.lay.lines[i]
		if up.page != ln.page {
			break
		}
		hc := up.overlapping(rc.x0, rc.x1, ln.cw)
		if hc == nil || isNumberCell(hc.text) {
			if len(parts) > 0 {
				break
			}
			continue
		}
		parts = append([]string{hc.text}, parts...)
		if len(parts) == 3 {
			break
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return textCell(strings.Join(parts, " "))
}

// under offers the value below a label that spans x0-x1: the first cell
// in the next three lines that overlaps it, if it is not itself a label
// and fits. A party's name may come after a remark that does not read as
// a name ("(Not to be used for payment remittance)").
func (x *extractor) under(s *spec, ln *line, x0, x1 float64, lab, op float64, p *picker) {
	for k, nl := range x.lay.below(ln, 3) {
		bc := nl.overlapping(x0, x1, ln.cw)
		if bc == nil {
			continue
		}
		if bc.isLabel() {
			return
		}
		v, fit, ok := x.fit(s, bc.text, false, true)
		if !ok && s.kind == kindName {
			continue
		}
		if !ok {
			return
		}
		place := placeBelow - 0.05*float64(k)
		if s.numeric() && labelsOverValues(ln, nl) && !x.columnGoesOn(s, nl, bc) {
			// A row of labels over a row of amounts ("TOTAL HT  TOTAL TVA
			// TOTAL TTC" over "100,00  4,90  104,90"), even when the
			// amounts' line starts with a sentence of small print.
			p.offer(atLabel(v, lab, place, fit, op, nl), nl)
			return
		}
		if x.columnGoesOn(s, nl, bc) || (s.numeric() && itemRow(nl)) {
			// The label heads a table column. For a number, the column's
			// totals row is the document's figure, and a row of items
			// is not; for other types a row is only a guess.
			if s.numeric() {
				if v2, fit2, ln2, ok := x.columnSum(s, nl, bc); ok {
					p.offer(atLabel(v2, lab, placeColumnSum, fit2, op, ln2), ln2)
				}
				return
			}
			place *= tableColumn
		}
		p.offer(atLabel(v, lab, place, fit, op, nl), nl)
		return
	}
}

// labelsOverValues reports whether head is a row of two or more labels
// and every amount of vals stands under one of them, each under another:
// the amounts are the labels' values, not a row of line items.
func labelsOverValues(head, vals *line) bool {
	var labels []*cell
	for _, c := range head.cells {
		if c.isLabel() {
			labels = append(labels, c)
		}
	}
	if len(labels) < 2 {
		return false
	}
	used := make([]bool, len(labels))
	nums := 0
	for _, vc := range vals.cells {
		if !isNumberCell(vc.text) {
			continue
		}
		nums++
		hit := -1
		for i, lc := range labels {
			if !used[i] && vc.x0 < lc.x1+head.cw && vc.x1 > lc.x0-head.cw {
				hit = i
				break
			}
		}
		if hit < 0 {
			return false
		}
		used[hit] = true
	}
	return nums >= 2
}

// itemRow reports whether ln looks like a row of line items: a cell of
// text (two words or more) and at least two numbers.
func itemRow(ln *line) bool {
	text, nums := false, 0
	for _, c := range ln.cells {
		words := 0
		for _, t := range c.toks {
			if t.alpha && len(t.norm) > 1 {
				words++
			}
		}
		switch {
		case isNumberCell(c.text):
			nums++
		case words >= 2 && !c.isLabel():
			text = true
		}
	}
	return text && nums >= 2
}

// columnGoesOn reports whether the next cell under bc, within
// maxNonItemLines lines, holds another value of s's type: bc is then a row
// of a table column.
func (x *extractor) columnGoesOn(s *spec, nl *line, bc *cell) bool {
	for _, l := range x.lay.below(nl, maxNonItemLines) {
		if cc := l.overlapping(bc.x0, bc.x1, nl.cw); cc != nil {
			_, _, ok := x.fit(s, cc.text, false, true)
			return ok
		}
	}
	return false
}

// columnSum finds the total of the column that starts with bc on line
// nl: a row whose first cell is labelled with s's concept or the total
// ("Total facture" under "Montant HT"), else a last value that is the sum
// of the values above it, the column being read down to the first
// maxNonItemLines lines without a number in it.
func (x *extractor) columnSum(s *spec, nl *line, bc *cell) (any, float64, *line, bool) {
	if v, fit, l, ok := x.columnTotalRow(s, nl, bc); ok {
		return v, fit, l, true
	}
	var sum, last float64
	var lastLine *line
	n, misses := 0, 0
	for _, l := range append([]*line{nl}, x.lay.below(nl, 60)...) {
		var v float64
		ok := false
		if cc := l.overlapping(bc.x0, bc.x1, nl.cw); cc != nil {
			v, _, _, ok = parseAmount(cc.text, false)
		}
		if !ok {
			if misses++; misses > maxNonItemLines {
				break
			}
			continue
		}
		misses = 0
		if n > 0 {
			sum += last
		}
		last, lastLine, n = v, l, n+1
	}
	if n >= 2 && math.Abs(sum-last) < 0.005 {
		if v, fit, ok := x.fit(s, formatFloat(last), false, true); ok {
			return v, fit * 0.9, lastLine, true
		}
	}
	return nil, 0, nil, false
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// columnTotalRow finds a labelled totals row in the column of bc.
func (x *extractor) columnTotalRow(s *spec, nl *line, bc *cell) (any, float64, *line, bool) {
	for _, l := range x.lay.below(nl, 40) {
		first := l.cells[0]
		cl, ok := rowLabel(first)
		if !ok || (cl.c != s.con && cl.c.name != "total") {
			continue
		}
		cc := l.overlapping(bc.x0, bc.x1, nl.cw)
		if cc == nil {
			continue
		}
		text := cc.text
		if cc == first { // "Subtotal $ 112.00" in one cell
			text = first.text[first.toks[cl.end-1].end:]
		}
		if v, fit, ok := x.fit(s, text, false, false); ok {
			return v, fit, l, true
		}
	}
	return nil, 0, nil, false
}

// rowLabel returns the term of a built-in concept that starts cell c, the
// longest, strong terms before weak ones.
func rowLabel(c *cell) (claim, bool) {
	var best claim
	found := false
	for _, cl := range c.claims {
		if cl.start != 0 {
			continue
		}
		if !found || (best.weak && !cl.weak) || (best.weak == cl.weak && cl.end > best.end) {
			best, found = cl, true
		}
	}
	return best, found
}

// otherDateLabel reports whether c carries the label of a date that is
// not the document's own (due, order, delivery date, a period).
func otherDateLabel(c *cell) bool {
	for _, cl := range c.claims {
		switch cl.c.name {
		case "due_date", "order_date", "delivery_date", "period":
			return true
		}
	}
	return false
}

// byteOffset maps an offset in fold(s) back to s, approximately: folding
// changes lengths only for letters with diacritics.
func byteOffset(s string, folded int) int {
	f := 0
	for i, r := range s {
		if f >= folded {
			return i
		}
		f += len(fold(string(r)))
	}
	return len(s)
}

// reRate is a percentage at the start of a label's rest.
var reRate = regexp.MustCompile(`^\(?\s*\d{1,2}(?:[.,]\d{1,3})?\s?%\s*\)?`)

// cleanRest trims what separates a label from its value: spaces, ":", "#",
// "=", "|", "*", a "." and a dash set apart by a space.
func cleanRest(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return s
		case strings.ContainsRune(":#=|.*/", rune(s[0])):
			s = s[1:]
		case strings.HasPrefix(s, "- "), strings.HasPrefix(s, "– "), strings.HasPrefix(s, "— "):
			_, after, _ := strings.Cut(s, " ")
			s = after
		default:
			return s
		}
	}
}

// numericRun counts the cells at the start of cells that hold a number.
func numericRun(cells []*cell) int {
	n := 0
	for _, c := range cells {
		if !isNumberCell(c.text) {
			break
		}
		n++
	}
	return n
}

// isNumberCell reports whether text is an amount or a percentage.
func isNumberCell(text string) bool {
	if _, _, _, ok := parseAmount(text, false); ok {
		return true
	}
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "%"))
	_, _, ok := parseNumber(t)
	return ok && strings.Contains(text, "%")
}

// partyPenalty ranks down a label that names another party than the
// document's own: "Customer VAT No", "Your VAT number", "Kunden-USt-ID".
const partyPenalty = 0.5

// possessives mark the addressee's own data.
var possessives = map[string]bool{"your": true, "ihre": true, "ihr": true, "votre": true, "vos": true, "su": true, "sus": true, "uw": true, "jouw": true, "vuestro": true}

// otherParty returns partyPenalty when label cell c, outside match m,
// holds a buyer's word or a possessive, unless s is the buyer's own
// field or a child of an object (whose region decides); else 1.
func otherParty(s *spec, c *cell, m match) float64 {
	if s.nested || (s.con != nil && (s.con.name == "buyer" || s.con.name == "ship_to" || s.con.name == "customer_number")) {
		return 1
	}
	for i, t := range c.toks {
		if (i < m.start || i >= m.end) && possessives[t.norm] {
			return partyPenalty
		}
	}
	for _, cl := range c.claims {
		if (cl.c.name == "buyer" || cl.c.name == "ship_to") && (cl.end <= m.start || cl.start >= m.end) {
			return partyPenalty
		}
	}
	return 1
}

// labelScore rates label match m of cell c whose value starts at token
// until (len(c.toks) when the value is in another cell).
func labelScore(c *cell, m match, until int) float64 {
	total, hit := 0, 0
	for i := 0; i < until && i < len(c.toks); i++ {
		t := c.toks[i]
		if !t.alpha || stopWords[t.norm] {
			continue
		}
		total++
		if i >= m.start && i < m.end {
			hit++
		}
	}
	cov := 1.0
	if total > 0 {
		cov = float64(hit) / float64(total)
	}
	return m.strength * (0.5 + 0.5*cov)
}

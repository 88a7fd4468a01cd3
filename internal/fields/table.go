package fields

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
)

// column is one column of a line-item table, from its header cell.
type column struct {
	x0, x1   float64
	kid      int // index of the schema child it holds, or -1
	strength float64
}

// tableHeader is a line whose cells name children of a list<object>.
type tableHeader struct {
	ln   *line
	cols []column
	n    int // children named
}

// maxNonItemLines ends a table after that many lines in a row that hold
// no item (notes and wrapped descriptions sit between items).
const maxNonItemLines = 6

// sectionLookahead is how many lines after a totals row inside a table
// are searched for another item: a subtotal of one section of items.
const sectionLookahead = 3

// tableReading is what was read for a list<object>.
type tableReading struct {
	kids      []*spec
	rows      []rowReading
	header    bool // a header line names at least two children
	sumAgrees bool // the amounts add up to the subtotal or the total
}

// rowReading is one item: its values and their raw scores by child key.
type rowReading struct {
	vals  map[string]any
	raw   map[string]float64
	check checkState // quantity x unit price = amount
	// lines: the line the item was read from, then the lines that
	// continue its description (cite.go).
	lines []*line
}

// table reads a list<object> as the rows of line-item tables: a header
// line whose cells name the children (description, qty, unit price,
// amount...), then every following line that holds a value for a numeric
// child (or, without numeric children, any child) and some text for a
// text child, until a totals row (total, subtotal, tax with an amount),
// the header again, or maxNonItemLines lines without an item. A totals
// row followed closely by more items is a section's subtotal and the
// table goes on. A line that holds only text in the description's column,
// right under an item, continues that item's description (joined with a
// newline). Every header line that names as many children as the best one
// starts a table. Children that are objects or lists are not read inside
// tables (nil).
//
// A table that reaches the end of its page without its totals goes on
// over the next pages (see readTable): carried totals ("Carried forward",
// "Übertrag", "À reporter", "Subtotal this page") are no items, and the
// page footers and headers between are skipped, so the items of all its
// pages make one list, each item once.
func (x *extractor) table(s *spec) *tableReading {
	t := &tableReading{kids: make([]*spec, len(s.f.Fields))}
	numericKids := false
	for i, f := range s.f.Fields {
		t.kids[i] = newSpec(f, nil, lex.item, lex.doc)
		numericKids = numericKids || t.kids[i].numeric()
	}
	var headers []tableHeader
	best := 0
	for _, ln := range x.lay.lines {
		if h := x.headerColumns(ln, t.kids); h.n > 0 {
			headers = append(headers, h)
			best = max(best, h.n)
		}
	}
	if best < min(2, len(t.kids)) {
		return t
	}
	t.header = true
	r := &tableRun{t: t, numericKids: numericKids, headers: map[*line]tableHeader{}, read: map[*line]bool{}}
	for _, h := range headers {
		if h.n == best {
			r.headers[h.ln] = h
		}
	}
	for _, h := range headers {
		if h.n == best && !r.read[h.ln] {
			x.readTable(r, h)
		}
	}
	for i := range t.rows {
		t.rows[i].check = t.rowCheck(t.rows[i])
	}
	return t
}

// tableRun holds what readTable needs across the tables of one
// list<object>.
type tableRun struct {
	t           *tableReading
	numericKids bool
	headers     map[*line]tableHeader // the header lines that start a table
	read        map[*line]bool        // header lines a table went on under
}

// entryLookahead is how many lines at the top of a page are searched for
// the first item of a table that goes on from the page before (page
// headers, a letterhead, a repeated column header come first).
const entryLookahead = 15

// readTable reads the items under header h into r.t, and on over the next
// pages while the table goes on:
//
//   - A page's end ends a table only when it was closed: by its totals
//     (a totals row with no item after it on its page, unless it stands
//     alone, its amount is the items' running total or the page's, and
//     the next page opens with items: then it was the page's subtotal),
//     or by maxNonItemLines lines without an item followed by more items
//     on the same page.
//   - On the next page, the first entryLookahead lines are searched for a
//     repeated header (its columns are taken) or a first item. Before the
//     first item, and without a repeated header, an item must fill as
//     many numeric columns as the table's items usually do (at most two),
//     each under its header: a page header ("ACME Ltd   Invoice 42") is
//     none. A totals row closes the table there; no item closes it too.
//   - A text line right after a repeated header continues the last item
//     of the page before (a description broken by the page); without a
//     repeated header such a line cannot be told from a page header and
//     is dropped.
//   - Carried totals (carriedRow) are skipped wherever they stand.
func (x *extractor) readTable(r *tableRun, h tableHeader) {
	t := r.t
	cols := h.cols
	start := len(t.rows)
	// The amounts of the items so far, on this page, and since the last
	// carried total.
	runTotal, pageTotal, sinceCarry := 0.0, 0.0, 0.0
	page := h.ln.page
	skipped := 0
	entry := false          // on a page the table went on to, before its first item
	afterHeader := false    // right after a header that the table went on under
	var prev *rowReading    // the item a text line may continue
	var lastCarry []float64 // the last carried total, and it plus the items since
	lines := x.lay.lines[h.ln.index+1:]
	for li := 0; li < len(lines); li++ {
		nl := lines[li]
		if nl.page != page {
			page, entry, afterHeader, skipped = nl.page, true, false, 0
			pageTotal = 0
			prev = nil
		}
		if entry && skipped >= entryLookahead {
			return
		}
		if hh, ok := r.headers[nl]; ok {
			if !entry {
				return // a new table starts
			}
			cols, afterHeader = hh.cols, true
			r.read[nl] = true
			continue
		}
		sums := append([]float64{runTotal, pageTotal}, lastCarry...)
		// Two items at least make a running total. At the bottom of a
		// page, a totals row is left to the totals rules below (the
		// page's subtotal or the table's end).
		edge := func() bool {
			return len(t.rows)-start >= 2 && (entry || (!totalsRow(nl) && !x.itemOnPage(r, cols, lines[li+1:], page)))
		}
		if v, ok := x.carriedRow(t.kids, cols, nl, sums, edge); ok {
			lastCarry, sinceCarry = []float64{v, v}, 0
			prev = nil
			continue
		}
		if totalsRow(nl) {
			switch {
			case !entry && x.itemFollows(t.kids, cols, lines[li+1:], r.numericKids):
				// a section's subtotal
			case !entry && matchesAny(lineAmount(nl), sums) && x.lastOnPage(r, cols, lines[li+1:], page) &&
				x.pageOpensWithItems(r, cols, lines[li+1:], page, start, lineAmount(nl)):
				// the page's subtotal
			default:
				return
			}
			prev = nil
			continue
		}
		row, ok := x.tableRow(t.kids, cols, nl, r.numericKids)
		if ok && entry && !afterHeader && !x.fillsColumns(t, cols, nl, start) {
			ok = false
		}
		if !ok {
			marker := pageMarker(nl)
			switch {
			case marker: // no part of a description
			case afterHeader && !nl.gap && len(t.rows) > start && x.continues(t.kids, cols, nl, &t.rows[len(t.rows)-1]):
				prev = &t.rows[len(t.rows)-1]
				continue
			case prev != nil && !nl.gap && x.continues(t.kids, cols, nl, prev):
				continue
			}
			prev, afterHeader = nil, afterHeader && marker
			if skipped++; !entry && skipped >= maxNonItemLines {
				if x.itemOnPage(r, cols, lines[li+1:], page) {
					return
				}
				// Past the items of this page: the table may go on
				// on the next one.
				li = skipPage(lines, li)
			}
			continue
		}
		skipped, entry, afterHeader = 0, false, false
		t.rows = append(t.rows, row)
		prev = &t.rows[len(t.rows)-1]
		a := t.rowAmount(row)
		runTotal, pageTotal, sinceCarry = runTotal+a, pageTotal+a, sinceCarry+a
		if len(lastCarry) == 2 {
			lastCarry[1] = lastCarry[0] + sinceCarry
		}
	}
}

// pageMarker reports whether ln only numbers its page or says the
// document goes on: "Page 1 of 2", "Seite 2/3", "- 2 -", "Continued on
// page 2", "(continued)", "Fortsetzung folgt", "suite page suivante".
func pageMarker(ln *line) bool {
	var pageWord, digits, goesOn bool
	for _, c := range ln.cells {
		for _, tk := range c.toks {
			if !tk.alpha {
				digits = true
				continue
			}
			if len(tk.norm) < 2 {
				continue
			}
			switch markerWords[tk.norm] {
			case markerPage:
				pageWord = true
			case markerGoesOn:
				goesOn = true
			case markerFiller:
			default:
				return false
			}
		}
	}
	return goesOn || (digits && (pageWord || onlyDigitsAndDashes(ln)))
}

// onlyDigitsAndDashes reports whether ln reads like "- 2 -" or "2/3".
func onlyDigitsAndDashes(ln *line) bool {
	for _, c := range ln.cells {
		for _, r := range c.text {
			if !strings.ContainsRune("0123456789-–—/ ", r) {
				return false
			}
		}
	}
	return true
}

// The roles of the words of page markers.
const (
	markerFiller = iota + 1
	markerPage
	markerGoesOn
)

var markerWords = func() map[string]int {
	m := map[string]int{}
	for role, words := range map[int]string{
		markerPage:   "page pages seite seiten pagina pag strona sheet blatt feuille hoja foglio",
		markerGoesOn: "continued continues continuation fortsetzung fortgesetzt suite continua continuacion vervolg pto",
		markerFiller: "of on to the see next following please turn over von auf der die nachste naechste nachsten naechsten folgende folgenden folgt siehe " +
			"de la sur voir suivante la sigue en di su alla vedi successiva van op zie volgende na z do",
	} {
		for _, w := range strings.Fields(words) {
			m[w] = role
		}
	}
	return m
}()

// skipPage returns the index of the last line of lines[li]'s page.
func skipPage(lines []*line, li int) int {
	for li+1 < len(lines) && lines[li+1].page == lines[li].page {
		li++
	}
	return li
}

// rowAmount returns the amount of an item, 0 when it has none.
func (t *tableReading) rowAmount(row rowReading) float64 {
	for _, k := range t.kids {
		if k.con != nil && k.con.name == "line_amount" {
			if v, ok := row.vals[k.f.Key].(float64); ok {
				return v
			}
		}
	}
	return 0
}

// itemOnPage reports whether lines holds an item before the end of page
// (carried totals are no items).
func (x *extractor) itemOnPage(r *tableRun, cols []column, lines []*line, page int) bool {
	for _, nl := range lines {
		if nl.page != page {
			return false
		}
		if _, ok := x.tableRow(r.t.kids, cols, nl, r.numericKids); ok && !carryLabelled(nl) {
			return true
		}
	}
	return false
}

// lastOnPage reports whether lines holds neither an item nor a totals
// row before the end of page: a totals row so placed, alone, may be the
// page's subtotal; a block of totals (subtotal, tax, total) ends the
// table.
func (x *extractor) lastOnPage(r *tableRun, cols []column, lines []*line, page int) bool {
	for _, nl := range lines {
		if nl.page != page {
			break
		}
		if totalsRow(nl) && !carryLabelled(nl) {
			return false
		}
	}
	return !x.itemOnPage(r, cols, lines, page)
}

// lineAmount returns the last amount on ln, or NaN.
func lineAmount(ln *line) float64 {
	v := math.NaN()
	for _, c := range ln.cells {
		if a, _, _, ok := parseAmount(c.text, false); ok {
			v = a
		}
	}
	return v
}

// pageOpensWithItems reports whether the page after page opens with items
// of the table: a repeated header, or within its first entryLookahead
// lines and before any totals row, an item that fills the table's usual
// columns. Carried totals, and a short line whose amount is carried (the
// amount of the subtotal at the bottom of page), are passed over.
func (x *extractor) pageOpensWithItems(r *tableRun, cols []column, lines []*line, page, start int, carried float64) bool {
	n := 0
	for _, nl := range lines {
		if nl.page == page {
			continue
		}
		if n++; n > entryLookahead {
			return false
		}
		if _, ok := r.headers[nl]; ok {
			return true
		}
		if carryLabelled(nl) || (matchesAny(lineAmount(nl), []float64{carried}) && carryTextOnly(nl)) {
			continue
		}
		if totalsRow(nl) {
			return false
		}
		if _, ok := x.tableRow(r.t.kids, cols, nl, r.numericKids); ok && x.fillsColumns(r.t, cols, nl, start) {
			return true
		}
	}
	return false
}

// fillsColumns reports whether ln has a value, under its header, in as
// many numeric columns as the table's last items (from start on, at most
// 50) have at the median, but at most two.
func (x *extractor) fillsColumns(t *tableReading, cols []column, ln *line, start int) bool {
	var counts []int
	for _, row := range t.rows[max(start, len(t.rows)-50):] {
		n := 0
		for _, k := range t.kids {
			if _, ok := row.vals[k.f.Key].(float64); ok && k.numeric() {
				n++
			}
			if _, ok := row.vals[k.f.Key].(int64); ok && k.numeric() {
				n++
			}
		}
		counts = append(counts, n)
	}
	if len(counts) == 0 {
		return true
	}
	slices.Sort(counts)
	want := min(counts[len(counts)/2], 2)
	got := 0
	for _, c := range ln.cells {
		i := nearestColumn(cols, c)
		if i < 0 || cols[i].kid < 0 || !t.kids[cols[i].kid].numeric() {
			continue
		}
		col := cols[i]
		if c.x1 < col.x0-2*ln.cw || c.x0 > col.x1+2*ln.cw {
			continue // far from its column
		}
		if _, _, ok := x.fit(t.kids[col.kid], c.text, true, false); ok {
			got++
		}
	}
	return got >= want
}

// carriedRow reports whether ln carries a total from one page to the
// next rather than holding an item, and returns its amount. Such a line
// has an amount and no quantity or unit price, and either a label made of
// a carried-total term ("Carried forward", "Brought forward", "Übertrag",
// "À reporter", "Subtotal this page"; "Report" only when the amount is
// one of sums), or at most three words and an amount that is one of sums
// (the items' running total, the page's, the last carried total) when
// edge reports that it stands at the edge of a page: before the first
// item of a page the table went on to, or after the last item of its
// page.
func (x *extractor) carriedRow(kids []*spec, cols []column, ln *line, sums []float64, edge func() bool) (float64, bool) {
	amount := lineAmount(ln)
	if math.IsNaN(amount) {
		return 0, false
	}
	row, _ := x.tableRow(kids, cols, ln, true)
	for _, k := range kids {
		if k.con == nil || (k.con.name != "quantity" && k.con.name != "unit_price") {
			continue
		}
		if row.vals[k.f.Key] != nil {
			return 0, false
		}
	}
	matches := matchesAny(amount, sums) && amount != 0
	switch carryLabel(ln) {
	case carryStrong:
		return amount, true
	case carryWeak:
		return amount, matches
	}
	return amount, matches && carryTextOnly(ln) && edge()
}

// carryTextOnly reports whether ln holds, besides numbers, at most a
// short label (three words): no description of an item.
func carryTextOnly(ln *line) bool {
	words := 0
	for _, c := range ln.cells {
		if isNumberCell(c.text) {
			continue
		}
		for _, tk := range c.toks {
			if tk.alpha && len(tk.norm) > 1 {
				words++
			}
		}
	}
	return words <= 3
}

// Kinds of carried-total labels.
const (
	carryNone   = iota
	carryStrong // says it carries a total: "Carried forward", "Übertrag"
	carryWeak   // may also name an item: "Report", "Transport", "Vortrag"
)

// The roles of the words of carried-total labels.
const (
	carryFiller = iota + 1 // may come with the others: "from", "de la"
	carryPage              // "page", "Seite"
	carryTotal             // "total", "Summe": with a page word, a page total
	carryWeakWord
	carryStrongWord
)

// carryWords maps the words of carried-total labels (folded) to their
// role: the words that say a total is carried, strong or weak, words of
// totals and pages that say so together ("page total", "Summe Seite"),
// and the words that may come with them ("from page 2", "de la page
// précédente").
var carryWords = func() map[string]int {
	m := map[string]int{}
	for role, words := range map[int]string{
		carryStrongWord: "carried brought carry forward ubertrag uebertrag seitenubertrag seitensumme reporter reporte " +
			"riporto riportare sigue przeniesienia",
		carryWeakWord: "report transport transporte vortrag anterior",
		carryTotal:    "total subtotal sub sous summe zwischensumme somme totale totaal subtotaal suma balance sum razem importe",
		carryPage:     "page pages seite pagina pag strona strony",
		carryFiller: "this current previous prior next last from to on of over de du des la le au von vom auf zu der die das " +
			"dieser diese nachste naechste vorherige vorige vorhergehende folgende suivante precedente nouveau siguiente " +
			"volgende van naar dalla alla da do and und et eur usd gbp chf amount montant betrag",
	} {
		for _, w := range strings.Fields(words) {
			m[w] = role
		}
	}
	return m
}()

// carryLabel returns the kind of carried-total label a cell of ln holds:
// a cell whose every word (digits and single letters aside) is a word of
// carryWords, among them a strong word, a weak word, or a word of totals
// with a word of pages.
func carryLabel(ln *line) int {
	kind := carryNone
	for _, c := range ln.cells {
		var has [carryStrongWord + 1]bool
		ok := false
		for _, tk := range c.toks {
			if !tk.alpha || len(tk.norm) < 2 {
				continue
			}
			role := carryWords[tk.norm]
			if role == 0 {
				ok = false
				break
			}
			has[role], ok = true, true
		}
		switch {
		case !ok:
		case has[carryStrongWord] || (has[carryTotal] && has[carryPage]):
			return carryStrong
		case has[carryWeakWord]:
			kind = carryWeak
		}
	}
	return kind
}

// carryLabelled reports whether ln holds a strong carried-total label.
func carryLabelled(ln *line) bool { return carryLabel(ln) == carryStrong }

// headerlessStrength is the column strength of items read without a
// header.
const headerlessStrength = 0.5

// headerless reads the items of a table that has no header line: runs of
// lines at the same indent that start with text (no label, no concept's
// term) and end with an amount, at most three lines apart or, over a page
// break, the last item of a page and the first of the next within
// entryLookahead lines of the break, not broken by a total or subtotal
// row (tax lines may follow each item; carried totals are passed over).
// A run counts only when its amounts add up to one of sums (the total or
// the subtotal); the run with the most distinct descriptions, then the
// most rows, wins. An item's text is its description and its last number
// its amount; with three numbers where the first times the second is the
// third, they are quantity and unit price.
func (x *extractor) headerless(t *tableReading, sums []float64) {
	if len(sums) == 0 {
		return
	}
	role := map[string]*spec{}
	for _, k := range t.kids {
		if k.con != nil && (k.numeric() || k.kind == kindText) {
			role[k.con.name] = k
		}
	}
	desc, amt := role["description"], role["line_amount"]
	if desc == nil || amt == nil || desc.numeric() || !amt.numeric() {
		return
	}
	type item struct {
		text string
		nums []float64
		ln   *line
	}
	type run struct {
		page, last int
		x0         float64
		items      []item
		closed     bool
	}
	var runs []*run
	// Where each page's lines start and end, for runs that go on over a
	// page break.
	first, last := map[int]int{}, map[int]int{}
	for _, ln := range x.lay.lines {
		if _, ok := first[ln.page]; !ok {
			first[ln.page] = ln.index
		}
		last[ln.page] = ln.index
	}
	sum := func(r *run) float64 {
		s := 0.0
		for _, it := range r.items {
			s += it.nums[len(it.nums)-1]
		}
		return s
	}
	for _, ln := range x.lay.lines {
		if k := carryLabel(ln); k != carryNone {
			carried := k == carryStrong
			for _, r := range runs {
				carried = carried || (!r.closed && r.page >= ln.page-1 && matchesAny(lineAmount(ln), []float64{sum(r)}))
			}
			if carried {
				continue
			}
		}
		switch totalsConcept(ln) {
		case "total", "subtotal":
			for _, r := range runs {
				r.closed = true
			}
			continue
		case "tax": // an item's own tax line
			continue
		}
		it, x0, ok := headerlessItem(ln)
		if !ok {
			continue
		}
		var into *run
		for _, r := range runs {
			if r.closed || math.Abs(r.x0-x0) > ln.cw {
				continue
			}
			samePage := r.page == ln.page && ln.index-r.last <= 3
			// The run's last item ends its page and this item opens
			// the next one: page footers and headers stand between.
			nextPage := r.page == ln.page-1 && last[r.page]-r.last <= entryLookahead && ln.index-first[ln.page] <= entryLookahead
			if samePage || nextPage {
				into = r
			}
		}
		if into == nil {
			into = &run{x0: x0}
			runs = append(runs, into)
		}
		into.page = ln.page
		into.items = append(into.items, item{it.text, it.nums, ln})
		into.last = ln.index
	}
	var best *run
	bestDistinct := 0
	for _, r := range runs {
		sum := 0.0
		seen := map[string]bool{}
		for _, it := range r.items {
			sum += it.nums[len(it.nums)-1]
			seen[it.text] = true
		}
		if !matchesAny(sum, sums) {
			continue
		}
		if best == nil || len(seen) > bestDistinct || (len(seen) == bestDistinct && len(r.items) > len(best.items)) {
			best, bestDistinct = r, len(seen)
		}
	}
	if best == nil {
		return
	}
	raw := headerlessStrength * 0.9
	for _, it := range best.items {
		row := rowReading{vals: map[string]any{}, raw: map[string]float64{}, lines: []*line{it.ln}}
		for _, k := range t.kids {
			row.vals[k.f.Key] = nil
		}
		set := func(k *spec, v any) {
			if k != nil {
				row.vals[k.f.Key], row.raw[k.f.Key] = v, raw
			}
		}
		set(desc, it.text)
		n := it.nums
		set(amt, n[len(n)-1])
		if len(n) == 3 && math.Abs(n[0]*n[1]-n[2]) <= amountTol {
			set(role["quantity"], n[0])
			set(role["unit_price"], n[1])
		}
		t.rows = append(t.rows, row)
	}
	for i := range t.rows {
		t.rows[i].check = t.rowCheck(t.rows[i])
	}
	t.sumAgrees = true
}

// headerlessItem reads ln as an item of a table without a header: text
// first (no label, no term of a concept), then numbers, the last one an
// amount. It returns the item and where its text starts.
func headerlessItem(ln *line) (struct {
	text string
	nums []float64
}, float64, bool) {
	var it struct {
		text string
		nums []float64
	}
	if len(ln.cells) < 2 {
		return it, 0, false
	}
	first := ln.cells[0]
	words := 0
	for _, tk := range first.toks {
		if tk.alpha && len(tk.norm) > 1 {
			words++
		}
	}
	if words == 0 || first.isLabel() || first.namesConcept() || isNumberCell(first.text) {
		return it, 0, false
	}
	var texts []string
	for i, c := range ln.cells {
		if v, _, _, ok := parseAmount(c.text, true); ok {
			it.nums = append(it.nums, v)
			continue
		}
		if len(it.nums) > 0 || i > 2 {
			if isNumberCell(c.text) { // a tax rate between the numbers
				continue
			}
			return it, 0, false
		}
		texts = append(texts, c.text)
	}
	last := ln.cells[len(ln.cells)-1]
	if _, _, _, ok := parseAmount(last.text, false); !ok || len(it.nums) == 0 {
		return it, 0, false
	}
	it.text = strings.Join(texts, " ")
	return it, first.x0, true
}

// itemFollows reports whether an item comes within sectionLookahead
// lines, before any other totals row.
func (x *extractor) itemFollows(kids []*spec, cols []column, lines []*line, numericKids bool) bool {
	for i, nl := range lines {
		if i >= sectionLookahead || totalsRow(nl) {
			return false
		}
		if _, ok := x.tableRow(kids, cols, nl, numericKids); ok {
			return true
		}
	}
	return false
}

// continues appends ln to the description of row prev when ln holds only
// text, all of it in the description's column.
func (x *extractor) continues(kids []*spec, cols []column, ln *line, prev *rowReading) bool {
	desc := -1
	for i, col := range cols {
		if col.kid >= 0 && kids[col.kid].con != nil && kids[col.kid].con.name == "description" && !kids[col.kid].numeric() {
			desc = i
		}
	}
	if desc < 0 {
		return false
	}
	key := kids[cols[desc].kid].f.Key
	cur, ok := prev.vals[key].(string)
	if !ok {
		return false
	}
	var parts []string
	for _, c := range ln.cells {
		if nearestColumn(cols, c) != desc || isNumberCell(c.text) {
			return false
		}
		parts = append(parts, c.text)
	}
	prev.vals[key] = cur + "\n" + strings.Join(parts, " ")
	prev.lines = append(prev.lines, ln)
	return true
}

// rowCheck compares an item's quantity x unit price with its amount.
func (t *tableReading) rowCheck(r rowReading) checkState {
	var q, p, a float64
	var found [3]bool
	for _, k := range t.kids {
		v, ok := r.vals[k.f.Key].(float64)
		if !ok || k.con == nil {
			continue
		}
		switch k.con.name {
		case "quantity":
			q, found[0] = v, true
		case "unit_price":
			p, found[1] = v, true
		case "line_amount":
			a, found[2] = v, true
		}
	}
	if !found[0] || !found[1] || !found[2] {
		return checkNone
	}
	if math.Abs(q*p-a) <= amountTol+0.005*math.Abs(a) {
		return checkAgree
	}
	return checkDisagree
}

// amountSum returns the sum of the items' amounts, when every item has
// one.
func (t *tableReading) amountSum() (float64, bool) {
	var key string
	for _, k := range t.kids {
		if k.con != nil && k.con.name == "line_amount" && k.numeric() {
			key = k.f.Key
		}
	}
	if key == "" || len(t.rows) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, r := range t.rows {
		v, ok := r.vals[key].(float64)
		if !ok {
			return 0, false
		}
		sum += v
	}
	return sum, true
}

// tableValues returns a table's values and calibrated confidences.
func (x *extractor) tableValues(t *tableReading, path string) (any, any) {
	if len(t.rows) == 0 {
		return nil, 0.0
	}
	items := make([]any, len(t.rows))
	confs := make([]any, len(t.rows))
	for i, r := range t.rows {
		conf := make(map[string]any, len(t.kids))
		for _, k := range t.kids {
			key := k.f.Key
			if r.vals[key] == nil {
				conf[key] = 0.0
				continue
			}
			kind := calItemText
			if k.numeric() {
				kind = calItemNumber
			}
			ck := calKey{kind: kind, check: r.check, flag: t.sumAgrees}
			p := fmt.Sprintf("%s[%d].%s", path, i, key)
			conf[key] = x.confidence(p, ck, r.raw[key], r.vals[key])
			x.setCite(p, x.cite(k, r.vals[key], r.lines...))
		}
		items[i], confs[i] = r.vals, conf
	}
	return items, confs
}

// headerColumns finds the children of a table named on ln. Each child
// takes its best label: the longest, then the strongest, then, for a text
// child named by several cells ("Artikel" and "Omschrijving"), the one
// with the most words under it. A cell that names none is a column of its
// own, so that stray cells of a row (a discount, a tax rate nobody asked
// for) do not land in a child's column. When no header names the line's
// amount, the rightmost column of numbers is taken for it: line totals
// close a row.
func (x *extractor) headerColumns(ln *line, kids []*spec) tableHeader {
	h := tableHeader{ln: ln}
	type hit struct {
		kid, cell int
		m         match
		words     int
	}
	var hits []hit
	for ci, c := range ln.cells {
		for k, kid := range kids {
			if kid.f.Type == docparse.TypeObject || kid.f.Type == docparse.TypeListObject || kid.f.Type == docparse.TypeListString {
				continue
			}
			for _, m := range kid.matches(c, false) {
				hits = append(hits, hit{k, ci, m, 0})
			}
		}
	}
	if len(hits) < min(2, len(kids)) {
		return h
	}
	for i, ht := range hits {
		if !kids[ht.kid].numeric() {
			x0, x1 := ln.cells[ht.cell].span(ht.m.start, ht.m.end)
			hits[i].words = x.wordsUnder(ln, x0, x1)
		}
	}
	// Longest labels first: "unit price" is the price, not a unit.
	used := map[int]bool{}
	taken := map[int][]match{}
	var chosen []hit
	for len(hits) > 0 {
		bi := 0
		for i, ht := range hits {
			b := hits[bi]
			l, bl := ht.m.end-ht.m.start, b.m.end-b.m.start
			if l > bl || (l == bl && ht.m.strength > b.m.strength+eps) || (l == bl && math.Abs(ht.m.strength-b.m.strength) < eps && ht.words > b.words) {
				bi = i
			}
		}
		ht := hits[bi]
		hits = append(hits[:bi], hits[bi+1:]...)
		if used[ht.kid] {
			continue
		}
		clash := false
		for _, m := range taken[ht.cell] {
			clash = clash || (m.start < ht.m.end && ht.m.start < m.end)
		}
		if clash {
			continue
		}
		used[ht.kid] = true
		taken[ht.cell] = append(taken[ht.cell], ht.m)
		chosen = append(chosen, ht)
	}
	h.n = len(chosen)
	for ci, c := range ln.cells {
		var in []hit
		for _, ht := range chosen {
			if ht.cell == ci {
				in = append(in, ht)
			}
		}
		switch len(in) {
		case 0:
			h.cols = append(h.cols, column{x0: c.x0, x1: c.x1, kid: -1})
		case 1:
			h.cols = append(h.cols, column{x0: c.x0, x1: c.x1, kid: in[0].kid, strength: in[0].m.strength})
		default:
			for _, ht := range in {
				x0, x1 := c.span(ht.m.start, ht.m.end)
				h.cols = append(h.cols, column{x0: x0, x1: x1, kid: ht.kid, strength: ht.m.strength})
			}
		}
	}
	if last := len(h.cols) - 1; h.n >= 2 && last > 0 && h.cols[last].kid < 0 {
		for k, kid := range kids {
			if !used[k] && kid.numeric() && kid.con != nil && kid.con.name == "line_amount" {
				h.cols[last].kid, h.cols[last].strength = k, strengthWeak
			}
		}
	}
	return h
}

// wordsUnder counts the words of two letters or more in the cells under
// x0-x1 in the eight lines below ln.
func (x *extractor) wordsUnder(ln *line, x0, x1 float64) int {
	n := 0
	for _, nl := range x.lay.below(ln, 8) {
		if c := nl.overlapping(x0, x1, 0); c != nil {
			for _, t := range c.toks {
				if t.alpha && len(t.norm) > 1 {
					n++
				}
			}
		}
	}
	return n
}

// totalsRow reports whether ln is a row of totals: a cell that starts
// with a total, subtotal or tax label (not a generic word such as
// "amount"), and an amount after it.
func totalsRow(ln *line) bool { return totalsConcept(ln) != "" }

// totalsConcept returns the concept of ln's totals label ("total",
// "subtotal", "tax"), or "" when ln is no totals row.
func totalsConcept(ln *line) string {
	for ci, c := range ln.cells {
		cl, ok := rowLabel(c)
		if !ok {
			continue
		}
		switch cl.c.name {
		case "total":
			if cl.weak {
				continue
			}
		case "subtotal", "tax":
		default:
			continue
		}
		if _, _, _, ok := parseAmount(cleanRest(c.text[c.toks[cl.end-1].end:]), false); ok {
			return cl.c.name
		}
		for _, rc := range ln.cells[ci+1:] {
			if _, _, _, ok := parseAmount(rc.text, false); ok {
				return cl.c.name
			}
		}
	}
	return ""
}

// nearestColumn returns the column a cell belongs to: the one it overlaps
// most, else the closest.
func nearestColumn(cols []column, c *cell) int {
	best, bestOv, bestDist := -1, 0.0, 0.0
	for i, col := range cols {
		ov := min(c.x1, col.x1) - max(c.x0, col.x0)
		dist := max(col.x0-c.x1, c.x0-col.x1, 0)
		switch {
		case ov > 0 && ov > bestOv:
			best, bestOv = i, ov
		case bestOv == 0 && (best < 0 || dist < bestDist):
			best, bestDist = i, dist
		}
	}
	return best
}

// tableRow reads one line of a table; ok is false when it holds no item:
// no value for a numeric child (or, without numeric children, for any
// child), or no text for the description when the table has one.
func (x *extractor) tableRow(kids []*spec, cols []column, ln *line, numericKids bool) (rowReading, bool) {
	byCol := make([][]*cell, len(cols))
	for _, c := range ln.cells {
		if i := nearestColumn(cols, c); i >= 0 {
			byCol[i] = append(byCol[i], c)
		}
	}
	row := rowReading{vals: make(map[string]any, len(kids)), raw: make(map[string]float64, len(kids)), lines: []*line{ln}}
	for _, k := range kids {
		row.vals[k.f.Key] = nil
	}
	item, text, wantText := false, false, false
	for i, col := range cols {
		if col.kid < 0 {
			continue
		}
		k := kids[col.kid]
		isText := !k.numeric() && k.kind == kindText
		wantText = wantText || isText
		if len(byCol[i]) == 0 {
			continue
		}
		var v any
		var fit float64
		var ok bool
		if k.numeric() {
			for _, c := range byCol[i] {
				if v, fit, ok = x.fit(k, c.text, true, false); ok {
					break
				}
			}
		} else {
			texts := make([]string, len(byCol[i]))
			for j, c := range byCol[i] {
				texts[j] = c.text
			}
			v, fit, ok = x.fit(k, strings.Join(texts, " "), true, false)
		}
		if !ok {
			continue
		}
		row.vals[k.f.Key], row.raw[k.f.Key] = v, col.strength*0.9*fit
		if k.numeric() || !numericKids {
			item = true
		}
		text = text || isText
	}
	if wantText && numericKids && !text {
		return row, false
	}
	return row, item
}

// stringList reads a list<string>: the text after its label split on
// commas and semicolons, or else the lines under the label, one item each,
// until a blank line, a label or a line that starts left of it. The
// strongest label wins.
func (x *extractor) stringList(s *spec, sc *scope, path string) (any, any, bool) {
	var best []string
	var bestLn *line
	bestScore := 0.0
	for _, ln := range x.lay.lines {
		for ci, c := range ln.cells {
			for _, m := range s.matches(c, true) {
				var items []string
				score := labelScore(c, m, m.end)
				if rest := cleanRest(c.text[c.toks[m.end-1].end:]); rest != "" {
					items = splitList(rest)
				} else if ci+1 < len(ln.cells) && !ln.cells[ci+1].isLabel() {
					items = splitList(ln.cells[ci+1].text)
				} else {
					items = x.linesUnder(ln, c)
					score *= placeBelow
				}
				score *= sc.boost(ln)
				if len(items) > 0 && score > bestScore+eps {
					best, bestScore, bestLn = items, score, ln
				}
			}
		}
	}
	if best == nil {
		return nil, 0.0, false
	}
	vals := make([]any, len(best))
	confs := make([]any, len(best))
	lines := append([]*line{bestLn}, x.lay.below(bestLn, len(best)+1)...)
	for i, it := range best {
		vals[i] = it
		p := fmt.Sprintf("%s[%d]", path, i)
		confs[i] = x.confidence(p, calKey{kind: calList}, bestScore*0.9, it)
		x.setCite(p, x.cite(s, it, lines...))
	}
	return vals, confs, true
}

func splitList(s string) []string {
	var items []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if p = trimBullet(p); p != "" {
			items = append(items, p)
		}
	}
	return items
}

func trimBullet(s string) string {
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "-•*·–"))
}

// linesUnder collects the lines under label cell c.
func (x *extractor) linesUnder(ln *line, c *cell) []string {
	var items []string
	for _, nl := range x.lay.below(ln, 50) {
		if nl.gap && len(items) > 0 {
			break
		}
		first := nl.cells[0]
		if first.x0 < c.x0-2*ln.cw || first.x0 > c.x1 || first.isLabel() {
			break
		}
		if it := trimBullet(first.text); it != "" {
			items = append(items, it)
		}
	}
	return items
}

// documentDateOrder decides how ambiguous numeric dates are read: the
// order that the document's unambiguous numeric dates use (a first number
// above 12 is a day, a second one above 12 makes the first a month), else
// the order of the country its words point to (localeDateOrder), else
// month first for English and day first for every other language.
func documentDateOrder(lay *layout, language string) dateOrder {
	order, _ := documentDateOrderEvidence(lay, language)
	return order
}

// documentDateOrderEvidence is documentDateOrder, and whether the
// document decided it (its dates or its country's words) rather than the
// language.
func documentDateOrderEvidence(lay *layout, language string) (dateOrder, bool) {
	days, months := 0, 0
	for _, ln := range lay.lines {
		for _, c := range ln.cells {
			for _, m := range reNumericDate.FindAllStringSubmatch(c.text, -1) {
				if m[2] == "." || m[2] != m[4] {
					continue
				}
				a, b := atoi(m[1]), atoi(m[3])
				switch {
				case a > 12 && a <= 31 && b <= 12:
					days++
				case b > 12 && b <= 31 && a <= 12:
					months++
				}
			}
		}
	}
	if order, ok := majorityOrder(days, months); ok {
		return order, true
	}
	if order, ok := localeDateOrder(lay); ok {
		return order, true
	}
	if strings.EqualFold(strings.TrimSpace(language), "English") {
		return monthFirst, false
	}
	return dayFirst, false
}

// Words and marks that say where a document comes from, and so in which
// order it writes a numeric date: the day first almost everywhere
// (Malaysia's "SDN BHD" and ringgit, Singapore's "PTE", a UK or EU "VAT"
// number, "£", "€", Australia's "ABN", India's "GSTIN" and rupee), the
// month first in the United States (a state and ZIP code, "Sales Tax",
// "LLC"). Folded words, as tokenize gives them.
var (
	dayFirstWords   = wordSet("sdn bhd malaysia myr rm jalan singapore pte vat gst gstin abn ltd mwst ust tva iva btw")
	monthFirstWords = wordSet("llc usa")
	// A town, a comma, a state and a ZIP code ("Springfield, IL 62701");
	// not Delaware's DE, which is also Germany's ("DE 80333 München").
	reUSZip         = regexp.MustCompile(`[A-Za-z],\s*(?:AL|AK|AZ|AR|CA|CO|CT|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC) \d{5}(?:-\d{4})?\b`)
	reDayFirstMoney = regexp.MustCompile(`£|€|₹|\bRM ?\d|\bRs\.? ?\d`)
)

// localeDateOrder returns the date order of the country the document's
// words point to, when they point one way: for a document whose dates
// are all ambiguous (a receipt's one date, 03/04/2018), the order its
// language alone would guess is wrong for most of the English-speaking
// world.
func localeDateOrder(lay *layout) (dateOrder, bool) {
	days, months := 0, 0
	for _, ln := range lay.lines {
		text := ln.text()
		for _, t := range tokenize(text) {
			switch {
			case dayFirstWords[t.norm]:
				days++
			case monthFirstWords[t.norm]:
				months++
			}
		}
		days += len(reDayFirstMoney.FindAllStringIndex(text, -1))
		months += len(reUSZip.FindAllStringIndex(text, -1))
		if strings.Contains(strings.ToLower(text), "sales tax") {
			months++
		}
	}
	return majorityOrder(days, months)
}

// majorityOrder is the order that more of the evidence points to, days
// counting for day first and months for month first, and false (day
// first) on a tie.
func majorityOrder(days, months int) (dateOrder, bool) {
	switch {
	case days > months:
		return dayFirst, true
	case months > days:
		return monthFirst, true
	}
	return dayFirst, false
}

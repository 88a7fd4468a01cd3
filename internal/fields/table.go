package fields

import (
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

// table reads a list<object> as the rows of line-item tables: a header
// line whose cells name the children (description, qty, unit price,
// amount...), then every following line that holds a value for a numeric
// child (or, without numeric children, any child), until a totals row
// (total, subtotal, tax), the header again, the end of the page, or
// maxNonItemLines lines without an item. Every header line that names as
// many children as the best one starts a table, so a table that goes on
// over several pages under a repeated header is read whole. Children that
// are objects or lists are not read inside tables (nil).
func (x *extractor) table(s *spec) (any, any) {
	kids := make([]*spec, len(s.f.Fields))
	numericKids := false
	for i, f := range s.f.Fields {
		kids[i] = newSpec(f, nil, lex.item, lex.doc)
		numericKids = numericKids || kids[i].numeric()
	}
	var headers []tableHeader
	best := 0
	for _, ln := range x.lay.lines {
		if h := headerColumns(ln, kids); h.n > 0 {
			headers = append(headers, h)
			best = max(best, h.n)
		}
	}
	if best < min(2, len(kids)) {
		return nil, 0.0
	}
	isHeader := map[*line]bool{}
	for _, h := range headers {
		isHeader[h.ln] = h.n == best
	}
	var items, confs []any
	for _, h := range headers {
		if h.n != best {
			continue
		}
		skipped := 0
		for _, nl := range x.lay.below(h.ln, len(x.lay.lines)) {
			if isHeader[nl] || totalsRow(nl) {
				break
			}
			vals, conf, ok := x.tableRow(kids, h.cols, nl, numericKids)
			if !ok {
				if skipped++; skipped >= maxNonItemLines {
					break
				}
				continue
			}
			skipped = 0
			items = append(items, vals)
			confs = append(confs, conf)
		}
	}
	if len(items) == 0 {
		return nil, 0.0
	}
	return items, confs
}

// headerColumns finds the children of a table named on ln. Each child
// takes its best label; a cell that names none is a column of its own, so
// that stray cells of a row (a discount, a tax rate nobody asked for) do
// not land in a child's column.
func headerColumns(ln *line, kids []*spec) tableHeader {
	h := tableHeader{ln: ln}
	type hit struct {
		kid, cell int
		m         match
	}
	var hits []hit
	for ci, c := range ln.cells {
		for k, kid := range kids {
			if kid.f.Type == docparse.TypeObject || kid.f.Type == docparse.TypeListObject || kid.f.Type == docparse.TypeListString {
				continue
			}
			for _, m := range kid.matches(c, false) {
				hits = append(hits, hit{k, ci, m})
			}
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
			if l, bl := ht.m.end-ht.m.start, b.m.end-b.m.start; l > bl || (l == bl && ht.m.strength > b.m.strength) {
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
	return h
}

// totalsRow reports whether ln starts with a total, subtotal or tax label
// (not a generic word such as "amount").
func totalsRow(ln *line) bool {
	cl, ok := rowLabel(ln.cells[0])
	if !ok {
		return false
	}
	switch cl.c.name {
	case "total":
		return !cl.weak
	case "subtotal", "tax":
		return true
	}
	return false
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

// tableRow reads one line of a table; ok is false when it holds no item.
func (x *extractor) tableRow(kids []*spec, cols []column, ln *line, numericKids bool) (map[string]any, map[string]any, bool) {
	byCol := make([][]*cell, len(cols))
	for _, c := range ln.cells {
		if i := nearestColumn(cols, c); i >= 0 {
			byCol[i] = append(byCol[i], c)
		}
	}
	vals := make(map[string]any, len(kids))
	conf := make(map[string]any, len(kids))
	for _, k := range kids {
		vals[k.f.Key], conf[k.f.Key] = nil, 0.0
	}
	item := false
	for i, col := range cols {
		if col.kid < 0 || len(byCol[i]) == 0 {
			continue
		}
		k := kids[col.kid]
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
		vals[k.f.Key], conf[k.f.Key] = v, round3(col.strength*0.9*fit)
		if k.numeric() || !numericKids {
			item = true
		}
	}
	return vals, conf, item
}

// stringList reads a list<string>: the text after its label split on
// commas and semicolons, or else the lines under the label, one item each,
// until a blank line, a label or a line that starts left of it. The
// strongest label wins.
func (x *extractor) stringList(s *spec, sc *scope) (any, any) {
	var best []string
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
					best, bestScore = items, score
				}
			}
		}
	}
	if best == nil {
		return nil, 0.0
	}
	vals := make([]any, len(best))
	confs := make([]any, len(best))
	for i, it := range best {
		vals[i], confs[i] = it, round3(min(1, bestScore)*0.9)
	}
	return vals, confs
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
// month first for English and day first for every other language.
func documentDateOrder(lay *layout, language string) dateOrder {
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
	switch {
	case days > months:
		return dayFirst
	case months > days:
		return monthFirst
	case strings.EqualFold(strings.TrimSpace(language), "English"):
		return monthFirst
	}
	return dayFirst
}

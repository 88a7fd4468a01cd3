package fields

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/extract"
)

// The matcher reads a page as lines of cells. A cell is a run of words
// whose gaps are at most cellGap character widths: a label and its value
// set apart by spacing ("Invoice Number:      42183017"), or the columns
// of a table row, land in different cells, while the words of one phrase
// stay together.
const cellGap = 1.5

// word is one word of a line with its horizontal extent.
type word struct {
	text   string
	x0, x1 float64
	conf   float64 // the OCR's confidence in it, 1 for text layers and formats without one
	ocr    bool    // read by OCR: its label words may be misread (ocrmend.go)
}

type cell struct {
	text   string // the words joined with single spaces
	x0, x1 float64
	words  []word
	starts []int // byte offset of each word in text
	toks   []token
	claims []claim
}

// claim is a term of a built-in concept found in a cell (token indices).
type claim struct {
	c          *concept
	start, end int
	weak       bool
}

type line struct {
	page  int
	index int // position in layout.lines
	cw    float64
	// gap: a blank line or more separates this line from the one above.
	gap   bool
	cells []*cell
	// y0, y1: the line's vertical extent on its page (its words' boxes;
	// the line's number where they have none).
	y0, y1 float64
	// boxed: the words have boxes on the page (not a text format's
	// character columns), so the line can be cited (cite.go).
	boxed bool
}

// x0 and x1 are the line's horizontal extent.
func (ln *line) x0() float64 { return ln.cells[0].x0 }
func (ln *line) x1() float64 { return ln.cells[len(ln.cells)-1].x1 }

// layout is a document as the matcher reads it: every line that holds a
// word, in reading order, page after page.
type layout struct {
	lines []*line
}

func newLayout(doc *extract.Document) *layout {
	lay := &layout{}
	if doc == nil {
		return lay
	}
	for pi, p := range doc.Pages {
		prevY1, prevH := math.NaN(), 0.0
		for li, l := range p.Lines {
			ws, y0, y1, boxed := lineWords(l, li)
			if len(ws) == 0 {
				continue
			}
			if p.OCR != nil {
				ws = joinSplitDecimals(ws)
				for i := range ws {
					ws[i].ocr = true
				}
			}
			ln := &line{page: pi, index: len(lay.lines), cw: charWidth(ws), y0: y0, y1: y1, boxed: boxed && !p.Grid}
			// A blank line shows as vertical space of about a line's height.
			if !math.IsNaN(prevY1) && prevH > 0 && y0-prevY1 > 0.9*prevH {
				ln.gap = true
			}
			prevY1, prevH = y1, y1-y0
			if ln.cells = splitCells(ws, ln.cw); len(ln.cells) == 0 {
				continue
			}
			lay.lines = append(lay.lines, ln)
		}
	}
	return lay
}

// lineWords returns a line's words with their extents, the line's
// vertical extent, and whether those come from the words' boxes. Words
// without boxes get their rune offset in Line.Text as extent, which keeps
// the columns of monospace text; a line without words is split on spaces.
func lineWords(l extract.Line, index int) ([]word, float64, float64, bool) {
	var ws []word
	boxed := true
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, w := range l.Words {
		t := strings.TrimSpace(w.Text)
		if t == "" {
			continue
		}
		if w.Box.X1 <= w.Box.X0 {
			boxed = false
		}
		if w.Box.Y1 > w.Box.Y0 {
			y0, y1 = min(y0, w.Box.Y0), max(y1, w.Box.Y1)
		}
		conf := w.Conf
		if conf <= 0 {
			conf = 1
		}
		ws = append(ws, word{text: t, x0: w.Box.X0, x1: w.Box.X1, conf: conf})
	}
	switch {
	case len(ws) == 0:
		ws = textWords(l.Text)
	case !boxed:
		placeWords(ws, l.Text)
	}
	if y0 > y1 {
		y0, y1, boxed = float64(index), float64(index)+1, false
	}
	slices.SortStableFunc(ws, func(a, b word) int { return cmp.Compare(a.x0, b.x0) })
	return ws, y0, y1, boxed && len(l.Words) > 0
}

// textWords splits s on white space; a word's extent is its rune columns.
func textWords(s string) []word {
	var ws []word
	col, start := 0, -1
	var b strings.Builder
	flush := func() {
		if start >= 0 {
			ws = append(ws, word{text: b.String(), x0: float64(start), x1: float64(col)})
			b.Reset()
			start = -1
		}
	}
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\u00a0' {
			flush()
		} else {
			if start < 0 {
				start = col
			}
			b.WriteRune(r)
		}
		col++
	}
	flush()
	return ws
}

// placeWords gives words without boxes the rune columns where they occur
// in text, in order.
func placeWords(ws []word, text string) {
	cursor, next := 0, 0.0
	for i := range ws {
		n := float64(utf8.RuneCountInString(ws[i].text))
		if j := strings.Index(text[cursor:], ws[i].text); j >= 0 {
			col := float64(utf8.RuneCountInString(text[:cursor+j]))
			ws[i].x0, ws[i].x1 = col, col+n
			cursor += j + len(ws[i].text)
		} else {
			ws[i].x0, ws[i].x1 = next, next+n
		}
		next = ws[i].x1 + 1
	}
}

// charWidth estimates a line's character width: the median of its words'
// widths per rune.
func charWidth(ws []word) float64 {
	var per []float64
	for _, w := range ws {
		if n := utf8.RuneCountInString(w.text); n > 0 && w.x1 > w.x0 {
			per = append(per, (w.x1-w.x0)/float64(n))
		}
	}
	if len(per) == 0 {
		return 1
	}
	slices.Sort(per)
	return per[len(per)/2]
}

// splitCells groups a line's words into cells. A word that is only a
// separator ("·", "|", "•", "–") also ends a cell and belongs to none, as
// in footers that run several facts into one line.
func splitCells(ws []word, cw float64) []*cell {
	var cells []*cell
	var cur []word
	for i, w := range ws {
		if cellSeparators[w.text] {
			if len(cur) > 0 {
				cells = append(cells, newCell(cur))
				cur = nil
			}
			continue
		}
		if len(cur) > 0 && i > 0 && w.x0-ws[i-1].x1 > cellGap*cw {
			cells = append(cells, newCell(cur))
			cur = nil
		}
		cur = append(cur, w)
	}
	if len(cur) > 0 {
		cells = append(cells, newCell(cur))
	}
	return cells
}

var cellSeparators = map[string]bool{"·": true, "|": true, "||": true, "•": true, "–": true, "—": true}

func newCell(ws []word) *cell {
	c := &cell{words: ws, x0: ws[0].x0, x1: ws[len(ws)-1].x1}
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		c.starts = append(c.starts, b.Len())
		b.WriteString(w.text)
	}
	c.text = b.String()
	c.toks = tokenize(c.text)
	if ws[0].ocr {
		mendTokens(c.toks)
	}
	c.claims = findClaims(c.text, c.toks)
	return c
}

// textCell makes a cell of free text (a stacked column header).
func textCell(s string) *cell {
	return newCell([]word{{text: s, x0: 0, x1: float64(utf8.RuneCountInString(s))}})
}

// findClaims lists every term of the built-in document concepts in toks,
// the tokens of text.
func findClaims(text string, toks []token) []claim {
	var cs []claim
	for i, t := range toks {
		for _, ref := range lex.byFirst[t.norm] {
			if j := i + len(ref.toks); j <= len(toks) && tokensAre(toks[i:j], ref.toks) && standsAlone(text, toks, i, j) {
				cs = append(cs, claim{c: ref.c, start: i, end: j, weak: ref.weak})
			}
		}
	}
	return cs
}

// standsAlone reports whether tokens [i, j) of text are not glued to
// their neighbours by underscores: "invoice number" is no label inside the
// value "invoice_number_1".
func standsAlone(text string, toks []token, i, j int) bool {
	if s := toks[i].start; s > 0 && text[s-1] == '_' {
		return false
	}
	e := toks[j-1].end
	return e >= len(text) || text[e] != '_'
}

func tokensAre(toks []token, words []string) bool {
	if len(toks) != len(words) {
		return false
	}
	for i := range toks {
		if toks[i].norm != words[i] {
			return false
		}
	}
	return true
}

// span returns the horizontal extent of tokens [start, end) of c.
func (c *cell) span(start, end int) (float64, float64) {
	if start >= end || end > len(c.toks) {
		return c.x0, c.x1
	}
	return c.words[c.wordAt(c.toks[start].start)].x0, c.words[c.wordAt(c.toks[end-1].start)].x1
}

// wordAt returns the index of the word holding byte offset off of c.text.
func (c *cell) wordAt(off int) int {
	i, _ := slices.BinarySearch(c.starts, off+1)
	return max(i-1, 0)
}

// isLabel reports whether c reads as a label rather than a value: it ends
// with a colon or starts with a strong term of a built-in concept.
func (c *cell) isLabel() bool {
	if strings.HasSuffix(c.text, ":") {
		return true
	}
	for _, cl := range c.claims {
		if cl.start == 0 && !cl.weak {
			return true
		}
	}
	return false
}

// namesConcept reports whether c holds a strong term of a built-in
// concept, or only weak ones: a label or a title, not a name or an item
// ("Amazon Data Transfer" holds the weak "data" and more).
func (c *cell) namesConcept() bool {
	for _, cl := range c.claims {
		if !cl.weak {
			return true
		}
	}
	return len(c.claims) > 0 && onlyTerms(c.text, c.toks)
}

// overlapping returns the cell of ln that overlaps [x0, x1] (widened by
// tol on both sides) the most, or nil.
func (ln *line) overlapping(x0, x1, tol float64) *cell {
	var best *cell
	bestOv := 0.0
	for _, c := range ln.cells {
		ov := min(c.x1, x1+tol) - max(c.x0, x0-tol)
		if ov > bestOv {
			best, bestOv = c, ov
		}
	}
	return best
}

// below returns up to n lines after ln on the same page.
func (lay *layout) below(ln *line, n int) []*line {
	var out []*line
	for i := ln.index + 1; i < len(lay.lines) && len(out) < n; i++ {
		if lay.lines[i].page != ln.page {
			break
		}
		out = append(out, lay.lines[i])
	}
	return out
}

// text returns the line's cells joined by single spaces.
func (ln *line) text() string {
	parts := make([]string, len(ln.cells))
	for i, c := range ln.cells {
		parts[i] = c.text
	}
	return strings.Join(parts, " ")
}

// joinSplitDecimals joins an amount that OCR split after its decimal
// separator ("57," "80" for 57.80, "-30." "00"): a word of digits ending
// with a comma or a dot followed by a word of two digits.
func joinSplitDecimals(ws []word) []word {
	out := ws[:0:0]
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if i+1 < len(ws) && splitDecimalHead.MatchString(w.text) && splitDecimalTail.MatchString(ws[i+1].text) {
			n := ws[i+1]
			w = word{text: w.text + n.text, x0: w.x0, x1: n.x1, conf: min(w.conf, n.conf)}
			i++
		}
		out = append(out, w)
	}
	return out
}

var (
	splitDecimalHead = regexp.MustCompile(`^(RM|\$|€|-)?\d{1,6}[.,]$`)
	splitDecimalTail = regexp.MustCompile(`^\d\d\)?$`)
)

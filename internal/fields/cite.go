package fields

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/docparse/docparse/internal/docparse"
)

// Citation says where a value came from: the page it was read on
// (1-based) and the box of the words it was read from, in fractions of
// the page (x0, y0, x1, y1; origin top left). A value with no place on a
// page (read from an e-invoice's XML, inferred from other values, set in
// review) has no page and says why in Source. A page without geometry (a
// text file) gives the page and no box.
type Citation struct {
	Page   *int      `json:"page"`
	Box    []float64 `json:"box,omitempty"`
	Source string    `json:"source,omitempty"`
}

// Elsewhere is the citation of a value that stands on no page, read from
// source (SourceEmbeddedXML, SourceInferred, SourceReview).
func Elsewhere(source string) *Citation { return &Citation{Source: source} }

// citeSpanMax is the most words a value's span may hold on one line.
const citeSpanMax = 12

// cite returns where value v of field s was read: on lines, the lines it
// was read from (the one it was found on first, then the lines that may
// hold the rest of it, as a description's or a name's second line). For a
// value of a parsed type (numbers, dates, identifiers, currencies) the
// box is the shortest run of words of one cell that parses to v; for text
// it is the words that spell it, line after line. When the words cannot
// be told (a value mended from a misreading past recognition) the box is
// the first line's. nil when there is no line.
func (x *extractor) cite(s *spec, v any, lines ...*line) *Citation {
	if v == nil || len(lines) == 0 || lines[0] == nil || x.doc == nil {
		return nil
	}
	first := lines[0]
	if first.page < 0 || first.page >= len(x.doc.Pages) {
		return nil
	}
	page := x.doc.Pages[first.page]
	c := &Citation{Page: &page.Number}
	if !first.boxed || page.Width <= 0 || page.Height <= 0 {
		return c
	}
	var box [4]float64
	found := false
	if textual(s) {
		box, found = x.spellOut(fmt.Sprint(v), lines)
	} else {
		box, found = x.parsedSpan(s, v, first)
	}
	if !found {
		box = [4]float64{first.x0(), first.y0, first.x1(), first.y1}
	}
	c.Box = []float64{
		frac(box[0], page.Width), frac(box[1], page.Height),
		frac(box[2], page.Width), frac(box[3], page.Height),
	}
	return c
}

// textual reports whether s's values are text read as written (names,
// descriptions, addresses) rather than parsed from their words.
func textual(s *spec) bool {
	if s.f.Type != docparse.TypeString || (s.con != nil && s.con.name == "currency") {
		return false
	}
	return s.kind != kindIdent && s.kind != kindIBAN
}

func frac(v, size float64) float64 {
	return math.Round(min(max(v/size, 0), 1)*10000) / 10000
}

// parsedSpan returns the box of the shortest run of words of one of ln's
// cells that parses to v as s's type.
func (x *extractor) parsedSpan(s *spec, v any, ln *line) ([4]float64, bool) {
	want := fmt.Sprint(v)
	// Parsing a date notes the guesses of its order (fit): a citation
	// must not add any.
	guessed := x.guessed
	x.guessed = map[string]bool{}
	defer func() { x.guessed = guessed }()
	var box [4]float64
	best := 0
	for _, c := range ln.cells {
		for i := range c.words {
			for j := i + 1; j <= min(len(c.words), i+citeSpanMax); j++ {
				if best > 0 && j-i >= best {
					break
				}
				texts := make([]string, 0, j-i)
				for _, w := range c.words[i:j] {
					texts = append(texts, w.text)
				}
				got, _, ok := x.fit(s, strings.Join(texts, " "), true, false)
				if ok && fmt.Sprint(got) == want {
					best = j - i
					box = [4]float64{c.words[i].x0, ln.y0, c.words[j-1].x1, ln.y1}
					break
				}
			}
		}
	}
	return box, best > 0
}

// spellOut returns the box of the words on lines that spell text: on each
// line the longest run of words that are all words of text (a letter
// misread at most in a long word), the lines after the first taken only
// for words of text not seen yet.
func (x *extractor) spellOut(text string, lines []*line) ([4]float64, bool) {
	want := citeTokens(text)
	if len(want) == 0 {
		return [4]float64{}, false
	}
	seen := map[string]bool{}
	var box [4]float64
	found := false
	for _, ln := range lines {
		if ln == nil || ln.page != lines[0].page {
			break
		}
		// The longest run of the line's words, across its cells, that
		// are all words of text; marks without letters or digits ("+",
		// "(") neither break a run nor count.
		var runBox [4]float64
		var runToks, toks []string
		bestN, n, start := 0, 0, -1.0
		for _, c := range ln.cells {
			for _, w := range c.words {
				wt := citeTokens(w.text)
				if len(wt) == 0 {
					continue
				}
				if !wordsOf(wt, want) {
					start, n, toks = -1, 0, nil
					continue
				}
				if start < 0 {
					start = w.x0
				}
				n += len(wt)
				toks = append(toks, wt...)
				if n > bestN {
					bestN, runToks = n, toks
					runBox = [4]float64{start, ln.y0, w.x1, ln.y1}
				}
			}
		}
		if bestN == 0 {
			if !found {
				continue
			}
			break
		}
		fresh := false
		for _, t := range runToks {
			if !seen[t] {
				fresh = true
			}
			seen[t] = true
		}
		if found && !fresh {
			break
		}
		if !found {
			box, found = runBox, true
		} else {
			box = [4]float64{min(box[0], runBox[0]), min(box[1], runBox[1]), max(box[2], runBox[2]), max(box[3], runBox[3])}
		}
		if len(seen) >= len(want) {
			break
		}
	}
	return box, found
}

// citeTokens returns the words of s, letters and digits in lower case.
func citeTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// wordsOf reports whether every token of toks is one of want, or differs
// from one of at least five letters by a single letter.
func wordsOf(toks, want []string) bool {
	for _, t := range toks {
		ok := false
		for _, w := range want {
			if t == w || (len(w) >= 5 && editDistance(t, w) <= 1) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Citations returns the citations of a result, shaped like its
// confidence: where a value's source (Sources' shape) is a page reading
// (SourceText, SourceOCR) the page's citation at the same path, taken
// from page (Result.Citations); where it is another source, a citation
// without a page that names it; nil for a value not found.
func Citations(schema []docparse.Field, sources, page map[string]any) map[string]any {
	out := make(map[string]any, len(schema))
	for _, f := range schema {
		out[f.Key] = citationsOf(sources[f.Key], page[f.Key])
	}
	return out
}

func citationsOf(src, page any) any {
	switch src := src.(type) {
	case map[string]any:
		pm, _ := page.(map[string]any)
		out := make(map[string]any, len(src))
		for k, s := range src {
			out[k] = citationsOf(s, pm[k])
		}
		return out
	case []any:
		pl, _ := page.([]any)
		out := make([]any, len(src))
		for i, s := range src {
			var p any
			if i < len(pl) {
				p = pl[i]
			}
			out[i] = citationsOf(s, p)
		}
		return out
	case string:
		if src == SourceText || src == SourceOCR {
			if c, ok := page.(*Citation); ok && c != nil {
				return c
			}
			return nil
		}
		return Elsewhere(src)
	}
	return nil
}

// citeFollowing is how many lines after a text value's line may hold the
// rest of it (a name's second line of trade words).
const citeFollowing = 2

// citeReading records where the value v of the scalar at path was read:
// at the winning candidate's line (the second reading's line where only
// it read the value), and for text the lines after it.
func (x *extractor) citeReading(s *spec, path string, v any, at candidate) {
	ln, lay := at.ln, x.lay
	if at.secondLn != nil {
		ln, lay = at.secondLn, x.secondOf().lay
	}
	if ln == nil {
		return
	}
	lines := []*line{ln}
	if textual(s) {
		lines = append(lines, lay.lines[ln.index+1:min(len(lay.lines), ln.index+1+citeFollowing)]...)
	}
	x.setCite(path, x.cite(s, v, lines...))
}

func (x *extractor) setCite(path string, c *Citation) {
	if c == nil {
		return
	}
	if x.cites == nil {
		x.cites = map[string]*Citation{}
	}
	x.cites[path] = c
}

// citations returns the recorded citations shaped like the confidence of
// vals, the values of schema at path: a *Citation or nil for a scalar, a
// map for an object, a list for a list.
func (x *extractor) citations(schema []docparse.Field, vals map[string]any, path string) map[string]any {
	out := make(map[string]any, len(schema))
	for _, f := range schema {
		p := path + f.Key
		switch f.Type {
		case docparse.TypeObject:
			m, _ := vals[f.Key].(map[string]any)
			out[f.Key] = x.citations(f.Fields, m, p+".")
		case docparse.TypeListObject, docparse.TypeListString:
			items, _ := vals[f.Key].([]any)
			if items == nil {
				out[f.Key] = nil
				continue
			}
			l := make([]any, len(items))
			for i, it := range items {
				ip := fmt.Sprintf("%s[%d]", p, i)
				if f.Type == docparse.TypeListString {
					l[i] = x.citeAt(ip)
					continue
				}
				m, _ := it.(map[string]any)
				l[i] = x.citations(f.Fields, m, ip+".")
			}
			out[f.Key] = l
		default:
			out[f.Key] = x.citeAt(p)
		}
	}
	return out
}

// citeAt returns the citation recorded at path, or nil (an untyped nil,
// as JSON's null).
func (x *extractor) citeAt(path string) any {
	if c := x.cites[path]; c != nil {
		return c
	}
	return nil
}

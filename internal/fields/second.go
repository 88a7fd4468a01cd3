package fields

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

// The second reading of an OCRed page (extract.Page.Alt). OCR misreads
// differ between two readings of one image, so the scorer learns from
// three features of a candidate: its page's second reading read the same
// value (fSecondSame: a value read twice the same is likelier right), the
// candidate was read only by the second reading (fSecondOnly), or its page
// has none (fSecondNone: text layers, formats, pages OCR read once). A
// value only the second reading holds is offered beside the first
// reading's line at the same height, for the fields whose values are
// offered free (freeKind): an amount or a date that the first reading
// garbled can still be chosen (secondOnly), and so can a store's name
// (secondNames).
type secondReading struct {
	lay   *layout
	pages []bool // pages with a second reading
	// text: per page, the second reading's letters and digits, lower
	// case, one line after another with a separator, for names and
	// identifiers.
	text []string
	// typed: per spec and page, the values of its type the second
	// reading holds (valueKey).
	typed map[*spec][]map[string]bool
}

// secondOf returns the document's second reading, nil when no page has
// one.
func (x *extractor) secondOf() *secondReading {
	if x.secondRead || x.doc == nil {
		return x.second
	}
	x.secondRead = true
	alt := &extract.Document{Pages: make([]extract.Page, len(x.doc.Pages))}
	sr := &secondReading{pages: make([]bool, len(x.doc.Pages)), text: make([]string, len(x.doc.Pages)), typed: map[*spec][]map[string]bool{}}
	found := false
	for i, p := range x.doc.Pages {
		alt.Pages[i] = extract.Page{Number: p.Number, Width: p.Width, Height: p.Height, Lines: p.Alt, OCR: p.OCR}
		if len(p.Alt) == 0 {
			continue
		}
		found, sr.pages[i] = true, true
		var b strings.Builder
		for _, l := range p.Alt {
			b.WriteString(lettersDigitsLower(l.Text))
			b.WriteByte('|')
		}
		sr.text[i] = b.String()
	}
	if !found {
		return nil
	}
	sr.lay = newLayout(alt)
	x.second = sr
	return sr
}

// has reports whether page has a second reading.
func (sr *secondReading) has(page int) bool {
	return sr != nil && page >= 0 && page < len(sr.pages) && sr.pages[page]
}

// secondValues returns, per page, the values of s's type that the second
// reading holds.
func (x *extractor) secondValues(s *spec) []map[string]bool {
	sr := x.secondOf()
	if sr == nil {
		return nil
	}
	if v, ok := sr.typed[s]; ok {
		return v
	}
	v := make([]map[string]bool, len(sr.pages))
	x.typed(s, sr.lay.lines, func(cd candidate, ln *line) {
		if v[ln.page] == nil {
			v[ln.page] = map[string]bool{}
		}
		v[ln.page][valueKey(cd.value)] = true
	})
	sr.typed[s] = v
	return v
}

// secondFeatures sets the second reading's features of cd.
func (x *extractor) secondFeatures(s *spec, cd candidate, f *[numFeatures]float64) {
	sr := x.secondOf()
	if cd.ln == nil || !sr.has(cd.ln.page) {
		f[fSecondNone] = 1
		return
	}
	if cd.secondLn != nil {
		f[fSecondOnly] = 1
		return
	}
	page := cd.ln.page
	switch cd.value.(type) {
	case float64:
		if vs := x.secondValues(s); vs != nil && vs[page] != nil {
			f[fSecondSame] = b2f(vs[page][valueKey(cd.value)])
		}
	case string:
		if vs := x.secondValues(s); vs != nil && vs[page] != nil && vs[page][valueKey(cd.value)] {
			f[fSecondSame] = 1 // a date
			return
		}
		t := lettersDigitsLower(cd.value.(string))
		f[fSecondSame] = b2f(t != "" && strings.Contains(sr.text[page], t))
	}
}

// secondOnly offers the amounts or dates of s's type that only the second
// reading of a page holds, each beside the first reading's line that
// overlaps its line the most (none: not offered).
func (x *extractor) secondOnly(s *spec, p *picker) {
	sr := x.secondOf()
	if sr == nil {
		return
	}
	first := make([]map[string]bool, len(sr.pages))
	for _, cd := range p.all {
		if cd.ln != nil && cd.ln.page < len(first) {
			if first[cd.ln.page] == nil {
				first[cd.ln.page] = map[string]bool{}
			}
			first[cd.ln.page][valueKey(cd.value)] = true
		}
	}
	x.typed(s, sr.lay.lines, func(cd candidate, sl *line) {
		if first[sl.page][valueKey(cd.value)] {
			return
		}
		ln := x.beside(sl)
		if ln == nil && (s.f.Type == docparse.TypeDate || s.f.Type == docparse.TypeDateTime) {
			// The first reading may have lost the date's line altogether:
			// the date stands with the nearest line it read.
			ln = x.nearest(sl)
		}
		if ln == nil {
			return
		}
		cd.ln, cd.line, cd.secondLn = ln, ln.index, sl
		p.offer(cd, ln)
	})
}

// secondNames offers, for each free name candidate, the name the second
// reading read on the line beside it where that is the same name read
// otherwise ("MR D.I.Y. (M) SDN BHD" for the first reading's "MR O.I.Y.
// (M) SON BHD"): at most a third of its letters and digits differ.
func (x *extractor) secondNames(cands []nameCandidate, probs []float64, p *picker) {
	sr := x.secondOf()
	if sr == nil {
		return
	}
	offered := map[string]bool{}
	for _, cd := range p.all {
		offered[lettersDigitsLower(fmt.Sprint(cd.value))] = true
	}
	for i, nc := range cands {
		first := lettersDigitsLower(nc.value)
		for _, sl := range sr.lay.lines {
			if sl.page != nc.ln.page || !overlaps(sl, nc.ln) {
				continue
			}
			for _, c := range sl.cells {
				v, fit, ok := parseName(mendName(c.text))
				if !ok {
					continue
				}
				second := lettersDigitsLower(v)
				if offered[second] || editDistance(first, second)*3 > max(len(first), len(second)) {
					continue
				}
				offered[second] = true
				cd := unlabelled(v, 0.2*probs[i], fit, srcFree, nc.ln)
				cd.nameProb, cd.secondLn = probs[i], sl
				p.offer(cd, nc.ln)
			}
		}
	}
}

// overlaps reports whether lines a and b overlap vertically by at least
// half the shorter's height.
func overlaps(a, b *line) bool {
	over := min(a.y1, b.y1) - max(a.y0, b.y0)
	h := min(a.y1-a.y0, b.y1-b.y0)
	return h > 0 && over >= h/2
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nearest returns the first reading's line on sl's page whose middle is
// nearest sl's, within two of sl's heights; nil when none is.
func (x *extractor) nearest(sl *line) *line {
	var best *line
	bestD := 2 * (sl.y1 - sl.y0)
	mid := (sl.y0 + sl.y1) / 2
	for _, ln := range x.lay.lines {
		if ln.page != sl.page {
			continue
		}
		if d := math.Abs((ln.y0+ln.y1)/2 - mid); d <= bestD {
			best, bestD = ln, d
		}
	}
	return best
}

// beside returns the first reading's line on sl's page that overlaps sl
// vertically the most, by at least half the shorter's height; nil when
// none does.
func (x *extractor) beside(sl *line) *line {
	var best *line
	bestOver := 0.0
	for _, ln := range x.lay.lines {
		if ln.page != sl.page || !overlaps(ln, sl) {
			continue
		}
		over := min(ln.y1, sl.y1) - max(ln.y0, sl.y0)
		if best == nil || over > bestOver {
			best, bestOver = ln, over
		}
	}
	return best
}

// lettersDigitsLower keeps the letters and digits of s, lower case.
func lettersDigitsLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

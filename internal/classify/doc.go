package classify

import "strings"

// docView is a document prepared for scoring: its words in order, where
// each word occurs, and its layout cues.
type docView struct {
	words  []string
	prom   []float64 // per word: 1 on a title or label line, less in running text
	tf     map[string]int
	at     map[string][]int
	layout layout
}

func newDocView(text string) *docView {
	d := &docView{}
	seen := 0
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\f' }) {
		ws := words(line)
		if len(ws) == 0 {
			continue
		}
		seen++
		p := proseWeight
		if seen <= 6 || len(ws) <= 5 {
			p = 1
		}
		for _, w := range ws {
			d.words = append(d.words, w)
			d.prom = append(d.prom, p)
		}
	}
	d.tf = make(map[string]int, len(d.words))
	d.at = make(map[string][]int, len(d.words))
	for i, w := range d.words {
		d.tf[w]++
		d.at[w] = append(d.at[w], i)
	}
	lines := strings.FieldsFunc(foldString(text), func(r rune) bool { return r == '\n' || r == '\f' })
	d.layout = readLayout(lines)
	return d
}

// find returns the positions where the phrase's words start.
func (d *docView) find(phrase string) []int {
	return d.findWords(words(phrase))
}

func (d *docView) findWords(p []string) []int {
	if len(p) == 0 {
		return nil
	}
	var out []int
	for _, i := range d.at[p[0]] {
		if i+len(p) > len(d.words) {
			continue
		}
		ok := true
		for j := 1; j < len(p); j++ {
			if d.words[i+j] != p[j] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// proseWeight is how much a document kind's name counts in running text:
// "Invoice" as a title says more than "within 30 days of the invoice" in
// a contract's clause.
const proseWeight = 0.35

// prominence returns how prominently the phrase occurs: 1 when it starts a
// title or label line, proseWeight when only in running text, 0 when not
// at all.
func (d *docView) prominence(p []string) float64 {
	best := 0.0
	for _, i := range d.findWords(p) {
		best = max(best, d.prom[i])
	}
	return best
}

// presence is how much a phrase of the model counts in the document: its
// prominence when it names a category or concept, else 1 when it occurs
// and 0 when it does not.
func (d *docView) presence(p phrase) float64 {
	if p.named {
		return d.prominence(p.words)
	}
	if d.has(p.words) {
		return 1
	}
	return 0
}

// has reports whether the phrase occurs.
func (d *docView) has(p []string) bool {
	if len(p) == 1 {
		return d.tf[p[0]] > 0
	}
	return len(d.findWords(p)) > 0
}

// foldString lower-cases s and strips diacritics, keeping other characters.
func foldString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		b.WriteString(foldRune(r))
	}
	return b.String()
}

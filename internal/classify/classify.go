// Package classify sorts documents into the categories of a
// classification. It works offline and zero-shot from what the user wrote
// about each category (name, description, keywords), a built-in
// vocabulary of document kinds in English, French, German and Spanish,
// and layout cues; and it learns from the files the user put into a
// category by hand.
//
// A category's score pools its evidence found in the text, each phrase
// counted once: the user's name (fully on a title or label line, less in
// running text) and keywords; the cue phrases of the document kinds the
// category's wording names (concepts, vocab.go: "Invoice" or "a bill from
// a supplier" brings "Rechnungsnummer", "Total TTC", "amount due"); and
// the description's words, weighted by how well each tells the categories
// apart. The pool saturates, is combined with the layout cue of those
// kinds (lines ending in amounts, a salutation and closing, a memo
// header, blank fields, numbered clauses; layout.go), and the share of the
// description covered is added. Examples move the scores towards the
// categories whose corrected files the text resembles (examples.go). The
// best and second-best scores are turned into the probability that the
// best category is right by a calibration fitted on synthetic documents
// (calibrate.go).
package classify

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Category is one of a classification's categories, as the user described it.
type Category struct {
	ID          string
	Name        string
	Description string
	Keywords    []string // at most 20
}

// Example is a file a user put into a category by hand (an override);
// CategoryID "" means "none of the categories".
type Example struct {
	Text       string
	CategoryID string
}

// Decision is the classifier's answer for one document.
type Decision struct {
	CategoryID   string  // "" when the best confidence is below the threshold (unclassified)
	CategoryName string  // "" likewise
	Confidence   float64 // calibrated probability that the best category is right, in [0,1]; reported even when unclassified
	Reasoning    string  // one sentence naming the evidence, e.g. "matched 'invoice number', 'amount due'; closest to Invoice"
}

// descCueWeight is what a description word found adds to the evidence,
// at most: a user phrase adds 1.5 or 3.
const descCueWeight = 0.6

// Weights of the evidence (phrases, cues and layout) and of the
// description's coverage in a category's score.
const (
	weightEvidence = 3.5
	weightDesc     = 1.0
)

// Model is a classification's categories plus what it learned from
// overrides. It is built once by NewModel, never changes, and is safe for
// concurrent use.
type Model struct {
	cats []catModel
	ex   *exampleModel // nil without examples
}

type catModel struct {
	Category
	phrases   []phrase
	desc      map[string]float64 // description word -> weight
	descSum   float64
	descMax   float64  // the largest weight in desc
	descWords []string // the keys of desc, sorted: sums in a fixed order
	concepts  []link
}

// phrase is a name or keyword of a category, or a cue of a concept.
type phrase struct {
	words  []string
	label  string
	weight float64
	named  bool // a cue that names its concept: it counts by prominence
}

// link ties a category to a concept with a strength: 1 when the name
// names it, less when only the description or keywords do.
type link struct {
	concept  int
	strength float64
}

// NewModel builds the model of a classification. Categories keep their
// order, which breaks ties. Examples whose CategoryID names no category
// count as "none of the categories".
func NewModel(cats []Category, examples []Example) *Model {
	m := &Model{cats: make([]catModel, len(cats))}
	df := map[string]int{}
	descWords := make([][]string, len(cats))
	for i, c := range cats {
		cm := catModel{Category: c, desc: map[string]float64{}}
		if w := words(c.Name); len(w) > 0 {
			cm.phrases = append(cm.phrases, phrase{words: w, label: label(c.Name), weight: 3 * (1 + 0.3*float64(len(w)-1)), named: true})
		}
		for _, k := range c.Keywords {
			if w := words(k); len(w) > 0 {
				cm.phrases = append(cm.phrases, phrase{words: w, label: label(k), weight: 1.5 * (1 + 0.3*float64(len(w)-1))})
			}
		}
		seen := map[string]bool{}
		// The name and keywords count as phrases already.
		for _, w := range words(c.Description) {
			if len(w) > 2 && !stopwords[w] && !seen[w] {
				seen[w] = true
				descWords[i] = append(descWords[i], w)
				df[w]++
			}
		}
		cm.concepts = linkConcepts(c)
		m.cats[i] = cm
	}
	n := float64(len(cats))
	for i := range m.cats {
		for _, w := range descWords[i] {
			// A word every category uses tells them apart poorly.
			wt := math.Log(1 + n/float64(df[w]))
			m.cats[i].desc[w] = wt
			m.cats[i].descSum += wt
			m.cats[i].descMax = max(m.cats[i].descMax, wt)
		}
		m.cats[i].descWords = slices.Sorted(maps.Keys(m.cats[i].desc))
	}
	if len(examples) > 0 {
		m.ex = newExampleModel(cats, examples)
	}
	return m
}

func label(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// linkConcepts finds the concepts a category's wording names. Longer
// triggers win over the shorter ones they contain ("proof of purchase" is
// a receipt, not a purchase order).
func linkConcepts(c Category) []link {
	type hit struct {
		concept, start, n int
		strength          float64
	}
	var hits []hit
	scan := func(text string, strength float64, offset int) {
		doc := newDocView(text)
		for k, con := range vocab.concepts {
			for _, t := range con.triggers {
				for _, at := range doc.find(t) {
					hits = append(hits, hit{k, offset + at, len(words(t)), strength})
				}
			}
		}
	}
	// Offsets keep the name's and the description's words apart.
	scan(c.Name, 1, 0)
	scan(c.Description+" . "+strings.Join(c.Keywords, " . "), 0.8, 1<<20)
	slices.SortStableFunc(hits, func(a, b hit) int { return b.n - a.n })
	used := map[int]bool{}
	best := map[int]float64{}
	for _, h := range hits {
		free := true
		for i := h.start; i < h.start+h.n; i++ {
			free = free && !used[i]
		}
		if !free {
			continue
		}
		for i := h.start; i < h.start+h.n; i++ {
			used[i] = true
		}
		best[h.concept] = max(best[h.concept], h.strength)
	}
	var links []link
	for k, s := range best {
		links = append(links, link{k, s})
	}
	slices.SortFunc(links, func(a, b link) int { return a.concept - b.concept })
	return links
}

// score is one category's evidence for one document.
type score struct {
	cat      int
	total    float64
	user     float64  // phrases, cues and description words, saturated
	desc     float64  // share of the description's weighted words present
	concept  float64  // user combined with layout
	example  float64  // the examples' shift, already in total
	matched  []string // the user's phrases found
	cues     []string // the vocabulary's cues found
	words    []string // the description's words found
	layout   string   // the layout cue that supports it, if any
	evidence int      // distinct phrases, cues and layout cues found
}

// Classify returns the decision for a document's text. A best category
// whose confidence is below threshold is reported as unclassified, with
// its confidence and name in the reasoning.
func (m *Model) Classify(text string, threshold float64) Decision {
	if len(m.cats) == 0 {
		return Decision{Reasoning: "the classification has no categories"}
	}
	doc := newDocView(text)
	scores := m.scores(doc)
	best, second := scores[0], score{}
	if len(scores) > 1 {
		second = scores[1]
	}
	conf := confidence(features(best, second))
	if m.ex != nil {
		// A document the user already filed by hand, again: it goes where
		// they put it, however the categories' wording scores it.
		if cat, sim, ok := m.ex.nearest(bag(text)); ok && sim >= nearDuplicate {
			if cat < 0 {
				return Decision{Confidence: conf, Reasoning: fmt.Sprintf("a file %.0f%% alike was filed under none of the categories by hand", 100*sim)}
			}
			c := m.cats[cat]
			if sure := max(conf, 0.95*sim); sure >= threshold {
				return Decision{CategoryID: c.ID, CategoryName: c.Name, Confidence: sure,
					Reasoning: fmt.Sprintf("a file %.0f%% alike was put in %s by hand", 100*sim, c.Name)}
			}
		}
	}
	c := m.cats[best.cat]
	if conf < threshold {
		return Decision{Confidence: conf, Reasoning: fmt.Sprintf("no category matched well; closest was %s at %.2f", c.Name, conf)}
	}
	return Decision{CategoryID: c.ID, CategoryName: c.Name, Confidence: conf, Reasoning: best.reason(c.Name)}
}

// scores returns every category's score, best first.
func (m *Model) scores(doc *docView) []score {
	out := make([]score, len(m.cats))
	for i := range m.cats {
		out[i] = m.cats[i].score(doc)
		out[i].cat = i
	}
	if m.ex != nil {
		m.ex.adjust(doc, out)
	}
	slices.SortStableFunc(out, func(a, b score) int {
		switch {
		case a.total > b.total:
			return -1
		case a.total < b.total:
			return 1
		}
		return 0
	})
	return out
}

func (c *catModel) score(doc *docView) score {
	var s score
	// One pool of evidence: the user's phrases, then the cues of the
	// concepts the category names, each phrase counted once.
	sum := 0.0
	counted := map[string]bool{}
	for _, p := range c.phrases {
		key := strings.Join(p.words, " ")
		if counted[key] {
			continue // a keyword repeating the name
		}
		counted[key] = true
		if pr := doc.presence(p); pr > 0 {
			sum += p.weight * pr
			s.matched = append(s.matched, p.label)
		}
	}
	lay := 0.0
	for _, l := range c.concepts {
		con := &vocab.concepts[l.concept]
		for _, p := range con.cues {
			key := strings.Join(p.words, " ")
			if counted[key] {
				continue
			}
			if pr := doc.presence(p); pr > 0 {
				counted[key] = true
				sum += l.strength * p.weight * pr
				s.cues = append(s.cues, p.label)
			}
		}
		if v := l.strength * layoutWeight[con.layout] * doc.layout.of(con.layout); v > lay {
			lay = v
			if doc.layout.of(con.layout) >= 0.5 {
				s.layout = layoutNames[con.layout]
			}
		}
	}
	// The description's words found count as weak evidence too, by how
	// well they tell the categories apart: what lets a category the
	// vocabulary does not know ("Recipes: ingredients and steps") match.
	if c.descSum > 0 {
		cov := 0.0
		for _, w := range c.descWords {
			if wt := c.desc[w]; doc.tf[w] > 0 {
				cov += wt
				if !counted[w] {
					sum += descCueWeight * wt / c.descMax
					s.words = append(s.words, w)
				}
			}
		}
		s.desc = cov / c.descSum
	}
	s.user = 1 - math.Exp(-sum/3)
	s.concept = 1 - (1-s.user)*(1-lay)
	s.evidence = len(s.matched) + len(s.cues)
	if s.layout != "" {
		s.evidence++
	}
	s.total = weightEvidence*s.concept + weightDesc*s.desc
	return s
}

// layoutWeight is how much a layout cue alone says: a table of amounts is
// shared by invoices, receipts and orders; a salutation, a memo header,
// blank fields and numbered clauses are more telling.
var layoutWeight = map[layoutKind]float64{
	layoutAmounts: 0.45,
	layoutLetter:  0.8,
	layoutMemo:    0.8,
	layoutForm:    0.8,
	layoutClauses: 0.7,
}

var layoutNames = map[layoutKind]string{
	layoutAmounts: "lines ending in amounts",
	layoutLetter:  "a salutation and closing",
	layoutMemo:    "a memo header",
	layoutForm:    "blank fields to fill in",
	layoutClauses: "numbered clauses",
}

// reason names the evidence for a category in one sentence.
func (s score) reason(name string) string {
	var ev []string
	seen := map[string]bool{}
	found := append(slices.Clone(s.matched), longest(s.cues, 4)...)
	for _, p := range append(found, s.words...) {
		if !seen[p] && len(ev) < 4 {
			seen[p] = true
			ev = append(ev, "'"+p+"'")
		}
	}
	var parts []string
	if len(ev) > 0 {
		parts = append(parts, "matched "+strings.Join(ev, ", "))
	}
	if s.layout != "" {
		parts = append(parts, s.layout)
	}
	if s.example > 0.05 {
		parts = append(parts, "similar to files corrected into it")
	}
	if len(parts) == 0 {
		return "closest to " + name
	}
	return strings.Join(parts, "; ") + "; closest to " + name
}

// longest returns up to n of the longest phrases, longest first.
func longest(ps []string, n int) []string {
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b string) int { return len(b) - len(a) })
	return ps[:min(n, len(ps))]
}

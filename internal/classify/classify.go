// Package classify sorts documents into the categories of a
// classification. It works offline and zero-shot from what the user wrote
// about each category (name, description, keywords) and learns from the
// files the user put into a category by hand.
package classify

import (
	"fmt"
	"math"
	"sort"
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
	Reasoning    string  // one sentence naming the evidence
}

// Model is a classification's categories plus what it learned from
// overrides. It is built once by NewModel and is safe for concurrent use.
type Model struct {
	cats []catModel
}

type catModel struct {
	Category
	phrases [][]string // name and keywords, as word sequences
	labels  []string   // the phrases as the user wrote them, for reasoning
	desc    map[string]bool
}

// NewModel builds the model of a classification. Categories keep their
// order; examples whose CategoryID names no category count as "none".
func NewModel(cats []Category, examples []Example) *Model {
	m := &Model{}
	for _, c := range cats {
		cm := catModel{Category: c, desc: map[string]bool{}}
		for _, p := range append([]string{c.Name}, c.Keywords...) {
			if w := words(p); len(w) > 0 {
				cm.phrases = append(cm.phrases, w)
				cm.labels = append(cm.labels, strings.ToLower(strings.TrimSpace(p)))
			}
		}
		for _, w := range words(c.Description) {
			if len(w) > 3 {
				cm.desc[w] = true
			}
		}
		m.cats = append(m.cats, cm)
	}
	return m
}

// Classify returns the decision for a document's text. A best category
// whose confidence is below threshold is reported as unclassified.
func (m *Model) Classify(text string, threshold float64) Decision {
	doc := words(text)
	if len(m.cats) == 0 {
		return Decision{Reasoning: "the classification has no categories"}
	}
	type scored struct {
		i       int
		score   float64
		matched []string
	}
	res := make([]scored, len(m.cats))
	for i, c := range m.cats {
		s := scored{i: i}
		for j, p := range c.phrases {
			if n := countPhrase(doc, p); n > 0 {
				s.score += float64(len(p)) * math.Log1p(float64(n))
				s.matched = append(s.matched, c.labels[j])
			}
		}
		hits := 0
		for _, w := range doc {
			if c.desc[w] {
				hits++
			}
		}
		s.score += 0.2 * math.Log1p(float64(hits))
		res[i] = s
	}
	sort.SliceStable(res, func(a, b int) bool { return res[a].score > res[b].score })
	best := res[0]
	second := 0.0
	if len(res) > 1 {
		second = res[1].score
	}
	conf := 1 / (1 + math.Exp(-(2*(best.score-second) + best.score - 2)))
	c := m.cats[best.i]
	if conf < threshold || best.score == 0 {
		return Decision{Confidence: conf, Reasoning: fmt.Sprintf("no category matched well; closest was %s at %.2f", c.Name, conf)}
	}
	why := "closest to " + c.Name
	if len(best.matched) > 0 {
		why = "matched '" + strings.Join(best.matched, "', '") + "'; " + why
	}
	return Decision{CategoryID: c.ID, CategoryName: c.Name, Confidence: conf, Reasoning: why}
}

// countPhrase counts the occurrences of the word sequence p in doc.
func countPhrase(doc, p []string) int {
	n := 0
	for i := 0; i+len(p) <= len(doc); i++ {
		ok := true
		for j := range p {
			if doc[i+j] != p[j] {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}

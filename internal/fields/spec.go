package fields

import (
	"slices"
	"strings"
	"unicode"

	"github.com/docparse/docparse/internal/docparse"
)

// label is one way a field may be labelled on a page.
type label struct {
	toks     []string
	joined   string // toks without spaces, for compounds ("factuur datum" / "factuurdatum")
	strength float64
}

// spec is a schema field prepared for matching.
type spec struct {
	f       docparse.Field
	keyToks []string
	labels  []label
	con     *concept // the built-in concept the field names, or nil
	exact   bool     // the key (or description) is one of con's terms, not just holds one
	kind    valueKind
	shape   string // shape of the example, for identifiers
	prefix  string // the example's letters and punctuation before its first digit ("INV-")
	nested  bool   // a child of an object

	// Indexes of labels, for matches.
	byFirst  map[string][]int // first word
	byJoined map[string][]int // several words written as one ("factuurdatum")
	long     []int            // one word of six letters or more, for typos
}

// identWords end keys of identifier fields ("order_number", "booking_id").
var identWords = map[string]bool{"number": true, "no": true, "nr": true, "num": true, "id": true, "ref": true, "reference": true, "code": true}

// newSpec prepares field f. parents are the label words of the enclosing
// object (its key and concept terms), which combine with f's key
// ("seller" + "name"); set lists the concepts f may name, tried in order.
func newSpec(f docparse.Field, parents [][]string, sets ...[]*concept) *spec {
	s := &spec{f: f, keyToks: normTokens(splitKey(f.Key)), nested: len(parents) > 0}
	desc := normTokens(f.Description)
	shortDesc := len(desc) > 0 && len(desc) <= 6
	phrases := [][]string{s.keyToks}
	if shortDesc {
		phrases = append(phrases, desc)
	}
	// A concept of the field's own type first: a string "vat" is a VAT
	// number, a number "vat" the tax. The key or a short description that
	// is a term (or holds one among generic words) names its concept;
	// else the words of both are read for their meaning (wording.go);
	// else, as a description may name a concept in passing ("The total
	// amount including VAT"), a term of two words or more inside it.
	// Then the same for any concept.
	fits := func(c *concept) bool { return c.class.fits(f.Type) }
	anyConcept := func(*concept) bool { return true }
	// exact: the key or short description names the concept as a whole
	// (one of its terms, alone or among generic words, or words that all
	// mean it), not in passing.
	exact := false
	for _, ok := range []func(*concept) bool{fits, anyConcept} {
		for _, set := range sets {
			if s.con = resolve(phrases, set, ok); s.con != nil {
				exact = true
				break
			}
		}
		for _, set := range sets {
			// A child of an object is read with the object's words as
			// labels (below), not for a meaning of its own.
			if s.con != nil || s.nested {
				break
			}
			u := understand(lex.vocab, s.keyToks, desc, set, ok)
			s.con, exact = u.con, u.exact
		}
		if s.con == nil && len(desc) > 0 {
			s.con = resolveInside(desc, sets, ok)
		}
		if s.con != nil {
			break
		}
	}
	s.exact = exact
	if s.con != nil {
		for _, p := range phrases {
			for _, terms := range [][][]string{s.con.strong, s.con.weak} {
				for _, t := range terms {
					s.exact = s.exact || equalToks(p, t)
				}
			}
		}
	}

	add := func(toks []string, strength float64) {
		if len(toks) == 0 {
			return
		}
		j := strings.Join(toks, "")
		for i := range s.labels {
			if s.labels[i].joined == j && equalToks(s.labels[i].toks, toks) {
				s.labels[i].strength = max(s.labels[i].strength, strength)
				return
			}
		}
		s.labels = append(s.labels, label{toks: toks, joined: j, strength: strength})
	}
	// A key of vague words ("reference", "number") whose description
	// names the concept labels the field no better than the concept's
	// weak words: "Reference" on a page is as often the customer's.
	keyStrength := strengthOwn
	if s.con != nil && len(desc) > 0 && lex.vocab.vague(s.keyToks) {
		keyStrength = strengthWeak
	}
	add(s.keyToks, keyStrength)
	if shortDesc {
		add(desc, strengthOwn)
	}
	for i, p := range parents {
		strength := strengthOwn
		if i > 0 {
			strength = strengthStrong
		}
		add(slices.Concat(p, s.keyToks), strength)
	}
	if s.con == nil {
		// A meaning the lexicon does not know is searched for with the
		// field's own words, also without the generic word that ends them:
		// "Loyalty card" labels "loyalty_card_no".
		for _, p := range phrases {
			if core := withoutGenericEnd(p); len(core) > 0 && len(core) < len(p) {
				add(core, strengthWeak)
			}
		}
	}
	if s.con != nil {
		for _, t := range s.con.strong {
			add(t, strengthStrong)
		}
		for _, t := range s.con.weak {
			add(t, strengthWeak)
		}
	}

	s.byFirst, s.byJoined = map[string][]int{}, map[string][]int{}
	for i, lb := range s.labels {
		s.byFirst[lb.toks[0]] = append(s.byFirst[lb.toks[0]], i)
		s.byJoined[lb.joined] = append(s.byJoined[lb.joined], i)
		if len(lb.toks) == 1 && len(lb.joined) >= 6 {
			s.long = append(s.long, i)
		}
	}

	if f.Type == docparse.TypeString {
		switch {
		case s.con != nil && s.con.kind != kindText:
			s.kind = s.con.kind
		case len(s.keyToks) > 1 && identWords[s.keyToks[len(s.keyToks)-1]]:
			s.kind = kindIdent
		}
		if ex, ok := f.Example.(string); ok && strings.ContainsAny(ex, "0123456789") && !strings.ContainsAny(strings.TrimSpace(ex), " \t") {
			if s.kind == kindText {
				s.kind = kindIdent
			}
		}
		if ex, ok := f.Example.(string); ok && s.kind == kindIdent {
			ex = strings.TrimSpace(ex)
			s.shape = shape(ex)
			if i := strings.IndexAny(ex, "0123456789"); i > 0 && strings.IndexFunc(ex[:i], unicode.IsLetter) >= 0 {
				s.prefix = ex[:i]
			}
		}
	}
	return s
}

// withoutGenericEnd drops the identifier words and stop words that end
// toks ("loyalty card number" is "loyalty card").
func withoutGenericEnd(toks []string) []string {
	end := len(toks)
	for end > 0 && (identWords[toks[end-1]] || genericWords[toks[end-1]] || stopWords[toks[end-1]]) {
		end--
	}
	return toks[:end]
}

// resolveInside finds a concept whose strong term of two words or more
// occurs in a description.
func resolveInside(desc []string, sets [][]*concept, ok func(*concept) bool) *concept {
	var best *concept
	bestLen := 1
	for _, set := range sets {
		for _, c := range set {
			if !ok(c) {
				continue
			}
			for _, t := range c.strong {
				if len(t) <= bestLen {
					continue
				}
				for i := 0; i+len(t) <= len(desc); i++ {
					if equalToks(desc[i:i+len(t)], t) {
						best, bestLen = c, len(t)
						break
					}
				}
			}
		}
	}
	return best
}

// conceptName is the name of the built-in concept the field names, or ""
// when it names none.
func (s *spec) conceptName() string {
	if s.con == nil {
		return ""
	}
	return s.con.name
}

// numeric reports whether s holds a number.
func (s *spec) numeric() bool {
	return s.f.Type == docparse.TypeNumber || s.f.Type == docparse.TypeInteger
}

// match is a label of a field found in a cell, at tokens [start, end).
type match struct {
	start, end int
	strength   float64
}

// matches finds s's labels in c: exact word sequences, and fuzzily a
// compound written in one word or two ("factuur datum" for
// "factuurdatum") or a word of six letters or more with one typo, but not
// in its last letter, where an ending changes the word ("supplies" is not
// "supplier").
// Overlapping matches merge into one label ("N° TVA" and "TVA
// intracommunautaire" make "N° TVA intracommunautaire"), as strong as its
// strongest part. With suppress, a match inside a longer term of another
// concept is dropped: "date" in "Due date" belongs to the due date,
// "total" in "Total HT" to the subtotal.
func (s *spec) matches(c *cell, suppress bool) []match {
	toks := c.toks
	var ms []match
	for i, t := range toks {
		if !t.alpha {
			continue
		}
		for _, li := range s.byFirst[t.norm] {
			if lb := s.labels[li]; i+len(lb.toks) <= len(toks) && tokensAre(toks[i:i+len(lb.toks)], lb.toks) {
				ms = append(ms, match{i, i + len(lb.toks), lb.strength})
			}
		}
		for _, li := range s.byJoined[t.norm] {
			if lb := s.labels[li]; len(lb.toks) > 1 {
				ms = append(ms, match{i, i + 1, lb.strength * fuzzyFactor})
			}
		}
		if i+1 < len(toks) && toks[i+1].alpha && len(t.norm) >= 3 && len(toks[i+1].norm) >= 3 {
			for _, li := range s.byJoined[t.norm+toks[i+1].norm] {
				if lb := s.labels[li]; len(lb.toks) == 1 {
					ms = append(ms, match{i, i + 2, lb.strength * fuzzyFactor})
				}
			}
		}
		if len(t.norm) >= 5 {
			for _, li := range s.long {
				if lb := s.labels[li]; oneEdit(t.norm, lb.joined) && t.norm[:len(t.norm)-1] != lb.joined[:len(lb.joined)-1] && t.norm[:len(t.norm)-1] != lb.joined && t.norm != lb.joined[:len(lb.joined)-1] {
					ms = append(ms, match{i, i + 1, lb.strength * fuzzyFactor})
				}
			}
		}
	}
	slices.SortFunc(ms, func(a, b match) int { return a.start - b.start })
	var merged []match
	for _, m := range ms {
		if !standsAlone(c.text, toks, m.start, m.end) {
			continue
		}
		if n := len(merged); n > 0 && m.start < merged[n-1].end {
			last := &merged[n-1]
			last.end = max(last.end, m.end)
			last.strength = max(last.strength, m.strength)
			continue
		}
		merged = append(merged, m)
	}
	if !suppress {
		return merged
	}
	kept := merged[:0]
	for _, m := range merged {
		if !slices.ContainsFunc(c.claims, func(cl claim) bool {
			return cl.c != s.con && cl.end-cl.start > m.end-m.start && cl.start < m.end && m.start < cl.end
		}) {
			kept = append(kept, m)
		}
	}
	return kept
}

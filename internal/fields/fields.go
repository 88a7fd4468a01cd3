// Package fields fills an extraction schema from a document's text and
// layout: for every field it finds a label on the page, reads the typed
// value next to or below it, and rates the reading with a confidence.
//
// The matcher is generic: labels come from the field itself (its key split
// on underscores, a short description, the shape of its example) and from
// a built-in multilingual set of synonyms (lexicon.go); values are
// recognised by their type (values.go); no vendor layout is known in
// advance. A field that is not found is nil with confidence 0: the matcher
// never invents a value, except the totals that InferMissing computes.
//
// Every reading first gets a raw score, the product of three factors in
// [0,1] that rank the candidates of a field:
//
//   - label: 1 for the field's own key or description, 0.9 for a built-in
//     synonym, 0.7 for a generic word of the concept ("invoice" for the
//     invoice number, "amount" for the total), times 0.75 when the label
//     matched only fuzzily (a compound split or joined, one typo). It is
//     then scaled by 0.5 + 0.5 x coverage, where coverage is the share of
//     the label cell's words the label explains: "date" explains half of
//     "Order date", and a label inside a sentence explains little.
//   - placement: 1 on the label's line (after it in its cell, or the next
//     cell), 0.95 a totals row's cell under a matching column header, 0.75
//     a totals row without one; 0.85, 0.8, 0.75 one, two, three lines
//     below; 0.85 the totals row of a column whose header is the label;
//     times 0.6 when the value below is one row of a table column rather
//     than the answer to a label; 0.3 to 0.5 for the few fallbacks that need
//     no label (the first date on the page for the document date, an IBAN
//     whose check digits hold, an identifier that starts like the field's
//     example). A seller's name found without a label scores its
//     probability under a small model fitted on data (party.go).
//   - fit: how cleanly the text reads as the type: 1 for an amount with
//     currency or two decimals, 0.9 for a bare number, 0.75 for a day/month
//     order that had to be guessed, 0.8 for free text, 0.7 for an
//     identifier shaped unlike the example (values.go).
//
// A value inside a region that follows the label of its enclosing object
// ("Seller", "Bill to") is ranked up to 15% higher; a label that names
// another party ("Customer VAT No", "Your VAT number") ranks its value
// down by half.
//
// Cross-field checks then look at the readings together (checks.go): the
// subtotal, tax and total are chosen among each field's candidates so that
// subtotal + tax = total when such a choice exists, line items are summed
// and compared with the subtotal and total, each item's quantity x unit
// price with its amount, and a due date with the issue date.
//
// The confidence is not the raw score: it is the probability, measured on
// labelled documents, that a reading with that raw score, that kind of
// value and that outcome of the checks is right (calibrate.go). The
// table that maps one to the other is fitted by TestCalibrate on
// synthetic invoices (package synth) and committed as
// calibration_table.go.
//
// For the kinds of values that have a learned model (scorer.go: amounts,
// parties' names, ... as bench/train fitted them on real labelled
// documents), the hand score is one feature among many: every candidate,
// plus every amount, date or top-of-page name for the fields documents
// often print without a label (a receipt's total and store), is ranked by
// a choice model (linear weights and boosted trees), and the winning
// value's probability, on the model's calibration curve, is its
// confidence.
//
// A line-item table goes on over the following pages (a repeated header,
// or items under the same columns), and carried totals ("Übertrag",
// "Carried forward") are no items (table.go).
package fields

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

// Options tune one extraction.
type Options struct {
	// Language is the extraction's language (API.md). It decides how an
	// ambiguous numeric date such as 05/06/2026 is read when the document
	// itself does not show its convention: month first for "English", day
	// first otherwise. Labels of every language are always recognised.
	Language string
	// InferMissing computes a missing total, subtotal or tax from the other
	// two, with confidence at most 0.5 and never above that of its inputs.
	InferMissing bool
	// Scorer replaces the learned scorer's committed models (scorer.go),
	// for training and for benchmarks that compare models; nil uses the
	// committed ones.
	Scorer *Scorer
}

// Result holds a document's values and confidences, shaped like the file
// result of API.md. Values maps every key of the schema to a string, a
// float64 (number), an int64 (integer), a bool, a "YYYY-MM-DD" string
// (date), an RFC 3339 string (datetime), a map[string]any (object), a
// []any (lists) or nil (not found). Confidence maps every key to a float64
// in [0,1] for scalars, a map[string]any for objects, a []any of float64
// for list<string> and a []any of map[string]any for list<object>; a value
// not found has confidence 0 (also for lists). An object is always a map of
// its children, found or not.
//
// A confidence is a calibrated probability: of the values given
// confidence c, about a share c is right.
type Result struct {
	Values     map[string]any
	Confidence map[string]any
	// LayoutMatch says how much the document looks like what the schema
	// describes, in [0,1]: the share of the schema's top-level fields that
	// were read next to a label of their own, not guessed by a fallback nor
	// inferred. An object counts when one of its children does, a
	// list<object> when a table header names at least two of its
	// children. A document below LayoutMatchMin does not look like the
	// schema (strict_format sends it to needs_review).
	LayoutMatch float64
	// Inferred lists the values InferMissing computed from others rather
	// than read, by path ("total", "totals.net"), in schema order; their
	// source is SourceInferred (MarkInferred).
	Inferred []string
	// Citations is shaped like Confidence: where on its page each value
	// was read (a *Citation), nil for a value not found or inferred.
	// Citations (cite.go) combines it with a result's sources.
	Citations map[string]any
}

// LayoutMatchMin is the LayoutMatch below which a document does not look
// like its schema: fewer than half of the fields it asks for carry a
// label on the page.
const LayoutMatchMin = 0.5

// Extract fills schema from doc. A nil doc yields a result with every
// value missing. Extract is safe for concurrent use.
func Extract(doc *extract.Document, schema []docparse.Field, opts Options) Result {
	res, _ := extractTraced(doc, schema, opts, true)
	return res
}

// trace records one emitted confidence before calibration, for fitting
// and testing the calibration table.
type trace struct {
	path  string // "amount", "seller.name", "lines[2].amount"
	key   calKey
	raw   float64
	value any
}

// extractTraced is Extract, with the raw score behind every confidence;
// without calibrate the confidences are the raw scores (capped at 1).
func extractTraced(doc *extract.Document, schema []docparse.Field, opts Options, calibrate bool) (Result, []trace) {
	lay := newLayout(doc)
	order, shown := documentDateOrderEvidence(lay, opts.Language)
	x := &extractor{lay: lay, doc: doc, order: order, orderShown: shown, infer: opts.InferMissing, calibrate: calibrate, scorer: opts.Scorer, byModels: doc.ReadByModels()}
	switch {
	case x.scorer != nil:
	case calibrate:
		x.scorer = committedScorer
	default:
		// Uncalibrated traces are the hand scores.
		x.scorer = &Scorer{}
	}
	vals, conf, labelled := x.object(schema, nil, "")
	res := Result{Values: vals, Confidence: conf, Inferred: x.inferred, Citations: x.citations(schema, vals, "")}
	if len(schema) > 0 {
		res.LayoutMatch = round3(float64(labelled) / float64(len(schema)))
	}
	return res, x.traces
}

// MinConfidence returns the lowest confidence in conf, nested maps and
// lists included, or 1 when it holds none. A file needs review when this
// is below its extraction's review threshold.
func MinConfidence(conf map[string]any) float64 {
	lowest := 1.0
	eachLeaf(conf, func(v any) {
		if c, ok := v.(float64); ok {
			lowest = min(lowest, c)
		}
	})
	return lowest
}

// eachLeaf calls fn with every value below v that is neither an object
// nor a list, as JSON decodes them (map[string]any, []any), and with v
// itself when it is neither. Objects are visited in map order.
func eachLeaf(v any, fn func(any)) {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			eachLeaf(e, fn)
		}
	case []any:
		for _, e := range v {
			eachLeaf(e, fn)
		}
	default:
		fn(v)
	}
}

// Label strengths and placements; see the package comment.
const (
	strengthOwn    = 1.0
	strengthStrong = 0.9
	strengthWeak   = 0.7
	fuzzyFactor    = 0.75

	placeBelow      = 0.85 // one line below; each further line 0.05 less
	placeRowHeader  = 0.95
	placeRowDefault = 0.75
	placeColumnSum  = 0.85
	tableColumn     = 0.6
	regionBoost     = 0.15
	eps             = 1e-9
)

type extractor struct {
	// byModels: the OCR models read the document (see kindOf).
	byModels bool
	lay      *layout
	order    dateOrder
	// orderShown: the document's unambiguous dates decided order.
	orderShown bool
	infer      bool
	calibrate  bool
	traces     []trace
	// guessed holds the dates read from a numeric date whose day and
	// month order had to be guessed (05/06/2026): they are calibrated
	// apart.
	guessed map[string]bool
	// docStats is computed once for the learned scorer's features.
	docStats *docStats
	// doc is the document read, for its second reading (second.go).
	doc *extract.Document
	// second is the document's second reading, once secondRead (nil
	// when it has none).
	second     *secondReading
	secondRead bool
	// win is the document's address window, once windowRead (window.go).
	win        letterWindow
	windowRead bool
	// training: record the scorer's candidates (samples) and rank by the
	// hand scores.
	training bool
	samples  []Candidates
	scorer   *Scorer
	// inferred: the paths inferMissing filled.
	inferred []string
	// pageWords: each page's words of five letters or more, folded, with
	// the lines they stand on (namemend.go's pageVote), once built.
	pageWords []map[string][]int
	// cites: where each value was read, by path (cite.go).
	cites map[string]*Citation
}

// guessedDateMax is the most confidence a date gets whose day and month
// could be swapped (03/04/2018) when nothing on the page tells their
// order: no unambiguous date, no word of a country (localeDateOrder).
// Either order is then a guess, and a guess goes to review.
const guessedDateMax = 0.6

// guessedOrder reports whether the date at the start of text is numeric
// with a day and a month that could be swapped, and the document shows
// nothing that settles the order (documentDateOrderEvidence).
func (x *extractor) guessedOrder(text string) bool {
	if x.orderShown {
		return false
	}
	m, ok := leadingDate(text, x.order)
	return ok && m.fit < 0.8
}

func (x *extractor) noteGuess(v string) {
	if x.guessed == nil {
		x.guessed = map[string]bool{}
	}
	x.guessed[v] = true
}

// scope is what an object's children know of the object: its label words,
// and the lines where its label appears (their region is ranked higher).
type scope struct {
	parents [][]string
	anchors []*line
}

// boost ranks a candidate on line ln up when it follows an anchor closely.
func (sc *scope) boost(ln *line) float64 {
	if sc == nil {
		return 1
	}
	b := 1.0
	for _, a := range sc.anchors {
		if d := ln.index - a.index; a.page == ln.page && d >= 0 && d <= 10 {
			b = max(b, 1+regionBoost*(1-float64(d)/11))
		}
	}
	return b
}

// reading is what was found for one scalar field: the chosen value, its
// raw score, how it was found, and the other values that were candidates.
type reading struct {
	value    any
	raw      float64
	labelled bool        // read next to a label, not by a fallback
	alts     []candidate // the best candidate of every distinct value, best first
	check    checkState  // outcome of the cross-field checks
	// learned: raw is the learned scorer's probability (scorer.go), which
	// is the confidence as it stands.
	learned bool
	model   string    // the learned scorer's model (modelKey)
	free    bool      // the winner is one of the values of the type on the page (srcFree)
	at      candidate // the winner, where it was read
}

// object fills one level of the schema and returns its values, its
// confidences, and how many of its fields were read next to a label.
func (x *extractor) object(fields []docparse.Field, sc *scope, path string) (map[string]any, map[string]any, int) {
	vals := make(map[string]any, len(fields))
	conf := make(map[string]any, len(fields))
	var parents [][]string
	if sc != nil {
		parents = sc.parents
	}
	specs := make([]*spec, len(fields))
	reads := make([]*reading, len(fields))
	tables := make([]*tableReading, len(fields))
	labelled := 0
	for i, f := range fields {
		s := newSpec(f, parents, lex.doc)
		specs[i] = s
		switch f.Type {
		case docparse.TypeObject:
			v, c, n := x.object(f.Fields, x.childScope(s), path+f.Key+".")
			vals[f.Key], conf[f.Key] = v, c
			if n > 0 {
				labelled++
			}
		case docparse.TypeListObject:
			tables[i] = x.table(s)
			if tables[i].header {
				labelled++
			}
		case docparse.TypeListString:
			var found bool
			vals[f.Key], conf[f.Key], found = x.stringList(s, sc, path+f.Key)
			if found {
				labelled++
			}
		default:
			reads[i] = x.scalar(s, sc, path+f.Key)
			if reads[i] != nil && reads[i].labelled {
				labelled++
			}
		}
	}
	x.checkPrepaid(specs, reads)
	sums := crossCheck(specs, reads, tables)
	for _, t := range tables {
		if t != nil && len(t.rows) == 0 {
			x.headerless(t, sums)
		}
	}
	for i, s := range specs {
		key := s.f.Key
		switch {
		case tables[i] != nil:
			vals[key], conf[key] = x.tableValues(tables[i], path+key)
		case s.f.Type == docparse.TypeObject || s.f.Type == docparse.TypeListString:
		case reads[i] == nil:
			vals[key], conf[key] = nil, 0.0
		default:
			r := reads[i]
			k := calKey{kind: calKind(s), check: r.check, flag: r.contested(), fallback: !r.labelled}
			if v, ok := r.value.(string); ok && k.kind == calDate && x.guessed[v] {
				k.kind = calDateGuess
			}
			vals[key], conf[key] = r.value, x.confidence(path+key, k, r.raw, r.value)
			if r.learned {
				c := round3(x.scorer.calibrated(x.curveOf(r.model), r.raw))
				if !r.labelled && r.free && c < minFree {
					// A value found without a label that the scorer
					// barely believes is not a reading: the field is not
					// found (and may be inferred).
					vals[key], c = nil, 0
				}
				conf[key] = c
			}
			if c, ok := conf[key].(float64); ok && x.calibrate && k.kind == calDateGuess {
				conf[key] = min(c, guessedDateMax)
			}
			x.citeReading(s, path+key, vals[key], r.at)
		}
	}
	if x.infer {
		if key := inferMissing(specs, vals, conf); key != "" {
			x.inferred = append(x.inferred, path+key)
		}
	}
	return vals, conf, labelled
}

// contested reports whether another value came close to the chosen one:
// a candidate with a different value and at least 80% of its score.
func (r *reading) contested() bool {
	for _, a := range r.alts {
		if fmt.Sprint(a.value) != fmt.Sprint(r.value) && a.score >= 0.8*r.raw {
			return true
		}
	}
	return false
}

// confidence turns a raw score into the emitted confidence and records it.
func (x *extractor) confidence(path string, k calKey, raw float64, value any) float64 {
	x.traces = append(x.traces, trace{path: path, key: k, raw: raw, value: value})
	if !x.calibrate {
		return round3(min(raw, 1))
	}
	return round3(calibrated(k, raw))
}

// childScope returns the scope of an object field's children.
func (x *extractor) childScope(s *spec) *scope {
	sc := &scope{parents: [][]string{s.keyToks}}
	if s.con != nil {
		sc.parents = append(sc.parents, s.con.strong...)
	}
	for _, ln := range x.lay.lines {
		for _, c := range ln.cells {
			if len(s.matches(c, true)) > 0 {
				sc.anchors = append(sc.anchors, ln)
				break
			}
		}
	}
	return sc
}

// scalar finds the value of a scalar field, or nil.
func (x *extractor) scalar(s *spec, sc *scope, path string) *reading {
	p := &picker{sc: sc, last: s.con != nil && s.con.last}
	for _, ln := range x.lay.lines {
		for ci, c := range ln.cells {
			for _, m := range s.matches(c, true) {
				x.labelled(s, ln, ci, m, p)
			}
		}
	}
	if s.kind == kindName && !s.nested {
		x.partyName(s, p)
		x.windowName(s, p)
	}
	x.titleDate(s, p)
	if !p.found {
		p.fallback = true
		x.fallback(s, p)
	}
	learned := x.rank(s, p, path)
	r := p.reading()
	if r != nil {
		r.learned, r.model, r.free = learned, x.kindOf(s), p.best.src == srcFree
		r.labelled = p.best.src == srcLabel
	}
	return r
}

// fallback offers what can be found without a label: the first date on the
// page for the document date, an IBAN whose check digits hold, a token that
// starts like the example of an identifier.
func (x *extractor) fallback(s *spec, p *picker) {
	switch {
	case s.con != nil && s.con.issueDate && s.exact && (s.f.Type == docparse.TypeDate || s.f.Type == docparse.TypeDateTime):
		for _, ln := range x.lay.lines {
			for ci, c := range ln.cells {
				m, ok := findDate(c.text, x.order)
				if !ok || otherDateLabel(c) || (ci > 0 && otherDateLabel(ln.cells[ci-1])) {
					continue
				}
				v, fit, ok := x.fit(s, c.text[byteOffset(c.text, m.start):], false, false)
				if ok {
					p.offer(unlabelled(v, 0.3*fit, fit, srcFallback, ln), ln)
					return
				}
			}
		}
	case s.kind == kindIBAN:
		for _, ln := range x.lay.lines {
			for _, c := range ln.cells {
				for wi := range c.words {
					if v, fit, ok := parseIBAN(c.text[c.starts[wi]:]); ok && fit == 1 {
						p.offer(unlabelled(v, 0.5, fit, srcFallback, ln), ln)
						return
					}
				}
			}
		}
	case s.kind == kindName && s.con != nil && s.con.name == "seller":
		x.sellerName(s, p)
	case s.con != nil && s.con.name == "currency" && s.f.Type == docparse.TypeString:
		if c, ln, ok := x.pageCurrency(); ok {
			p.offer(unlabelled(c, 0.6, 1, srcFallback, ln), ln)
		}
	case s.kind == kindIdent && len(s.prefix) >= 2:
		for _, ln := range x.lay.lines {
			for _, c := range ln.cells {
				for _, w := range c.words {
					t := trimIdent(w.text)
					if strings.HasPrefix(t, s.prefix) && shape(t) == s.shape {
						p.offer(unlabelled(t, 0.5, 1, srcFallback, ln), ln)
						return
					}
				}
			}
		}
	}
}

// fit reads text as the value of s. units allows a unit after a number
// (table cells: "1.00 kg"). With whole, text is a cell of its own, which
// an identifier must fill; after a label in the same cell, text may go on
// ("Facture n°562044387 du 02 Juillet 2015").
func (x *extractor) fit(s *spec, text string, units, whole bool) (any, float64, bool) {
	text = cleanRest(text)
	if text == "" {
		return nil, 0, false
	}
	switch s.f.Type {
	case docparse.TypeNumber:
		v, _, fit, ok := parseAmount(text, units)
		return v, fit, ok
	case docparse.TypeInteger:
		v, dec, fit, ok := parseAmount(text, units)
		if !ok || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return nil, 0, false
		}
		if dec > 0 {
			fit *= 0.9
		}
		return int64(v), fit, true
	case docparse.TypeDate, docparse.TypeDateTime:
		parse := parseDate
		if s.f.Type == docparse.TypeDateTime {
			parse = parseDateTime
		}
		v, fit, ok := parse(text, x.order)
		if ok && x.guessedOrder(text) {
			x.noteGuess(v)
		}
		return okValue(v, fit, ok)
	case docparse.TypeBoolean:
		return okValue(parseBool(text))
	}
	if s.con != nil && s.con.name == "currency" {
		return okValue(parseCurrency(text))
	}
	switch s.kind {
	case kindIdent:
		id, left, ok := parseIdent(text)
		if !ok || (whole && left > 0) {
			return nil, 0, false
		}
		if s.con != nil && s.con.name == "vat_id" && alnumLen(id) < 8 {
			return nil, 0, false // VAT numbers have 8 to 15 characters
		}
		fit := 0.9
		if s.shape != "" {
			fit = 0.7
			if shape(id) == s.shape {
				fit = 1
			}
		}
		return id, fit, true
	case kindIBAN:
		return okValue(parseIBAN(text))
	case kindName:
		return okValue(parseName(text))
	}
	if strings.HasSuffix(text, ":") {
		return nil, 0, false
	}
	return text, 0.8, true
}

// alnumLen counts the letters and digits of s.
func alnumLen(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func okValue[T any](v T, fit float64, ok bool) (any, float64, bool) {
	if !ok {
		return nil, 0, false
	}
	return v, fit, true
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// inferMissing fills a missing total, subtotal or tax of one schema level
// from the other two (total = subtotal + tax), with confidence at most 0.5
// and no more than its inputs', and returns the key it filled ("" for
// none).
func inferMissing(specs []*spec, vals, conf map[string]any) string {
	find := func(name string) *spec {
		for _, s := range specs {
			if s.f.Type == docparse.TypeNumber && s.con != nil && s.con.name == name {
				return s
			}
		}
		return nil
	}
	total, sub, tax := find("total"), find("subtotal"), find("tax")
	if total == nil || sub == nil || tax == nil {
		return ""
	}
	get := func(s *spec) (float64, float64, bool) {
		v, ok := vals[s.f.Key].(float64)
		c, _ := conf[s.f.Key].(float64)
		return v, c, ok
	}
	t, tc, tok := get(total)
	st, sc, sok := get(sub)
	tx, xc, xok := get(tax)
	set := func(s *spec, v float64, c1, c2 float64, a, b float64) string {
		vals[s.f.Key] = roundTo(v, max(decimals(a), decimals(b)))
		conf[s.f.Key] = round3(min(0.5, c1, c2))
		return s.f.Key
	}
	switch {
	case !tok && sok && xok:
		return set(total, st+tx, sc, xc, st, tx)
	case tok && !sok && xok:
		return set(sub, t-tx, tc, xc, t, tx)
	case tok && sok && !xok:
		return set(tax, t-st, tc, sc, t, st)
	}
	return ""
}

// decimals counts v's decimals as printed, at most 6.
func decimals(v float64) int {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return min(len(s)-i-1, 6)
	}
	return 0
}

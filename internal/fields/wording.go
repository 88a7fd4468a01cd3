package fields

import (
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"
)

// How a field's key and description find their concept when they do not
// use one of its terms word for word (spec.go tries that first). Users
// name the same field in many ways: "inv_no", "InvoiceNumber", "doc_ref"
// described as "The reference number printed on the bill", "partner_name"
// described as "Supplier company name", "Fälligkeitsdatum". The resolver
// reads them in three steps:
//
//  1. Words: the key is cut into words at underscores, dashes, dots,
//     case changes ("invoiceNumber", "VATNo") and digits.
//  2. Canonical words: abbreviations and the plain translations of
//     "number", "date" and a few more become one word ("nr", "num",
//     "numéro", "Nummer" are "number"); a German umlaut written "ae" is
//     folded; a plural or a compound ("Umsatzsteuerbetrag",
//     "Lieferantenname") is cut into known words; an inflected word
//     ("sprzedawcy") reads as the known word it differs from only in its
//     ending, a word of six letters or more with one typo as the word it
//     misspells. Stop words and words that describe where a value is
//     ("printed", "shown") are dropped.
//  3. Meaning: every concept has a weighted bag of words: the words of its
//     terms, a gloss of words that describe it in the languages the
//     lexicon covers (lexicon.go), and the words of the party it belongs
//     to at a low weight ("supplier" in "supplier_vat_id"). A word that
//     several concepts share weighs less (1/sqrt of how many have it). A
//     concept qualifies when it explains more than half of the key's, the
//     description's or all of their words; among those the highest sum of
//     weights wins, with a bonus for a term found whole. One of the words
//     it explains must be its own and not vague ("restaurant" and "number"
//     do not make a VAT number), or the words of one of its terms must all
//     be there, in any order ("número de documento"). A word of the party
//     of a concept's twin rules it out ("receiver_tax_id" is not the
//     seller's VAT number but its twin, the buyer's).
//
// A field that names a party without saying which ("company", "business
// name") means the seller, the document's own party. Any other field that
// no concept qualifies for keeps no concept: it is searched for with its
// own words only (see spec.go), never with the terms of a concept it
// merely shares a word with ("loyalty_card_no" is not an invoice number).

// splitKey writes the words of a field key apart: "invoiceNumber" is
// "invoice Number", "VATNo" "VAT No", "USt-IdNr" "USt Id Nr",
// "address_2" "address 2". An upper-case run ends before its last letter
// when a lower-case letter follows and the run has at least two letters
// before it.
func splitKey(key string) string {
	rs := []rune(key)
	var b strings.Builder
	for i, r := range rs {
		if r == '_' || r == '-' || r == '.' || r == '/' {
			b.WriteByte(' ')
			continue
		}
		if i > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			switch {
			case unicode.IsLower(prev) || unicode.IsDigit(prev):
				b.WriteByte(' ')
			case unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && upperRun(rs, i) >= 2:
				b.WriteByte(' ')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// upperRun counts the upper-case letters right before rs[i].
func upperRun(rs []rune, i int) int {
	n := 0
	for j := i - 1; j >= 0 && unicode.IsUpper(rs[j]); j-- {
		n++
	}
	return n
}

// synonyms are written forms that mean one canonical word: abbreviations
// and the plain translations of the commonest generic words. They apply
// to the lexicon's terms and to the field's words alike.
var synonyms = map[string][]string{
	"no": {"number"}, "nr": {"number"}, "num": {"number"}, "nbr": {"number"}, "nro": {"number"}, "nb": {"number"}, "n": {"number"},
	"numero": {"number"}, "nummer": {"number"}, "numer": {"number"}, "numbers": {"number"},
	"inv": {"invoice"}, "invoices": {"invoice"},
	"nom": {"name"}, "nombre": {"name"}, "nome": {"name"}, "naam": {"name"}, "nazwa": {"name"}, "names": {"name"},
	"amt": {"amount"}, "amounts": {"amount"},
	"dt": {"date"}, "datum": {"date"}, "fecha": {"date"}, "data": {"date"}, "dated": {"date"},
	"ref": {"reference"}, "refs": {"reference"}, "referenz": {"reference"}, "referencia": {"reference"}, "riferimento": {"reference"}, "referentie": {"reference"},
	"doc": {"document"}, "dok": {"document"}, "dokument": {"document"}, "documento": {"document"}, "documents": {"document"},
	"tot": {"total"}, "totals": {"total"},
	"cust": {"customer"},
	"acct": {"account"}, "acc": {"account"},
	"ccy": {"currency"}, "cur": {"currency"}, "curr": {"currency"},
	"addr": {"address"},
	"qty":  {"quantity"},
	"pct":  {"percent"}, "perc": {"percent"}, "percentage": {"percent"}, "prozent": {"percent"}, "procent": {"percent"},
	"excl": {"excluding"}, "exkl": {"excluding"}, "ex": {"excluding"}, "exclusive": {"excluding"}, "exclusief": {"excluding"}, "excluded": {"excluding"},
	"incl": {"including"}, "inkl": {"including"}, "inc": {"including"}, "inclusive": {"including"}, "inclusief": {"including"}, "included": {"including"},
	"identifier": {"id"}, "identification": {"id"}, "ident": {"id"}, "idnr": {"id", "number"},
	"po":  {"purchase", "order"},
	"tel": {"telephone"}, "phone": {"telephone"},
	"reg":  {"registration"},
	"vend": {"vendor"},
	"desc": {"description"}, "descr": {"description"},
}

// fillerWords say where or how a value appears, not what it is: a
// description's words that no concept needs to explain.
var fillerWords = map[string]bool{
	"what": true, "who": true, "which": true, "when": true, "where": true, "whom": true, "whose": true, "how": true,
	"is": true, "was": true, "are": true, "were": true, "be": true, "been": true, "has": true, "have": true, "had": true,
	"it": true, "its": true, "that": true, "this": true, "these": true, "there": true, "us": true, "we": true, "as": true, "s": true, "my": true, "their": true,
	"printed": true, "shown": true, "stated": true, "written": true, "given": true, "appears": true, "appearing": true, "indicated": true,
	"listed": true, "mentioned": true, "displayed": true, "field": true, "value": true, "please": true, "extract": true, "read": true,
	"page": true, "top": true, "bottom": true, "corner": true, "header": true,
	"qui": true, "que": true, "est": true, "wer": true, "ist": true, "quien": true, "chi": true, "wie": true, "kto": true, "jest": true,
}

// vagueWords name no concept on their own: a field "name" or "address"
// says nothing of whose it is.
var vagueWords = map[string]bool{
	"name": true, "address": true, "number": true, "id": true, "code": true, "amount": true, "value": true,
	"reference": true, "document": true, "invoice": true, "account": true, "type": true, "from": true, "to": true,
}

// vague reports whether every content word of toks is vague.
func (v *vocabulary) vague(toks []string) bool {
	ws, _ := v.canonWords(toks)
	for _, w := range ws {
		if !vagueWords[w] {
			return false
		}
	}
	return len(ws) > 0
}

// vocabulary is what the resolver knows: every word of the lexicon's
// terms and glosses.
type vocabulary struct {
	words map[string]bool
	// byPrefix indexes the words of five letters or more by their first
	// four, byLen those of six or more by length, each sorted, for
	// inflections and typos.
	byPrefix map[string][]string
	byLen    map[int][]string
}

// known reports whether w is a word of the lexicon or a synonym.
func (v *vocabulary) known(w string) bool {
	_, syn := synonyms[w]
	return v.words[w] || syn
}

// canonWord returns the canonical words that w stands for, and whether
// they were found only by an inflection (a looser match).
func (v *vocabulary) canonWord(w string) ([]string, bool) {
	if s, ok := synonyms[w]; ok {
		return s, false
	}
	if v.words[w] || len(w) < 4 {
		return []string{w}, false
	}
	// German written without umlauts: "faelligkeit", "waehrung".
	if t := strings.NewReplacer("ae", "a", "oe", "o", "ue", "u").Replace(w); t != w {
		if ws, fuzzy := v.canonWord(t); v.allKnown(ws) {
			return ws, fuzzy
		}
	}
	for _, suf := range []string{"s", "es"} {
		if t, ok := strings.CutSuffix(w, suf); ok && len(t) >= 3 && v.known(t) {
			return v.canonWord(t)
		}
	}
	if parts := v.decompound(w); parts != nil {
		var out []string
		for _, p := range parts {
			ws, _ := v.canonWord(p)
			out = append(out, ws...)
		}
		return out, false
	}
	if k := v.inflected(w); k != "" {
		ws, _ := v.canonWord(k)
		return ws, true
	}
	if k := v.typo(w); k != "" {
		ws, _ := v.canonWord(k)
		return ws, true
	}
	return []string{w}, false
}

// typo returns the known word of six letters or more that w misspells by
// one letter inserted, dropped, replaced or two letters swapped
// ("invioce"), the first in alphabetical order; "" when none.
func (v *vocabulary) typo(w string) string {
	if len(w) < 6 {
		return ""
	}
	best := ""
	for n := len(w) - 1; n <= len(w)+1; n++ {
		for _, k := range v.byLen[n] {
			if (oneEdit(w, k) || swapped(w, k)) && (best == "" || k < best) {
				best = k
				break
			}
		}
	}
	return best
}

// swapped reports whether a is b with two neighbouring letters swapped.
func swapped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

func (v *vocabulary) allKnown(ws []string) bool {
	for _, w := range ws {
		if !v.known(w) {
			return false
		}
	}
	return len(ws) > 0
}

// links join the parts of a German or Dutch compound ("Rechnung-s-nummer",
// "Lieferant-en-name").
var links = []string{"", "s", "en", "n", "e", "es"}

// decompound cuts a compound into known words, the longest first part
// first, or returns nil.
func (v *vocabulary) decompound(w string) []string {
	if len(w) < 5 {
		return nil
	}
	for i := len(w) - 2; i >= 3; i-- {
		head := w[:i]
		if !v.known(head) {
			continue
		}
		for _, l := range links {
			rest, ok := strings.CutPrefix(w[i:], l)
			if !ok || len(rest) < 2 {
				continue
			}
			if v.known(rest) {
				return []string{head, rest}
			}
			if tail := v.decompound(rest); tail != nil {
				return append([]string{head}, tail...)
			}
		}
	}
	return nil
}

// inflected returns the known word that w differs from only in its
// ending ("sprzedawcy" for "sprzedawca", "lieferanten" for "lieferant"):
// both have five letters or more, lengths within two, and share all but
// the last two letters of the shorter; "" when none does.
func (v *vocabulary) inflected(w string) string {
	if len(w) < 5 {
		return ""
	}
	best, bestLen := "", 0
	for _, k := range v.byPrefix[w[:4]] {
		if len(k)-len(w) > 2 || len(w)-len(k) > 2 {
			continue
		}
		p := commonPrefix(k, w)
		if p >= max(4, min(len(k), len(w))-2) && (p > bestLen || (p == bestLen && k < best)) {
			best, bestLen = k, p
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// canonWords turns normalised tokens into canonical content words: no
// stop words, filler words or numbers. fuzzy marks the words found by
// inflection.
func (v *vocabulary) canonWords(toks []string) (words []string, fuzzy []bool) {
	for _, t := range toks {
		if stopWords[t] || fillerWords[t] || (t != "" && t[0] >= '0' && t[0] <= '9') {
			continue
		}
		ws, f := v.canonWord(t)
		for _, w := range ws {
			words = append(words, w)
			fuzzy = append(fuzzy, f)
		}
	}
	return words, fuzzy
}

// Weights of a concept's words, before they are divided by how widely
// they are shared.
const (
	bagStrong = 1.0  // a word of a strong term
	bagWeak   = 0.6  // a word of a weak term
	bagGloss  = 0.8  // a word of the gloss
	bagParty  = 0.35 // a word of the party the concept belongs to
	bagPart   = 0.7  // factor for a part of a compound term word
	bagFuzzy  = 0.8  // factor for a word matched by its inflection
	bagPhrase = 0.3  // bonus per word of a multi-word term found whole
	bagMin    = 0.5  // the least total weight a concept needs
)

// buildBags fills the canonical terms and the bag of words of every
// concept of a set (defs in the same order), once the vocabulary is known.
func buildBags(v *vocabulary, cs []*concept, defs []conceptDef) {
	for i, c := range cs {
		bag := map[string]float64{}
		put := func(w string, weight float64) {
			if stopWords[w] || fillerWords[w] {
				return
			}
			bag[w] = max(bag[w], weight)
		}
		addTerms := func(terms [][]string, weight float64) {
			for _, t := range terms {
				ws, _ := v.canonWords(t)
				if len(ws) > 0 {
					c.canon = append(c.canon, ws)
				}
				for _, w := range ws {
					put(w, weight)
				}
				for _, raw := range t {
					if parts := v.decompound(raw); parts != nil {
						for _, p := range parts {
							ps, _ := v.canonWord(p)
							for _, w := range ps {
								put(w, weight*bagPart)
							}
						}
					}
				}
			}
		}
		addTerms(c.strong, bagStrong)
		addTerms(c.weak, bagWeak)
		ws, _ := v.canonWords(normTokens(defs[i].gloss))
		for _, w := range ws {
			put(w, bagGloss)
		}
		if c.kind == kindName {
			// A party's value is its name: "Billing address" labels the
			// buyer on a page, but "customer_address" is no buyer's name.
			for w := range addressWords {
				delete(bag, w)
			}
		}
		c.bag = bag
	}
	// The words of a concept's party, from the party's own bag.
	for i, c := range cs {
		for _, p := range cs {
			if p.name != defs[i].party {
				continue
			}
			for w, weight := range p.bag {
				if weight >= bagWeak && !vagueWords[w] && c.bag[w] == 0 {
					c.bag[w] = bagParty
					if c.partyOnly == nil {
						c.partyOnly = map[string]bool{}
					}
					c.partyOnly[w] = true
				}
			}
		}
	}
	// The words of the party of a concept's twin rule it out:
	// "customer_vat_number" is not the seller's VAT number.
	parties := map[string]*concept{}
	for i := range cs {
		for _, p := range cs {
			if p.name == defs[i].party {
				parties[p.name] = p
			}
		}
	}
	for i, c := range cs {
		own := parties[defs[i].party]
		if own == nil || defs[i].twin == "" {
			continue
		}
		for j, t := range cs {
			p := parties[defs[j].party]
			if t.name != defs[i].twin || p == nil || p == own {
				continue
			}
			for w, weight := range p.bag {
				if weight >= bagWeak && own.bag[w] == 0 && (c.bag[w] == 0 || c.partyOnly[w]) && !vagueWords[w] {
					if c.foes == nil {
						c.foes = map[string]bool{}
					}
					c.foes[w] = true
				}
			}
		}
	}
	// A word that many concepts share tells them apart less.
	df := map[string]int{}
	for _, c := range cs {
		for w, weight := range c.bag {
			if weight >= bagWeak {
				df[w]++
			}
		}
	}
	for _, c := range cs {
		for w := range c.bag {
			c.bag[w] /= math.Sqrt(float64(max(df[w], 1)))
		}
	}
}

// newVocabulary collects the words of every term and gloss of defs.
func newVocabulary(defs ...[]conceptDef) *vocabulary {
	v := &vocabulary{words: map[string]bool{}, byPrefix: map[string][]string{}, byLen: map[int][]string{}}
	for _, set := range defs {
		for _, d := range set {
			for _, s := range []string{d.strong, d.weak, d.gloss} {
				for _, w := range normTokens(strings.ReplaceAll(s, "|", " ")) {
					if len(w) >= 2 && !stopWords[w] && !fillerWords[w] {
						v.words[w] = true
					}
				}
			}
		}
	}
	for _, w := range slices.Sorted(maps.Keys(v.words)) {
		if len(w) >= 5 {
			v.byPrefix[w[:4]] = append(v.byPrefix[w[:4]], w)
		}
		if len(w) >= 6 {
			v.byLen[len(w)] = append(v.byLen[len(w)], w)
		}
	}
	return v
}

// understood is what the resolver made of a field: its concept, and
// whether every word of its key is explained by it.
type understood struct {
	con   *concept
	exact bool
}

// understand finds the concept that key and description words (normalised
// tokens) mean among those of set that ok accepts; see the comment at the
// top of this file. The zero value when none qualifies.
func understand(v *vocabulary, key, desc []string, set []*concept, ok func(*concept) bool) understood {
	kw, kf := v.canonWords(key)
	dw, df := v.canonWords(desc)
	// The distinct words, with whether they come from the key and how
	// loosely they matched.
	type word struct {
		inKey, inDesc bool
		fuzzy         bool
	}
	words := map[string]*word{}
	var order []string
	note := func(ws []string, fz []bool, inKey bool) {
		for i, w := range ws {
			e := words[w]
			if e == nil {
				e = &word{fuzzy: true}
				words[w] = e
				order = append(order, w)
			}
			e.fuzzy = e.fuzzy && fz[i]
			if inKey {
				e.inKey = true
			} else {
				e.inDesc = true
			}
		}
	}
	note(kw, kf, true)
	note(dw, df, false)
	if len(order) == 0 {
		return understood{}
	}
	nk, nd := 0, 0
	for _, w := range order {
		if words[w].inKey {
			nk++
		}
		if words[w].inDesc {
			nd++
		}
	}
	// A key or short description that is one of a concept's terms, once
	// both are canonical ("inv_no", "InvoiceDt"), names it.
	for i, p := range [][]string{kw, dw} {
		if len(p) == 0 || (i == 1 && len(p) > 6) {
			continue
		}
		var found *concept
		for _, c := range set {
			if !ok(c) {
				continue
			}
			for _, t := range c.canon {
				if found == nil && equalToks(p, t) {
					found = c
				}
			}
		}
		if found != nil {
			return understood{con: found, exact: true}
		}
	}
	var best understood
	bestScore := 0.0
	for _, c := range set {
		if !ok(c) || c.bag == nil {
			continue
		}
		score := 0.0
		hit, hk, hd := 0, 0, 0
		telling := false
		for _, w := range order {
			weight := c.bag[w]
			if weight == 0 {
				continue
			}
			telling = telling || (!vagueWords[w] && !c.partyOnly[w])
			if words[w].fuzzy {
				weight *= bagFuzzy
			}
			score += weight
			hit++
			if words[w].inKey {
				hk++
			}
			if words[w].inDesc {
				hd++
			}
		}
		for _, t := range c.canon {
			if len(t) < 2 {
				continue
			}
			if containsSeq(kw, t) || containsSeq(dw, t) {
				score += bagPhrase * float64(len(t))
			}
			// The words of a term together name the concept, in any
			// order, even when each alone is vague: "número de
			// documento" is "document number".
			if containsAll(kw, t) || containsAll(dw, t) {
				telling = true
			}
		}
		if c.class == classIdent && !identified(c, order) {
			continue
		}
		if slices.ContainsFunc(order, func(w string) bool { return c.foes[w] }) {
			continue
		}
		qualifies := 2*hit > len(order) || (nk > 0 && 2*hk > nk) || (nd > 0 && 2*hd > nd)
		if !qualifies || !telling || score < bagMin {
			continue
		}
		// What a concept leaves unexplained counts against it: "payee_iban"
		// is the IBAN (whose party is the payee), not the payee.
		score *= 0.5 + 0.5*float64(hit)/float64(len(order))
		if score > bestScore+eps {
			best, bestScore = understood{con: c, exact: nk > 0 && hk == nk}, score
		}
	}
	if best.con == nil && nk > 0 && allIn(kw, partyWords) && allIn(dw, partyWords) && !allIn(kw, nameOnly) {
		// A party named without saying which ("company", "business
		// name") is the document's own: its issuer.
		for _, c := range set {
			if c.name == "seller" && ok(c) {
				return understood{con: c, exact: true}
			}
		}
	}
	return best
}

// partyWords name a party without saying which.
var partyWords = map[string]bool{
	"company": true, "business": true, "firm": true, "organisation": true, "organization": true, "name": true,
	"entreprise": true, "societe": true, "raison": true, "sociale": true, "social": true, "unternehmen": true, "firma": true,
	"empresa": true, "razon": true, "azienda": true, "ragione": true, "bedrijf": true,
}

// nameOnly: a bare "name" says too little to be the seller's.
var nameOnly = map[string]bool{"name": true}

func allIn(ws []string, set map[string]bool) bool {
	for _, w := range ws {
		if !set[w] {
			return false
		}
	}
	return true
}

// addressWords name an address, which no party's name is.
var addressWords = map[string]bool{
	"address": true, "adresse": true, "anschrift": true, "direccion": true, "indirizzo": true, "adres": true, "endereco": true,
	"street": true, "city": true, "zip": true, "postcode": true, "country": true,
}

// identified reports whether words ask for an identifier of concept c: a
// word such as "number" or "id", or a word that is one of c's terms on
// its own ("iban", "siret"). "company" alone is no company number.
func identified(c *concept, words []string) bool {
	for _, w := range words {
		if identWords[w] {
			return true
		}
		for _, t := range c.canon {
			if len(t) == 1 && t[0] == w {
				return true
			}
		}
	}
	return false
}

// containsAll reports whether every word of set occurs in ws.
func containsAll(ws, set []string) bool {
	for _, w := range set {
		if !slices.Contains(ws, w) {
			return false
		}
	}
	return true
}

// containsSeq reports whether seq occurs in ws as consecutive words.
func containsSeq(ws, seq []string) bool {
	for i := 0; i+len(seq) <= len(ws); i++ {
		if equalToks(ws[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

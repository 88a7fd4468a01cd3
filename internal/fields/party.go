package fields

import (
	"math"
	"regexp"
	"strings"
	"unicode"
)

// Parties: the seller's and the buyer's names. A name is one line of
// text, not a number, date, address or e-mail; a legal form ("GmbH",
// "B.V.", "Inc.") marks it clearly and ends it, so that what follows on
// the same line ("e-Luscious Nederland B.V. iov Saeco.com") is dropped.

// legalForms are company legal forms as token sequences. distinctive
// ones count in any case; the others ("AG", "SA", "BV") only written in
// capitals or with dots, as they are also words ("as", "sa").
var legalForms = func() map[string][][]string {
	m := map[string][][]string{}
	add := func(list string, distinctive bool) {
		for _, f := range strings.Split(list, "|") {
			toks := normTokens(f)
			k := "short"
			if distinctive {
				k = "distinctive"
			}
			m[k] = append(m[k], toks)
		}
	}
	add("gmbh|gmbh co kg|ltd|limited|inc|incorporated|llc|llp|plc|corp|corporation|sarl|eurl|sprl|bvba|pvt ltd|pvt|pty ltd|kft|gbr|ohg|kgaa|sp z o o|spolka akcyjna|spolka z o o|private limited|sdn bhd|bhd|berhad|sendirian berhad|pte ltd", true)
	add("ag|kg|sa|sas|sl|slu|bv|nv|as|ab|oy|se|ug|vof|srl|spa|s a|s l|b v|n v|s r l|s p a|s a s|e k|s l u|co kg|s b", false)
	return m
}()

// legalFormEnd returns the byte offset in s where the first legal form
// after at least one word of a name ends (a dot right after it included).
func legalFormEnd(s string, toks []token) (int, bool) {
	for i := 1; i < len(toks); i++ {
		if end, ok := legalFormAt(s, toks, i); ok {
			return end, true
		}
	}
	return 0, false
}

// legalFormAt returns where the longest legal form that starts at token i
// of s ends (a dot right after it included).
func legalFormAt(s string, toks []token, i int) (int, bool) {
	best := 0
	for kind, forms := range legalForms {
		for _, f := range forms {
			j := i + len(f)
			if j > len(toks) || !tokensAre(toks[i:j], f) || !standsAlone(s, toks, i, j) {
				continue
			}
			// The form must end a word: "AG" not inside "AGENCY".
			if j < len(toks) && toks[j].start == toks[j-1].end {
				continue
			}
			orig := s[toks[i].start:toks[j-1].end]
			if kind == "short" && strings.IndexFunc(orig, unicode.IsLower) >= 0 && !strings.Contains(orig, ".") {
				continue
			}
			best = max(best, j)
		}
	}
	if best == 0 {
		return 0, false
	}
	end := toks[best-1].end
	if end < len(s) && s[end] == '.' {
		end++
	}
	return end, true
}

// misreadSdn is "SDN BHD" (sendirian berhad, the Malaysian private
// limited company) ending a name, with its D read as an O or a zero (or
// its N as an I):
// Tesseract does so on about a third of the SDN BHD of the SROIE training
// receipts (10 of 33 in the two readings of the first 40).
// Its D may also come back as an I, or as two ("SIN BHD", "SIIN BHD").
var misreadSdn = regexp.MustCompile(`(^|[\s)])([Ss])(?:[Oo0DdAaIi1l]|[Ii1l]{2})([Nn]|[Ii1l])([.,]?\s+[Bb][Hh][Dd]\.?)$`)

// misreadSB is "S/B", short for SDN BHD, ending a name with its S read as
// a 5 or a dollar sign, or its B as an 8 or an R.
var misreadSB = regexp.MustCompile(`(\s)[5$S]/[8BR]\.?$`)

// leadingNumber is a number of five digits or more that a name's line
// begins with, a receipt's or a till's ("#000002 BAIFU (M) Sdn Bhd").
var leadingNumber = regexp.MustCompile(`^\d{5,}\s+\pL`)

// misreadBhd is "BHD" ending a name with its B read as a 3, an 8 or an
// R ("Sdn.Rhd"), and splitBhd one with a space before its D ("SDN BH D").
var (
	misreadBhd = regexp.MustCompile(`(\s[Ss][Dd][Nn][.,]?\s*)[38Rr]([Hh][Dd]\.?)$`)
	splitBhd   = regexp.MustCompile(`(\s[Ss][Dd][Nn][.,]?\s*[Bb][Hh])\s+([Dd]\.?)$`)
)

// nameInsert is what stands inside a name but is not part of it: a
// registration number in brackets ("YONG TAT (JM0292487-D) HARDWARE
// TRADING"), or a word in Han characters, which OCR makes of a logo.
var nameInsert = regexp.MustCompile(`\s*[(（][A-Za-z]{0,3}\d[A-Za-z0-9./ -]*[)）]|\s*\p{Han}+`)

// bracketSpace is space OCR reads inside brackets: "( SUNGAI RENGIT )".
var bracketSpace = regexp.MustCompile(`([(（])\s+|\s+([)）])`)

// dropInserts removes the inserts of a name (nameInsert) that have words
// before them, and the space inside its brackets.
func dropInserts(s string) string {
	s = bracketSpace.ReplaceAllString(s, "$1$2")
	out := nameInsert.ReplaceAllStringFunc(s, func(m string) string {
		if strings.TrimSpace(m) == strings.TrimSpace(s) {
			return m
		}
		return " "
	})
	if strings.TrimSpace(out) == "" {
		return s
	}
	return strings.Join(strings.Fields(out), " ")
}

// mendLegalForm puts right an OCR misreading of the legal form that ends
// name: "SON BHD", "Sdi Bhd" and "San Bhd" are "SDN BHD" and "Sdn Bhd"
// (but "& SON BHD" stays), alone too (a legal form alone is no name:
// parseName refuses it once mended); "SDN 3HD", "Sdn.Rhd" and "SDN BH D"
// are "SDN BHD" and "Sdn.Bhd"; "5/B" and "S/R" are "S/B".
func mendLegalForm(name string) string {
	name = splitBhd.ReplaceAllString(name, "$1$2")
	if m := misreadBhd.FindStringSubmatchIndex(name); m != nil {
		name = name[:m[3]] + "B" + name[m[4]:]
	}
	if m := misreadSB.FindStringSubmatchIndex(name); m != nil {
		dot := ""
		if strings.HasSuffix(name, ".") {
			dot = "."
		}
		name = name[:m[3]] + "S/B" + dot
	}
	m := misreadSdn.FindStringSubmatchIndex(name)
	if m == nil {
		return name
	}
	if before := strings.Fields(name[:m[0]]); len(before) > 0 {
		if last := strings.ToLower(before[len(before)-1]); last == "&" || last == "and" {
			return name
		}
	}
	dn := "DN"
	if n := name[m[6]:m[7]]; n == "n" || n == "i" {
		dn = "dn"
	}
	return name[:m[5]] + dn + name[m[7]:]
}

// parseName reads a party's name: fit 1 when a legal form ends it, 0.8
// for up to six words of text without one. A receipt's number before it
// (leadingNumber), inserts (dropInserts) and a misread legal form
// (mendLegalForm) are put right first.
func parseName(s string) (string, float64, bool) {
	s = cleanRest(s)
	if leadingNumber.MatchString(s) {
		s = strings.TrimSpace(s[strings.IndexAny(s, " \t"):])
	}
	s = mendLegalForm(dropInserts(s))
	low := strings.ToLower(s)
	if s == "" || strings.HasSuffix(s, ":") || strings.HasPrefix(s, "(") || strings.ContainsRune(s, '@') ||
		strings.Contains(low, "www.") || strings.Contains(low, "http") {
		return "", 0, false
	}
	toks := tokenize(s)
	alpha, digits := 0, 0
	for _, t := range toks {
		switch {
		case !t.alpha:
			digits++
		case len(t.norm) > 1:
			alpha++
		}
	}
	if alpha == 0 || digits > alpha || onlyTerms(s, toks) {
		return "", 0, false
	}
	// A name does not begin with a legal form: "AG Mitte" is what a label
	// left of "Kunden AG Mitte" ("Kunden", customer) leaves; nor is a
	// legal form behind its leading words a name ("CO. (M) SDN BHD", the
	// second line of "POPULAR BOOK" / "CO. (M) SDN BHD").
	lead := 0
	for lead < len(toks)-1 && formLeads[toks[lead].norm] {
		lead++
	}
	if _, ok := legalFormAt(s, toks, lead); ok {
		return "", 0, false
	}
	if end, ok := legalFormEnd(s, toks); ok {
		name := mendLegalForm(strings.TrimRight(strings.TrimSpace(s[:end]), ",;-"))
		if len(strings.Fields(name)) <= 7 {
			return name, 1, true
		}
		return "", 0, false
	}
	if m := coEnd.FindString(s); m != "" && !strings.ContainsAny(m, "0123456789") && len(strings.Fields(m)) <= 7 {
		return strings.TrimSpace(m[:len(m)-1]), 1, true
	}
	if len(strings.Fields(s)) > 6 || digits > 0 {
		return "", 0, false
	}
	if _, _, _, ok := parseAmount(s, false); ok {
		return "", 0, false
	}
	if _, ok := leadingDate(s, dayFirst); ok {
		return "", 0, false
	}
	return strings.TrimRight(s, ",;-"), 0.8, true
}

// sellerWordInName reports whether the only strong terms c holds are a
// seller's, after its first word: a word of the name, not a label
// ("AMTECH ELECTRICAL SUPPLIES", which reads as "supplier").
func sellerWordInName(c *cell) bool {
	strong := false
	for _, cl := range c.claims {
		if cl.weak {
			continue
		}
		if cl.c.name != "seller" || cl.start == 0 {
			return false
		}
		strong = true
	}
	return strong
}

// coEnd matches a name that "CO." or "CO" (company) ends, after at least
// one word, and the first letter of the words that follow it: "EIGHT
// OUNCE COFFEE CO. THE GARDENS MALL" is "EIGHT OUNCE COFFEE CO.", what
// follows it its outlet. A bracket after it goes on with the name ("AEON
// CO. (M) BHD"), and a "CO." that ends its line may have its legal form
// on the next.
var coEnd = regexp.MustCompile(`^\S.*?\s(?:CO|Co)\.?\s+[^(\s]`)

// fieldWords name the lines of a party's block ("Nummer: 339420",
// "Name:", "Anschrift:"), folded: alone, they are labels, not names.
var fieldWords = wordSet("nummer number numero num nr no name trade nom nombre naam anschrift address adresse direccion telefon telephone tel phone fax email mail datum date contact kontakt")

// onlyTerms reports whether every word of s of two letters or more is a
// legal form, part of a term of a built-in concept or a field's word: a
// title ("INVOICE"), a label, "Ltd" alone.
func onlyTerms(s string, toks []token) bool {
	covered := make([]bool, len(toks))
	for i, t := range toks {
		covered[i] = fieldWords[t.norm]
	}
	for _, cl := range findClaims(s, toks) {
		for i := cl.start; i < cl.end; i++ {
			covered[i] = true
		}
	}
	for _, forms := range legalForms {
		for _, f := range forms {
			for i := 0; i+len(f) <= len(toks); i++ {
				if tokensAre(toks[i:i+len(f)], f) {
					for j := i; j < i+len(f); j++ {
						covered[j] = true
					}
				}
			}
		}
	}
	for i, t := range toks {
		if t.alpha && len(t.norm) > 1 && !covered[i] {
			return false
		}
	}
	return true
}

// Seller's name without a label. The candidates are the name-like cells
// among the first nameTopLines lines of the first page and the last
// nameFootLines lines of the last page, outside the block of a buyer's
// label ("Bill to"), holding no term of any concept. Each is described by
// the features below, and ranked by a conditional logit whose weights
// (sellerWeights, calibration_table.go) are fitted on synthetic invoices
// by TestCalibrate: the score of a candidate is its probability of being
// the seller among the document's candidates.
const (
	nameTopLines  = 10
	nameFootLines = 8
)

// Features of a seller-name candidate.
const (
	featLegal    = iota // a legal form ends it
	featFirst           // the first candidate in reading order
	featBlockTop        // nothing right above it
	featRepeated        // its text comes back elsewhere in the document
	featAddress         // an address-like cell right under it
	featFooter          // among the last lines, not the first
	featOneWord         // a single word
	featLinePos         // its line's position among the first lines, 0 to 1
	numNameFeatures
)

// nameCandidate is one possible seller's name.
type nameCandidate struct {
	value string
	ln    *line
	fit   float64
	feats [numNameFeatures]float64
}

// sellerCandidates lists the seller-name candidates of the document.
func (x *extractor) sellerCandidates() []nameCandidate {
	lines := x.lay.lines
	if len(lines) == 0 {
		return nil
	}
	buyer := x.partyBlocks("buyer", "ship_to")
	lastPage := lines[len(lines)-1].page
	var region []*line
	for _, ln := range lines {
		if ln.page == 0 && ln.index < nameTopLines {
			region = append(region, ln)
		}
	}
	for i := max(0, len(lines)-nameFootLines); i < len(lines); i++ {
		if ln := lines[i]; ln.page == lastPage && ln.index >= nameTopLines {
			region = append(region, ln)
		}
	}
	all := x.lay.text()
	var out []nameCandidate
	for _, ln := range region {
		cells := ln.cells
		if jc := joinedName(ln, buyer); jc != nil {
			cells = append(cells[:len(cells):len(cells)], jc)
		}
		for _, c := range cells {
			if c.namesConcept() && !sellerWordInName(c) || c.isLabel() || buyer[c] {
				continue
			}
			ocr := c.words[0].ocr
			text := c.text
			if ocr {
				text = mendName(dropInnerDate(text))
			}
			v, fit, ok := parseName(text)
			if !ok {
				continue
			}
			if fit < 1 {
				// A long name may carry its legal form on the next line
				// ("PASARAYA BORONG PINTAR" / "SDN BHD"), or go on there
				// after an "&".
				if form, ok := x.legalFormBelow(ln, c); ok {
					v, fit = v+" "+form, 1
				} else if trade, ok := x.tradeWordsBelow(ln, c); ok {
					v += " " + trade
				} else if jv, jfit, ok := x.nameBelow(ln, c); ok {
					v, fit = jv, jfit
				}
			}
			if jv, ok := x.nameAbove(ln, c, v); ok {
				v = jv
			}
			if ocr {
				v = x.pageVote(mendName(v), ln)
			}
			nc := nameCandidate{value: v, ln: ln, fit: fit}
			f := &nc.feats
			f[featLegal] = b2f(fit == 1)
			f[featFirst] = b2f(len(out) == 0)
			f[featBlockTop] = b2f(x.blockTop(ln, c))
			f[featRepeated] = b2f(strings.Count(all, strings.ToLower(v)) > 1)
			f[featAddress] = b2f(x.addressBelow(ln, c))
			f[featFooter] = b2f(ln.index >= nameTopLines)
			f[featOneWord] = b2f(len(strings.Fields(v)) == 1)
			f[featLinePos] = min(float64(ln.index)/nameTopLines, 1)
			out = append(out, nc)
		}
	}
	return out
}

// joinedName returns ln's words as one cell when they read as a name
// ended by a legal form and ln holds more than one cell: OCR sets the
// words of a name printed in spaced capitals far apart ("MR." "D.I.Y."
// "SDN BHD"), and no cell alone is the name. Nil otherwise.
func joinedName(ln *line, buyer map[*cell]bool) *cell {
	if len(ln.cells) < 2 {
		return nil
	}
	var ws []word
	for _, c := range ln.cells {
		if buyer[c] || c.isLabel() {
			return nil
		}
		ws = append(ws, c.words...)
	}
	if len(ws) > 8 {
		return nil
	}
	jc := newCell(ws)
	if _, fit, ok := parseName(jc.text); !ok || fit < 1 {
		return nil
	}
	return jc
}

// dropInnerDate removes a date (and its time) that OCR read into the
// middle of a name, when only the name's legal form follows it: a
// receipt's date printed beside its store's name ("UNIHAKKA
// INTERNATIONAL 09 Apr 2018 18:26 SDN BHD").
func dropInnerDate(s string) string {
	f := fold(s)
	if len(f) != len(s) {
		return s // offsets into the folded text would not hold
	}
	m, ok := findDate(s, dayFirst)
	if !ok || m.start == 0 {
		return s
	}
	end := m.end
	if t := reTime.FindString(f[end:]); t != "" {
		end += len(t)
	}
	before, after := strings.TrimSpace(s[:m.start]), strings.TrimSpace(s[end:])
	toks := tokenize(after)
	if before == "" || len(toks) == 0 {
		return s
	}
	if e, ok := legalFormAt(after, toks, 0); !ok || strings.TrimSpace(after[e:]) != "" {
		return s
	}
	return before + " " + after
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// sellerName offers every seller-name candidate with its probability
// under the fitted conditional logit.
func (x *extractor) sellerName(s *spec, p *picker) {
	cands := x.sellerCandidates()
	probs := nameProbabilities(cands, sellerWeights)
	for i, nc := range cands {
		cd := unlabelled(nc.value, probs[i], nc.fit, srcFallback, nc.ln)
		cd.nameProb = probs[i]
		p.offer(cd, nc.ln)
	}
}

// nameProbabilities returns the softmax of the candidates' linear scores.
func nameProbabilities(cands []nameCandidate, w [numNameFeatures]float64) []float64 {
	out := make([]float64, len(cands))
	top := math.Inf(-1)
	for i, nc := range cands {
		for j, f := range nc.feats {
			out[i] += w[j] * f
		}
		top = max(top, out[i])
	}
	sum := 0.0
	for i := range out {
		out[i] = math.Exp(out[i] - top)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// partyBlocks marks the cells of the blocks that follow a label of the
// named concepts: the label's own cell and the cells under it, down to a
// blank line, at most six lines.
func (x *extractor) partyBlocks(names ...string) map[*cell]bool {
	out := map[*cell]bool{}
	for _, ln := range x.lay.lines {
		for _, c := range ln.cells {
			cl, ok := rowLabel(c)
			if !ok {
				continue
			}
			hit := false
			for _, n := range names {
				hit = hit || cl.c.name == n
			}
			if !hit {
				continue
			}
			out[c] = true
			for _, nl := range x.lay.below(ln, 6) {
				if nl.gap {
					break
				}
				bc := nl.overlapping(c.x0, c.x1, ln.cw)
				if bc == nil {
					break
				}
				out[bc] = true
			}
		}
	}
	return out
}

// blockTop reports whether nothing stands above c in the line before ln
// (or a blank line separates them).
func (x *extractor) blockTop(ln *line, c *cell) bool {
	if ln.index == 0 || ln.gap {
		return true
	}
	prev := x.lay.lines[ln.index-1]
	return prev.page != ln.page || prev.overlapping(c.x0, c.x1, 0) == nil
}

// legalFormBelow returns the cell under c in the next line when it holds
// nothing but a legal form.
func (x *extractor) legalFormBelow(ln *line, c *cell) (string, bool) {
	for _, nl := range x.lay.below(ln, 1) {
		bc := nl.overlapping(c.x0, c.x1, 0)
		if bc == nil {
			continue
		}
		// The whole line first: OCR may set "CO." and "(M) SDN BHD" apart.
		for _, t := range []string{nl.text(), bc.text} {
			t = cleanRest(t)
			toks := tokenize(t)
			if len(toks) > 5 {
				continue
			}
			i := 0
			for i < len(toks)-1 && formLeads[toks[i].norm] {
				i++
			}
			if end, ok := legalFormAt(t, toks, i); ok && end >= len(t) {
				return t, true
			}
		}
	}
	return "", false
}

// tradeWordsBelow returns the cell under c in the next line when c is a
// name in capitals and that cell holds nothing but one or two words of
// trade in capitals: a name set over two lines ("TSH POWER HARDWARE" /
// "TRADING").
func (x *extractor) tradeWordsBelow(ln *line, c *cell) (string, bool) {
	if !allCapitals(c.text) {
		return "", false
	}
	for _, nl := range x.lay.below(ln, 1) {
		bc := nl.overlapping(c.x0, c.x1, 0)
		if bc == nil || len(nl.cells) != 1 {
			continue
		}
		t := strings.TrimRight(strings.TrimSpace(bc.text), ".,")
		words := strings.Fields(t)
		if len(words) == 0 || len(words) > 2 || !allCapitals(t) {
			return "", false
		}
		for _, w := range words {
			if !tradeWords[strings.ToLower(w)] {
				return "", false
			}
		}
		return t, true
	}
	return "", false
}

// allCapitals reports whether s has letters and every one of them is a
// capital.
func allCapitals(s string) bool {
	return strings.IndexFunc(s, unicode.IsUpper) >= 0 && strings.IndexFunc(s, unicode.IsLower) < 0
}

// formLeads are the words that may stand before the legal form on the
// line under a name: "POPULAR BOOK" / "CO. (M) SDN BHD", where (M) is
// Malaysia.
var formLeads = wordSet("co company m malaysia")

// nameBelow returns c's name joined with the cell under it, when c ends
// with "&" and so goes on ("HOME MASTER HARDWARE &" / "ELECTRICAL").
func (x *extractor) nameBelow(ln *line, c *cell) (string, float64, bool) {
	if !strings.HasSuffix(strings.TrimSpace(c.text), "&") {
		return "", 0, false
	}
	for _, nl := range x.lay.below(ln, 1) {
		if bc := nl.overlapping(c.x0, c.x1, 0); bc != nil && len(bc.toks) <= 5 && !bc.isLabel() {
			return parseName(strings.TrimSpace(c.text) + " " + cleanRest(bc.text))
		}
	}
	return "", 0, false
}

// nameAbove returns name, read from c, joined after the line above c
// when name begins with "&" and so goes on from the line above
// ("SKCA HARDWARE" / "& TIMBER SDN. BHD."): the line above, over c, must
// be a few words of text, with no digit, no label and no term of a
// concept.
func (x *extractor) nameAbove(ln *line, c *cell, name string) (string, bool) {
	if !strings.HasPrefix(name, "&") {
		return "", false
	}
	for _, pl := range x.lay.above(ln, 1) {
		if pl.overlapping(c.x0, c.x1, 0) == nil {
			continue
		}
		// The whole line: OCR may set the words of a name in spaced
		// capitals apart ("GH" "DISTRIBUTOR").
		n := 0
		for _, ac := range pl.cells {
			if ac.isLabel() || ac.namesConcept() {
				return "", false
			}
			for _, t := range ac.toks {
				if !t.alpha {
					return "", false
				}
				n++
			}
		}
		if n == 0 || n > 5 {
			return "", false
		}
		return strings.TrimSpace(pl.text()) + " " + name, true
	}
	return "", false
}

// addressBelow reports whether the cell under c in the next line holds
// digits and letters, as a street or a postcode and town do.
func (x *extractor) addressBelow(ln *line, c *cell) bool {
	for _, nl := range x.lay.below(ln, 1) {
		if bc := nl.overlapping(c.x0, c.x1, 0); bc != nil {
			letters, digits := false, false
			for _, t := range bc.toks {
				letters = letters || (t.alpha && len(t.norm) > 1)
				digits = digits || !t.alpha
			}
			return letters && digits
		}
	}
	return false
}

// text returns the layout's text in lower case, one line a line, for
// counting repetitions.
func (lay *layout) text() string {
	var b strings.Builder
	for _, ln := range lay.lines {
		for _, c := range ln.cells {
			b.WriteString(strings.ToLower(c.text))
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return b.String()
}

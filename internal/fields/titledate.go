package fields

import (
	"slices"
	"strings"
)

// A document's title line often carries its date after its number:
// "Rechnung Nr. RE-506 vom 18.11.2017", "Facture n° F2018-27 du
// 31/12/2018", "Invoice No. 42 dated 24 May 2026". A date that follows a
// connective right after the document number's label in the same cell is
// the document's date, as if a date label stood before it.

// dateConnectives stand between a document's number and its date, folded.
var dateConnectives = wordSet("vom du dated of del van dd z dnia den")

// The title line names the document's kind before the number's label,
// also a kind the lexicon has no label for: "Baurechnung (204) Nr.
// 181301674 vom 25.12.2025", "Schlussrechnung Bau (877) Nr. ...",
// "Gutschrift Nr. ...". titleWords are such kinds, folded (the lexicon's
// own, "Rechnung", "invoice", are found as its claims); a German compound
// ending in "rechnung" (Teil-, Schluss-, Abschlags-, Beitragsrechnung) is
// one too. numberLabels are the number's labels, folded ("n°" is "no").
var (
	titleWords   = wordSet("bill gutschrift rechnungskorrektur avoir creditnota")
	numberLabels = wordSet("nr no nummer number numero num")
)

// isTitleWord reports whether the folded token names a kind of document.
func isTitleWord(norm string) bool {
	const compound = "rechnung"
	return titleWords[norm] || len(norm) > len(compound)+2 && strings.HasSuffix(norm, compound)
}

// titleNumber returns the index in c's tokens of the document number's
// first token: right after the invoice number's label, or after a number
// label that follows a kind of document within three tokens (a code in
// brackets or a word between: "Schlussrechnung Bau (877) Nr."); -1 when
// c has neither.
func titleNumber(c *cell) int {
	for _, cl := range c.claims {
		if cl.c.name == "invoice_number" {
			return cl.end
		}
	}
	for i, t := range c.toks {
		if !t.alpha || !isTitleWord(t.norm) {
			continue
		}
		for j := i + 1; j < len(c.toks) && j <= i+3; j++ {
			if numberLabels[c.toks[j].norm] {
				return j + 1
			}
		}
	}
	return -1
}

// titleDate offers the date of the title line to an issue date's field.
func (x *extractor) titleDate(s *spec, p *picker) {
	if s.con == nil || !s.con.issueDate {
		return
	}
	for _, ln := range x.lay.lines {
		for _, c := range ln.cells {
			num := titleNumber(c)
			// The number follows its label; the connective follows the
			// number, the date the connective.
			if num < 0 || num+2 >= len(c.toks) {
				continue
			}
			for i := num + 1; i < len(c.toks)-1 && i <= num+4; i++ {
				if !dateConnectives[c.toks[i].norm] {
					continue
				}
				// A number has digits: "Rechnung gemäß Abrechnung vom
				// 21.11.2025" names no number, and its date is another
				// document's.
				if !slices.ContainsFunc(c.toks[num:i], func(t token) bool { return !t.alpha }) {
					break
				}
				rest := c.text[c.toks[i].end:]
				m, ok := findDate(rest, x.order)
				if !ok || m.start > 2 {
					break
				}
				if v, fit, ok := x.fit(s, rest[byteOffset(rest, m.start):], false, false); ok {
					p.offer(atLabel(v, strengthStrong, 1, fit, 1, ln), ln)
				}
				break
			}
		}
	}
}

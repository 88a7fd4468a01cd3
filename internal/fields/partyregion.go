package fields

import (
	"slices"
	"strings"
)

// A party's name is often printed in a block that the party's label heads,
// behind a label of its own: "Verkäufer" then, a few lines below, "Name:
// Lieferant GmbH"; "Buyer" then "Company: ACME Ltd". A flat field such as
// seller_name reads it there, as seller.name would.

// nameLabels are the labels of a name inside a party's block, folded.
var nameLabels = wordSet("name nom nombre naam nome nazwa firma company firmenname raison razon denominazione ragione empresa entreprise societe unternehmen bedrijf azienda")

// partyBlockLines is how far below a party's label its block may go.
const partyBlockLines = 8

// partyName offers the name read behind a name label inside the blocks
// that s's party label heads.
func (x *extractor) partyName(s *spec, p *picker) {
	if s.con == nil || (s.con.name != "seller" && s.con.name != "buyer") {
		return
	}
	for _, ln := range x.lay.lines {
		for _, c := range ln.cells {
			cl, ok := rowLabel(c)
			if !ok || cl.c != s.con || cl.weak || !headsBlock(c, cl) {
				continue
			}
			x.nameInBlock(s, ln, p)
		}
	}
}

// nameInBlock looks for a name label in the lines below the anchor line;
// without one, the block's first line that reads as a name with a legal
// form is its name ("Verkäufer:" / "Nummer: 549910" / "MUSTERLIEFERANT
// GMBH").
func (x *extractor) nameInBlock(s *spec, anchor *line, p *picker) {
	var bare *candidate
	defer func() {
		if bare != nil {
			p.offer(*bare, bare.ln)
		}
	}()
	for k, ln := range x.lay.below(anchor, partyBlockLines) {
		if k > 0 && x.headsOtherParty(s, ln) {
			return
		}
		// A name with a legal form may start with a word that is also a
		// label ("Lieferant GmbH"); a label proper ends with a colon or
		// has no legal form.
		if bare == nil && len(ln.cells) > 0 && !strings.HasSuffix(ln.cells[0].text, ":") {
			if v, fit, ok := parseLabelledName(ln.cells[0].text); ok && fit >= 1 {
				cd := atLabel(v, strengthWeak, placeBelow-0.05*float64(min(k, 3)), fit, 1, ln)
				bare = &cd
			}
		}
		for ci, c := range ln.cells {
			if len(c.toks) == 0 || !nameLabels[c.toks[0].norm] || len(c.toks) > 3 {
				continue
			}
			// The name stands after the label in its cell, or in the
			// next cell.
			text := cleanRest(c.text[c.toks[len(c.toks)-1].end:])
			if text == "" && ci+1 < len(ln.cells) {
				text = ln.cells[ci+1].text
			}
			if v, fit, ok := parseLabelledName(text); ok {
				place := placeBelow - 0.02*float64(k)
				p.offer(atLabel(v, strengthStrong, place, fit, 1, ln), ln)
				bare = nil
				return
			}
		}
	}
}

// headsBlock reports whether the party label cl, which starts c, heads a
// block rather than labelling one detail of the party: "Verkäufer",
// "Käufer/Leistungsempfänger" and "Verkäufer: Lieferant GmbH" do,
// "Verkäufer-BIC: BYLADEM1001" does not. Before a colon, every word is
// the party's.
func headsBlock(c *cell, cl claim) bool {
	label, _, colon := strings.Cut(c.text, ":")
	if !colon {
		return true
	}
	// The label's tokens are the first of c's, so c's claims index them.
	n := len(tokenize(label))
	for k := cl.end; k < n; k++ {
		if !slices.ContainsFunc(c.claims, func(o claim) bool { return o.c == cl.c && o.start <= k && k < o.end }) {
			return false
		}
	}
	return true
}

// headsOtherParty reports whether ln starts the block of another party
// than s's.
func (x *extractor) headsOtherParty(s *spec, ln *line) bool {
	for _, c := range ln.cells {
		if cl, ok := rowLabel(c); ok && !cl.weak && cl.c != s.con && (cl.c.name == "seller" || cl.c.name == "buyer" || cl.c.name == "ship_to") {
			return true
		}
	}
	return false
}

// parseLabelledName reads the name that a name label points at: as
// parseName, but words that are also labels ("Lieferant GmbH") are the
// name here, and so are words after a legal form when no digit follows
// ("Kunden AG Mitte").
func parseLabelledName(text string) (string, float64, bool) {
	t := strings.TrimRight(cleanRest(text), ",;-")
	if v, fit, ok := parseName(text); ok {
		if fit == 1 && len(t) > len(v) && strings.HasPrefix(t, v+" ") && !strings.ContainsAny(t, "0123456789@") && len(strings.Fields(t)) <= 6 {
			return t, fit, true
		}
		return v, fit, true
	}
	toks := tokenize(t)
	alpha := 0
	for _, tk := range toks {
		if tk.alpha && len(tk.norm) > 1 {
			alpha++
		}
	}
	if alpha == 0 || strings.HasSuffix(t, ":") || len(strings.Fields(t)) > 7 || strings.ContainsAny(t, "@") {
		return "", 0, false
	}
	if _, ok := legalFormEnd(t, toks); ok {
		return t, 1, true // "Lieferant GmbH": label words and a legal form
	}
	return t, 0.8, true
}

package fields

import (
	"regexp"
	"strings"
)

// A European business letter prints its addressee in an envelope window
// (DIN 5008 in Germany, and its kin elsewhere): a small return-address
// line, "Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen" or "weclapp.com |
// Somestreet 42 | 08155 Some city", then the recipient's name and address
// below it, left-aligned with it. The return line names the sender (the
// seller of an invoice) and the first line below it the recipient (the
// buyer), neither behind any label.

// windowLines is how far down the first page the return line may stand,
// and windowBelow how many lines below it the recipient's name may start.
const (
	windowLines = 30
	windowBelow = 4
)

// returnSep splits a return-address line into its parts.
var returnSep = regexp.MustCompile(`\s*(?:[|●•·∙◦▪]|\s[-–—]\s|,)\s*`)

// postcodeTown is a part that holds a postcode and a town: "12345
// Stadthausen", "D-80333 München", "DE 69876 Frankfurt", "1010 Wien",
// "75018 PARIS".
var postcodeTown = regexp.MustCompile(`^(?:[A-Z]{1,2}[- ]?)?\d{4,5}\s+\p{L}`)

// salutations stand alone above a recipient's name, folded.
var salutations = wordSet("herrn herr frau firma an to mr mrs ms monsieur madame mme m societe messrs attn")

// letterWindow is what a document's address window reads.
type letterWindow struct {
	sender      string // the return line's first part
	senderLn    *line
	recipient   string // the first line below the return line
	recipientLn *line
}

// window finds the document's return-address line and what it and the
// line under it name, once.
func (x *extractor) window() (letterWindow, bool) {
	if x.windowRead {
		return x.win, x.win.senderLn != nil
	}
	x.windowRead = true
	for _, ln := range x.lay.lines {
		if ln.page != 0 || ln.index >= windowLines {
			break
		}
		for _, seg := range segments(ln) {
			sender, ok := returnLine(seg.parts)
			if !ok {
				continue
			}
			name, nl, ok := x.recipient(ln, seg.x0, seg.x1)
			if !ok {
				continue
			}
			x.win = letterWindow{sender: sender, senderLn: ln, recipient: name, recipientLn: nl}
			return x.win, true
		}
	}
	return x.win, false
}

// segment is a run of a line's cells close together (a return line's
// parts are often set apart by separators drawn as graphics, or by wide
// gaps around "●"), with its parts.
type segment struct {
	parts  []string
	x0, x1 float64
}

// segmentGap is the widest gap, in character widths, between two cells of
// one segment.
const segmentGap = 4

func segments(ln *line) []segment {
	var out []segment
	for i, c := range ln.cells {
		var parts []string
		for _, p := range returnSep.Split(strings.TrimSpace(c.text), -1) {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		if i > 0 && c.x0-ln.cells[i-1].x1 < segmentGap*ln.cw {
			s := &out[len(out)-1]
			s.parts = append(s.parts, parts...)
			s.x1 = c.x1
			continue
		}
		out = append(out, segment{parts: parts, x0: c.x0, x1: c.x1})
	}
	return out
}

// returnLine reports whether parts are a return address, three to six
// parts: a name, then a street with its number and a postcode with its
// town; it returns the name. A name that holds a street's or a region's
// word is an address line's first part ("TAMAN DAYA, JALAN 5, 81100
// JOHOR BAHRU"), not a sender.
func returnLine(parts []string) (string, bool) {
	if len(parts) < 3 || len(parts) > 6 {
		return "", false
	}
	town, street := false, false
	for _, p := range parts[1:] {
		switch {
		case postcodeTown.MatchString(p):
			town = true
		case streetNumber.MatchString(p):
			street = true
		}
	}
	if !town || !street || postcodeTown.MatchString(parts[0]) {
		return "", false
	}
	name, _, ok := parseLabelledName(parts[0])
	if !ok || strings.ContainsAny(name, "0123456789") {
		return "", false
	}
	if place, phrase := nameWords(name); place > 0 || phrase > 0 {
		return "", false
	}
	return name, true
}

// streetNumber is a street and its number: "Ecke 12", "Bahnstr. 42a",
// "12 rue de la Paix".
var streetNumber = regexp.MustCompile(`^(?:\p{L}[\p{L}.\- ]*\s?\d{1,4}\s?[a-zA-Z]?|\d{1,4}[a-zA-Z]?,?\s+\p{L}[\p{L}.\-' ]*)$`)

// recipient returns the name on the first line below ln that starts
// under the return line, between x0 and x1, or a little to its left (a
// salutation alone on its line, or before the name, is passed over).
func (x *extractor) recipient(ln *line, x0, x1 float64) (string, *line, bool) {
	for _, nl := range x.lay.below(ln, windowBelow) {
		var c *cell
		for _, cc := range nl.cells {
			if cc.x0 < x1 && cc.x0 > x0-12*nl.cw {
				c = cc
				break
			}
		}
		if c == nil {
			continue
		}
		text := c.text
		toks := tokenize(text)
		if len(toks) > 0 && salutations[toks[0].norm] {
			if len(toks) == 1 {
				continue
			}
			text = cleanRest(text[toks[0].end:])
		}
		if strings.ContainsAny(text, "0123456789@") {
			return "", nil, false
		}
		name, _, ok := parseLabelledName(text)
		return name, nl, ok
	}
	return "", nil, false
}

// windowName offers the name that the address window gives a party: the
// recipient's as a buyer's, the sender's as a seller's.
func (x *extractor) windowName(s *spec, p *picker) {
	if s.con == nil {
		return
	}
	w, ok := x.window()
	if !ok {
		return
	}
	switch s.con.name {
	case "buyer":
		p.offer(atLabel(w.recipient, strengthStrong, placeBelow, 1, 1, w.recipientLn), w.recipientLn)
	case "seller":
		p.offer(atLabel(w.sender, strengthWeak, placeBelow, 1, 1, w.senderLn), w.senderLn)
	}
}

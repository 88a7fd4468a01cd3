package fields

// A document's title line often carries its date after its number:
// "Rechnung Nr. RE-506 vom 18.11.2017", "Facture n° F2018-27 du
// 31/12/2018", "Invoice No. 42 dated 24 May 2026". A date that follows a
// connective right after the document number's label in the same cell is
// the document's date, as if a date label stood before it.

// dateConnectives stand between a document's number and its date, folded.
var dateConnectives = wordSet("vom du dated of del van dd z dnia den")

// titleDate offers the date of the title line to an issue date's field.
func (x *extractor) titleDate(s *spec, p *picker) {
	if s.con == nil || !s.con.issueDate {
		return
	}
	for _, ln := range x.lay.lines {
		for _, c := range ln.cells {
			num := -1
			for _, cl := range c.claims {
				if cl.c.name == "invoice_number" {
					num = cl.end
					break
				}
			}
			// The number follows its label; the connective follows the
			// number, the date the connective.
			if num < 0 || num+2 >= len(c.toks) {
				continue
			}
			for i := num + 1; i < len(c.toks)-1 && i <= num+4; i++ {
				if !dateConnectives[c.toks[i].norm] {
					continue
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

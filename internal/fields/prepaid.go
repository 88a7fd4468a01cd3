package fields

import (
	"math"

	"github.com/docparse/docparse/internal/docparse"
)

// An invoice paid in part beforehand prints its grand total, the amount
// already paid ("Acompte : 10,00", "Erhaltene Anzahlungen -50,00") and
// what remains due ("NET A PAYER 100,00", "Zahlbetrag 165,07"). The
// remaining amount carries the strongest total's label and comes last,
// but a total asked for as such (not as the amount due) is the grand
// total: the amount due plus what was paid.

// prepaidWords name an amount already paid, folded.
var prepaidWords = wordSet("acompte acomptes anzahlung anzahlungen vorauszahlung vorauszahlungen prepaid prepayment prepayments deposit anticipo anticipos voorschot zaliczka")

// dueWords in a field's key or description ask for the amount due.
var dueWords = wordSet("due payable pay paid balance outstanding remaining owed owing zahlbetrag zahlen payer pagar betalen")

// prepaid returns the amounts on the lines that name a payment made
// beforehand, as positive numbers.
func (x *extractor) prepaid() []float64 {
	var out []float64
	for _, ln := range x.lay.lines {
		named := false
		for _, c := range ln.cells {
			for _, t := range c.toks {
				named = named || prepaidWords[t.norm]
			}
		}
		if !named {
			continue
		}
		for _, c := range ln.cells {
			for _, am := range cellAmounts(c) {
				if v := math.Abs(am.v); v > 0 {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// wantsDue reports whether s asks for the amount due rather than the
// grand total.
func wantsDue(s *spec) bool {
	for _, t := range append(normTokens(splitKey(s.f.Key)), normTokens(s.f.Description)...) {
		if dueWords[t] {
			return true
		}
	}
	return false
}

// checkPrepaid switches a total read as the amount due to the grand total
// among its candidates: the value that equals it plus an amount paid
// beforehand. A field that asks for the amount due keeps it.
func (x *extractor) checkPrepaid(specs []*spec, reads []*reading) {
	for i, s := range specs {
		r := reads[i]
		if r == nil || s.con == nil || s.con.name != "total" || s.f.Type != docparse.TypeNumber || wantsDue(s) {
			continue
		}
		due, ok := r.value.(float64)
		if !ok {
			continue
		}
		paid := x.prepaid()
		for _, a := range r.alts {
			g, ok := a.value.(float64)
			if !ok {
				continue
			}
			for _, p := range paid {
				if math.Abs(g-due-p) <= amountTol && g > due {
					r.choose(a)
					return
				}
			}
		}
	}
}

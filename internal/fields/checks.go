package fields

import (
	"math"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// checkState is the outcome of the cross-field checks for one value.
type checkState int

const (
	checkNone     checkState = iota // nothing to check it against
	checkAgree                      // another field confirms it
	checkDisagree                   // another field contradicts it
)

// Candidates within this share of a field's best score may be chosen
// instead of it when they make the fields agree.
const altShare = 0.5

// amountTol is how far sums may be off: rounding of each line.
const amountTol = 0.011

// crossCheck compares the readings of one schema level with each other
// and with its tables, may switch a reading to another of its candidates
// when that makes the fields agree, and records the outcome on each
// reading and table:
//
//   - subtotal + tax = total: when all three are found, the combination
//     of candidates (each within altShare of its field's best) that adds
//     up, with a tax smaller than the subtotal, with the highest product
//     of scores is chosen and agrees; when
//     none adds up, the best readings disagree. With two of them, a
//     subtotal above the total disagrees.
//   - line items: the sum of a table's amounts equal to the subtotal (or
//     the total, for prices with tax) agrees with it; it may pick that
//     candidate of the subtotal.
//   - a due date before the issue date disagrees with both.
//
// It returns the values of the total and subtotal, for tables without a
// header (headerless).
func crossCheck(specs []*spec, reads []*reading, tables []*tableReading) []float64 {
	find := func(name string, numeric bool) *reading {
		for i, s := range specs {
			if reads[i] == nil || s.con == nil || s.con.name != name {
				continue
			}
			if numeric != (s.f.Type == docparse.TypeNumber) {
				continue
			}
			return reads[i]
		}
		return nil
	}
	total, sub, tax := find("total", true), find("subtotal", true), find("tax", true)
	itemSums := tableSums(tables)
	checkAmounts(total, sub, tax, itemSums)
	for _, t := range tables {
		if t == nil {
			continue
		}
		t.sumAgrees = t.sumAgrees || sumMatches(t, total) || sumMatches(t, sub)
	}
	checkDates(find("date", false), find("due_date", false))
	var sums []float64
	for _, r := range []*reading{total, sub} {
		if r != nil {
			if v, ok := r.value.(float64); ok {
				sums = append(sums, v)
			}
		}
	}
	return sums
}

// options returns r's candidates within altShare of its best, as numbers.
func (r *reading) options() []candidate {
	var out []candidate
	for _, a := range r.alts {
		if _, ok := a.value.(float64); ok && a.score >= altShare*r.raw-eps {
			out = append(out, a)
		}
		if len(out) == 4 {
			break
		}
	}
	return out
}

// choose switches r to candidate a.
func (r *reading) choose(a candidate) {
	r.value, r.raw = a.value, a.score
}

func checkAmounts(total, sub, tax *reading, itemSums []float64) {
	num := func(r *reading) (float64, bool) {
		if r == nil {
			return 0, false
		}
		v, ok := r.value.(float64)
		return v, ok
	}
	if total != nil && sub != nil && tax != nil {
		var best [3]candidate
		bestScore := -1.0
		for _, t := range total.options() {
			for _, s := range sub.options() {
				for _, x := range tax.options() {
					tv, sv, xv := t.value.(float64), s.value.(float64), x.value.(float64)
					// The tax is less than the amount it is levied on: no VAT
					// rate reaches 100%.
					if math.Abs(sv+xv-tv) > amountTol || math.Abs(xv) > math.Abs(sv) {
						continue
					}
					if sc := t.score * s.score * x.score; sc > bestScore+eps {
						best, bestScore = [3]candidate{t, s, x}, sc
					}
				}
			}
		}
		if bestScore >= 0 {
			total.choose(best[0])
			sub.choose(best[1])
			tax.choose(best[2])
			total.check, sub.check, tax.check = checkAgree, checkAgree, checkAgree
			return
		}
		if _, ok := num(total); ok {
			total.check, sub.check, tax.check = checkDisagree, checkDisagree, checkDisagree
		}
		return
	}
	// The items' sum names the subtotal. It confirms a total too (prices
	// with tax), but does not choose one: a column of line amounts is
	// often also a candidate of the total.
	tv, tok := num(total)
	gross := tok && matchesAny(tv, itemSums) // the items' prices hold the tax
	if sub != nil && sub.check == checkNone && !gross {
		for _, a := range sub.options() {
			if matchesAny(a.value.(float64), itemSums) {
				sub.choose(a)
				sub.check = checkAgree
				break
			}
		}
	}
	if gross && total.check == checkNone {
		total.check = checkAgree
	}
	sv, sok := num(sub)
	if tok && sok && sv > tv+amountTol {
		total.check, sub.check = checkDisagree, checkDisagree
	}
	if total != nil && tax != nil && total.check == checkNone {
		if xv, ok := num(tax); ok && tok && xv > tv+amountTol {
			total.check, tax.check = checkDisagree, checkDisagree
		}
	}
}

func matchesAny(v float64, sums []float64) bool {
	for _, s := range sums {
		if math.Abs(s-v) <= amountTol {
			return true
		}
	}
	return false
}

// tableSums returns the sum of the amounts of every table that has some.
func tableSums(tables []*tableReading) []float64 {
	var out []float64
	for _, t := range tables {
		if t == nil {
			continue
		}
		if s, ok := t.amountSum(); ok {
			out = append(out, s)
		}
	}
	return out
}

func sumMatches(t *tableReading, r *reading) bool {
	if t == nil || r == nil {
		return false
	}
	v, ok := r.value.(float64)
	if !ok {
		return false
	}
	s, ok := t.amountSum()
	return ok && math.Abs(s-v) <= amountTol
}

func checkDates(issue, due *reading) {
	if issue == nil || due == nil {
		return
	}
	a, aok := issue.value.(string)
	b, bok := due.value.(string)
	if !aok || !bok || len(a) < 10 || len(b) < 10 {
		return
	}
	ta, err1 := time.Parse(time.DateOnly, a[:10])
	tb, err2 := time.Parse(time.DateOnly, b[:10])
	if err1 != nil || err2 != nil {
		return
	}
	state := checkAgree
	if tb.Before(ta) {
		state = checkDisagree
	}
	issue.check, due.check = state, state
}

package fields

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/docparse/docparse/internal/docparse"
)

// Calibration turns a reading's raw score into the probability that the
// reading is right. The probability depends on more than the score, so
// readings are grouped by a calKey: the kind of value, the outcome of the
// cross-field checks, a flag (for a scalar: another value came close; for
// an item: the items add up to the subtotal or total), and whether a
// fallback found it rather than a label. For each group with enough
// labelled examples, calibration_table.go holds a monotone curve from raw
// score to the share of right readings, fitted by TestCalibrate
// (calibrate_test.go) on synthetic invoices:
//
//	go test ./internal/fields -run TestCalibrate -update
//
// A group without a curve of its own uses the curve of a coarser group:
// without the flag, then without the check, then the kind alone. Kinds
// the synthetic invoices do not hold (free text, booleans, numbers other
// than amounts, list<string> items) have no curve: their confidence is the
// raw score, capped at 1.

// Kinds of values, as calibration tells them apart.
const (
	calAmount     = "amount" // total, subtotal, tax
	calNumber     = "number" // other numbers and integers
	calDate       = "date"
	calDateGuess  = "date-guess" // a numeric date whose day/month order was guessed
	calIdent      = "ident"
	calIBAN       = "iban"
	calName       = "name" // a party's name
	calText       = "text"
	calBool       = "bool"
	calList       = "list"        // an item of a list<string>
	calItemText   = "item-text"   // a text cell of a line item
	calItemNumber = "item-number" // a number cell of a line item
)

// calKey is the group a reading is calibrated in.
type calKey struct {
	kind     string
	check    checkState
	flag     bool
	fallback bool
}

// chain returns the table keys to try for k, finest first.
func (k calKey) chain() []string {
	fb := "l"
	if k.fallback {
		fb = "f"
	}
	c := strconv.Itoa(int(k.check))
	f := "0"
	if k.flag {
		f = "1"
	}
	return []string{
		k.kind + "/" + fb + "/" + c + "/" + f,
		k.kind + "/" + fb + "/" + c,
		k.kind + "/" + fb,
		k.kind,
	}
}

// calPoint is one point of a calibration curve: readings with raw score
// raw are right with probability p.
type calPoint struct{ raw, p float64 }

// at interpolates the curve at raw; outside its points it is flat.
func curveAt(pts []calPoint, raw float64) float64 {
	if raw <= pts[0].raw {
		return pts[0].p
	}
	for i := 1; i < len(pts); i++ {
		if raw <= pts[i].raw {
			a, b := pts[i-1], pts[i]
			if b.raw-a.raw < eps {
				return b.p
			}
			return a.p + (b.p-a.p)*(raw-a.raw)/(b.raw-a.raw)
		}
	}
	return pts[len(pts)-1].p
}

// calibrated returns the probability that a reading of group k with raw
// score raw is right; the raw score itself (at most 1) when the kind has
// no curve.
func calibrated(k calKey, raw float64) float64 {
	for _, key := range k.chain() {
		if pts, ok := calibrationTable[key]; ok && len(pts) > 0 {
			return min(max(curveAt(pts, raw), 0), 1)
		}
	}
	return min(raw, 1)
}

// calKind returns the kind of a scalar field's values.
func calKind(s *spec) string {
	switch s.f.Type {
	case docparse.TypeNumber, docparse.TypeInteger:
		if s.con != nil && (s.con.name == "total" || s.con.name == "subtotal" || s.con.name == "tax") {
			return calAmount
		}
		return calNumber
	case docparse.TypeDate, docparse.TypeDateTime:
		return calDate
	case docparse.TypeBoolean:
		return calBool
	}
	switch s.kind {
	case kindIdent:
		return calIdent
	case kindIBAN:
		return calIBAN
	case kindName:
		return calName
	}
	return calText
}

type block struct {
	sumRaw, right, n float64
}

func (b block) rate() float64 { return b.right / b.n }

func merge(a, b block) block { return block{a.sumRaw + b.sumRaw, a.right + b.right, a.n + b.n} }

// pav pools adjacent blocks until their rates do not decrease.
func pav(in []block, rate func(block) float64) []block {
	var st []block
	for _, b := range in {
		st = append(st, b)
		for len(st) > 1 && rate(st[len(st)-2]) >= rate(st[len(st)-1]) {
			st = append(st[:len(st)-2], merge(st[len(st)-2], st[len(st)-1]))
		}
	}
	return st
}

// isotonic fits a monotone curve from raw scores to the share of right
// readings (pool adjacent violators), with blocks of at least minBlock
// readings and rates smoothed by one right and one wrong reading.
func isotonic(raw []float64, right []bool, minBlock int) []calPoint {
	type sample struct {
		raw   float64
		right bool
	}
	ss := make([]sample, len(raw))
	for i := range raw {
		ss[i] = sample{raw[i], right[i]}
	}
	slices.SortStableFunc(ss, func(a, b sample) int { return cmp.Compare(a.raw, b.raw) })
	// Equal raw scores form one block: the curve cannot tell them apart.
	var blocks []block
	for i, s := range ss {
		r := 0.0
		if s.right {
			r = 1
		}
		if i > 0 && math.Abs(s.raw-ss[i-1].raw) < 1e-9 {
			last := &blocks[len(blocks)-1]
			*last = merge(*last, block{s.raw, r, 1})
			continue
		}
		blocks = append(blocks, block{s.raw, r, 1})
	}
	blocks = pav(blocks, block.rate)
	// Small blocks join a neighbour (the smaller one), which keeps rates
	// monotone.
	for {
		i := slices.IndexFunc(blocks, func(b block) bool { return b.n < float64(minBlock) })
		if i < 0 || len(blocks) == 1 {
			break
		}
		j := i - 1
		if i == 0 || (i+1 < len(blocks) && blocks[i+1].n < blocks[i-1].n) {
			j = i + 1
		}
		lo, hi := min(i, j), max(i, j)
		blocks = slices.Replace(blocks, lo, hi+1, merge(blocks[lo], blocks[hi]))
	}
	smoothed := func(b block) float64 { return (b.right + 1) / (b.n + 2) }
	blocks = pav(blocks, smoothed)
	pts := make([]calPoint, len(blocks))
	for i, b := range blocks {
		pts[i] = calPoint{raw: round3(b.sumRaw / b.n), p: round3(smoothed(b))}
	}
	return pts
}

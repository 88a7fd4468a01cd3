package fields

import (
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

package fields

import (
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// secondReceipt is a receipt whose first reading garbled the total (a
// letter O for a zero) and whose second reading has it right.
const secondReceiptFirst = `      SUNRISE HARDWARE SDN BHD
     TEL: 03-8736 1234
 INVOICE NO: CS0099812     DATE: 14/03/2018
 PAINT BRUSH 2"        2 x 6.50     13.00
 MASKING TAPE           1 x 4.20      4.20
 TOTAL (RM)                          17.2O
 CASH                                50.00
 CHANGE                              32.8O
`

const secondReceiptSecond = `      SUNRISE HARDWARE SDN BHD
     TEL: 03-8736 1234
 INVOICE NO: CS0099812     DATE: 14/03/2018
 PAINT BRUSH 2"        2 x 6.50     13.00
 MASKING TAPE           1 x 4.20      4.20
 TOTAL (RM)                          17.20
 CASH                                50.00
 CHANGE                              32.80
`

var secondSchema = []docparse.Field{
	{Key: "company", Type: docparse.TypeString, Description: "Name of the seller"},
	{Key: "date", Type: docparse.TypeDate},
	{Key: "total", Type: docparse.TypeNumber, Description: "Total amount paid"},
}

// candidateFeatures returns the features of value among the candidates of
// path, and whether it was a candidate.
func candidateFeatures(cs []Candidates, path string, value any) ([numFeatures]float64, bool) {
	for _, c := range cs {
		if c.Path != path {
			continue
		}
		for i, v := range c.Values {
			if valueKey(v) == valueKey(value) {
				return c.Features[i], true
			}
		}
	}
	return [numFeatures]float64{}, false
}

func TestSecondReadingCandidates(t *testing.T) {
	doc := textDoc(secondReceiptFirst)
	doc.Pages[0].Alt = textDoc(secondReceiptSecond).Pages[0].Lines
	cs := TrainingCandidates(doc, secondSchema, Options{})

	// Only the second reading holds the total: it is a candidate, beside
	// the first reading's TOTAL line.
	f, ok := candidateFeatures(cs, "total", 17.2)
	if !ok {
		t.Fatal("17.20, read only by the second reading, is no candidate of total")
	}
	if f[fSecondOnly] != 1 || f[fSecondSame] != 0 || f[fSecondNone] != 0 {
		t.Errorf("17.20: second-reading features only/same/none = %v/%v/%v, want 1/0/0", f[fSecondOnly], f[fSecondSame], f[fSecondNone])
	}
	if f[fLineTotal] != 1 {
		t.Errorf("17.20 is not on a total's line (the first reading's line beside it)")
	}
	// Both read the cash, the date and the name the same.
	for _, c := range []struct {
		path  string
		value any
	}{{"total", 50.0}, {"date", "2018-03-14"}, {"company", "SUNRISE HARDWARE SDN BHD"}} {
		f, ok := candidateFeatures(cs, c.path, c.value)
		if !ok {
			t.Errorf("%s: %v is no candidate", c.path, c.value)
			continue
		}
		if f[fSecondSame] != 1 || f[fSecondOnly] != 0 || f[fSecondNone] != 0 {
			t.Errorf("%s %v: only/same/none = %v/%v/%v, want 0/1/0", c.path, c.value, f[fSecondOnly], f[fSecondSame], f[fSecondNone])
		}
	}
	// The change, garbled in the first reading too, is a candidate of
	// the second reading alone.
	if f, ok := candidateFeatures(cs, "total", 32.8); !ok || f[fSecondOnly] != 1 {
		t.Errorf("32.80 of the CHANGE line: candidate %v, only %v; want a candidate of the second reading", ok, f[fSecondOnly])
	}

	// Without a second reading, every candidate says so.
	cs = TrainingCandidates(textDoc(secondReceiptFirst), secondSchema, Options{})
	for _, c := range cs {
		for i, f := range c.Features {
			if f[fSecondNone] != 1 || f[fSecondSame]+f[fSecondOnly] != 0 {
				t.Errorf("%s %v: only/same/none = %v/%v/%v without a second reading, want 0/0/1", c.Path, c.Values[i], f[fSecondOnly], f[fSecondSame], f[fSecondNone])
			}
		}
	}
}

// A store name the first reading garbled is offered as the second reading
// read it; a different name on another line is not.
func TestSecondReadingNames(t *testing.T) {
	first := strings.Replace(secondReceiptFirst, "SUNRISE HARDWARE", "SUNRISE HAROWARE", 1)
	doc := textDoc(first)
	doc.Pages[0].Alt = textDoc(secondReceiptSecond).Pages[0].Lines
	cs := TrainingCandidates(doc, secondSchema, Options{})
	f, ok := candidateFeatures(cs, "company", "SUNRISE HARDWARE SDN BHD")
	if !ok || f[fSecondOnly] != 1 {
		t.Errorf("the second reading's name: candidate %v, only %v; want a candidate of the second reading", ok, f[fSecondOnly])
	}
	if f, ok := candidateFeatures(cs, "company", "SUNRISE HAROWARE SDN BHD"); !ok || f[fSecondSame] != 0 || f[fSecondOnly] != 0 {
		t.Errorf("the first reading's name: candidate %v, same %v, only %v; want a candidate read once", ok, f[fSecondSame], f[fSecondOnly])
	}
	if editDistance("sunrisehardware", "sunr1seharoware") != 2 || editDistance("kitten", "sitting") != 3 || editDistance("", "abc") != 3 {
		t.Error("editDistance is off")
	}
}

// A date that only the second reading read, on a line the first reading
// lost altogether, is still a candidate, and the receipt's date.
func TestSecondReadingLostLine(t *testing.T) {
	first := strings.Replace(secondReceiptFirst, " INVOICE NO: CS0099812     DATE: 14/03/2018", "", 1)
	doc := textDoc(first)
	doc.Pages[0].Alt = textDoc(secondReceiptSecond).Pages[0].Lines
	res := Extract(doc, secondSchema, Options{})
	if got := res.Values["date"]; got != "2018-03-14" {
		t.Errorf("date = %v, want 2018-03-14 from the second reading", got)
	}
	cs := TrainingCandidates(doc, secondSchema, Options{})
	if f, ok := candidateFeatures(cs, "date", "2018-03-14"); !ok || f[fSecondOnly] != 1 {
		t.Errorf("2018-03-14: candidate %v, fSecondOnly %v, want a candidate of the second reading only", ok, f[fSecondOnly])
	}
}

package fields

import (
	"slices"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

func TestMendWord(t *testing.T) {
	for w, want := range map[string]string{
		"tota":     "total",    // "Tota!": the tokenizer drops the "!"
		"subtoiat": "subtotal", // two letters wrong in a long word
		"chanqe":   "change",
		"rcunding": "rounding",
		"amouni":   "amount",
		"invoise":  "invoice",
	} {
		if got, ok := mendWord(w); !ok || got != want {
			t.Errorf("mendWord(%q) = %q, %v; want %q", w, got, ok, want)
		}
	}
	for _, w := range []string{
		"total",    // a label's word already
		"home",     // no label word one edit away
		"jalan",    // a street, not a label
		"tax",      // too short to mend
		"payrnent", // two edits from a seven-letter word
		"cashier",
	} {
		if got, ok := mendWord(w); ok {
			t.Errorf("mendWord(%q) = %q, want it left alone", w, got)
		}
	}
}

// A label misread by OCR still says what the amount beside it is; the
// same misspelling in a text layer is what the document prints.
func TestMendedLabelOnOCRPage(t *testing.T) {
	const receipt = `      HOME MASTER HARDWARE
 24MM TAPE        1.00 x 15.90    15.90
 Subtoiat :                       75.90
 Tota! Incl. of GST               15.90
 Payment :                        50.00
`
	schema := []docparse.Field{{Key: "total", Type: docparse.TypeNumber, Description: "Total amount paid"}}
	for _, ocr := range []bool{true, false} {
		doc := textDoc(receipt)
		if ocr {
			doc.Pages[0].OCR = &extract.OCRRun{Pass: "original", Tried: []string{"original"}}
		}
		cs := TrainingCandidates(doc, schema, Options{})
		f, ok := candidateFeatures(cs, "total", 15.9)
		if !ok {
			t.Fatalf("ocr=%v: 15.90 is no candidate for the total", ocr)
		}
		if got := f[fLineTotal] == 1; got != ocr {
			t.Errorf("ocr=%v: the line of 15.90 carries a total's label: %v, want %v", ocr, got, ocr)
		}
		// The subtotal, once its label is read, is no total.
		f, ok = candidateFeatures(cs, "total", 75.9)
		if sub := !ok || f[fLineSub] == 1; sub != ocr {
			t.Errorf("ocr=%v: 75.90 read as a subtotal: %v, want %v", ocr, sub, ocr)
		}
	}
}

// OCR splits an amount after its decimal separator ("57, 80"): on an
// OCRed page the parts are one amount again; a text layer keeps what it
// prints.
func TestJoinSplitDecimals(t *testing.T) {
	const receipt = `      WARAKUYA PERMAS CITY
 DISCOUNT                      -30. 00
 Total Amount:                  57, 80
 CASH                      RM100.00
 CHANGE                         42, 20
`
	schema := []docparse.Field{{Key: "total", Type: docparse.TypeNumber, Description: "Total amount paid"}}
	doc := textDoc(receipt)
	doc.Pages[0].OCR = &extract.OCRRun{Pass: "original", Tried: []string{"original"}}
	if got := Extract(doc, schema, Options{}).Values["total"]; got != 57.8 {
		t.Errorf("OCR page: total = %v, want 57.8", got)
	}
	cs := TrainingCandidates(doc, schema, Options{})
	if f, ok := candidateFeatures(cs, "total", 57.8); !ok || f[fCashChange] != 1 {
		t.Errorf("57.80 is paid less change (100.00 - 42.20): candidate %v, feature %v", ok, f[fCashChange])
	}
	if _, ok := candidateFeatures(TrainingCandidates(textDoc(receipt), schema, Options{}), "total", 57.8); ok {
		t.Errorf("text layer: 57.80 is a candidate, want the printed 57, 80 left alone")
	}
	ws := joinSplitDecimals([]word{{text: "Tel:"}, {text: "03-8736,"}, {text: "12"}, {text: "RM3,"}, {text: "20"}, {text: "6."}, {text: "300"}})
	var got []string
	for _, w := range ws {
		got = append(got, w.text)
	}
	if want := []string{"Tel:", "03-8736,", "12", "RM3,20", "6.", "300"}; !slices.Equal(got, want) {
		t.Errorf("joinSplitDecimals = %q, want %q", got, want)
	}
}

// A receipt's total is never more than the cash handed over when change
// came back.
func TestOverPaid(t *testing.T) {
	doc := textDoc(`      99 SPEED MART
 Total Sales (Inclusive GST) RM 93.70
 CASH RM                        10.00
 CHANGE RM                       6.30
`)
	cs := TrainingCandidates(doc, []docparse.Field{{Key: "total", Type: docparse.TypeNumber}}, Options{})
	if f, ok := candidateFeatures(cs, "total", 93.7); !ok || f[fOverPaid] != 1 {
		t.Errorf("93.70 with 10.00 paid: candidate %v, over paid %v, want 1", ok, f[fOverPaid])
	}
	if f, ok := candidateFeatures(cs, "total", 6.3); !ok || f[fOverPaid] != 0 {
		t.Errorf("6.30 with 10.00 paid: candidate %v, over paid %v, want 0", ok, f[fOverPaid])
	}
}

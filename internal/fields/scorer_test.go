package fields

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// TestScorerModel checks that scorer_model.go is what the committed
// samples give: it fails when the features or the fit changed and
// `go run ./bench/train` was not run again.
func TestScorerModel(t *testing.T) {
	f, err := os.Open("testdata/scorer_samples.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	samples, winners, err := ReadSamples(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("scorer_model.go")
	if err != nil {
		t.Fatal(err)
	}
	if got := RenderScorerModel(FitScorer(samples, winners)); !bytes.Equal(got, want) {
		t.Fatalf("scorer_model.go is stale: run go run ./bench/train (see bench/train)\n got:\n%s", got)
	}
}

// TestFitScorer fits a kind whose right candidates carry one feature and
// checks that the model ranks by it, and that a kind with too few samples
// gets no model.
func TestFitScorer(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var samples []Sample
	for range 400 {
		var f [numFeatures]float64
		f[fBias] = 1
		right := r.Float64() < 0.3
		f[fLineTotal] = b2f(right == (r.Float64() < 0.9))
		f[fTopRank] = r.Float64()
		samples = append(samples, Sample{Kind: "amount", Features: f, Right: right})
	}
	samples = append(samples, Sample{Kind: "iban", Right: true})
	var winners []Winner
	for i := range 200 {
		// Winners right 40% of the time at 0.5-0.6, 90% at 0.9-1, at
		// every probability of the range alike.
		p := 0.5 + float64(i%10)/100
		right := (i/10)%10 < 4
		if i >= 100 {
			p, right = 0.9+float64(i%10)/100, (i/10)%10 != 0
		}
		winners = append(winners, Winner{Model: "amount", P: p, Right: right})
	}
	sc := FitScorer(samples, winners)
	if _, ok := sc.weights["iban"]; ok {
		t.Error("a kind with one sample got a model")
	}
	if c := sc.calibrated("amount", 0.55); c > 0.5 {
		t.Errorf("a winner at 0.55, right 40%% of the time, gets confidence %v", c)
	}
	if c := sc.calibrated("amount", 0.95); c < 0.8 || c > 0.95 {
		t.Errorf("a winner at 0.95, right 90%% of the time, gets confidence %v", c)
	}
	w, ok := sc.weights["amount"]
	if !ok {
		t.Fatal("no model for amounts")
	}
	if w[fLineTotal] < 1 || abs(w[fTopRank]) > w[fLineTotal]/2 {
		t.Fatalf("weights %v: want a large weight on the line's total label, little on noise", w)
	}
	var buf bytes.Buffer
	if err := WriteSamples(&buf, samples, winners); err != nil {
		t.Fatal(err)
	}
	back, wback, err := ReadSamples(&buf)
	if err != nil || len(back) != len(samples) || back[3].Right != samples[3].Right || len(wback) != len(winners) || wback[150] != winners[150] {
		t.Fatalf("samples read back: %d, %d, %v", len(back), len(wback), err)
	}
}

func abs(v float64) float64 { return max(v, -v) }

// TestScorerReceipt reads a receipt that prints no "Total" of its own
// before the amounts paid: with the committed models the total is the
// amount due, not the cash handed over nor the change, and the store's
// name is its header, not the address.
func TestScorerReceipt(t *testing.T) {
	if _, ok := scorerModels["amount:total"]; !ok {
		t.Skip("no amount model committed yet")
	}
	doc := textDoc(`      SUNRISE HARDWARE SDN BHD
        (123456-X)
   12, JALAN MERANTI 3, TAMAN SRI
      43000 KAJANG, SELANGOR
     TEL: 03-8736 1234

 INVOICE NO: CS0099812     DATE: 14/03/2018

 PAINT BRUSH 2"        2 x 6.50     13.00
 MASKING TAPE           1 x 4.20      4.20
 WHITE SPIRIT 1L        1 x 9.90      9.90

 SUB TOTAL                           27.10
 ROUNDING ADJ                        -0.00
 TOTAL (RM)                          27.10
 CASH                                50.00
 CHANGE                              22.90

      THANK YOU. PLEASE COME AGAIN
`)
	schema := []docparse.Field{
		{Key: "company", Type: docparse.TypeString, Description: "Name of the seller"},
		{Key: "date", Type: docparse.TypeDate},
		{Key: "total", Type: docparse.TypeNumber, Description: "Total amount paid"},
	}
	res := Extract(doc, schema, Options{})
	if got := res.Values["total"]; got != 27.1 {
		t.Errorf("total = %v (%v), want 27.10", got, res.Confidence["total"])
	}
	if got := res.Values["company"]; got != "SUNRISE HARDWARE SDN BHD" {
		t.Errorf("company = %v (%v)", got, res.Confidence["company"])
	}
	if got := res.Values["date"]; got != "2018-03-14" {
		t.Errorf("date = %v", got)
	}
}

// A date whose parts stand far apart, each a cell of its own, is still
// the receipt's date.
func TestSpacedDate(t *testing.T) {
	doc := textDoc(`      PAPPARICH BMC
 TTL ATF RND                 17.20
 CLOSED     15     Jun     18      09:08:37 PM
 THANK YOU! PLEASE COME AGAIN!`)
	lay := newLayout(doc)
	if n := len(lay.lines[2].cells); n < 3 {
		t.Fatalf("the date's line is %d cells, want its parts apart", n)
	}
	res := Extract(doc, []docparse.Field{{Key: "date", Type: docparse.TypeDate}}, Options{})
	if got := res.Values["date"]; got != "2018-06-15" {
		t.Errorf("date = %v, want 2018-06-15", got)
	}
}

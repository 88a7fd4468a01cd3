package fields

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
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
	for g := range 150 {
		// Four candidates a group; one of them right in nine groups out
		// of ten. The right one carries the total's label nine times out
		// of ten, a wrong one once out of ten.
		right := -1
		if r.Float64() < 0.9 {
			right = r.IntN(4)
		}
		for k := range 4 {
			var f [numFeatures]float64
			f[fBias] = 1
			f[fLineTotal] = b2f(r.Float64() < map[bool]float64{true: 0.9, false: 0.1}[k == right])
			f[fTopRank] = r.Float64()
			samples = append(samples, Sample{Kind: "amount", Group: g, Features: f, Right: k == right})
		}
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

// TestCurvePerReading: the winners of the documents the OCR models read
// get a curve of their own even where the plain model ranks their
// candidates, and a document they read is calibrated on it.
func TestCurvePerReading(t *testing.T) {
	var samples []Sample
	for g := range 80 {
		for k := range 2 {
			var f [numFeatures]float64
			f[fBias], f[fLineTotal] = 1, b2f(k == g%2)
			samples = append(samples, Sample{Kind: "date:date", Group: g, Features: f, Right: k == g%2})
		}
	}
	var winners []Winner
	for i := range 100 {
		// The same probability: right 60% of the time on Tesseract's
		// readings, always on the models'.
		winners = append(winners, Winner{Model: "date:date", P: 0.9, Right: i%5 < 3})
		winners = append(winners, Winner{Model: "date:date" + modelsSuffix, P: 0.9, Right: true})
	}
	sc := FitScorer(samples, winners)
	if sc.has("date:date"+modelsSuffix) || !sc.HasCurve("date:date"+modelsSuffix) {
		t.Fatalf("the models' winners: model %v, curve %v; want a curve and no model", sc.has("date:date"+modelsSuffix), sc.HasCurve("date:date"+modelsSuffix))
	}
	tess := &extractor{scorer: sc}
	models := &extractor{scorer: sc, byModels: true}
	ct := sc.calibrated(tess.curveOf("date:date"), 0.9)
	cm := sc.calibrated(models.curveOf("date:date"), 0.9)
	if ct > 0.7 || cm < 0.9 {
		t.Errorf("a winner at 0.9: confidence %v read by Tesseract (right 60%%), %v by the models (always right)", ct, cm)
	}
	if got := models.curveOf("amount:total"); got != "amount:total" {
		t.Errorf("a model without the models' curve calibrates on %q", got)
	}
}

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

// TestFitTrees gives the right candidate of each group an interaction no
// linear score can rank: it carries both a total's label and cash on its
// line, or neither, while each wrong one carries exactly one of them. The
// trees must rank it first where the linear weights cannot.
func TestFitTrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var groups [][]Sample
	for g := range 200 {
		both := r.IntN(2) == 0
		right := r.IntN(3)
		var grp []Sample
		for k := range 3 {
			var f [numFeatures]float64
			f[fBias] = 1
			switch {
			case k == right:
				f[fLineTotal], f[fLineCash] = b2f(both), b2f(both)
			case k == (right+1)%3:
				f[fLineTotal] = 1
			default:
				f[fLineCash] = 1
			}
			grp = append(grp, Sample{Kind: "amount", Group: g, Features: f, Right: k == right})
		}
		groups = append(groups, grp)
	}
	w := fitChoice(groups)
	sc := &Scorer{trees: map[string][]boostTree{"amount": fitTrees(&w, groups)}}
	first := func(score func(f *[numFeatures]float64) float64) int {
		n := 0
		for _, g := range groups {
			best := 0
			for k := range g {
				if score(&g[k].Features) > score(&g[best].Features)+1e-9 {
					best = k
				}
			}
			if g[best].Right {
				n++
			}
		}
		return n
	}
	lin := first(func(f *[numFeatures]float64) float64 { return dot(&w, f) })
	full := first(func(f *[numFeatures]float64) float64 { return sc.score("amount", &w, f) })
	t.Logf("trees %d, weights %d", full, lin)
	if full < 190 || full <= lin {
		t.Fatalf("right first: %d of 200 with the trees, %d with the weights alone: want the trees to rank nearly all", full, lin)
	}
}

// TestLowerCurve checks that a step of the calibration curve measured on
// few winners is lowered below its rate, and one measured on many hardly.
func TestLowerCurve(t *testing.T) {
	var raw []float64
	var right []bool
	for i := range 20 { // 18 of 20 right at 0.6
		raw, right = append(raw, 0.6), append(right, i < 18)
	}
	for i := range 400 { // 380 of 400 right at 0.95
		raw, right = append(raw, 0.95), append(right, i < 380)
	}
	curve := []calPoint{{0.6, 0.9}, {0.95, 0.95}}
	got := lowerCurve(raw, right, curve, 1)
	if got[0].p > 0.85 || got[0].p < 0.7 {
		t.Errorf("20 winners right 90%%: step lowered to %v, want 0.7-0.85", got[0].p)
	}
	if got[1].p < 0.93 || got[1].p > 0.95 {
		t.Errorf("400 winners right 95%%: step lowered to %v, want 0.93-0.95", got[1].p)
	}
}

// A document the OCR models read is ranked by their models where the
// scorer has them, and by the plain ones where it has not; in training,
// its candidates are the models' kinds.
func TestModelsOwnKinds(t *testing.T) {
	doc := textDoc("ACME TRADING SDN BHD\nTOTAL 12.50\nCASH 20.00")
	paddle := textDoc("ACME TRADING SDN BHD\nTOTAL 12.50\nCASH 20.00")
	paddle.Pages[0].OCR = &extract.OCRRun{Pass: "paddle"}
	schema := []docparse.Field{{Key: "total", Type: docparse.TypeNumber}, {Key: "company", Type: docparse.TypeString, Description: "Name of the store"}}

	keys := ModelKeys(schema)
	if got := committedScorer.ModelKeysFor(doc, schema); got["total"] != keys["total"] {
		t.Errorf("Tesseract's document: total ranked by %q, want %q", got["total"], keys["total"])
	}
	sc := &Scorer{weights: map[string][numFeatures]float64{keys["total"] + modelsSuffix: {}}}
	got := sc.ModelKeysFor(paddle, schema)
	if got["total"] != keys["total"]+modelsSuffix || got["company"] != keys["company"] {
		t.Errorf("models' document: %v, want total's own model and company's plain one", got)
	}
	cands := TrainingCandidates(paddle, schema, Options{})
	if len(cands) == 0 {
		t.Fatal("no training candidates")
	}
	for _, c := range cands {
		if !strings.HasSuffix(c.Kind, modelsSuffix) {
			t.Errorf("training candidates of %s are of kind %q, want the models' own", c.Path, c.Kind)
		}
	}
	for _, c := range TrainingCandidates(doc, schema, Options{}) {
		if strings.HasSuffix(c.Kind, modelsSuffix) {
			t.Errorf("Tesseract's document: candidates of %s of kind %q", c.Path, c.Kind)
		}
	}
}

package fields

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
)

// traceKeys maps each traced path to its calibration key.
func traceKeys(traces []trace) map[string]calKey {
	m := map[string]calKey{}
	for _, tr := range traces {
		m[tr.path] = tr.key
	}
	return m
}

func TestCrossCheck(t *testing.T) {
	totals := []docparse.Field{field("subtotal", docparse.TypeNumber), field("tax", docparse.TypeNumber), field("total", docparse.TypeNumber)}
	withDates := []docparse.Field{field("invoice_date", docparse.TypeDate), field("due_date", docparse.TypeDate)}
	withItems := append([]docparse.Field{field("subtotal", docparse.TypeNumber), field("total", docparse.TypeNumber)},
		field("items", docparse.TypeListObject, field("description", docparse.TypeString), field("amount", docparse.TypeNumber)))
	tests := []struct {
		name   string
		text   string
		schema []docparse.Field
		want   map[string]any
		checks map[string]checkState
	}{
		{
			name:   "the amounts add up",
			text:   "Subtotal: 100.00\nVAT 20%: 20.00\nTotal: 120.00",
			schema: totals,
			want:   map[string]any{"subtotal": 100.0, "tax": 20.0, "total": 120.0},
			checks: map[string]checkState{"subtotal": checkAgree, "tax": checkAgree, "total": checkAgree},
		},
		{
			// "Balance due" is as strong a total label as "Total" and comes
			// last, but only the total makes subtotal + tax add up.
			name:   "the sum chooses among candidates",
			text:   "Subtotal: 100.00\nVAT 20%: 20.00\nTotal: 120.00\nBalance due: 0.00",
			schema: totals,
			want:   map[string]any{"subtotal": 100.0, "tax": 20.0, "total": 120.0},
			checks: map[string]checkState{"subtotal": checkAgree, "tax": checkAgree, "total": checkAgree},
		},
		{
			name:   "the amounts do not add up",
			text:   "Subtotal: 100.00\nVAT 20%: 20.00\nTotal: 130.00",
			schema: totals,
			want:   map[string]any{"subtotal": 100.0, "tax": 20.0, "total": 130.0},
			checks: map[string]checkState{"subtotal": checkDisagree, "tax": checkDisagree, "total": checkDisagree},
		},
		{
			name:   "a subtotal above the total",
			text:   "Subtotal: 150.00\nTotal: 120.00",
			schema: totals,
			want:   map[string]any{"subtotal": 150.0, "tax": nil, "total": 120.0},
			checks: map[string]checkState{"subtotal": checkDisagree, "total": checkDisagree},
		},
		{
			name:   "due date after the issue date",
			text:   "Invoice date: 2026-05-24\nDue date: 2026-06-07",
			schema: withDates,
			want:   map[string]any{"invoice_date": "2026-05-24", "due_date": "2026-06-07"},
			checks: map[string]checkState{"invoice_date": checkAgree, "due_date": checkAgree},
		},
		{
			name:   "due date before the issue date",
			text:   "Invoice date: 2026-05-24\nDue date: 2026-04-07",
			schema: withDates,
			want:   map[string]any{"invoice_date": "2026-05-24", "due_date": "2026-04-07"},
			checks: map[string]checkState{"invoice_date": checkDisagree, "due_date": checkDisagree},
		},
		{
			name: "the items add up to the subtotal",
			text: `Description              Amount
Consulting                60.00
Travel                    40.00

Subtotal                 100.00
Total                    120.00`,
			schema: withItems,
			want: map[string]any{"subtotal": 100.0, "total": 120.0, "items": []any{
				map[string]any{"description": "Consulting", "amount": 60.0},
				map[string]any{"description": "Travel", "amount": 40.0},
			}},
			checks: map[string]checkState{"subtotal": checkAgree, "total": checkNone},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, traces := extractTraced(textDoc(tt.text), tt.schema, Options{}, true)
			if diff := cmp.Diff(tt.want, res.Values); diff != "" {
				t.Errorf("Extract(%q) values mismatch (-want +got):\n%s", tt.text, diff)
			}
			keys := traceKeys(traces)
			for path, want := range tt.checks {
				if got := keys[path].check; got != want {
					t.Errorf("Extract(%q) check of %s = %v, want %v", tt.text, path, got, want)
				}
			}
		})
	}
}

func TestCrossCheckItemsSumAgrees(t *testing.T) {
	schema := []docparse.Field{field("subtotal", docparse.TypeNumber),
		field("items", docparse.TypeListObject, field("description", docparse.TypeString), field("quantity", docparse.TypeNumber),
			field("unit_price", docparse.TypeNumber), field("amount", docparse.TypeNumber))}
	text := `Description           Qty    Unit price     Amount
Consulting              2         30.00      60.00
Travel                  1         45.00      40.00

Subtotal                                    100.00`
	_, traces := extractTraced(textDoc(text), schema, Options{}, true)
	keys := traceKeys(traces)
	for path, want := range map[string]calKey{
		"items[0].amount":      {kind: calItemNumber, check: checkAgree, flag: true},    // 2 x 30 = 60
		"items[1].amount":      {kind: calItemNumber, check: checkDisagree, flag: true}, // 1 x 45 != 40
		"items[1].description": {kind: calItemText, check: checkDisagree, flag: true},
	} {
		if got := keys[path]; got != want {
			t.Errorf("calibration key of %s = %+v, want %+v", path, got, want)
		}
	}
}

func TestStringOrNumberChoosesTheConcept(t *testing.T) {
	doc := textDoc("VAT No: DE 232 446 240\nSubtotal: 100.00\nVAT 19%: 19.00\nTotal: 119.00")
	tests := []struct {
		field docparse.Field
		want  any
	}{
		{docparse.Field{Key: "vat", Type: docparse.TypeString}, "DE 232 446 240"},
		{docparse.Field{Key: "vat", Type: docparse.TypeNumber}, 19.0},
		{docparse.Field{Key: "seller_tax", Type: docparse.TypeString, Description: "VAT number of the seller"}, "DE 232 446 240"},
	}
	for _, tt := range tests {
		res := Extract(doc, []docparse.Field{tt.field}, Options{})
		if got := res.Values[tt.field.Key]; got != tt.want {
			t.Errorf("Extract(%s %s) = %v, want %v", tt.field.Key, tt.field.Type, got, tt.want)
		}
	}
}

func TestOtherPartysLabel(t *testing.T) {
	doc := textDoc(`Customer VAT No: GB111111111

Acme Ltd · 1 High Street · VAT No: GB222222222`)
	res := Extract(doc, []docparse.Field{field("vat_number", docparse.TypeString)}, Options{})
	if got := res.Values["vat_number"]; got != "GB222222222" {
		t.Errorf("vat_number = %v, want the seller's GB222222222, not the customer's", got)
	}
}

func TestLayoutMatch(t *testing.T) {
	schema := []docparse.Field{
		field("invoice_number", docparse.TypeString), field("date", docparse.TypeDate), field("total", docparse.TypeNumber), field("iban", docparse.TypeString),
	}
	tests := []struct {
		name string
		text string
		want float64
	}{
		{"an invoice", "Invoice No: 42\nDate: 2026-05-24\nTotal: 10.00\nIBAN: DE89 3704 0044 0532 0130 00", 1},
		{"half of it", "Invoice No: 42\nTotal: 10.00", 0.5},
		// The date and the IBAN are found without a label: they do not count.
		{"a letter", "Dear Sir,\nwe met on 2026-05-24. My account is DE89 3704 0044 0532 0130 00.\nRegards", 0},
	}
	for _, tt := range tests {
		res := Extract(textDoc(tt.text), schema, Options{})
		if res.LayoutMatch != tt.want {
			t.Errorf("%s: LayoutMatch = %v, want %v (values %v)", tt.name, res.LayoutMatch, tt.want, res.Values)
		}
		if (res.LayoutMatch < LayoutMatchMin) != (tt.want < LayoutMatchMin) {
			t.Errorf("%s: LayoutMatch %v against LayoutMatchMin %v", tt.name, res.LayoutMatch, LayoutMatchMin)
		}
	}
}

func TestGuessedDateOrderIsCalibratedApart(t *testing.T) {
	for _, tt := range []struct {
		text string
		kind string
	}{
		{"Date: 05/06/2026", calDateGuess},
		{"Date: 24/06/2026", calDate},
		{"Date: 05/06/2026\nDue date: 20/06/2026", calDate}, // the document shows day first
	} {
		_, traces := extractTraced(textDoc(tt.text), []docparse.Field{field("date", docparse.TypeDate)}, Options{}, true)
		if got := traceKeys(traces)["date"].kind; got != tt.kind {
			t.Errorf("Extract(%q): calibration kind %q, want %q", tt.text, got, tt.kind)
		}
	}
}

func TestCurveAt(t *testing.T) {
	pts := []calPoint{{0.4, 0.2}, {0.6, 0.6}, {0.9, 0.95}}
	for _, tt := range []struct{ raw, want float64 }{
		{0.1, 0.2}, {0.4, 0.2}, {0.5, 0.4}, {0.6, 0.6}, {0.75, 0.775}, {1.2, 0.95},
	} {
		if got := curveAt(pts, tt.raw); !approx(got, tt.want) {
			t.Errorf("curveAt(%v) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func approx(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestIsotonicIsMonotone(t *testing.T) {
	// Right 30%, 80%, 50% and 95% of the time in four score ranges: the
	// dip must be pooled away.
	var raw []float64
	var right []bool
	rates := []float64{0.3, 0.8, 0.5, 0.95}
	for b, rate := range rates {
		for i := range 100 {
			raw = append(raw, 0.2*float64(b)+0.001*float64(i))
			right = append(right, float64(i) < rate*100)
		}
	}
	pts := isotonic(raw, right, calMinBlock)
	for i := 1; i < len(pts); i++ {
		if pts[i].p < pts[i-1].p || pts[i].raw <= pts[i-1].raw {
			t.Fatalf("isotonic() = %v, want increasing raw scores and non-decreasing probabilities", pts)
		}
	}
	if first, last := pts[0].p, pts[len(pts)-1].p; first > 0.35 || last < 0.9 {
		t.Errorf("isotonic() = %v, want about 0.3 at the low end and 0.95 at the high end", pts)
	}
}

// FuzzExtract feeds arbitrary text through the whole matcher: it must not
// panic, and every confidence must be in [0,1].
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"Invoice No: 42\nTotal: 10,00 €",
		"Description   Qty   Amount\nA   1   2.00\nTotal  2.00",
		"Acme Ltd · · | VAT No: • IBAN",
		"Subtotal\nTax 20%\nTotal",
		"·\n|\n–",
		"KEDAI SDN BHD\nDate : 2 1/08/20 1 7\n27Mar 201818:46 RM 3.00",
	} {
		f.Add(s)
	}
	schema := calSchemas()[0].fields
	f.Fuzz(func(t *testing.T, s string) {
		res := Extract(textDoc(s), schema, Options{InferMissing: true})
		eachLeaf(res.Confidence, func(v any) {
			if c, ok := v.(float64); ok && (c < 0 || c > 1) {
				t.Fatalf("Extract(%q): confidence %v outside [0,1]", s, c)
			}
		})
	})
}

// The tax is less than what it is levied on: where the subtotal's and the
// tax's candidates add up to the total either way round, the smaller is
// the tax.
func TestCheckTaxBelowSubtotal(t *testing.T) {
	doc := textDoc(`Belegsummen
Positionssumme                      473,00
Rechnungssumme ohne USt.            473,00
Steuerbetrag                         56,87
Bruttosumme                         529,87`)
	schema := []docparse.Field{
		{Key: "net", Type: docparse.TypeNumber, Description: "Total without tax"},
		{Key: "tax", Type: docparse.TypeNumber, Description: "Tax amount"},
		{Key: "total", Type: docparse.TypeNumber, Description: "Grand total, tax included"},
	}
	res := Extract(doc, schema, Options{})
	want := map[string]float64{"net": 473, "tax": 56.87, "total": 529.87}
	for k, v := range want {
		if got := res.Values[k]; got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
}

// Where the subtotal's best candidate is the tax's amount and the tax's
// best the subtotal's, both add up to the total: the check takes the
// order in which the tax is the smaller.
func TestCheckAmountsTaxBelowSubtotal(t *testing.T) {
	read := func(best float64, alts ...float64) *reading {
		r := &reading{value: best, raw: 0.5}
		r.alts = append(r.alts, candidate{value: best, score: 0.5})
		for _, a := range alts {
			r.alts = append(r.alts, candidate{value: a, score: 0.4})
		}
		return r
	}
	total, sub, tax := read(529.87), read(56.87, 473.0), read(473.0, 56.87)
	checkAmounts(total, sub, tax, nil)
	if sub.value != 473.0 || tax.value != 56.87 || sub.check != checkAgree {
		t.Errorf("subtotal %v, tax %v (check %v), want 473 and 56.87, agreeing", sub.value, tax.value, sub.check)
	}
}

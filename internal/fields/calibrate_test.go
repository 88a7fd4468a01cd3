package fields

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields/synth"
)

var update = flag.Bool("update", false, "refit calibration_table.go on synthetic invoices")

// Sizes of the calibration data. The fit reads calTrainDocs invoices of
// synth.TrainSeed; the held-out check reads calHeldOutDocs of
// synth.HeldOutSeed, which the fit never sees.
const (
	calTrainDocs   = 4000
	calHeldOutDocs = 800
	// calMinGroup is the fewest readings a group needs for a curve of its
	// own; coarser groups cover the rest.
	calMinGroup = 150
	// calMinBlock is the fewest readings behind one point of a curve.
	calMinBlock = 40
)

// calSchema is one schema the calibration extracts, and which synthetic
// truth each of its keys holds.
type calSchema struct {
	fields []docparse.Field
	truth  map[string]string // schema key -> synth key
	lines  string            // the list<object> key
}

// calSchemas are two ways of asking for the same invoice: the generic
// schema of bench/accuracy, and one with other keys and descriptions, so
// that labels of every strength occur.
func calSchemas() []calSchema {
	f := func(key string, typ docparse.FieldType, desc string, kids ...docparse.Field) docparse.Field {
		return docparse.Field{Key: key, Type: typ, Description: desc, Fields: kids}
	}
	return []calSchema{
		{
			fields: []docparse.Field{
				f("invoice_number", docparse.TypeString, "Invoice number"),
				f("date", docparse.TypeDate, "Invoice date"),
				f("amount", docparse.TypeNumber, "Total amount due"),
				f("amount_untaxed", docparse.TypeNumber, "Subtotal, total before tax"),
				f("amount_tax", docparse.TypeNumber, "Total tax amount"),
				f("vat", docparse.TypeString, "VAT number of the seller"),
				f("partner_name", docparse.TypeString, "Name of the seller"),
				f("iban", docparse.TypeString, "IBAN"),
				f("lines", docparse.TypeListObject, "Line items",
					f("description", docparse.TypeString, "Item description"),
					f("quantity", docparse.TypeNumber, "Quantity"),
					f("unit_price", docparse.TypeNumber, "Unit price"),
					f("amount", docparse.TypeNumber, "Line total")),
			},
			truth: map[string]string{"invoice_number": synth.KeyNumber, "date": synth.KeyDate, "amount": synth.KeyTotal,
				"amount_untaxed": synth.KeySubtotal, "amount_tax": synth.KeyTax, "vat": synth.KeyVATID, "partner_name": synth.KeySeller, "iban": synth.KeyIBAN},
			lines: "lines",
		},
		{
			fields: []docparse.Field{
				f("invoice_no", docparse.TypeString, ""),
				f("invoice_date", docparse.TypeDate, ""),
				f("due_date", docparse.TypeDate, ""),
				f("total", docparse.TypeNumber, ""),
				f("subtotal", docparse.TypeNumber, ""),
				f("tax", docparse.TypeNumber, ""),
				f("seller_vat_number", docparse.TypeString, ""),
				f("supplier_name", docparse.TypeString, ""),
				f("iban", docparse.TypeString, ""),
				f("order_number", docparse.TypeString, ""),
				f("customer_number", docparse.TypeString, ""),
				f("buyer_name", docparse.TypeString, "Name of the customer"),
				f("line_items", docparse.TypeListObject, "",
					f("description", docparse.TypeString, ""),
					f("qty", docparse.TypeNumber, ""),
					f("unit_price", docparse.TypeNumber, ""),
					f("line_total", docparse.TypeNumber, "")),
			},
			truth: map[string]string{"invoice_no": synth.KeyNumber, "invoice_date": synth.KeyDate, "due_date": synth.KeyDue, "total": synth.KeyTotal,
				"subtotal": synth.KeySubtotal, "tax": synth.KeyTax, "seller_vat_number": synth.KeyVATID, "supplier_name": synth.KeySeller, "iban": synth.KeyIBAN,
				"order_number": synth.KeyOrderNo, "customer_number": synth.KeyCustNo, "buyer_name": synth.KeyBuyer},
			lines: "line_items",
		},
	}
}

// calSample is one emitted value: its group, raw score, and whether it is
// right.
type calSample struct {
	key   calKey
	raw   float64
	conf  float64
	right bool
	path  string
	item  bool
}

// calRun extracts doc i of docs as the calibration does: the two schemas
// in turn, the PDF-like and the plain-text rendering, the document's own
// language or "Multi-Lingual".
func calRun(i int, d synth.Doc, calibrate bool) (calSchema, Result, []trace) {
	schemas := calSchemas()
	cs := schemas[i%len(schemas)]
	var doc *extract.Document
	if i%3 == 0 {
		doc = textDoc(d.Text())
	} else {
		doc = d.Document()
	}
	lang := "Multi-Lingual"
	if (i/2)%2 == 0 {
		lang = d.Language
	}
	res, traces := extractTraced(doc, cs.fields, Options{Language: lang}, calibrate)
	return cs, res, traces
}

// calSamples extracts docs and judges every emitted value against the
// invoice's truth.
func calSamples(docs []synth.Doc, calibrate bool) []calSample {
	var out []calSample
	for i, d := range docs {
		cs, _, traces := calRun(i, d, calibrate)
		truth := d.Truth()
		rows := matchItems(d.Items, traces, cs.lines)
		for _, tr := range traces {
			s := calSample{key: tr.key, raw: tr.raw, path: tr.path}
			if calibrate {
				s.conf = calibrated(tr.key, tr.raw)
			}
			if key, ok := cs.truth[tr.path]; ok {
				want, known := truth[key]
				s.right = known && sameValue(key, want, tr.value)
			} else if strings.HasPrefix(tr.path, cs.lines+"[") {
				s.item = true
				s.right = rightItemCell(d.Items, rows, tr)
			} else {
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

// matchItems pairs extracted rows (by index) with the invoice's items:
// the first unused item whose description starts the row's.
func matchItems(items []synth.Item, traces []trace, lines string) map[int]int {
	out := map[int]int{}
	used := map[int]bool{}
	for _, tr := range traces {
		row, key, ok := itemPath(tr.path, lines)
		if !ok || key != "description" {
			continue
		}
		got := normName(fmt.Sprint(tr.value))
		for j, it := range items {
			if !used[j] && strings.HasPrefix(got, normName(it.Description)) {
				used[j] = true
				out[row] = j
				break
			}
		}
	}
	return out
}

// itemPath splits "lines[3].amount" into 3 and "amount".
func itemPath(path, lines string) (int, string, bool) {
	rest, ok := strings.CutPrefix(path, lines+"[")
	if !ok {
		return 0, "", false
	}
	idx, key, ok := strings.Cut(rest, "].")
	if !ok {
		return 0, "", false
	}
	n, err := strconv.Atoi(idx)
	return n, key, err == nil
}

func rightItemCell(items []synth.Item, rows map[int]int, tr trace) bool {
	for _, lines := range []string{"lines", "line_items"} {
		row, key, ok := itemPath(tr.path, lines)
		if !ok {
			continue
		}
		j, ok := rows[row]
		if !ok {
			return false
		}
		it := items[j]
		v, _ := tr.value.(float64)
		switch key {
		case "description":
			return true // matched on it
		case "quantity", "qty":
			return math.Abs(v-it.Quantity) < 0.005
		case "unit_price":
			return math.Abs(v-it.UnitPrice) < 0.005
		case "amount", "line_total":
			return math.Abs(v-it.Amount) < 0.005
		}
	}
	return false
}

// sameValue compares an extracted value with the truth, as
// bench/accuracy does: amounts to the cent, identifiers without spaces
// and punctuation, names case- and space-insensitively.
func sameValue(key string, want, got any) bool {
	if got == nil {
		return false
	}
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		return ok && math.Abs(g-w) < 0.005
	case string:
		g, ok := got.(string)
		if !ok {
			return false
		}
		switch key {
		case synth.KeySeller, synth.KeyBuyer:
			return normName(g) == normName(w)
		case synth.KeyDate, synth.KeyDue:
			return g == w
		}
		return lettersDigitsLower(g) == lettersDigitsLower(w)
	}
	return false
}

func normName(s string) string {
	return strings.Trim(strings.ToLower(strings.Join(strings.Fields(s), " ")), ".,;: ")
}

// TestCalibrate refits calibration_table.go with -update: first the
// seller-name weights, then a curve per group from the raw scores that
// extraction with those weights gives. Without -update it is skipped.
func TestCalibrate(t *testing.T) {
	if !*update {
		t.Skip("refits the calibration table with -update; TestCalibrationHeldOut checks it")
	}
	docs := synth.Generate(synth.TrainSeed, calTrainDocs)
	w := fitSellerWeights(docs)
	t.Logf("seller-name weights: %v", w)
	sellerWeights = w
	samples := calSamples(docs, false)
	table := fitCalibration(samples)
	calibrationTable = table
	src := renderTable(table, w)
	if err := os.WriteFile("calibration_table.go", src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote calibration_table.go: %d curves from %d readings of %d invoices", len(table), len(samples), len(docs))
}

// TestCalibrationHeldOut measures the committed calibration on invoices
// it was not fitted on: scalar values with confidence 0.7 or more must be
// right at least 90% of the time, and every band's accuracy must be within
// 0.15 of its confidence. go test -v prints the reliability table.
func TestCalibrationHeldOut(t *testing.T) {
	n := calHeldOutDocs
	if testing.Short() {
		n = 200
	}
	samples := calSamples(synth.Generate(synth.HeldOutSeed, n), true)
	var high, highRight int
	type band struct {
		n, right int
		conf     float64
	}
	bands := make([]band, 5)
	edges := []float64{0, 0.3, 0.5, 0.7, 0.9, 1.0001}
	for _, s := range samples {
		if s.item {
			continue
		}
		if s.conf >= 0.7 {
			high++
			if s.right {
				highRight++
			}
		}
		for b := range bands {
			if s.conf >= edges[b] && s.conf < edges[b+1] {
				bands[b].n++
				bands[b].conf += s.conf
				if s.right {
					bands[b].right++
				}
			}
		}
	}
	for b, bd := range bands {
		if bd.n == 0 {
			continue
		}
		acc, mean := float64(bd.right)/float64(bd.n), bd.conf/float64(bd.n)
		t.Logf("confidence %.1f-%.1f: %5d values, mean confidence %.3f, accuracy %.3f", edges[b], min(edges[b+1], 1), bd.n, mean, acc)
		if bd.n >= 100 && math.Abs(acc-mean) > 0.15 {
			t.Errorf("band %.1f-%.1f: accuracy %.3f, mean confidence %.3f: off by more than 0.15", edges[b], edges[b+1], acc, mean)
		}
	}
	if high == 0 {
		t.Fatalf("no value with confidence >= 0.7 among %d", len(samples))
	}
	prec := float64(highRight) / float64(high)
	t.Logf("confidence >= 0.7: %d of %d right (%.1f%%)", highRight, high, 100*prec)
	if prec < 0.9 {
		t.Errorf("precision at confidence >= 0.7 = %.3f, want >= 0.9", prec)
	}
}

// fitSellerWeights fits the conditional logit of party.go: for every
// invoice whose seller is among the candidates, maximise the log
// probability of the right one, by gradient ascent with a little L2.
func fitSellerWeights(docs []synth.Doc) [numNameFeatures]float64 {
	type group struct {
		cands []nameCandidate
		right int
	}
	var groups []group
	for i, d := range docs {
		var doc *extract.Document
		if i%3 == 0 {
			doc = textDoc(d.Text())
		} else {
			doc = d.Document()
		}
		lay := newLayout(doc)
		x := &extractor{lay: lay, order: documentDateOrder(lay, "")}
		cands := x.sellerCandidates()
		right := -1
		for j, c := range cands {
			if normName(c.value) == normName(d.Seller) {
				right = j
				break
			}
		}
		if right >= 0 && len(cands) > 1 {
			groups = append(groups, group{cands, right})
		}
	}
	var w [numNameFeatures]float64
	const rate, l2 = 0.5, 1e-3
	for range 400 {
		var grad [numNameFeatures]float64
		for _, g := range groups {
			p := nameProbabilities(g.cands, w)
			for j, c := range g.cands {
				target := 0.0
				if j == g.right {
					target = 1
				}
				for k, f := range c.feats {
					grad[k] += (target - p[j]) * f
				}
			}
		}
		for k := range w {
			w[k] += rate * (grad[k]/float64(len(groups)) - l2*w[k])
		}
	}
	for k := range w {
		w[k] = math.Round(w[k]*1000) / 1000
	}
	return w
}

// fitCalibration fits a curve for every group with enough readings (see
// calKey.chain): isotonic regression (pool adjacent violators) of
// rightness on raw score, blocks of at least calMinBlock readings, each
// block's rate smoothed as (right+1)/(n+2) and made monotone again.
func fitCalibration(samples []calSample) map[string][]calPoint {
	groups := map[string][]calSample{}
	for _, s := range samples {
		for _, k := range s.key.chain() {
			groups[k] = append(groups[k], s)
		}
	}
	out := map[string][]calPoint{}
	for k, ss := range groups {
		if len(ss) < calMinGroup {
			continue
		}
		raw, right := make([]float64, len(ss)), make([]bool, len(ss))
		for i, s := range ss {
			raw[i], right[i] = s.raw, s.right
		}
		out[k] = isotonic(raw, right, calMinBlock)
	}
	return out
}

// renderTable writes calibration_table.go.
func renderTable(table map[string][]calPoint, w [numNameFeatures]float64) []byte {
	var b bytes.Buffer
	b.WriteString(`// Code generated by go test ./internal/fields -run TestCalibrate -update; DO NOT EDIT.

package fields

// calibrationTable maps a calKey chain entry to its calibration curve:
// points (raw score, probability right), fitted on ` + strconv.Itoa(calTrainDocs) + ` synthetic
// invoices of synth.TrainSeed (calibrate_test.go).
var calibrationTable = map[string][]calPoint{
`)
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\t%q: {", k)
		for i, p := range table[k] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{%s, %s}", ff(p.raw), ff(p.p))
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n// sellerWeights are the weights of the seller-name features (party.go),\n// fitted by the same test.\nvar sellerWeights = [numNameFeatures]float64{")
	for i, x := range w {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ff(x))
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(err)
	}
	return src
}

func ff(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/fields/truth"
)

// scalarKeys are the schema's scalar fields, in the order they are printed.
var scalarKeys = []string{"invoice_number", "date", "amount", "amount_untaxed", "amount_tax", "vat", "partner_name", "iban"}

// schemaJSON is the generic invoice schema every document is extracted
// with. It names no vendor: the same schema serves any invoice.
var schemaJSON = []map[string]any{
	{"key": "invoice_number", "type": "string", "description": "Invoice number"},
	{"key": "date", "type": "date", "description": "Invoice date"},
	{"key": "amount", "type": "number", "description": "Total amount due"},
	{"key": "amount_untaxed", "type": "number", "description": "Subtotal, total before tax"},
	{"key": "amount_tax", "type": "number", "description": "Total tax amount"},
	{"key": "vat", "type": "string", "description": "VAT number of the seller"},
	{"key": "partner_name", "type": "string", "description": "Name of the seller"},
	{"key": "iban", "type": "string", "description": "IBAN"},
	{"key": "lines", "type": "list<object>", "description": "Line items", "fields": []map[string]any{
		{"key": "description", "type": "string", "description": "Item description"},
		{"key": "quantity", "type": "number", "description": "Quantity"},
		{"key": "unit_price", "type": "number", "description": "Unit price"},
		{"key": "amount", "type": "number", "description": "Line total"},
	}},
}

// expected is what one document should yield: scalar values by schema key
// (a string, or a float64 for amounts) and line items. A key that is
// absent is not scored.
type expected struct {
	name    string
	scalars map[string]any
	rows    []expRow
	hasRows bool
}

// expRow is one expected line item: its text (first line of the
// description, and the whole of it) and the prices it shows.
type expRow struct {
	texts  []string
	prices []float64
}

// loadCorpus reads every JSON of dir with the document of the same name
// (.pdf or .txt). It keeps only the fields that the corpus README says
// the page shows.
func loadCorpus(dir string) ([]expected, map[string]string, error) {
	read, err := truth.ReadInvoice2data(dir)
	if err != nil {
		return nil, nil, err
	}
	var out []expected
	docs := map[string]string{}
	for _, d := range read {
		e := fromInvoice2data(filepath.Base(d.Path), d.Expected)
		docs[e.name] = d.Path
		out = append(out, e)
	}
	return out, docs, nil
}

// fromInvoice2data maps an invoice2data expected object onto the schema.
// "vat" in these files is the seller's VAT identification number (a
// string, or a number when it is all digits), so the schema's vat field
// is that identifier; the tax amount is "amount_tax". issuer, desc and
// currency come from invoice2data's templates, not from the page, and are
// not scored. Line items are "lines" (or "line_items"); entries without a
// name or description (section headers, notes) are no items.
func fromInvoice2data(name string, m map[string]any) expected {
	e := expected{name: name, scalars: map[string]any{}}
	for _, k := range scalarKeys {
		v, ok := m[k]
		if !ok || v == nil {
			continue
		}
		switch k {
		case "amount", "amount_untaxed", "amount_tax":
			if f, ok := truth.ToFloat(v); ok {
				e.scalars[k] = f
			}
		default:
			switch v := v.(type) {
			case string:
				e.scalars[k] = v
			case float64:
				e.scalars[k] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	for _, key := range []string{"lines", "line_items"} {
		list, ok := m[key].([]any)
		if !ok {
			continue
		}
		e.hasRows = true
		for _, it := range list {
			obj, ok := it.(map[string]any)
			if !ok {
				continue
			}
			var r expRow
			for _, tk := range []string{"name", "desc"} {
				if s, ok := obj[tk].(string); ok && strings.TrimSpace(s) != "" {
					r.texts = append(r.texts, s)
				}
			}
			if len(r.texts) == 0 {
				continue
			}
			for _, pk := range []string{"price_unit", "price_subtotal", "price"} {
				if f, ok := truth.ToFloat(obj[pk]); ok {
					r.prices = append(r.prices, f)
				}
			}
			e.rows = append(e.rows, r)
		}
	}
	return e
}

// normText folds a description for row matching.
func normText(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// matchRows pairs expected rows with found ones, each found row used
// once. A row matches when the found description holds the first line
// of an expected text (or is part of the whole text, at least 4
// characters), and every expected price is one of the found row's
// numbers (unit price or amount, 2 decimals).
func matchRows(want []expRow, got []map[string]any) int {
	used := make([]bool, len(got))
	n := 0
	for _, w := range want {
		for gi, g := range got {
			if used[gi] || !rowMatches(w, g) {
				continue
			}
			used[gi] = true
			n++
			break
		}
	}
	return n
}

func rowMatches(w expRow, g map[string]any) bool {
	desc, _ := g["description"].(string)
	d := normText(desc)
	if d == "" {
		return false
	}
	text := false
	for _, t := range w.texts {
		first, _, _ := strings.Cut(t, "\n")
		if f := normText(first); f != "" && strings.Contains(d, f) {
			text = true
		}
		if len(d) >= 4 && strings.Contains(normText(t), d) {
			text = true
		}
	}
	if !text {
		return false
	}
	var nums []string
	for _, k := range []string{"unit_price", "amount"} {
		if f, ok := truth.ToFloat(g[k]); ok {
			nums = append(nums, truth.Normalise("amount", f))
		}
	}
	for _, p := range w.prices {
		if !slices.Contains(nums, truth.Normalise("amount", p)) {
			return false
		}
	}
	return true
}

// outcome is one extraction scored.
type outcome struct {
	name string
	// per scalar key: scored, right, found, confidence
	fields                       map[string]fieldOutcome
	rowsWant, rowsFound, rowsGot int
	hasRows                      bool
}

type fieldOutcome struct {
	want, got any
	right     bool
	conf      float64
	hasConf   bool
}

// score compares one result (values, and confidences when known) with
// its expectation.
func score(e expected, values, conf map[string]any) outcome {
	o := outcome{name: e.name, fields: map[string]fieldOutcome{}, hasRows: e.hasRows}
	for k, w := range e.scalars {
		g := values[k]
		fo := fieldOutcome{want: w, got: g, right: truth.Correct(k, w, g)}
		if c, ok := conf[k].(float64); ok {
			fo.conf, fo.hasConf = c, true
		}
		o.fields[k] = fo
	}
	if e.hasRows {
		var got []map[string]any
		if list, ok := values["lines"].([]any); ok {
			for _, it := range list {
				if m, ok := it.(map[string]any); ok {
					got = append(got, m)
				}
			}
		}
		o.rowsWant, o.rowsGot = len(e.rows), len(got)
		o.rowsFound = matchRows(e.rows, got)
	}
	return o
}

// summary aggregates outcomes.
type summary struct {
	perField             map[string][2]int // right, scored
	right, scored        int
	rowsWant, rowsFound  int
	rowsGot              int
	bands                [len(bandEdges) - 1][2]int // right, count (found values only)
	missing              int
	highRight, highCount int // found values with confidence >= 0.7
	// low counts the scored fields with confidence below 0.7, those not
	// found included: they go to review. lowFound: found ones.
	low, lowFound int
}

// bandEdges are the calibration table's confidence bands.
var bandEdges = [...]float64{0, 0.3, 0.5, 0.7, 0.9, 1.0000001}

func summarise(outs []outcome) summary {
	s := summary{perField: map[string][2]int{}}
	for _, o := range outs {
		for k, f := range o.fields {
			pf := s.perField[k]
			pf[1]++
			s.scored++
			if f.right {
				pf[0]++
				s.right++
			}
			s.perField[k] = pf
			if f.got == nil {
				s.missing++
				s.low++
				continue
			}
			if !f.hasConf {
				continue
			}
			for b := range len(bandEdges) - 1 {
				if f.conf >= bandEdges[b] && f.conf < bandEdges[b+1] {
					s.bands[b][1]++
					if f.right {
						s.bands[b][0]++
					}
				}
			}
			if f.conf >= 0.7 {
				s.highCount++
				if f.right {
					s.highRight++
				}
			} else {
				s.low++
				s.lowFound++
			}
		}
		s.rowsWant += o.rowsWant
		s.rowsFound += o.rowsFound
		s.rowsGot += o.rowsGot
	}
	return s
}

func pct(a, b int) string {
	if b == 0 {
		return "   n/a"
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(a)/float64(b))
}

// printComparison prints per-field accuracy of several systems side by
// side.
func printComparison(w io.Writer, names []string, sums []summary) {
	fmt.Fprintf(w, "  %-16s", "field")
	for _, n := range names {
		fmt.Fprintf(w, " %22s", n)
	}
	fmt.Fprintln(w)
	for _, k := range scalarKeys {
		if sums[0].perField[k][1] == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-16s", k)
		for _, s := range sums {
			pf := s.perField[k]
			fmt.Fprintf(w, " %12s (%2d/%2d)", pct(pf[0], pf[1]), pf[0], pf[1])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  %-16s", "all scalars")
	for _, s := range sums {
		fmt.Fprintf(w, " %12s (%2d/%2d)", pct(s.right, s.scored), s.right, s.scored)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-16s", "line-item rows")
	for _, s := range sums {
		fmt.Fprintf(w, " %12s (%2d/%2d)", pct(s.rowsFound, s.rowsWant), s.rowsFound, s.rowsWant)
	}
	fmt.Fprintln(w, "  recall")
	fmt.Fprintf(w, "  %-16s", "")
	for _, s := range sums {
		fmt.Fprintf(w, " %12s (%2d/%2d)", pct(s.rowsFound, s.rowsGot), s.rowsFound, s.rowsGot)
	}
	fmt.Fprintln(w, "  precision (found rows that match)")
}

// printCalibration prints accuracy per confidence band of the values
// found, and the precision at confidence >= 0.7.
func printCalibration(w io.Writer, title string, s summary) {
	fmt.Fprintf(w, "%s\n", title)
	fmt.Fprintf(w, "  %-12s %6s %9s\n", "confidence", "count", "accuracy")
	for b := range len(bandEdges) - 1 {
		hi := bandEdges[b+1]
		if hi > 1 {
			hi = 1
		}
		fmt.Fprintf(w, "  %.1f-%.1f      %6d %9s\n", bandEdges[b], hi, s.bands[b][1], pct(s.bands[b][0], s.bands[b][1]))
	}
	fmt.Fprintf(w, "  >= 0.7       %6d %9s   (goal: at least 95%% correct)\n", s.highCount, pct(s.highRight, s.highCount))
	fmt.Fprintf(w, "  not found    %6d\n", s.missing)
}

// printDetails lists every scored field of every document.
func printDetails(w io.Writer, outs []outcome) {
	for _, o := range outs {
		fmt.Fprintf(w, "  %s\n", o.name)
		for _, k := range scalarKeys {
			f, ok := o.fields[k]
			if !ok {
				continue
			}
			mark := "ok "
			if !f.right {
				mark = "BAD"
			}
			conf := ""
			if f.hasConf {
				conf = fmt.Sprintf(" (%.3f)", f.conf)
			}
			fmt.Fprintf(w, "    %s %-15s want %-28v got %v%s\n", mark, k, fmt.Sprint(f.want), f.got, conf)
		}
		if o.hasRows {
			fmt.Fprintf(w, "    rows: %d of %d expected found, %d extracted\n", o.rowsFound, o.rowsWant, o.rowsGot)
		}
	}
}

// printFailures prints, for each scalar field, up to n wrong readings of
// synthetic documents with the document's text.
func printFailures(w io.Writer, outs []outcome, texts map[string]string, n int) {
	for _, k := range scalarKeys {
		shown := 0
		for _, o := range outs {
			f, ok := o.fields[k]
			if !ok || f.right || shown >= n {
				continue
			}
			shown++
			fmt.Fprintf(w, "---- %s %s: want %v got %v (%.3f)\n%s\n", o.name, k, f.want, f.got, f.conf, texts[o.name])
		}
	}
}

// printSourceTable prints one source's per-field accuracy, docparse next
// to the baseline, keys in schema order (those scored at least once).
func printSourceTable(w io.Writer, keys []string, ours, base summary) {
	fmt.Fprintf(w, "  %-16s %5s %18s %18s\n", "field", "n", "docparse", "baseline")
	for _, k := range keys {
		o, b := ours.perField[k], base.perField[k]
		if o[1] == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-16s %5d %9s (%5d) %9s (%5d)\n", k, o[1], pct(o[0], o[1]), o[0], pct(b[0], b[1]), b[0])
	}
	fmt.Fprintf(w, "  %-16s %5d %9s (%5d) %9s (%5d)\n", "all fields", ours.scored, pct(ours.right, ours.scored), ours.right, pct(base.right, base.scored), base.right)
}

// printReview prints how many values are trusted (confidence >= 0.7) and
// how often they are right, and how many go to review.
func printReview(w io.Writer, s summary) {
	fmt.Fprintf(w, "  confidence >= 0.7: %d of %d scored values (%s), right %s (goal >= 95%%)\n",
		s.highCount, s.scored, pct(s.highCount, s.scored), pct(s.highRight, s.highCount))
	fmt.Fprintf(w, "  below 0.7, to review: %d of %d (%s): %d found with low confidence, %d not found\n",
		s.low, s.scored, pct(s.low, s.scored), s.lowFound, s.missing)
}

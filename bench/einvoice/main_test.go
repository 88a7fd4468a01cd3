package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/einvoice"
)

func TestLoadAndMeasure(t *testing.T) {
	files, other, err := load([]string{"../../internal/einvoice/testdata"})
	if err != nil {
		t.Fatal(err)
	}
	// The 10 example invoices; the hybrid PDF is no .xml.
	if len(files) != 10 || other != 0 {
		t.Fatalf("load = %d invoices, %d other; want 10, 0", len(files), other)
	}
	n, el := measure(files, 2, 10*time.Millisecond, func(file) {})
	if n < len(files) || el <= 0 {
		t.Errorf("measure = %d calls in %v; want at least one pass of %d", n, el, len(files))
	}
}

func TestReserved(t *testing.T) {
	for dir, want := range map[string]bool{
		"/work/.mirror/ZUGFeRD+corpus/repo": true,
		"/tmp/x/zugferd/corpus":             true,
		"/tmp/x/ZUGFeRD/corpus/sub":         true,
		"/tmp/einv/ZUGFeRD+mustangproject":  false,
		"/tmp/corpus":                       false,
	} {
		if got := reserved(dir); got != want {
			t.Errorf("reserved(%s) = %v, want %v", dir, got, want)
		}
	}
}

// The independent reading of a committed example, checked against values
// read off the file by hand, and compare's verdicts.
func TestIndependentReading(t *testing.T) {
	for _, tt := range []struct {
		file string
		want map[string]string
	}{
		{"cii-en16931.xml", map[string]string{"id": "471102", "issue_date": "20180305", "currency": "EUR",
			"seller.name": "Lieferant GmbH", "seller.vat_id": "DE123456789", "totals.grand_total": "529.87",
			"totals.tax": "56.87", "iban": "DE5467894567876500", "lines": "2", "lines[1].net_amount": "275.00"}},
		{"cii1-comfort.xml", map[string]string{"id": "471102", "due_date": "20130404", "totals.due_payable": "529.87", "lines": "2"}},
		{"ubl-creditnote.xml", map[string]string{"id": "TOSL108", "type_code": "381", "buyer.vat_id": "BE54321",
			"totals.prepaid": "1000", "totals.due_payable": "729", "lines": "5", "order_reference": "123"}},
	} {
		b, err := os.ReadFile(filepath.Join("../../internal/einvoice/testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		root, err := readTree(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
		if err != nil {
			t.Fatal(err)
		}
		ind, err := readIndependently(root)
		if err != nil {
			t.Fatal(err)
		}
		for field, want := range tt.want {
			if got := strings.TrimSpace(ind.values[field]); got != want {
				t.Errorf("%s: independent %s = %q, want %q", tt.file, field, got, want)
			}
		}
		inv, err := einvoice.Parse(bytes.NewReader(b), limit)
		if err != nil {
			t.Fatal(err)
		}
		n, diffs := compare(tt.file, inv, ind)
		if n < len(tt.want) || len(diffs) != 0 {
			t.Errorf("%s: compare = %d fields, disagreements %v; want none", tt.file, n, diffs)
		}
		inv.Totals.GrandTotal = "1.00"
		inv.Lines = inv.Lines[:1]
		if _, diffs := compare(tt.file, inv, ind); len(diffs) < 2 {
			t.Errorf("%s: a changed total and a dropped line give %d disagreements: %v", tt.file, len(diffs), diffs)
		}
		if n2, diffs := compare(tt.file, nil, ind); len(diffs) != n2 || n2 == 0 {
			t.Errorf("%s: an unparsed file disagrees on %d of %d fields", tt.file, len(diffs), n2)
		}
	}
	for _, c := range []struct {
		k    kind
		a, b string
		want bool
	}{
		{kAmount, "529.87", "529.8700", true}, {kAmount, "1.00", "1.01", false},
		{kDate, "2018-03-05", "20180305", true}, {kDate, "2018-03-05", "2018-03-06", false},
		{kText, "Lieferant  GmbH", "Lieferant GmbH", true}, {kText, "A", "B", false},
	} {
		if got := same(c.k, c.a, c.b); got != c.want {
			t.Errorf("same(%v, %q, %q) = %v", c.k, c.a, c.b, got)
		}
	}
}

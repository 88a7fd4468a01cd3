package main

import (
	"testing"

	"github.com/docparse/docparse/bench/internal/dataset"
)

func TestScoreOnlyTruthKeys(t *testing.T) {
	it := dataset.Item{ID: "001", Truth: map[string]string{"date": "2018-10-19", "total": "60.30"}}
	out := score(fromItem(it), map[string]any{"company": "X", "date": "2018-10-19", "total": 2.0},
		map[string]any{"company": 0.9, "date": 0.8, "total": 0.95})
	if len(out.fields) != 2 || !out.fields["date"].right || out.fields["total"].right || out.fields["total"].conf != 0.95 {
		t.Fatalf("score: %+v", out.fields)
	}
	s := summarise([]outcome{out})
	if s.highCount != 2 || s.highRight != 1 || s.low != 0 || s.scored != 2 {
		t.Errorf("summary: %+v", s)
	}
	out = score(fromItem(it), map[string]any{"date": "2018-10-19"}, map[string]any{"date": 0.5, "total": 0.0})
	if s := summarise([]outcome{out}); s.low != 2 || s.lowFound != 1 || s.missing != 1 {
		t.Errorf("summary with low confidence: %+v", s)
	}
}

func TestBaselineReceipt(t *testing.T) {
	text := `

KEDAI RUNCIT ABC SDN BHD
NO 1, JALAN DUA
Date: 19/10/2018 20:49
ITEM A        1   10.00
SUBTOTAL          10.00
ROUNDED TOTAL (RM):  10.00
CASH              50.00
GST SUMMARY TOTAL  0.60
`
	v := baselineReceipt(text)
	if v["company"] != "KEDAI RUNCIT ABC SDN BHD" || v["date"] != "2018-10-19" || v["total"] != 10.0 {
		t.Errorf("baselineReceipt = %v", v)
	}
	if v := baselineReceipt("SHOP\n19OCT2018\nSub Total 4.50\n"); v["date"] != "2018-10-19" || v["total"] != 4.5 {
		t.Errorf("baselineReceipt = %v", v)
	}
	inv := baselineOf(dataset.KindInvoice, "Invoice number: F-2026-1\nTotal: 1,234.50\n")
	if inv["invoice_number"] != "F-2026-1" || inv["total"] != 1234.5 {
		t.Errorf("baselineOf(invoice) = %v", inv)
	}
}

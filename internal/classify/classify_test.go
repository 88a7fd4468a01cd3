package classify

import "testing"

func TestClassifySmoke(t *testing.T) {
	m := NewModel([]Category{
		{ID: "cat_inv", Name: "Invoice", Description: "A bill from a supplier asking for payment", Keywords: []string{"invoice number", "amount due"}},
		{ID: "cat_rcp", Name: "Receipt", Description: "Proof of a payment at a shop", Keywords: []string{"cash", "change"}},
	}, nil)
	d := m.Classify("ACME Ltd\nINVOICE\nInvoice number: 42\nAmount due: 120.00 EUR\n", 0.5)
	if d.CategoryID != "cat_inv" {
		t.Fatalf("Classify(invoice) = %+v, want cat_inv", d)
	}
	d = m.Classify("Pancakes\nMix flour, eggs and milk. Fry in butter.\n", 0.5)
	if d.CategoryID != "" {
		t.Fatalf("Classify(recipe) = %+v, want unclassified", d)
	}
}

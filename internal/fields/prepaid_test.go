package fields

import (
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// A total asked for as such is the grand total, not what remains due after
// a payment made beforehand.
func TestPrepaidTotal(t *testing.T) {
	text := `FACTURE N° F20180027
Tout retard de paiement engendre une pénalité     TOTAL HT    TOTAL TVA    TOTAL TTC
de trois fois le taux d'interêt légal.
Indemnité forfaitaire pour frais de recouvrement
Les réglements reçus avant la date d'échéance
                                                  100,00      10,00        110,00
                                   Acompte :                               10,00
NET A PAYER                                                                100,00 EUR`
	for _, tt := range []struct {
		desc string
		want float64
	}{
		{"Grand total, tax included", 110},
		{"", 110},
	} {
		schema := []docparse.Field{{Key: "total", Type: docparse.TypeNumber, Description: tt.desc}}
		res := Extract(textDoc(text), schema, Options{})
		if got := res.Values["total"]; got != tt.want {
			t.Errorf("%q: total = %v, want %v", tt.desc, got, tt.want)
		}
	}
	if !wantsDue(newSpec(docparse.Field{Key: "amount_due", Type: docparse.TypeNumber}, nil, lex.doc)) {
		t.Error("amount_due does not ask for the amount due")
	}
	// Without a payment made beforehand, the total is not moved.
	res := Extract(textDoc("Subtotal 100,00\nShipping 10,00\nTotal 110,00\nPaid 110,00"), []docparse.Field{{Key: "total", Type: docparse.TypeNumber}}, Options{})
	if got := res.Values["total"]; got != 110.0 {
		t.Errorf("total = %v, want 110", got)
	}
}

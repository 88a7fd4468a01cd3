package fields

import (
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// TestCurrency reads a currency field as an ISO code: after its label
// ("Devise : EURO (EUR)"), and without one from the amounts of the page,
// or else from the labels of its sums.
func TestCurrency(t *testing.T) {
	schema := []docparse.Field{{Key: "currency", Type: docparse.TypeString}}
	checkValues(t, schema, Options{}, "currency", []valueCase{
		{text: "FACTURE N° 12\nDEVISE : EURO (EUR)\nTotal 12,00", want: "EUR"},
		{text: "Rechnung 12\nWährung:     CHF\nGesamt 12.00", want: "CHF"},
		{text: "Invoice 12\nSubtotal   € 10,00\nVAT        € 2,00\nTotal      € 12,00", want: "EUR"},
		{text: "RECEIPT\nTOTAL  RM 12.00\nCASH   RM 20.00", want: "MYR"},
		// No amount carries one: the labels of the sums do.
		{text: "Invoice 103767\nTotal € Incl. VAT      681.87", want: "EUR"},
		{text: "Gesamtbeträge    Netto EUR    MwSt. EUR    Brutto EUR\n                  100,00       19,00        119,00", want: "EUR"},
	})
}

// TestPartyBlockName reads a flat seller_name and buyer_name inside the
// blocks their parties' labels head, behind a "Name:" label or, without
// one, as the block's first name with a legal form.
func TestPartyBlockName(t *testing.T) {
	doc := textDoc(`Handelsrechnung Nr. 4711 vom 15.11.2024

   Verkäufer
   Nummer:              549910
   Name:                Lieferant GmbH
   Anschrift:           Lieferantenstraße 20

   Käufer/Leistungsempfänger
   Nummer:              GE2020211
   ACME Handels GmbH
   Kundenstraße 15
`)
	schema := []docparse.Field{
		{Key: "seller_name", Type: docparse.TypeString},
		{Key: "buyer_name", Type: docparse.TypeString},
	}
	res := Extract(doc, schema, Options{})
	if got := res.Values["seller_name"]; got != "Lieferant GmbH" {
		t.Errorf("seller_name = %v", got)
	}
	if got := res.Values["buyer_name"]; got != "ACME Handels GmbH" {
		t.Errorf("buyer_name = %v", got)
	}
}

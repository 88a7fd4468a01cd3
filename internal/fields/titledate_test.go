package fields

import (
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// The date after the document's number on its title line is its date,
// not the dates of a header printed above it.
func TestTitleDate(t *testing.T) {
	schema := []docparse.Field{{Key: "date", Type: docparse.TypeDate, Description: "Invoice date"}}
	tests := []struct{ text, want string }{
		{`Stylesheet-Version: 2.0 vom 18.10.2018
Codelisten-Version: 4.0 vom 15.05.2020

HANDELSRECHNUNG Nr. KR87654321012 vom 06.10.2018

Liefer- und Leistungsdatum: 30.09.2018`, "2018-10-06"},
		{`Printed 01/02/2019

Facture n° F20180027 du 31/12/2018
Date de livraison : 30/12/2018`, "2018-12-31"},
	}
	for _, tt := range tests {
		res := Extract(textDoc(tt.text), schema, Options{})
		if got := res.Values["date"]; got != tt.want {
			t.Errorf("date = %v, want %s in\n%s", got, tt.want, tt.text)
		}
	}
}

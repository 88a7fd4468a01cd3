package fields

import (
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// The date after the document's number on its title line is its date,
// not the dates of a header printed above it.
func TestTitleDate(t *testing.T) {
	schema := []docparse.Field{{Key: "date", Type: docparse.TypeDate, Description: "Invoice date"}}
	checkValues(t, schema, Options{}, "date", []valueCase{
		{text: `Stylesheet-Version: 2.0 vom 18.10.2018
Codelisten-Version: 4.0 vom 15.05.2020

HANDELSRECHNUNG Nr. KR87654321012 vom 06.10.2018

Liefer- und Leistungsdatum: 30.09.2018`, want: "2018-10-06"},
		{text: `Printed 01/02/2019

Facture n° F20180027 du 31/12/2018
Date de livraison : 30/12/2018`, want: "2018-12-31"},
	})
}

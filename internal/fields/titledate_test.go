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
		// A kind of invoice the lexicon has no label for, a code in
		// brackets and a word between it and the number's label.
		{text: `Stylesheet-Version: 2.6 vom 10.11.2025

Baurechnung (204) Nr. 181301674 vom 25.12.2025
Liefer- und Leistungsdatum: 06.12.2025`, want: "2025-12-25"},
		{text: `Stylesheet-Version: 2.5 vom 10.01.2023

Schlussrechnung Bau (877) Nr. 181301674 vom 15.11.2024
Liefer- und Leistungsdatum: 01.11.2024

Rapport-Nr.: 42389 vom 01.11.2024`, want: "2024-11-15"},
		{text: `ZUGFeRD-Version : 2.1.1 vom 01.07.2020

RECHNUNGSKORREKTUR (384) Nr. RK21012345 vom 16.09.2019
Liefer- und Leistungsdatum : 05.08.2019`, want: "2019-09-16"},
		// A remark that cites another document names no number.
		{text: `Handelsrechnung (380) Nr. 471102 vom 05.12.2025

Bemerkung   Rechnung gemäß Betriebskostenrechnung vom 21.11.2025.`, want: "2025-12-05"},
		{text: `Printed 01/02/2019

Facture n° F20180027 du 31/12/2018
Date de livraison : 30/12/2018`, want: "2018-12-31"},
	})
}

func TestTitleNumber(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int // the number's first token, -1 for none
	}{
		{"Baurechnung (204) Nr. 181301674 vom 25.12.2025", 3},
		{"Gutschrift Nr. G-17 vom 02.03.2026", 2},
		{"Schlussrechnung Bau (877) Nr. 181301674", 4},
		// A number label far from the kind, or no kind at all.
		{"Gutschrift an Firma Muster GmbH Nr. 5", -1},
		{"Rapport-Nr.: 42389 vom 01.11.2024", -1},
		{"Kunden-Nr. : 009420", -1},
		// "rechnung" alone is no compound of it.
		{"Zahlungsbedingungen Nr. 3", -1},
	} {
		if got := titleNumber(textCell(tc.text)); got != tc.want {
			t.Errorf("%q: number at token %d, want %d", tc.text, got, tc.want)
		}
	}
}

// German invoices name their due date "Fälligkeit" (often a column over
// the date) or "zahlbar ohne Abzug bis", and a credit note's number
// stands behind "Gutschrift Nr." or "Rechnungskorrektur (384) Nr.".
func TestGermanDueDateAndCreditNote(t *testing.T) {
	due := []docparse.Field{{Key: "due_date", Type: docparse.TypeDate, Description: "Payment due date"}}
	checkValues(t, due, Options{}, "due_date", []valueCase{
		{text: `Handelsrechnung Nr. 471102 vom 15.11.2024

Zahlungsbedingungen
Beschreibung      Fälligkeit      Teilzahlung
                  15.12.2024`, want: "2024-12-15"},
		{text: `Handelsrechnung Nr. 47110815 vom 15.11.2024

Zahlbar ohne Abschlag bis      01.12.2024
Zahlbar mit 2% Skonto bis      20.11.2024`, want: "2024-12-01"},
		{text: `Beitragsrechnung Nr. 4711 vom 11.03.2014
Fälligkeitstag: 01.04.2014`, want: "2014-04-01"},
	})
	number := []docparse.Field{{Key: "invoice_number", Type: docparse.TypeString, Description: "Invoice number"}}
	checkValues(t, number, Options{}, "invoice_number", []valueCase{
		{text: `RECHNUNGSKORREKTUR (384) Nr. RK21012345 vom 16.09.2019
Kunden-Nr. : 009420`, want: "RK21012345"},
		{text: `Gutschrift Nr. G-2026-17
Datum: 02.03.2026`, want: "G-2026-17"},
	})
}

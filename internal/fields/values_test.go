package fields

import (
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in    string
		units bool
		want  float64
		ok    bool
	}{
		{"1.234,56 €", false, 1234.56, true},
		{"$1,234.56", false, 1234.56, true},
		{"EUR 1 234,56", false, 1234.56, true},
		{"€ 4.904,94", false, 4904.94, true},
		{"1'234.50 CHF", false, 1234.5, true},
		{"29.99 € TTC", false, 29.99, true},
		{"Rs 1939", false, 1939, true},
		{"Rs.1939", false, 1939, true},
		{"-9,32", false, -9.32, true},
		{"€ -9,32", false, -9.32, true},
		{"(12.00)", false, -12, true},
		{"0€", false, 0, true},
		{"1,234", false, 1234, true},
		{"21.000", false, 21000, true},
		{"0,750", false, 0.75, true},
		{"12.5", false, 12.5, true},
		{"1.234.567", false, 1234567, true},
		{"1.00 kg", true, 1, true},
		{"1.00 kg", false, 0, false},
		{"15.00%", false, 0, false},
		{"1939 x 1 Night", false, 0, false},
		{"01 71 17 61 67", false, 0, false},
		{"2021-01-01", false, 0, false},
		{"ON August 3 , 2014", false, 0, false},
		{"1.234,5.6", false, 0, false},
		{"EUR", false, 0, false},
	}
	for _, tt := range tests {
		got, _, _, ok := parseAmount(tt.in, tt.units)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseAmount(%q, %v) = %v, %v, want %v, %v", tt.in, tt.units, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in    string
		order dateOrder
		want  string
		fit   float64
	}{
		{"2026-05-24", dayFirst, "2026-05-24", 1},
		{"2026/5/4", dayFirst, "2026-05-04", 1},
		{"24/05/2026", monthFirst, "2026-05-24", 1},
		{"05/24/2026", dayFirst, "2026-05-24", 1},
		{"05/06/2026", dayFirst, "2026-06-05", 0.75},
		{"05/06/2026", monthFirst, "2026-05-06", 0.75},
		{"05.06.2026", monthFirst, "2026-06-05", 0.9},
		{"24.05.2026", dayFirst, "2026-05-24", 1},
		{"8-9-2022", dayFirst, "2022-09-08", 0.75},
		{"21.05.14", dayFirst, "2014-05-21", 1},
		{"May 24, 2026", dayFirst, "2026-05-24", 1},
		{"August 3 , 2014", dayFirst, "2014-08-03", 1},
		{"Jan 1, 2022", dayFirst, "2022-01-01", 1},
		{"24 mai 2026", dayFirst, "2026-05-24", 1},
		{"24. Mai 2026", dayFirst, "2026-05-24", 1},
		{"7. März 2026", dayFirst, "2026-03-07", 1},
		{"24 de mayo de 2026", dayFirst, "2026-05-24", 1},
		{"1er juillet 2015", dayFirst, "2015-07-01", 1},
		{"02/JAN/2017", dayFirst, "2017-01-02", 1},
		{"05-AUG-2017", dayFirst, "2017-08-05", 1},
		{"28 MAR 18", dayFirst, "2018-03-28", 1},
		{"21/05/2018TIME: 11:02", dayFirst, "2018-05-21", 1},
		{"#19- 21/03/2018", dayFirst, "2018-03-21", 1},
		{"19/1o/2O18", dayFirst, "2018-10-19", 1},
		{"Date : 23/01/201 8", dayFirst, "2018-01-23", 1},
		{"21/05/201818:46", dayFirst, "2018-05-21", 1},
		{"27Mar 201818:46", dayFirst, "2018-03-27", 1},
		{"30Mar201818:17", dayFirst, "2018-03-30", 1},
		{"Date : 2 1/08/2017", dayFirst, "2017-08-21", 1},
		{"REG #19- 1 1/05/2018 20:22:56", dayFirst, "2018-05-11", 0.75},
		{"Dote: 28/08/20 17", dayFirst, "2017-08-28", 1},
		{"28/08/20 17:30", dayFirst, "2020-08-28", 1},
		{"28/08/20 17 12:26", dayFirst, "2017-08-28", 1},
		{"Date : 1 1/09/20 1 7", dayFirst, "2017-09-11", 0.75},
		{"DATE :10 0CT 2017 TUE", dayFirst, "2017-10-10", 1},
		{"0ct 10, 2017", dayFirst, "2017-10-10", 1},
		{"1 1 Apr 2018 18:13", dayFirst, "2018-04-11", 1},
		{"09 Jun 201 8 18:23", dayFirst, "2018-06-09", 1},
		{"Date/Time 20180428/191204", dayFirst, "2018-04-28", 0.7},
		{"Date:0705/2018 5:42 PM", dayFirst, "2018-05-07", 0.7},
		{"Date:0705/2018 5:42 PM", monthFirst, "2018-07-05", 0.7},
		{"Date:2505/2018", monthFirst, "2018-05-25", 0.7},
		{"DATE: 13707/2017", dayFirst, "2017-07-13", 0.7},
		{"00440010036 25032018 13:11:54 0003", dayFirst, "2018-03-25", 0.7},
		{"00440010036 25032018 13:11:54 0003", monthFirst, "2018-03-25", 0.7},
		{"12032018 10:05", dayFirst, "2018-03-12", 0.7},
		{"12032018 10:05", monthFirst, "2018-12-03", 0.7},

		{"02 Juillet 2015", dayFirst, "2015-07-02", 1},
		{"19 april 2014", dayFirst, "2014-04-19", 1},
		{"3 sept. 2026", dayFirst, "2026-09-03", 1},
		{"le 5 févr. 2026", dayFirst, "2026-02-05", 1},
		{"on May 24, 2026 at noon", dayFirst, "2026-05-24", 1},
	}
	for _, tt := range tests {
		got, fit, ok := parseDate(tt.in, tt.order)
		if !ok || got != tt.want || fit != tt.fit {
			t.Errorf("parseDate(%q, %v) = %q, %v, %v, want %q, %v", tt.in, tt.order, got, fit, ok, tt.want, tt.fit)
		}
	}
	for _, in := range []string{"31/02/2026", "13/13/2026", "Invoice 12", "May 2026", "Seite 1 von 2", "the contract of 24 May 2026", "Ref 20181399", "No 1234/2018", "No 12345/2018", "Barcode 25032018", "Ref 25132018 10:05"} {
		if got, _, ok := parseDate(in, dayFirst); ok {
			t.Errorf("parseDate(%q) = %q, want no date", in, got)
		}
	}
}

func TestParseIdent(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"42183017", "42183017", true},
		{"# BLR_WFLD20151000982590", "BLR_WFLD20151000982590", true},
		{"INV/2023/03/0008", "INV/2023/03/0008", true},
		{"F 1234K20/1234/12", "F 1234K20/1234/12", true},
		{"No. 2026-0042,", "2026-0042", true},
		{"562044387 du 02 Juillet 2015", "562044387", true},
		{"Summary", "", false},
		{"42.00", "", false},
		{"24/05/2026", "", false},
		{"is for the billing period", "", false},
	}
	for _, tt := range tests {
		got, _, ok := parseIdent(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseIdent(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseIBAN(t *testing.T) {
	tests := []struct {
		in, want string
		fit      float64
	}{
		{"NL50INGB0683251309", "NL50INGB0683251309", 1},
		{"FR76 1010 7002 4500 6170 5231 739 BIC BREDFRPP", "FR7610107002450061705231739", 1},
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", 1},
		{"US1234567890", "US1234567890", 0.7},
		// Check digits that fail: the groups that make a French IBAN's 27
		// characters, at a lower fit.
		{"FR76 1254 2547 2569 8542 5874 698", "FR7612542547256985425874698", 0.6},
		{"FR76 1254 2547 2569 8542 5874 698 BIC X", "FR7612542547256985425874698", 0.6},
	}
	for _, tt := range tests {
		got, fit, ok := parseIBAN(tt.in)
		if !ok || got != tt.want || fit != tt.fit {
			t.Errorf("parseIBAN(%q) = %q, %v, %v, want %q, %v", tt.in, got, fit, ok, tt.want, tt.fit)
		}
	}
	if got, _, ok := parseIBAN("FR76 ****************"); ok {
		t.Errorf("parseIBAN(masked) = %q, want none", got)
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"yes": true, "Oui": true, "ja": true, "sí": true, "true": true, "checked": true, "☑": true, "no": false, "Non": false, "nein": false, "false": false, "☐": false} {
		if got, _, ok := parseBool(in); !ok || got != want {
			t.Errorf("parseBool(%q) = %v, %v, want %v", in, got, ok, want)
		}
	}
	if _, _, ok := parseBool("maybe"); ok {
		t.Errorf("parseBool(maybe) ok, want not a boolean")
	}
}

// A document whose only date is ambiguous takes the order of the country
// its words point to before the one its language would guess.
func TestLocaleDateOrder(t *testing.T) {
	tests := []valueCase{
		{"malaysian receipt", "KEDAI MAJU SDN BHD\nDate: 03/04/2018\nTOTAL RM 12.00", "2018-04-03"},
		{"uk invoice", "Acme Widgets Ltd\nVAT Reg No 123 4567 89\nDate 03/04/2018\nTotal £12.00", "2018-04-03"},
		{"us receipt", "Corner Store LLC\n12 Main St, Springfield, IL 62701\nDate 03/04/2018\nSales Tax 0.80", "2018-03-04"},
		{"german address", "Lieferant GmbH\nDE 80333 München\nUSt-IdNr DE123456789\nDate 03/04/2018", "2018-04-03"},
		{"no cue", "Corner Store\nDate 03/04/2018", "2018-03-04"}, // at most guessedDateMax
		{"a date shows the order", "Invoice date: 03/04/2018\nDue date: 25/04/2018\nSales Tax 0.80", "2018-04-03"},
	}
	schema := []docparse.Field{field("date", docparse.TypeDate)}
	for i, res := range checkValues(t, schema, Options{Language: "English"}, "date", tests) {
		if c := res.Confidence["date"].(float64); (c > guessedDateMax) == strings.HasPrefix(tests[i].name, "no cue") {
			t.Errorf("%s: confidence %v; a guessed order gets at most %v, a shown one more", tests[i].name, c, guessedDateMax)
		}
	}
}

package textfold

import (
	"strings"
	"testing"
)

func TestRune(t *testing.T) {
	fold := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			b.WriteString(Rune(r))
		}
		return b.String()
	}
	for in, want := range map[string]string{
		"Facture N° 12":   "facture n° 12",
		"Straße Größe":    "strasse grosse",
		"ÉTÉ à Besançon":  "ete a besancon",
		"Łódź Żółć":       "lodz zolc",
		"Æble Œuvre":      "aeble oeuvre",
		"Rechnungsnummer": "rechnungsnummer",
		"Ελληνικά":        "ελληνικά",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

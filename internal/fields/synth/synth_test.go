package synth

import (
	"math"
	"os"
	"strings"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(TrainSeed, 20), Generate(TrainSeed, 20)
	for i := range a {
		if a[i].Text() != b[i].Text() {
			t.Fatalf("Generate(%d) differs on document %d between two calls", TrainSeed, i)
		}
	}
	if Generate(HeldOutSeed, 1)[0].Text() == a[0].Text() {
		t.Errorf("seeds %d and %d give the same first document", TrainSeed, HeldOutSeed)
	}
}

func TestGenerateIsConsistent(t *testing.T) {
	for _, d := range Generate(TrainSeed, 500) {
		if got := d.Subtotal + d.Tax; math.Abs(got-d.Total) > 0.005 && math.Abs(got-d.Total) < 2 {
			t.Errorf("%s: subtotal %v + tax %v = %v, total %v", d.Name, d.Subtotal, d.Tax, got, d.Total)
		}
		if !ibanValid(d.IBAN) {
			t.Errorf("%s: IBAN %s does not check", d.Name, d.IBAN)
		}
		if !d.Shows(KeyTotal) || !d.Shows(KeyNumber) || !d.Shows(KeyDate) || !d.Shows(KeySeller) {
			t.Errorf("%s: shows %v, want at least the total, number, date and seller", d.Name, d.shows)
		}
		text := d.Text()
		if !strings.Contains(text, d.Number) {
			t.Errorf("%s: the text does not print the number %s", d.Name, d.Number)
		}
		if n := len(d.Document().Pages[0].Lines); n < 6 {
			t.Errorf("%s: Document has %d lines on its first page", d.Name, n)
		}
	}
	if os.Getenv("SYNTH_DUMP") != "" {
		for _, d := range Generate(TrainSeed, 6) {
			t.Logf("%s (%s)\n%s", d.Name, d.Language, d.Text())
		}
	}
}

func ibanValid(v string) bool {
	rem := 0
	for _, c := range v[4:] + v[:4] {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem == 1
}

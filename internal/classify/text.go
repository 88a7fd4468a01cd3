package classify

import (
	"strings"
	"unicode"

	"github.com/docparse/docparse/internal/textfold"
)

// words returns the folded, stemmed words of s: runs of letters, lower-cased,
// diacritics stripped, with a light suffix stemmer so that "invoices",
// "invoiced" and "invoice" meet. Runs of digits are dropped; they carry no
// evidence about the kind of document, only about its content.
func words(s string) []string {
	var (
		out []string
		b   strings.Builder
	)
	flush := func() {
		if b.Len() > 0 {
			out = append(out, stem(b.String()))
			b.Reset()
		}
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteString(foldRune(r))
			continue
		}
		if r == '\'' || r == '’' {
			// "l'adresse" and "customer's": the apostrophe ends a word.
			flush()
			continue
		}
		flush()
	}
	flush()
	return out
}

// stem strips common English, French, German and Spanish plural and verb
// endings. It is deliberately crude: both sides of every comparison go
// through it, so it only has to be consistent, not linguistically right.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	for _, suf := range []string{"ings", "ing", "ies", "es", "ed", "s", "e"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			if suf == "ies" {
				return w[:len(w)-3] + "y"
			}
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// foldRune lower-cases a letter and strips its diacritics.
func foldRune(r rune) string { return textfold.Rune(r) }

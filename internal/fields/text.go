package fields

import (
	"strings"
	"unicode"

	"github.com/docparse/docparse/internal/textfold"
)

// token is a normalised piece of text: a run of letters or a run of digits,
// folded to lower-case ASCII ("Rechnungs-Nr." gives "rechnungs", "nr";
// "n°562044387" gives "no", "562044387"). Offsets point into the original
// text so that what follows a label can be cut out of it.
type token struct {
	norm       string
	start, end int // byte offsets in the text it came from
	alpha      bool
}

// tokenize splits s into tokens. The degree and ordinal signs count as the
// letter o, so "N°", "Nº" and "No" are the same word.
func tokenize(s string) []token {
	var (
		toks  []token
		b     strings.Builder
		start = -1
		class = 0 // 0 none, 1 letters, 2 digits
	)
	flush := func(end int) {
		if start >= 0 {
			toks = append(toks, token{norm: b.String(), start: start, end: end, alpha: class == 1})
			b.Reset()
			start, class = -1, 0
		}
	}
	for i, r := range s {
		c := 0
		switch {
		case r >= '0' && r <= '9':
			c = 2
		case r == '°' || r == 'º' || unicode.IsLetter(r):
			c = 1
		}
		if c != class {
			flush(i)
		}
		if c == 0 {
			continue
		}
		if start < 0 {
			start, class = i, c
		}
		if c == 1 {
			b.WriteString(foldRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	flush(len(s))
	return toks
}

// normTokens returns the normalised words of s.
func normTokens(s string) []string {
	toks := tokenize(s)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.norm
	}
	return out
}

// fold lower-cases s and strips the diacritics foldRune knows, keeping
// every other character: date and month patterns run on it.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || r == '°' || r == 'º' {
			b.WriteString(foldRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldRune lower-cases a letter and strips its diacritics; the degree
// sign and the ordinal indicator read as "o" ("N°" is "no").
func foldRune(r rune) string {
	if r == '°' || r == 'º' {
		return "o"
	}
	return textfold.Rune(r)
}

// oneEdit reports whether a and b differ by exactly one inserted, deleted
// or replaced byte (both are folded ASCII words).
func oneEdit(a, b string) bool {
	if len(a)-len(b) > 1 || len(b)-len(a) > 1 {
		return false
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		diff := 0
		for i := range len(a) {
			if a[i] != b[i] {
				diff++
			}
		}
		return diff == 1
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return a[i+1:] == b[i:]
	}
	return false
}

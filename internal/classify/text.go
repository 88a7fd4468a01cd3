package classify

import (
	"strings"
	"unicode"
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

// foldRune lower-cases a letter and strips the diacritics of the Latin
// alphabets the vocabulary covers.
func foldRune(r rune) string {
	r = unicode.ToLower(r)
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return "a"
	case 'æ':
		return "ae"
	case 'ç', 'ć', 'č':
		return "c"
	case 'ď', 'đ':
		return "d"
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė', 'ę', 'ě':
		return "e"
	case 'ì', 'í', 'î', 'ï', 'ī', 'į':
		return "i"
	case 'ł':
		return "l"
	case 'ñ', 'ń', 'ň':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ő':
		return "o"
	case 'œ':
		return "oe"
	case 'ř', 'ŕ':
		return "r"
	case 'ś', 'š', 'ş', 'ș':
		return "s"
	case 'ß':
		return "ss"
	case 'ť', 'ţ', 'ț':
		return "t"
	case 'ù', 'ú', 'û', 'ü', 'ū', 'ů', 'ű':
		return "u"
	case 'ý', 'ÿ':
		return "y"
	case 'ź', 'ż', 'ž':
		return "z"
	}
	return string(r)
}

package fields

import "unicode/utf8"

// Labels misread by OCR. Tesseract reads the labels of small receipt print
// with a letter wrong or lost ("Tota!" for Total, whose "!" the tokenizer
// drops, "Subtoiat" for Subtotal, "Chanqe" for Change), and a label that
// is not read is not a label: the amount beside it loses what says it is
// the total. On an OCRed page, a word that is not a label's word itself
// but one edit away from exactly one of them (two edits for words of eight
// letters or more) is read as that word when the document's labels are
// looked for (its token's norm); the text, and so every value read from
// it, stays as the OCR read it.
//
// The words mended to are those of the built-in concepts' terms and the
// scorer's cue words (cash, change, rounding, ...), of five letters or
// more: shorter words are one edit away from too many others.

// ocrMendMin is the shortest word mended to; a token must have at least
// one letter less.
const ocrMendMin = 5

// mendVocab is every label word a misread word may be mended to, by
// length in runes.
var mendVocab = newMendVocab()

// mendKnown is every word of the lexicon's terms and the cue words: a
// token that is one of them is never mended.
var mendKnown map[string]bool

func newMendVocab() map[int][]string {
	mendKnown = map[string]bool{}
	add := func(w string) { mendKnown[w] = true }
	for _, c := range lex.doc {
		for _, ts := range [][][]string{c.strong, c.weak} {
			for _, t := range ts {
				for _, w := range t {
					add(w)
				}
			}
		}
	}
	for _, set := range []map[string]bool{cashWords, changeWords, roundWords, discWords, qtyWords} {
		for w := range set {
			add(w)
		}
	}
	byLen := map[int][]string{}
	for w := range mendKnown {
		if n := utf8.RuneCountInString(w); n >= ocrMendMin && allLetters(w) {
			byLen[n] = append(byLen[n], w)
		}
	}
	return byLen
}

func allLetters(w string) bool {
	for _, t := range tokenize(w) {
		if !t.alpha || t.start != 0 || t.end != len(w) {
			return false
		}
	}
	return w != ""
}

// mendTokens mends the misread label words among toks, in place.
func mendTokens(toks []token) {
	for i := range toks {
		if m, ok := mendWord(toks[i].norm); ok && toks[i].alpha {
			toks[i].norm = m
		}
	}
}

// mendWord returns the label word w is a misreading of, if it is one
// edit (two for eight letters or more) away from exactly one.
func mendWord(w string) (string, bool) {
	n := utf8.RuneCountInString(w)
	if n < ocrMendMin-1 || mendKnown[w] {
		return "", false
	}
	edits := 1
	if n >= 7 {
		edits = 2
	}
	found := ""
	for l := max(ocrMendMin, n-edits); l <= n+edits; l++ {
		for _, v := range mendVocab[l] {
			d := editDistance(w, v)
			if d > edits || (d == 2 && utf8.RuneCountInString(v) < 8) {
				continue
			}
			if found != "" && found != v {
				return "", false
			}
			found = v
		}
	}
	return found, found != ""
}

package fields

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names misread by OCR. A store's name printed in capitals comes back
// from Tesseract with a letter read as a symbol or a digit ("D.I.¥.",
// "$/B", "5HOP") or with one letter wrong in a long word of trade
// ("ENJERPRISE"). A name is compared letter for letter, so one such
// misreading makes it wrong. On an OCRed page, the names read from a
// cell are mended (mendName) before they are offered: only words in
// capitals, and only into what capitals can be (a symbol between letters
// into the letter it looks like; a word one edit away from exactly one
// word of trade into that word). Names in mixed case and names of text
// layers stay as printed.

// lookAlike maps the symbols and digits OCR reads for capital letters to
// those letters. Symbols are mended wherever they stand in a word of
// capitals; digits only inside a word that is otherwise capitals.
var lookAlike = map[rune]rune{
	'¥': 'Y', '$': 'S', '€': 'E', '|': 'I',
	'0': 'O', '1': 'I', '5': 'S', '8': 'B',
}

// tradeWords are words of trade that shop and company names carry, in the
// engine's languages and Malay: a capital word one edit away from exactly
// one of them (two for nine letters or more) is read as it.
var tradeWords = wordSet(`enterprise enterprises trading trader traders stationery restaurant restaurants restoran hardware
	service book industry product solution consultant distributor motor
	marketing international supermarket hypermarket minimarket pharmacy farmasi bakery services
	industries industrial holdings bakeries confectionery healthcare telecommunications management engineering electrical electronics furniture bookstore
	books kitchen station communication communications corporation company products machinery
	perniagaan pasaraya kedai gerai syarikat perkhidmatan runcit borong emporium
	boutique fashion florist optical clinic hospital medical dental hotel cafe coffee
	technology technologies solutions consulting consultants logistics transport motors automotive
	construction development properties distribution distributors wholesale retail store stores
	gesellschaft handel handelsgesellschaft technik vertrieb dienstleistungen
	societe entreprise services distribution sociedad comercial distribuciones servicios
	societa commerciale handelsonderneming groothandel spolka handlowa uslugi`)

// tradeByLen is tradeWords by length in runes, upper case.
var tradeByLen = func() map[int][]string {
	m := map[int][]string{}
	for w := range tradeWords {
		u := strings.ToUpper(w)
		m[utf8.RuneCountInString(u)] = append(m[utf8.RuneCountInString(u)], u)
	}
	return m
}()

// mendName returns name with its misread capital words put right. Two
// words that OCR joined with a dot ("EAGLE.ENTERPRTSE") are mended each
// on its own, and keep their dot.
func mendName(name string) string {
	words := joinSplitWords(strings.Split(name, " "))
	for i, w := range words {
		if m := dottedWords.FindStringSubmatch(w); m != nil {
			words[i] = mendNameWord(m[1]) + "." + mendNameWord(m[2])
			continue
		}
		words[i] = mendNameWord(w)
	}
	return strings.Join(words, " ")
}

// joinSplitWords joins two words of capitals that OCR split with a space
// when together they are a word of trade, or one letter away from
// exactly one ("STATI ONERY", "BAKERY ES"), and not both words of trade
// already ("BOOK STORE" stays). A letter more or less is no split word
// ("HO TRADING", "RESTAURANT SDN").
func joinSplitWords(words []string) []string {
	capitals := func(w string) bool {
		return w != "" && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsUpper(r) }) < 0
	}
	for i := 0; i+1 < len(words); i++ {
		a, b := words[i], strings.TrimRight(words[i+1], ".,")
		if !capitals(a) || !capitals(b) || tradeWords[strings.ToLower(a)] && tradeWords[strings.ToLower(b)] {
			continue
		}
		if j := mendTradeWord(a + b); tradeWords[strings.ToLower(j)] && len(j) == len(a+b) && editDistance(j, a+b) <= 1 {
			words = slices.Replace(words, i, i+2, j+words[i+1][len(b):])
		}
	}
	return words
}

// mendNameWord returns the word w of a name with what OCR misread in it
// put right.
func mendNameWord(w string) string {
	if abbrevZero.MatchString(w) {
		// "C0." is "CO." (company), "N0." is "NO.": a capital and a
		// zero make no word.
		return strings.Replace(w, "0", "O", 1)
	}
	if m := leadingLookAlike(w); tradeWords[strings.ToLower(strings.TrimRight(m, ".,"))] {
		// "8OOK" is "BOOK"; a digit that starts a word is left
		// otherwise ("1STOP" is a name).
		return m
	}
	return mendTradeWord(mendLookAlikes(w))
}

// leadingLookAlike returns w with the digit that starts it read as the
// capital it looks like, when capitals follow it; w otherwise.
func leadingLookAlike(w string) string {
	if len(w) < 4 || w[0] < '0' || w[0] > '9' {
		return w
	}
	to, ok := lookAlike[rune(w[0])]
	if !ok || strings.IndexFunc(w[1:], func(r rune) bool { return !unicode.IsUpper(r) && r != '.' && r != ',' }) >= 0 {
		return w
	}
	return string(to) + w[1:]
}

var (
	// dottedWords are two words of capitals, three letters or more each,
	// joined by a dot that should have been a space.
	dottedWords = regexp.MustCompile(`^([A-Z]{3,})\.([A-Z0-9]{3,}[.,]?)$`)
	// abbrevZero is a capital and a zero, a dot after them or not.
	abbrevZero = regexp.MustCompile(`^[A-Z]0\.?$`)
)

// initials are capitals, or what OCR reads for them, each followed by a
// dot ("D.I.Y.", "S.H.H.").
var initials = regexp.MustCompile(`^(?:[A-Z0-9¥$€|]\.){2,}[A-Z0-9¥$€|]?$`)

// mendLookAlikes mends the symbols and digits in w that stand for capital
// letters: w must have capitals and no small letter; a digit is mended
// only when w's other characters are capitals (at least three), it holds
// at most two digits, and the digits stand between capitals.
func mendLookAlikes(w string) string {
	upper, lower, digits, other := 0, 0, 0, 0
	for _, r := range strings.TrimRight(w, ".,;:") {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		case r >= '0' && r <= '9':
			digits++
		case lookAlike[r] == 0:
			other++
		}
	}
	if upper == 0 || lower > 0 {
		return w
	}
	if initials.MatchString(w) {
		// Initials: every digit or symbol stands for a letter ("D.1.¥.").
		return strings.Map(func(r rune) rune {
			if to, ok := lookAlike[r]; ok {
				return to
			}
			return r
		}, w)
	}
	mendDigits := digits > 0 && digits <= 2 && upper >= 3 && other == 0
	rs := []rune(w)
	changed := false
	for i, r := range rs {
		to, ok := lookAlike[r]
		if !ok {
			continue
		}
		if r >= '0' && r <= '9' {
			// A digit only between capitals ("B00KS", not "1STOP").
			if !mendDigits || !digitsBetweenCapitals(rs, i) {
				continue
			}
		} else if !letterBeside(rs, i) {
			// A symbol stands for a letter only next to a capital, a dot
			// or a slash ("D.I.¥.", "$/B").
			continue
		}
		rs[i], changed = to, true
	}
	if !changed {
		return w
	}
	return string(rs)
}

// digitsBetweenCapitals reports whether the run of digits around rs[i]
// has a capital letter on both sides.
func digitsBetweenCapitals(rs []rune, i int) bool {
	l, r := i, i
	for l >= 0 && rs[l] >= '0' && rs[l] <= '9' {
		l--
	}
	for r < len(rs) && rs[r] >= '0' && rs[r] <= '9' {
		r++
	}
	return l >= 0 && r < len(rs) && unicode.IsUpper(rs[l]) && unicode.IsUpper(rs[r])
}

// letterBeside reports whether rs[i] has a capital, a dot or a slash
// beside it.
func letterBeside(rs []rune, i int) bool {
	near := func(j int) bool {
		return j >= 0 && j < len(rs) && (unicode.IsUpper(rs[j]) || rs[j] == '.' || rs[j] == '/')
	}
	return near(i-1) || near(i+1)
}

// mendTradeWord returns the word of trade w is a misreading of, when w is
// a capital word of six letters or more (a trailing comma or dot apart)
// one edit away (two for nine letters or more) from one of them, nearer
// than to any other; w otherwise.
func mendTradeWord(w string) string {
	core := strings.TrimRight(w, ".,")
	n := utf8.RuneCountInString(core)
	if n < 6 || strings.IndexFunc(core, func(r rune) bool { return !unicode.IsUpper(r) }) >= 0 {
		return w
	}
	if tradeWords[strings.ToLower(core)] {
		return w
	}
	edits := 1
	if n >= 9 {
		edits = 2
	}
	found, best, tie := "", edits+1, false
	for l := n - edits; l <= n+edits; l++ {
		for _, v := range tradeByLen[l] {
			switch d := editDistance(core, v); {
			case d < best:
				found, best, tie = v, d, false
			case d == best:
				tie = true
			}
		}
	}
	if found == "" || tie {
		return w
	}
	return found + w[len(core):]
}

// minVoteWord is the shortest word pageVote mends.
const minVoteWord = 5

// pageVote mends the words of a name read by OCR on line ln by the rest
// of its page: a word of five letters or more that stands nowhere else on
// the page, one letter away from exactly one word that stands on two
// other lines or more, is that word misread ("SANYO STATIONERY SHOP"
// above "SANYU SUPPLY SDN BHD" and "facebook: Sanyu.Stationery"). A
// store's name often comes back in its footer (an owner, a web page, an
// e-mail address); OCR rarely misreads it the same way twice.
func (x *extractor) pageVote(name string, ln *line) string {
	words := x.wordsOfPage(ln.page)
	out := strings.Fields(name)
	changed := false
	for i, w := range out {
		core := strings.TrimRight(w, ".,;:")
		if len(core) < minVoteWord || strings.IndexFunc(core, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			continue
		}
		fw := strings.ToLower(core)
		if elsewhere(words[fw], ln.index) > 0 {
			continue
		}
		var pick string
		n := 0
		for other, lines := range words {
			if len(other) != len(fw) || elsewhere(lines, ln.index) < 2 || !oneLetterAway(fw, other) {
				continue
			}
			pick, n = other, n+1
		}
		if n != 1 {
			continue
		}
		if core == strings.ToUpper(core) {
			pick = strings.ToUpper(pick)
		} else if r := []rune(core); unicode.IsUpper(r[0]) {
			pr := []rune(pick)
			pr[0] = unicode.ToUpper(pr[0])
			pick = string(pr)
		}
		out[i], changed = pick+w[len(core):], true
	}
	if !changed {
		return name
	}
	return strings.Join(out, " ")
}

// wordsOfPage returns page's words of minVoteWord letters or more,
// folded to lower case, each with the indexes of the lines it stands on.
func (x *extractor) wordsOfPage(page int) map[string][]int {
	if x.pageWords == nil {
		for _, l := range x.lay.lines {
			for l.page >= len(x.pageWords) {
				x.pageWords = append(x.pageWords, nil)
			}
			m := x.pageWords[l.page]
			if m == nil {
				m = map[string][]int{}
				x.pageWords[l.page] = m
			}
			for _, c := range l.cells {
				for _, w := range strings.FieldsFunc(strings.ToLower(c.text), func(r rune) bool { return !unicode.IsLetter(r) }) {
					if len(w) >= minVoteWord && !slices.Contains(m[w], l.index) {
						m[w] = append(m[w], l.index)
					}
				}
			}
		}
	}
	if page < 0 || page >= len(x.pageWords) {
		return nil
	}
	return x.pageWords[page]
}

// elsewhere counts the lines other than line.
func elsewhere(lines []int, line int) int {
	n := 0
	for _, l := range lines {
		if l != line {
			n++
		}
	}
	return n
}

// oneLetterAway reports whether a and b, of the same length, differ in
// exactly one letter.
func oneLetterAway(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	diff := 0
	for i := range ra {
		if ra[i] != rb[i] {
			diff++
		}
	}
	return diff == 1
}

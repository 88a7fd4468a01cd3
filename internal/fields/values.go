package fields

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Each parser below reads one typed value from a candidate string (what
// follows a label, or a cell next to or below it) and returns the value and
// its type fit in [0,1]: 1 for a clean, unambiguous value, less when the
// reading involved a guess. A parser refuses a string that holds more than
// its value plus decoration (currency, markers), so that a label followed
// by a sentence does not yield a number found in that sentence.

// currencyWords may stand next to an amount.
var currencyWords = map[string]bool{
	"eur": true, "euro": true, "euros": true, "usd": true, "us$": true, "gbp": true, "chf": true, "jpy": true, "cny": true, "inr": true, "rs": true,
	"pln": true, "zl": true, "zł": true, "sek": true, "nok": true, "dkk": true, "czk": true, "kč": true, "huf": true, "ron": true, "bgn": true,
	"cad": true, "aud": true, "nzd": true, "mxn": true, "brl": true, "r$": true, "zar": true, "try": true, "rub": true, "aed": true, "sgd": true, "hkd": true, "kr": true,
	"dollar": true, "dollars": true, "rm": true, "myr": true, "idr": true, "rp": true, "php": true, "thb": true, "s$": true, "hk$": true, "a$": true, "c$": true,
}

// amountMarkers may follow or precede an amount ("29.99 € TTC").
var amountMarkers = map[string]bool{
	"ttc": true, "ht": true, "incl": true, "excl": true, "inkl": true, "exkl": true, "net": true, "netto": true, "brutto": true, "gross": true,
}

// currencySymbols may be glued to an amount ("$1,234.56", "45,93€").
const currencySymbols = "$€£¥₹₩₽₺₪฿₫₴₦"

// parseAmount reads a money amount or other decimal number: "1.234,56 €",
// "$1,234.56", "EUR 1 234,56", "-9,32", "(12.00)". Percentages are refused.
// With units, up to two short words after the number are allowed ("1.00
// kg", "3 pcs"), for table cells. The fit is 1 when a currency or two
// decimals mark it as an amount, 0.9 for a bare number.
func parseAmount(s string, units bool) (float64, int, float64, bool) {
	var groups []string
	neg, cur, trailing := false, false, 0
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, "*:")
		if f == "" {
			continue
		}
		if f == "-" || f == "−" {
			neg = true
			continue
		}
		if strings.ContainsRune(f, '%') {
			return 0, 0, 0, false
		}
		g, sym := stripCurrency(f)
		cur = cur || sym
		if g == "" {
			continue
		}
		low := strings.ToLower(strings.TrimSuffix(g, "."))
		if currencyWords[low] {
			cur = true
			continue
		}
		if amountMarkers[low] {
			continue
		}
		if !startsNumeric(g) {
			if units && len(groups) > 0 && trailing < 2 && utf8.RuneCountInString(g) <= 6 && isLetters(g) {
				trailing++
				continue
			}
			return 0, 0, 0, false
		}
		if trailing > 0 {
			return 0, 0, 0, false
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return 0, 0, 0, false
	}
	// "1 234,56": groups after the first are thousands, three digits each.
	joined := groups[0]
	for _, g := range groups[1:] {
		if len(g) < 3 || !isDigits(g[:3]) || (len(g) > 3 && g[3] != '.' && g[3] != ',') {
			return 0, 0, 0, false
		}
		joined += g
	}
	v, dec, ok := parseNumber(joined)
	if !ok {
		return 0, 0, 0, false
	}
	if neg {
		v = -v
	}
	fit := 0.9
	if cur || dec == 2 {
		fit = 1
	}
	if trailing > 0 {
		fit = 0.85
	}
	return v, dec, fit, true
}

func stripCurrency(f string) (string, bool) {
	sym := false
	for {
		r, n := utf8.DecodeRuneInString(f)
		if n > 0 && strings.ContainsRune(currencySymbols, r) {
			f, sym = f[n:], true
			continue
		}
		r, n = utf8.DecodeLastRuneInString(f)
		if n > 0 && strings.ContainsRune(currencySymbols, r) {
			f, sym = f[:len(f)-n], true
			continue
		}
		break
	}
	// "Rs.1939", "EUR1234"
	low := strings.ToLower(f)
	for _, p := range []string{"rs.", "rs", "eur", "usd", "us$", "r$", "chf", "gbp", "rm", "myr", "s$"} {
		if strings.HasPrefix(low, p) && len(f) > len(p) && f[len(p)] >= '0' && f[len(p)] <= '9' {
			return f[len(p):], true
		}
	}
	return f, sym
}

func startsNumeric(s string) bool {
	s = strings.TrimLeft(s, "(-−+")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '.' {
			return false
		}
	}
	return true
}

// parseNumber reads one number with optional thousands separators and
// returns its value and count of decimals. Rules: with both "." and ",",
// the later one is the decimal separator; one kind used several times
// separates thousands; used once, it separates thousands when exactly three
// digits follow and at most three non-zero-led digits precede ("1,234",
// "21.000"), else decimals ("0,750", "12.50"). Apostrophes separate
// thousands (Swiss). A trailing minus or parentheses make it negative.
func parseNumber(s string) (float64, int, bool) {
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "−"):
		neg, s = true, s[len("−"):]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasSuffix(s, "-"):
		neg, s = true, s[:len(s)-1]
	}
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	if s == "" || !isDigit(s[0]) || !isDigit(s[len(s)-1]) {
		return 0, 0, false
	}
	for i := range len(s) {
		if !isDigit(s[i]) && s[i] != '.' && s[i] != ',' {
			return 0, 0, false
		}
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	var intPart, frac string
	switch {
	case dots > 0 && commas > 0:
		d := max(strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ','))
		thou := ","
		if s[d] == ',' {
			thou = "."
		}
		if strings.Contains(s[d+1:], thou) || !thousands(s[:d], thou) {
			return 0, 0, false
		}
		intPart, frac = strings.ReplaceAll(s[:d], thou, ""), s[d+1:]
		if strings.ContainsAny(frac, ".,") {
			return 0, 0, false
		}
	case dots+commas > 1:
		sep := "."
		if commas > 0 {
			sep = ","
		}
		if !thousands(s, sep) {
			return 0, 0, false
		}
		intPart = strings.ReplaceAll(s, sep, "")
	case dots+commas == 1:
		i := strings.IndexAny(s, ".,")
		before, after := s[:i], s[i+1:]
		if len(after) == 3 && len(before) <= 3 && before[0] != '0' {
			intPart = before + after
		} else {
			intPart, frac = before, after
		}
	default:
		intPart = s
	}
	v, err := strconv.ParseFloat(intPart+"."+frac+"0", 64)
	if err != nil {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, len(frac), true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// thousands reports whether s groups its digits by three with sep.
func thousands(s, sep string) bool {
	parts := strings.Split(s, sep)
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// Dates. Patterns run on folded text (lower case, no diacritics).
var (
	reISODate = regexp.MustCompile(`\b(\d{4})([./-])(\d{1,2})([./-])(\d{1,2})\b`)
	// A numeric date may be glued to what follows it ("21/05/2018TIME"),
	// a time included ("21/05/201818:46", as OCR joins them), and OCR may
	// split a two-digit day ("2 1/08/2017") or its year ("23/01/201 8",
	// "28/08/20 17", "11/09/20 1 7", but "28/08/20 17:30" has a time)
	// with spaces.
	reNumericDate = regexp.MustCompile(`\b(\d \d|\d{1,2}) ?([./-]) ?(\d{1,2}) ?([./-]) ?(\d{4}|[12] ?[09] ?\d ?\d(?:[^0-9:]|$)|\d{2})(?:[^0-9]|$|\d{1,2}:\d{2})`)
	// A month's name may start with a zero that OCR read for an O ("10
	// 0CT 2017"), and its day and year be split as a numeric date's.
	reDayMonth = regexp.MustCompile(`\b(\d \d|\d{1,2})(?:er|st|nd|rd|th|e|\.)?[\s/-]*(?:de\s+)?([a-z0][a-z]{2,})\.?,?[\s/-]*(?:de\s+)?(\d{4}|[12] ?[09] ?\d ?\d(?:[^0-9:]|$)|\d{2})(?:\b|\d{1,2}:\d{2})`)
	reMonthDay = regexp.MustCompile(`\b([a-z0][a-z]{2,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})\b`)
	// OCR loses a date's separators: a year, month and day run together
	// ("20180428/191204"), or a day and month ("0705/2018"), or reads the
	// first as a 7 or a 1 ("13707/2017"): the month is then 01 to 12. A
	// till may print day, month and year run together itself, before the
	// time ("25032018 13:11:54"); without the time, such a run of digits
	// is more often a number.
	reCompactDate  = regexp.MustCompile(`\b((?:19|20)\d{2})(\d{2})(\d{2})\b`)
	reDayMonthRun  = regexp.MustCompile(`\b(\d{2})[17]?([01]\d)([./-])(\d{4})\b`)
	reDateTimeRun  = regexp.MustCompile(`\b([0-3]\d)([0-3]\d)((?:19|20)\d{2}) \d{1,2}:\d{2}\b`)
	compactDateFit = 0.7
	reTime         = regexp.MustCompile(`^\s*(?:,|t|at|a|à|um|om|a las)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?\s*(z|utc|gmt|[+-]\d{2}:?\d{2})?`)
)

// monthNames are the months in English, French, German, Spanish, Dutch,
// Italian, Portuguese and (genitive) Polish, folded.
var monthNames = [12]string{
	"january janvier januar janner enero januari gennaio janeiro stycznia",
	"february fevrier februar febrero februari febbraio fevereiro lutego",
	"march mars marz maerz marzo maart marco marca mrz",
	"april avril abril aprile kwietnia",
	"may mai mayo mei maggio maio maja",
	"june juin juni junio giugno junho czerwca",
	"july juillet juli julio luglio julho lipca",
	"august aout agosto augustus sierpnia",
	"september septembre septiembre setiembre settembre setembro wrzesnia",
	"october octobre oktober octubre ottobre outubro pazdziernika",
	"november novembre noviembre novembro listopada",
	"december decembre dezember diciembre dicembre dezembro grudnia",
}

// month reads a month name or a prefix of at least three letters that
// names only one month in every language ("sept", "janv", "mär").
func month(w string) (time.Month, bool) {
	found := time.Month(0)
	for i, names := range monthNames {
		for _, n := range strings.Fields(names) {
			if strings.HasPrefix(n, w) {
				if found != 0 && found != time.Month(i+1) {
					return 0, false
				}
				found = time.Month(i + 1)
			}
		}
	}
	return found, found != 0
}

// dateOrder says how to read an ambiguous numeric date such as 05/06/2026.
type dateOrder int

const (
	dayFirst   dateOrder = iota // 05/06/2026 is 5 June
	monthFirst                  // 05/06/2026 is May 6
)

// dateMatch is a date found in a string.
type dateMatch struct {
	t          time.Time
	fit        float64
	start, end int // byte offsets in the folded string
}

// findDate returns the first date in s. Numeric dates are read, in order
// of precedence: year first (2026-05-24) as Y-M-D; a dotted date
// (24.05.2026) as D.M.Y, the European convention; a first number above 12
// as D/M/Y and a second above 12 as M/D/Y; otherwise (05/06/2026) with
// order, the document's convention (see documentDateOrder), at fit 0.75. Two-digit
// years are 20yy below 70, else 19yy. Month names are read in the
// languages of monthNames ("May 24, 2026", "24 mai 2026", "24. Mai 2026",
// "24 de mayo de 2026", "1er juillet 2015").
func findDate(s string, order dateOrder) (dateMatch, bool) {
	f := ocrDigits(fold(s))
	var best dateMatch
	found := false
	try := func(m dateMatch) {
		if !found || m.start < best.start {
			best, found = m, true
		}
	}
	for _, m := range reISODate.FindAllStringSubmatchIndex(f, -1) {
		if f[m[4]:m[5]] != f[m[8]:m[9]] {
			continue
		}
		y, mo, d := atoi(f[m[2]:m[3]]), atoi(f[m[6]:m[7]]), atoi(f[m[10]:m[11]])
		if t, ok := makeDate(y, mo, d); ok {
			try(dateMatch{t, 1, m[0], m[1]})
			break
		}
	}
	for _, m := range overlapping(reNumericDate, f) {
		sep := f[m[4]:m[5]]
		if sep != f[m[8]:m[9]] {
			continue
		}
		a, b, y := atoi(digitsOf(f[m[2]:m[3]])), atoi(f[m[6]:m[7]]), atoi(digitsOf(f[m[10]:m[11]]))
		if m[11]-m[10] == 2 {
			y += 1900
			if y < 1970 {
				y += 100
			}
		}
		fit := 1.0
		var d, mo int
		switch {
		case sep == ".":
			d, mo = a, b
			if a <= 12 && b <= 12 && a != b {
				fit = 0.9
			}
		case a > 12:
			d, mo = a, b
		case b > 12:
			d, mo = b, a
		case a == b:
			d, mo = a, b
		case order == monthFirst:
			d, mo, fit = b, a, 0.75
		default:
			d, mo, fit = a, b, 0.75
		}
		if t, ok := makeDate(y, mo, d); ok {
			try(dateMatch{t, fit, m[0], m[11]})
			break
		}
	}
	for _, m := range overlapping(reDayMonth, f) {
		mo, ok := month(monthWord(f[m[4]:m[5]]))
		if !ok {
			continue
		}
		if t, ok := makeDate(year(digitsOf(f[m[6]:m[7]])), int(mo), atoi(digitsOf(f[m[2]:m[3]]))); ok {
			try(dateMatch{t, 1, m[0], m[1]})
			break
		}
	}
	for _, m := range reMonthDay.FindAllStringSubmatchIndex(f, -1) {
		mo, ok := month(monthWord(f[m[2]:m[3]]))
		if !ok {
			continue
		}
		if t, ok := makeDate(atoi(f[m[6]:m[7]]), int(mo), atoi(f[m[4]:m[5]])); ok {
			try(dateMatch{t, 1, m[0], m[1]})
			break
		}
	}
	if !found {
		// Separators lost are a guess: read only when nothing else reads
		// as a date, at a lower fit.
		for _, m := range reCompactDate.FindAllStringSubmatchIndex(f, -1) {
			if t, ok := makeDate(atoi(f[m[2]:m[3]]), atoi(f[m[4]:m[5]]), atoi(f[m[6]:m[7]])); ok {
				try(dateMatch{t, compactDateFit, m[0], m[1]})
				break
			}
		}
		for _, m := range reDayMonthRun.FindAllStringSubmatchIndex(f, -1) {
			if t, ok := dayMonthDate(order, atoi(f[m[2]:m[3]]), atoi(f[m[4]:m[5]]), atoi(f[m[8]:m[9]])); ok {
				try(dateMatch{t, compactDateFit, m[0], m[1]})
				break
			}
		}
		for _, m := range reDateTimeRun.FindAllStringSubmatchIndex(f, -1) {
			if t, ok := dayMonthDate(order, atoi(f[m[2]:m[3]]), atoi(f[m[4]:m[5]]), atoi(f[m[6]:m[7]])); ok {
				try(dateMatch{t, compactDateFit, m[2], m[7]})
				break
			}
		}
	}
	return best, found
}

// dayMonthDate is the date of year whose day and month are a and b, in
// order's convention unless one of them cannot be a month.
func dayMonthDate(order dateOrder, a, b, year int) (time.Time, bool) {
	d, mo := a, b
	if b > 12 || a <= 12 && order == monthFirst {
		d, mo = b, a
	}
	return makeDate(year, mo, d)
}

// monthWord reads a zero that starts a month's name as the O that OCR
// took it for ("0ct").
func monthWord(w string) string {
	if strings.HasPrefix(w, "0") {
		return "o" + w[1:]
	}
	return w
}

// ocrDigits replaces the letters OCR confuses with digits ("o" for 0,
// "l" and "i" for 1) where digits stand on both sides of them or a digit
// on one side and a date separator on the other ("19/1o/2018",
// "2O18"). The string keeps its length, so offsets into it still hold.
func ocrDigits(f string) string {
	b := []byte(f)
	changed := false
	for i, c := range b {
		d, ok := map[byte]byte{'o': '0', 'l': '1', 'i': '1'}[c]
		if !ok || i == 0 || i+1 >= len(b) {
			continue
		}
		prev, next := b[i-1], b[i+1]
		sep := func(x byte) bool { return x == '/' || x == '-' || x == '.' }
		if isDigit(prev) && (isDigit(next) || sep(next)) || sep(prev) && isDigit(next) {
			b[i], changed = d, true
		}
	}
	if !changed {
		return f
	}
	return string(b)
}

// overlapping returns the matches of re in s, each search starting right
// after the first group of the previous match, so that a number taken by
// a match that is then rejected ("19- 21/03" in "#19- 21/03/2018") may
// still start the next one.
func overlapping(re *regexp.Regexp, s string) [][]int {
	var out [][]int
	for pos := 0; pos < len(s); {
		m := re.FindStringSubmatchIndex(s[pos:])
		if m == nil {
			break
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += pos
			}
		}
		out = append(out, m)
		pos = m[3]
	}
	return out
}

// digitsOf returns the digits of s: a number that OCR split with a space.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// year reads a year of four digits, or of two: 20yy below 70, else 19yy.
func year(s string) int {
	y := atoi(s)
	if len(s) == 2 {
		y += 1900
		if y < 1970 {
			y += 100
		}
	}
	return y
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func makeDate(y, m, d int) (time.Time, bool) {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d
}

// parseDate reads a date that starts s, allowing two words before it
// ("le 24 mai 2026", "on May 24, 2026").
func parseDate(s string, order dateOrder) (string, float64, bool) {
	m, ok := leadingDate(s, order)
	if !ok {
		return "", 0, false
	}
	return m.t.Format(time.DateOnly), m.fit, true
}

func leadingDate(s string, order dateOrder) (dateMatch, bool) {
	m, ok := findDate(s, order)
	if !ok || len(strings.Fields(fold(s)[:m.start])) > 2 {
		return dateMatch{}, false
	}
	return m, true
}

// parseDateTime reads an RFC 3339 timestamp, or a date followed by a time
// ("24/05/2026 14:30", "May 24, 2026 at 2:30 pm", with an optional zone:
// Z, UTC, GMT, +02:00). The result is RFC 3339 in UTC. A time without a
// zone is taken as UTC (fit 0.8); a date without a time is midnight UTC
// (fit 0.6).
func parseDateTime(s string, order dateOrder) (string, float64, bool) {
	for i, f := range strings.Fields(s) {
		if i > 2 {
			break
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimRight(f, ".,;")); err == nil {
			return t.UTC().Format(time.RFC3339), 1, true
		}
	}
	m, ok := leadingDate(s, order)
	if !ok {
		return "", 0, false
	}
	f := fold(s)
	tm := reTime.FindStringSubmatch(f[m.end:])
	if tm == nil {
		return m.t.Format(time.RFC3339), m.fit * 0.6, true
	}
	h, mi, sec := atoi(tm[1]), atoi(tm[2]), atoi(tm[3])
	switch {
	case tm[4] == "pm" && h < 12:
		h += 12
	case tm[4] == "am" && h == 12:
		h = 0
	}
	if h > 23 || mi > 59 || sec > 59 {
		return "", 0, false
	}
	t := m.t.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second)
	fit := m.fit * 0.8
	if z := tm[5]; z != "" {
		fit = m.fit
		if z[0] == '+' || z[0] == '-' {
			off := strings.ReplaceAll(z[1:], ":", "")
			d := time.Duration(atoi(off[:2]))*time.Hour + time.Duration(atoi(off[2:]))*time.Minute
			if z[0] == '+' {
				d = -d
			}
			t = t.Add(d)
		}
	}
	return t.UTC().Format(time.RFC3339), fit, true
}

// parseBool reads yes/no in the lexicon's languages, true/false, and
// ticked or empty check boxes.
func parseBool(s string) (bool, float64, bool) {
	f := strings.Fields(fold(s))
	if len(f) == 0 {
		return false, 0, false
	}
	switch strings.Trim(f[0], ".,;!") {
	case "yes", "y", "true", "oui", "ja", "si", "sim", "tak", "checked", "x", "[x]", "☑", "☒", "✓", "✔", "✗":
		return true, 1, true
	case "no", "n", "false", "non", "nein", "nee", "nao", "nie", "unchecked", "[", "[]", "[ ]", "☐":
		return false, 1, true
	}
	return false, 0, false
}

// parseIdent reads an identifier at the start of s: one token of letters,
// digits and - / _ . that holds a digit ("42183017", "INV/2023/03/0008",
// "BLR_WFLD20151000982590"), after an optional "#", "No" or "Nr"; a
// short upper-case prefix set apart by a space is kept ("F 1234K20/1234/12"),
// and so are digits printed in groups of at most four ("DE 232 446 240").
// A token that reads as a date or a decimal amount is not an identifier.
// left counts the words of s after the identifier.
func parseIdent(s string) (id string, left int, ok bool) {
	f := strings.Fields(s)
	i := 0
	for i < len(f) && i < 2 && isNumberWord(f[i]) {
		i++
	}
	if i >= len(f) {
		return "", 0, false
	}
	t := trimIdent(f[i])
	j := i + 1
	switch {
	case isCapsPrefix(t) && j < len(f) && identToken(trimIdent(f[j])):
		t += " " + trimIdent(f[j])
		j++
	case !identToken(t):
		return "", 0, false
	}
	// Digits printed in groups stay one identifier: "DE 232 446 240".
	if last := t[strings.LastIndexByte(t, ' ')+1:]; isDigits(last) && len(last) <= 4 {
		for j < len(f) && isDigits(trimIdent(f[j])) && len(trimIdent(f[j])) <= 4 {
			t += " " + trimIdent(f[j])
			j++
		}
	}
	return t, len(f) - j, true
}

func isNumberWord(w string) bool {
	switch strings.ToLower(strings.TrimRight(w, ".:")) {
	case "#", "no", "nr", "n°", "nº", "num", "number", "-", "":
		return true
	}
	return false
}

func trimIdent(t string) string {
	t = strings.TrimLeft(t, "#(")
	return strings.TrimRight(t, ".,;:)")
}

func isCapsPrefix(t string) bool {
	if len(t) == 0 || len(t) > 3 {
		return false
	}
	for i := range len(t) {
		if t[i] < 'A' || t[i] > 'Z' {
			return false
		}
	}
	return true
}

var reDecimalAmount = regexp.MustCompile(`^\d+([.,]\d{3})*[.,]\d{2}$`)

func identToken(t string) bool {
	if len(t) < 2 && !isDigits(t) {
		return false
	}
	digit := false
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case unicode.IsLetter(r), r == '-', r == '/', r == '_', r == '.':
		default:
			return false
		}
	}
	if !digit || reDecimalAmount.MatchString(t) {
		return false
	}
	if _, ok := leadingDate(t, dayFirst); ok && len(t) <= 10 {
		return false
	}
	return true
}

// shape reduces an identifier to its pattern: runs of letters become A,
// runs of digits 9, other characters stay ("INV-0001" -> "A-9").
func shape(s string) string {
	var b strings.Builder
	last := rune(0)
	for _, r := range s {
		c := r
		switch {
		case unicode.IsLetter(r):
			c = 'A'
		case r >= '0' && r <= '9':
			c = '9'
		}
		if c != last || (c != 'A' && c != '9') {
			b.WriteRune(c)
		}
		last = c
	}
	return b.String()
}

var reIBANStart = regexp.MustCompile(`[A-Z]{2}\d{2}(?: ?[A-Z0-9]+)+`)

// parseIBAN reads an IBAN at the start of s (after an optional ":"),
// spaces removed. Fit 1 when its check digits hold (ISO 13616 mod 97),
// 0.7 for a bank account shaped like one that does not check.
func parseIBAN(s string) (string, float64, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	loc := reIBANStart.FindStringIndex(s)
	if loc == nil || len(strings.Fields(s[:loc[0]])) > 1 {
		return "", 0, false
	}
	groups := strings.Fields(s[loc[0]:loc[1]])
	// The longest run of groups whose check digits hold wins: the groups
	// after an IBAN may be another code on the same line.
	for n := len(groups); n > 0; n-- {
		v := strings.Join(groups[:n], "")
		if len(v) >= 15 && len(v) <= 34 && ibanValid(v) {
			return v, 1, true
		}
	}
	// Check digits that do not hold (a mistyped or made-up IBAN) still
	// read the IBAN printed when its groups make the length its country's
	// IBANs have.
	if want, ok := ibanLengths[groups[0][:min(2, len(groups[0]))]]; ok {
		for n := len(groups); n > 0; n-- {
			if v := strings.Join(groups[:n], ""); len(v) == want {
				return v, 0.6, true
			}
		}
	}
	if v := groups[0]; len(v) >= 10 && len(v) <= 34 {
		return v, 0.7, true
	}
	return "", 0, false
}

// ibanLengths are the IBAN lengths of European countries.
var ibanLengths = map[string]int{
	"AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
	"FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21,
	"LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24,
	"SE": 24, "SI": 19, "SK": 24,
}

// ibanValid checks an IBAN's mod-97 check digits.
func ibanValid(v string) bool {
	r := v[4:] + v[:4]
	var b strings.Builder
	for _, c := range r {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			b.WriteString(strconv.Itoa(int(c-'A') + 10))
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// roundTo rounds v to dec decimals.
func roundTo(v float64, dec int) float64 {
	p := math.Pow10(dec)
	return math.Round(v*p) / p
}

package classify

import "strings"

// layout holds the layout cues of a document, each in [0,1].
type layout struct {
	amounts float64 // lines ending in an amount: a line-item table or a till roll
	letter  float64 // a salutation and a closing
	memo    float64 // To/From/Subject header lines
	form    float64 // blank fields and check boxes
	clauses float64 // numbered clauses and legal drafting
}

func (l layout) of(k layoutKind) float64 {
	switch k {
	case layoutAmounts:
		return l.amounts
	case layoutLetter:
		return l.letter
	case layoutMemo:
		return l.memo
	case layoutForm:
		return l.form
	case layoutClauses:
		return l.clauses
	}
	return 0
}

var (
	salutations = []string{"dear ", "hello ", "hi ", "madame", "monsieur", "cher ", "chere ", "sehr geehrte", "liebe ", "lieber ", "hallo ", "estimado", "estimada", "muy senor", "hola ", "bonjour"}
	closings    = []string{"sincerely", "regards", "yours faithfully", "yours truly", "best wishes", "cordialement", "salutations", "mit freundlichen", "freundliche gru", "hochachtungsvoll", "atentamente", "saludo", "thanks,", "merci,", "danke,", "gracias,"}
)

// readLayout computes the layout cues of text (already folded to lower
// case, lines separated by newlines or form feeds).
func readLayout(lines []string) layout {
	var (
		l                                         layout
		nonEmpty, amounts, blanks, heads, clauses int
		sal, clo                                  bool
		seenHeads                                 = map[string]bool{}
	)
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		nonEmpty++
		if endsInAmount(line) {
			amounts++
		}
		if isBlankField(line) {
			blanks++
		}
		if i < 15 {
			if h := memoHead(line); h != "" && !seenHeads[h] {
				seenHeads[h] = true
				if h != "date" {
					heads++
				}
			}
		}
		for _, s := range salutations {
			if strings.HasPrefix(line, s) && len(line) < 60 {
				sal = true
			}
		}
		if len(line) < 90 {
			for _, c := range closings {
				if strings.Contains(line, c) {
					clo = true
				}
			}
		}
		if isClauseHead(line) {
			clauses++
		}
	}
	if nonEmpty == 0 {
		return l
	}
	n := float64(nonEmpty)
	l.amounts = min(1, float64(amounts)/4) * min(1, 3*float64(amounts)/n)
	if sal {
		l.letter += 0.6
	}
	if clo {
		l.letter += 0.4
	}
	if heads >= 2 {
		l.memo = min(1, float64(len(seenHeads))/3)
	}
	l.form = min(1, float64(blanks)/5) * min(1, 2.5*float64(blanks)/n)
	l.clauses = min(1, float64(clauses)/4)
	return l
}

// endsInAmount reports whether line ends in a number with two decimals,
// perhaps followed by a currency.
func endsInAmount(line string) bool {
	line = strings.TrimRight(line, " €$£")
	for _, c := range []string{"eur", "usd", "gbp", "chf", "mxn"} {
		line = strings.TrimSuffix(line, c)
	}
	line = strings.TrimRight(line, " -")
	n := len(line)
	if n < 4 {
		return false
	}
	return isDigit(line[n-1]) && isDigit(line[n-2]) && (line[n-3] == '.' || line[n-3] == ',') && isDigit(line[n-4])
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// isBlankField reports a line with a place to write: underscores, dotted
// leaders, empty boxes or check boxes.
func isBlankField(line string) bool {
	for _, m := range []string{"___", "....", "[ ]", "[  ", "( )", "☐", "□", "|__", "_ _ _"} {
		if strings.Contains(line, m) {
			return true
		}
	}
	return false
}

// isClauseHead reports a line that starts a clause: "1.2 ", "§ 3",
// "article 4", "primera.".
func isClauseHead(line string) bool {
	switch {
	case strings.HasPrefix(line, "§"), strings.HasPrefix(line, "article "), strings.HasPrefix(line, "artikel "), strings.HasPrefix(line, "clause "), strings.HasPrefix(line, "clausula "):
		return true
	}
	// "1.2 " or "3.1.4 ": a two-level section number. One level ("1. ")
	// is as common in recipes and release notes as in contracts.
	i, dots := 0, 0
	for i < len(line) && (isDigit(line[i]) || line[i] == '.') {
		if line[i] == '.' && i+1 < len(line) && isDigit(line[i+1]) {
			dots++
		}
		i++
	}
	return dots > 0 && i < len(line) && line[i] == ' ' && len(line)-i > 20
}

// memoHead returns the header label a line starts with ("to", "from",
// "subject", or "date" for any dated header), or "". The label ends with a
// colon, or is followed by its value after one or more spaces.
func memoHead(line string) string {
	head, rest, ok := strings.Cut(line, ":")
	if !ok || len(head) > 15 {
		head, rest, ok = strings.Cut(line, " ")
		if !ok {
			return ""
		}
	}
	head = strings.TrimSpace(head)
	if strings.TrimSpace(rest) == "" {
		return ""
	}
	switch head {
	case "to", "a", "an", "para", "destinataires":
		return "to"
	case "from", "de", "von":
		return "from"
	case "subject", "re", "objet", "betreff", "asunto":
		return "subject"
	case "cc":
		return "cc"
	case "date", "datum", "fecha":
		return "date"
	}
	return ""
}

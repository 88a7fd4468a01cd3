package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The baseline is what one writes in an afternoon: `pdftotext -layout`,
// then for each field a regular expression of its labels (English,
// French, German, Spanish, Dutch), starting at a word boundary, followed
// on the same line by a value of the field's shape. The first line that
// matches wins, except for the amounts, where the last does (totals come
// last on a page). Line items are
// the lines between a table header (a line holding a description label)
// and the first totals line, that start with text and end with an amount.

const (
	reAmount = `([-(]?(?:[$€£]|EUR|USD|Rs\.?)?\s?\d{1,3}(?:[ .,']?\d{3})*(?:[.,]\d{1,2})?\)?)(?:\s?(?:[$€£]|EUR|USD|PLN|INR))?`
	reIdent  = `#?\s*([A-Z0-9][A-Za-z0-9/_.-]*\d[A-Za-z0-9/_.-]*)`
)

var baselineFields = map[string]*regexp.Regexp{
	"invoice_number": regexp.MustCompile(`(?i)\b(?:invoice\s*(?:no|number|#|nr)|facture\s*n°|n°\s*de\s*facture|rechnungs?-?\s*(?:nr|nummer)|factuurnummer|n[úu]mero\s*de\s*factura|factura\s*n[º°]?|faktura\s*nr)\.?\s*[:#]?\s*` + reIdent),
	"date":           regexp.MustCompile(`(?i)\b(?:invoice\s*date|date\s*de\s*facture|rechnungsdatum|factuurdatum|fecha\s*de\s*factura|fecha|datum|date)\s*:?\s*(\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\.?\s+[A-Za-zéû]+\.?\s+\d{4}|[A-Za-z]+\.?\s+\d{1,2}\s*,\s*\d{4})`),
	"amount":         regexp.MustCompile(`(?i)\b(?:grand\s*total|total\s*(?:amount\s*)?due|amount\s*due|total\s*ttc|gesamtbetrag|totaal|total\s*a\s*pagar|balance\s*due|total)\s*:?\s*` + reAmount + `\s*$`),
	"amount_untaxed": regexp.MustCompile(`(?i)\b(?:sub\s*total|total\s*ht|nettobetrag|summe\s*netto|exclusief\s*btw|base\s*imponible|untaxed|net\s*total)\s*:?\s*` + reAmount + `\s*$`),
	"amount_tax":     regexp.MustCompile(`(?i)\b(?:tax|vat|tva|mwst|btw|iva)(?:\s*\(?\d+(?:[.,]\d+)?\s*%\)?)?\s*:?\s*` + reAmount + `\s*$`),
	"vat":            regexp.MustCompile(`(?i)\b(?:vat\s*(?:no|number|id)|tva\s*intra\s*communautaire|n°\s*de\s*tva|ust-?id(?:nr)?|btw(?:-?nummer)?|nif|cif|nip)\.?\s*:?\s*([A-Z]{0,2}\s?[0-9][0-9 .-]{6,}[0-9A-Z]*)`),
	"partner_name":   regexp.MustCompile(`(?i)\b(?:seller|sold\s*by|vendor|supplier|from|fournisseur|verkäufer|proveedor|sprzedawca)\s*:\s*(\S.*?)\s*(?:,|$)`),
	"iban":           regexp.MustCompile(`(?i)\biban\s*:?\s*([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4})+(?:\s?[A-Z0-9]{1,3})?)`),
}

var (
	baselineHeader = regexp.MustCompile(`(?i)\b(description|item|product|article|artikel|beschreibung|désignation|designation|omschrijving|descripción|concepto|nazwa)\b`)
	baselineTotals = regexp.MustCompile(`(?i)^\s*(sub\s*total|total|summe|totaal|subtotaal|montant|razem|grand total)\b`)
	baselineRow    = regexp.MustCompile(`^\s*(\S.*?\S)\s{2,}.*?` + reAmount + `\s*$`)
)

// baselineText returns pdftotext -layout's text of a PDF, or a text file
// as it is, and how long that took.
func baselineText(ctx context.Context, path string) (string, time.Duration, error) {
	start := time.Now()
	if strings.HasSuffix(path, ".txt") {
		b, err := os.ReadFile(path)
		return string(b), time.Since(start), err
	}
	out, err := exec.CommandContext(ctx, "pdftotext", "-layout", path, "-").Output()
	if err != nil {
		return "", 0, fmt.Errorf("pdftotext -layout %s: %w", path, err)
	}
	return string(out), time.Since(start), nil
}

// baselineExtract runs the regular expressions over text.
func baselineExtract(text string) map[string]any {
	vals := map[string]any{}
	lines := strings.Split(text, "\n")
	for key, re := range baselineFields {
		order := lines
		if key == "amount" || key == "amount_untaxed" || key == "amount_tax" {
			order = make([]string, len(lines))
			for i, ln := range lines {
				order[len(lines)-1-i] = ln
			}
		}
		for _, ln := range order {
			m := re.FindStringSubmatch(ln)
			if m == nil {
				continue
			}
			// A value ends where a wide gap starts the next column.
			v, _, _ := strings.Cut(strings.TrimSpace(m[1]), "  ")
			var out any = v
			switch key {
			case "amount", "amount_untaxed", "amount_tax":
				f, ok := baselineNumber(v)
				if !ok {
					continue
				}
				out = f
			case "date":
				d, ok := baselineDate(v)
				if !ok {
					continue
				}
				out = d
			}
			vals[key] = out
			break
		}
	}
	var rows []any
	in := false
	for _, ln := range lines {
		switch {
		case !in && baselineHeader.MatchString(ln):
			in = true
		case in && baselineTotals.MatchString(ln):
			in = false
		case in:
			m := baselineRow.FindStringSubmatch(ln)
			if m == nil {
				continue
			}
			row := map[string]any{"description": m[1]}
			if f, ok := baselineNumber(m[2]); ok {
				row["amount"] = f
			}
			rows = append(rows, row)
		}
	}
	if rows != nil {
		vals["lines"] = rows
	}
	return vals
}

// baselineNumber reads an amount: the last "." or "," followed by one or
// two digits is the decimal separator; other separators are dropped.
func baselineNumber(s string) (float64, bool) {
	neg := strings.HasPrefix(s, "-") || strings.HasPrefix(s, "(")
	var digits strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '.' || r == ',' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	i := strings.LastIndexAny(d, ".,")
	if i >= 0 && len(d)-i-1 <= 2 {
		d = strings.NewReplacer(".", "", ",", "").Replace(d[:i]) + "." + d[i+1:]
	} else {
		d = strings.NewReplacer(".", "", ",", "").Replace(d)
	}
	f, err := strconv.ParseFloat(d, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

var baselineMonths = map[string]int{
	"jan": 1, "feb": 2, "fév": 2, "fev": 2, "mar": 3, "mär": 3, "maa": 3, "apr": 4, "avr": 4, "abr": 4, "may": 5, "mai": 5, "mei": 5, "may.": 5,
	"jun": 6, "jui": 7, "jul": 7, "aug": 8, "aoû": 8, "ago": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "déc": 12, "dez": 12, "dic": 12,
}

// baselineDate reads numeric dates day first (year first when it leads,
// month first when the second number is above 12) and "3 May 2026" or
// "May 3, 2026".
func baselineDate(s string) (string, bool) {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return strings.ContainsRune(" ./-,", r) })
	if len(f) != 3 {
		return "", false
	}
	num := func(x string) int { n, _ := strconv.Atoi(x); return n }
	var y, m, d int
	switch {
	case len(f[0]) == 4:
		y, m, d = num(f[0]), num(f[1]), num(f[2])
	case num(f[0]) > 0 && num(f[1]) > 0:
		d, m, y = num(f[0]), num(f[1]), num(f[2])
		if m > 12 {
			d, m = m, d
		}
	case num(f[0]) > 0:
		d, y = num(f[0]), num(f[2])
		m = monthOf(f[1])
	default:
		m, d, y = monthOf(f[0]), num(f[1]), num(f[2])
	}
	if y < 100 {
		y += 2000
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), true
}

func monthOf(w string) int {
	r := []rune(w)
	if len(r) < 3 {
		return 0
	}
	if m, ok := baselineMonths[string(r[:3])]; ok {
		if string(r[:3]) == "jui" && len(r) > 3 && r[3] == 'n' {
			return 6
		}
		return m
	}
	return 0
}

// The receipt baseline, as naive as the invoice one: the first line of
// text is the company; the first date anywhere (numeric, or with the month
// by name) is the date, day first; the total is the amount at the end of
// the first line that says TOTAL or ROUNDED (not SUBTOTAL), else of the
// last line that says TOTAL anywhere.
var (
	reReceiptDate  = regexp.MustCompile(`(?i)\b(\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}[ ./-]?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ ./-]?\d{2,4})\b`)
	reReceiptTotal = regexp.MustCompile(`(?i)\b(?:rounded|total)\b.*?(\d[\d,]*[.,]\d{2})\s*$`)
	reSubtotal     = regexp.MustCompile(`(?i)sub\s*-?\s*total`)
)

// baselineReceipt runs the receipt baseline over text.
func baselineReceipt(text string) map[string]any {
	vals := map[string]any{}
	lines := strings.Split(text, "\n")
	for _, ln := range lines {
		if ln = strings.TrimSpace(ln); ln != "" {
			vals["company"] = ln
			break
		}
	}
	for _, ln := range lines {
		if m := reReceiptDate.FindStringSubmatch(ln); m != nil {
			if d, ok := baselineDate(spaceMonth(m[1])); ok {
				vals["date"] = d
				break
			}
		}
	}
	var last string
	for _, ln := range lines {
		m := reReceiptTotal.FindStringSubmatch(ln)
		if m == nil {
			continue
		}
		last = m[1]
		if !reSubtotal.MatchString(ln) {
			break
		}
	}
	if last != "" {
		if f, ok := baselineNumber(last); ok {
			vals["total"] = f
		}
	}
	return vals
}

// spaceMonth separates a month name from the numbers it touches
// ("19OCT2018" reads as "19 OCT 2018").
func spaceMonth(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			prev := s[i-1]
			digitNow, digitPrev := r >= '0' && r <= '9', prev >= '0' && prev <= '9'
			if digitNow != digitPrev && !strings.ContainsRune(" ./-", r) && !strings.ContainsRune(" ./-", rune(prev)) {
				b.WriteByte(' ')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// baselineOf runs the baseline of a kind of document over its text, with
// the dataset schema's keys (data.go).
func baselineOf(kind, text string) map[string]any {
	if kind == "receipt" {
		return baselineReceipt(text)
	}
	v := baselineExtract(text)
	out := map[string]any{}
	for from, to := range map[string]string{
		"invoice_number": "invoice_number", "date": "date", "amount": "total", "amount_untaxed": "net",
		"amount_tax": "tax", "vat": "seller_vat_id", "partner_name": "seller_name", "iban": "iban",
	} {
		if x, ok := v[from]; ok {
			out[to] = x
		}
	}
	return out
}

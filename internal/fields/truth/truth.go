// Package truth judges a value that extraction read against the expected
// one: the normalisation the accuracy benchmark, the scorer's training
// (bench/train) and the wording suite (internal/fields/wordings) share.
package truth

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// ToFloat reads a number from a JSON value or a string.
func ToFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// Key classes, for normalisation: the generic invoice schema's keys of
// bench/accuracy and those of the dataset schemas (bench/internal/dataset).
func isAmountKey(k string) bool {
	switch k {
	case "amount", "amount_untaxed", "amount_tax", "total", "net", "tax":
		return true
	}
	return false
}

func isNameKey(k string) bool {
	switch k {
	case "partner_name", "company", "seller_name", "buyer_name":
		return true
	}
	return false
}

func isIdentKey(k string) bool {
	switch k {
	case "vat", "iban", "seller_vat_id":
		return true
	}
	return false
}

func isDateKey(k string) bool { return k == "date" || k == "due_date" }

// Normalisation before exact comparison:
//   - amounts (amount, amount_untaxed, amount_tax, total, net, tax):
//     rounded to 2 decimals;
//   - dates (date, due_date): YYYY-MM-DD (both sides already are);
//   - identifiers (vat, seller_vat_id, iban): upper case, every character
//     that is no letter or digit removed; invoice numbers: upper case,
//     white space folded, a leading "#" dropped. invoice2data's templates
//     sometimes cut a number at its first space ("F" for the page's
//     "F 1234K20/1234/12"): a value that starts with the expected one
//     followed by a space counts as correct;
//   - names (partner_name, company, seller_name, buyer_name): case-, space-
//     and punctuation-insensitive: only letters and digits, lower case;
//   - currency: upper case.
func Normalise(key string, v any) string {
	if isAmountKey(key) {
		f, ok := ToFloat(v)
		if !ok {
			return fmt.Sprint(v)
		}
		return strconv.FormatFloat(math.Round(f*100)/100, 'f', 2, 64)
	}
	s, _ := v.(string)
	switch {
	case key == "invoice_number":
		return strings.ToUpper(strings.Join(strings.Fields(strings.TrimLeft(strings.TrimSpace(s), "#")), " "))
	case key == "currency":
		return strings.ToUpper(strings.TrimSpace(s))
	case isIdentKey(key):
		return lettersDigits(strings.ToUpper(s))
	case isNameKey(key):
		return lettersDigits(strings.ToLower(s))
	}
	return strings.TrimSpace(s)
}

// lettersDigits keeps the letters and digits of s.
func lettersDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Correct compares a found value with the expected one after
// normalisation.
func Correct(key string, want, got any) bool {
	if got == nil {
		return false
	}
	w, g := Normalise(key, want), Normalise(key, got)
	if w == g {
		return true
	}
	if key == "invoice_number" {
		return strings.HasPrefix(g, w+" ")
	}
	if isDateKey(key) {
		// Both are dates; a datetime answer would carry a time.
		return len(g) >= 10 && g[:10] == w
	}
	return false
}

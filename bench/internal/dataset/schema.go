package dataset

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/docparse/docparse/internal/docparse"
)

// Schema returns the extraction schema that documents of kind are read
// with: what a user would write for them, one field per truth key.
func Schema(kind string) []docparse.Field {
	str, num, date := docparse.TypeString, docparse.TypeNumber, docparse.TypeDate
	if kind == KindReceipt {
		return []docparse.Field{
			{Key: "company", Type: str, Description: "Name of the store or company that issued the receipt"},
			{Key: "date", Type: date, Description: "Date of the receipt"},
			{Key: "total", Type: num, Description: "Total amount paid"},
		}
	}
	return []docparse.Field{
		{Key: "invoice_number", Type: str, Description: "Invoice number"},
		{Key: "date", Type: date, Description: "Invoice date"},
		{Key: "due_date", Type: date, Description: "Payment due date"},
		{Key: "seller_name", Type: str, Description: "Name of the seller"},
		{Key: "seller_vat_id", Type: str, Description: "VAT identification number of the seller"},
		{Key: "buyer_name", Type: str, Description: "Name of the buyer"},
		{Key: "currency", Type: str, Description: "Currency code"},
		{Key: "total", Type: num, Description: "Total amount including tax"},
		{Key: "net", Type: num, Description: "Total amount without tax"},
		{Key: "tax", Type: num, Description: "Total tax amount"},
		{Key: "iban", Type: str, Description: "IBAN of the seller's bank account"},
	}
}

// Equal reports whether got, a value extracted for key, is the truth
// want (in the normal form of Item.Truth): amounts to the cent, dates as
// YYYY-MM-DD, identifiers without spaces and punctuation, names and text
// case-, space- and punctuation-insensitive.
func Equal(want string, got any) bool {
	if got == nil || want == "" {
		return false
	}
	switch g := got.(type) {
	case float64:
		w, err := strconv.ParseFloat(strings.TrimSpace(want), 64)
		return err == nil && math.Abs(w-g) < 0.005
	case int64:
		w, err := strconv.ParseFloat(strings.TrimSpace(want), 64)
		return err == nil && math.Abs(w-float64(g)) < 0.005
	case string:
		return Fold(want) == Fold(g)
	}
	return Fold(want) == Fold(fmt.Sprint(got))
}

// Fold keeps the letters and digits of s, upper case.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

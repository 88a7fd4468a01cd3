package dataset

import "github.com/docparse/docparse/internal/docparse"

// Schema returns the extraction schema that documents of kind are read
// with, by the accuracy benchmark and the scorer's training alike: what a
// user would write for them, one field per truth key. It is nil for an
// unknown kind.
func Schema(kind string) []docparse.Field {
	str, num, date := docparse.TypeString, docparse.TypeNumber, docparse.TypeDate
	switch kind {
	case KindReceipt:
		return []docparse.Field{
			{Key: "company", Type: str, Description: "Name of the store or company that issued the receipt"},
			{Key: "date", Type: date},
			{Key: "total", Type: num, Description: "Total amount paid"},
		}
	case KindInvoice:
		return []docparse.Field{
			{Key: "invoice_number", Type: str, Description: "Invoice number"},
			{Key: "date", Type: date, Description: "Invoice date"},
			{Key: "due_date", Type: date, Description: "Payment due date"},
			{Key: "seller_name", Type: str, Description: "Name of the seller"},
			{Key: "seller_vat_id", Type: str, Description: "VAT identification number of the seller"},
			{Key: "buyer_name", Type: str, Description: "Name of the buyer"},
			{Key: "currency", Type: str, Description: "Currency code"},
			{Key: "total", Type: num, Description: "Grand total, tax included"},
			{Key: "net", Type: num, Description: "Total without tax"},
			{Key: "tax", Type: num, Description: "Tax amount"},
			{Key: "iban", Type: str, Description: "IBAN"},
		}
	}
	return nil
}

// Package einvoice reads structured electronic invoices exactly: UN/CEFACT
// Cross Industry Invoice (ZUGFeRD 1.0 CrossIndustryDocument; ZUGFeRD 2.x,
// Factur-X and XRechnung CrossIndustryInvoice) and OASIS UBL 2.1 Invoice
// and CreditNote (XRechnung UBL, PEPPOL BIS Billing 3.0), into one Invoice
// holding the EN 16931 core.
//
// The XML is untrusted: Parse reads at most a given number of bytes,
// refuses a DOCTYPE (so no entity is ever declared, let alone resolved),
// deep nesting and oversized tokens, and reports every refusal as an
// *Error whose Code is one of the API's permanent failure codes.
//
// The package depends on the standard library only, so that both the
// document extraction and the field engine may import it.
package einvoice

// Syntax is the XML vocabulary an invoice is written in.
type Syntax string

// Syntaxes.
const (
	// SyntaxCII is UN/CEFACT CrossIndustryInvoice D16B (ZUGFeRD 2.x,
	// Factur-X, XRechnung CII).
	SyntaxCII Syntax = "cii"
	// SyntaxCII1 is the ZUGFeRD 1.0 CrossIndustryDocument.
	SyntaxCII1 Syntax = "cii_zugferd1"
	// SyntaxUBL is OASIS UBL 2.1, Invoice or CreditNote.
	SyntaxUBL Syntax = "ubl"
)

// Profile is the conformance level an invoice declares in its
// specification identifier (BT-24): CII's guideline parameter, UBL's
// CustomizationID.
type Profile string

// Profiles. An identifier that names none of them leaves Invoice.Profile
// empty; Invoice.Guideline keeps it as written.
const (
	ProfileMinimum   Profile = "MINIMUM"
	ProfileBasicWL   Profile = "BASIC WL"
	ProfileBasic     Profile = "BASIC"
	ProfileComfort   Profile = "COMFORT" // ZUGFeRD 1.0 only
	ProfileEN16931   Profile = "EN16931"
	ProfileExtended  Profile = "EXTENDED"
	ProfileXRechnung Profile = "XRECHNUNG"
	ProfilePEPPOL    Profile = "PEPPOL BIS 3"
)

// Invoice is the EN 16931 core of an e-invoice, in one shape for every
// syntax. Text is as written, trimmed. Dates are YYYY-MM-DD. Amounts are
// decimal strings with a point and at least two decimals ("473.00",
// "9.9125"); quantities and percentages have no trailing zeros ("20",
// "7", "19.5"). A field the XML does not hold is empty.
type Invoice struct {
	Syntax    Syntax  `json:"syntax"`
	Profile   Profile `json:"profile,omitempty"`
	Guideline string  `json:"guideline,omitempty"` // BT-24 as written

	ID        string `json:"id"`                   // BT-1
	TypeCode  string `json:"type_code,omitempty"`  // BT-3: 380 invoice, 381 credit note, 384 corrected, 389 self-billed
	IssueDate string `json:"issue_date,omitempty"` // BT-2
	DueDate   string `json:"due_date,omitempty"`   // BT-9
	Currency  string `json:"currency,omitempty"`   // BT-5

	Seller Party `json:"seller"`
	Buyer  Party `json:"buyer"`

	OrderReference   string `json:"order_reference,omitempty"`   // BT-13
	BuyerReference   string `json:"buyer_reference,omitempty"`   // BT-10
	PaymentReference string `json:"payment_reference,omitempty"` // BT-83
	PaymentTerms     string `json:"payment_terms,omitempty"`     // BT-20, several joined by a newline
	PaymentMeansCode string `json:"payment_means_code,omitempty"`
	IBAN             string `json:"iban,omitempty"` // BT-84, the payee's account
	BIC              string `json:"bic,omitempty"`  // BT-86

	Totals Totals `json:"totals"`
	Taxes  []Tax  `json:"taxes,omitempty"` // BG-23
	Lines  []Line `json:"lines,omitempty"` // BG-25
}

// Party is the seller (BG-4) or the buyer (BG-7).
type Party struct {
	Name              string  `json:"name,omitempty"`         // BT-27 / BT-44 (legal name)
	TradingName       string  `json:"trading_name,omitempty"` // BT-28 / BT-45
	VATID             string  `json:"vat_id,omitempty"`       // BT-31 / BT-48
	TaxNumber         string  `json:"tax_number,omitempty"`   // BT-32 (a local tax registration, scheme FC)
	Address           Address `json:"address"`
	ElectronicAddress string  `json:"electronic_address,omitempty"` // BT-34 / BT-49
	ElectronicScheme  string  `json:"electronic_address_scheme,omitempty"`
}

// Address is a postal address (BG-5, BG-8).
type Address struct {
	Lines       []string `json:"lines,omitempty"`
	City        string   `json:"city,omitempty"`
	PostCode    string   `json:"post_code,omitempty"`
	Subdivision string   `json:"subdivision,omitempty"`
	Country     string   `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// Totals are the document totals (BG-22).
type Totals struct {
	LineTotal  string `json:"line_total,omitempty"`  // BT-106
	Allowances string `json:"allowances,omitempty"`  // BT-107
	Charges    string `json:"charges,omitempty"`     // BT-108
	TaxBasis   string `json:"tax_basis,omitempty"`   // BT-109, without VAT
	Tax        string `json:"tax,omitempty"`         // BT-110, in the invoice currency
	GrandTotal string `json:"grand_total,omitempty"` // BT-112, with VAT
	Prepaid    string `json:"prepaid,omitempty"`     // BT-113
	Rounding   string `json:"rounding,omitempty"`    // BT-114
	DuePayable string `json:"due_payable,omitempty"` // BT-115
}

// Tax is one line of the VAT breakdown (BG-23).
type Tax struct {
	Category        string `json:"category,omitempty"` // BT-118: S, Z, E, AE, K, G, O, L, M
	Rate            string `json:"rate,omitempty"`     // BT-119, percent
	Basis           string `json:"basis,omitempty"`    // BT-116
	Amount          string `json:"amount,omitempty"`   // BT-117
	ExemptionReason string `json:"exemption_reason,omitempty"`
}

// Line is one invoice line (BG-25).
type Line struct {
	ID        string `json:"id,omitempty"`         // BT-126
	Name      string `json:"name,omitempty"`       // BT-153
	Quantity  string `json:"quantity,omitempty"`   // BT-129
	Unit      string `json:"unit,omitempty"`       // BT-130, UN/ECE Rec 20 code
	UnitPrice string `json:"unit_price,omitempty"` // BT-146, net
	NetAmount string `json:"net_amount,omitempty"` // BT-131
	TaxRate   string `json:"tax_rate,omitempty"`   // BT-152, percent
}

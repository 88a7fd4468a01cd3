package einvoice

import "strings"

// ublDoc is a UBL 2.1 Invoice or CreditNote; the two differ in a few
// element names (InvoiceTypeCode / CreditNoteTypeCode, InvoiceLine /
// CreditNoteLine, InvoicedQuantity / CreditedQuantity), held as
// alternative fields.
type ublDoc struct {
	CustomizationID string `xml:"CustomizationID"`
	ID              string `xml:"ID"`
	IssueDate       string `xml:"IssueDate"`
	DueDate         string `xml:"DueDate"`
	InvoiceType     string `xml:"InvoiceTypeCode"`
	CreditNoteType  string `xml:"CreditNoteTypeCode"`
	Currency        string `xml:"DocumentCurrencyCode"`
	BuyerReference  string `xml:"BuyerReference"`
	OrderReference  string `xml:"OrderReference>ID"`

	Seller ublParty `xml:"AccountingSupplierParty>Party"`
	Buyer  ublParty `xml:"AccountingCustomerParty>Party"`

	PaymentMeans []struct {
		Code      string `xml:"PaymentMeansCode"`
		DueDate   string `xml:"PaymentDueDate"` // CreditNote's due date
		PaymentID string `xml:"PaymentID"`
		// Several accounts may be given; the first is BT-84 (a
		// string field would keep the last).
		Accounts []struct {
			ID  string `xml:"ID"`
			BIC string `xml:"FinancialInstitutionBranch>ID"`
		} `xml:"PayeeFinancialAccount"`
	} `xml:"PaymentMeans"`
	PaymentTerms []string `xml:"PaymentTerms>Note"`

	TaxTotals []struct {
		Amount    amountXML `xml:"TaxAmount"`
		Subtotals []struct {
			Taxable  string `xml:"TaxableAmount"`
			Amount   string `xml:"TaxAmount"`
			Category struct {
				ID              string `xml:"ID"`
				Percent         string `xml:"Percent"`
				ExemptionReason string `xml:"TaxExemptionReason"`
			} `xml:"TaxCategory"`
		} `xml:"TaxSubtotal"`
	} `xml:"TaxTotal"`

	Total struct {
		LineExtension string `xml:"LineExtensionAmount"`
		TaxExclusive  string `xml:"TaxExclusiveAmount"`
		TaxInclusive  string `xml:"TaxInclusiveAmount"`
		Allowances    string `xml:"AllowanceTotalAmount"`
		Charges       string `xml:"ChargeTotalAmount"`
		Prepaid       string `xml:"PrepaidAmount"`
		Rounding      string `xml:"PayableRoundingAmount"`
		Payable       string `xml:"PayableAmount"`
	} `xml:"LegalMonetaryTotal"`

	InvoiceLines    []ublLine `xml:"InvoiceLine"`
	CreditNoteLines []ublLine `xml:"CreditNoteLine"`
}

type ublParty struct {
	Endpoint struct {
		Value  string `xml:",chardata"`
		Scheme string `xml:"schemeID,attr"`
	} `xml:"EndpointID"`
	Name    string `xml:"PartyName>Name"`
	Address struct {
		Street      string   `xml:"StreetName"`
		Additional  string   `xml:"AdditionalStreetName"`
		Lines       []string `xml:"AddressLine>Line"`
		City        string   `xml:"CityName"`
		PostCode    string   `xml:"PostalZone"`
		Subdivision string   `xml:"CountrySubentity"`
		Country     string   `xml:"Country>IdentificationCode"`
	} `xml:"PostalAddress"`
	TaxSchemes []struct {
		CompanyID string `xml:"CompanyID"`
		Scheme    string `xml:"TaxScheme>ID"`
	} `xml:"PartyTaxScheme"`
	RegistrationName string `xml:"PartyLegalEntity>RegistrationName"`
}

type ublLine struct {
	ID       string `xml:"ID"`
	Invoiced struct {
		Value string `xml:",chardata"`
		Unit  string `xml:"unitCode,attr"`
	} `xml:"InvoicedQuantity"`
	Credited struct {
		Value string `xml:",chardata"`
		Unit  string `xml:"unitCode,attr"`
	} `xml:"CreditedQuantity"`
	Net     string `xml:"LineExtensionAmount"`
	Name    string `xml:"Item>Name"`
	TaxRate string `xml:"Item>ClassifiedTaxCategory>Percent"`
	Price   string `xml:"Price>PriceAmount"`
}

func (doc *ublDoc) invoice() (*Invoice, error) {
	var n normaliser
	inv := &Invoice{
		Syntax:         SyntaxUBL,
		Guideline:      strings.TrimSpace(doc.CustomizationID),
		Profile:        profileOf(doc.CustomizationID),
		ID:             strings.TrimSpace(doc.ID),
		TypeCode:       first(doc.InvoiceType, doc.CreditNoteType),
		IssueDate:      n.date("issue date", doc.IssueDate, ""),
		DueDate:        n.date("due date", doc.DueDate, ""),
		Currency:       strings.TrimSpace(doc.Currency),
		Seller:         doc.Seller.party(),
		Buyer:          doc.Buyer.party(),
		OrderReference: strings.TrimSpace(doc.OrderReference),
		BuyerReference: strings.TrimSpace(doc.BuyerReference),
	}
	if inv.TypeCode == "" && doc.CreditNoteLines != nil {
		// UBL's CreditNoteTypeCode is optional outside EN 16931.
		inv.TypeCode = "381"
	}
	for _, pm := range doc.PaymentMeans {
		if inv.PaymentMeansCode == "" {
			inv.PaymentMeansCode = strings.TrimSpace(pm.Code)
		}
		if inv.PaymentReference == "" {
			inv.PaymentReference = strings.TrimSpace(pm.PaymentID)
		}
		if inv.DueDate == "" {
			inv.DueDate = n.date("due date", pm.DueDate, "")
		}
		for _, acc := range pm.Accounts {
			if a := strings.TrimSpace(acc.ID); a != "" && inv.IBAN == "" {
				inv.IBAN = a
				inv.BIC = strings.TrimSpace(acc.BIC)
			}
		}
	}
	var terms []string
	for _, t := range doc.PaymentTerms {
		if t = text(t); t != "" {
			terms = append(terms, t)
		}
	}
	inv.PaymentTerms = strings.Join(terms, "\n")

	var taxes []amountXML
	for _, tt := range doc.TaxTotals {
		taxes = append(taxes, tt.Amount)
		if inv.Taxes != nil {
			// A second TaxTotal, in the VAT accounting currency,
			// carries no breakdown of its own (BR-53).
			continue
		}
		for _, s := range tt.Subtotals {
			inv.Taxes = append(inv.Taxes, Tax{
				Category:        strings.TrimSpace(s.Category.ID),
				Rate:            n.number("VAT rate", s.Category.Percent),
				Basis:           n.amount("VAT basis", s.Taxable),
				Amount:          n.amount("VAT amount", s.Amount),
				ExemptionReason: text(s.Category.ExemptionReason),
			})
		}
	}
	t := doc.Total
	inv.Totals = Totals{
		LineTotal:  n.amount("line total", t.LineExtension),
		Allowances: n.amount("allowance total", t.Allowances),
		Charges:    n.amount("charge total", t.Charges),
		TaxBasis:   n.amount("tax basis total", t.TaxExclusive),
		Tax:        n.amount("tax total", taxInCurrency(taxes, inv.Currency)),
		GrandTotal: n.amount("grand total", t.TaxInclusive),
		Prepaid:    n.amount("prepaid amount", t.Prepaid),
		Rounding:   n.amount("rounding amount", t.Rounding),
		DuePayable: n.amount("amount due", t.Payable),
	}
	for _, l := range append(doc.InvoiceLines, doc.CreditNoteLines...) {
		q := l.Invoiced
		if q.Value == "" {
			q = l.Credited
		}
		inv.Lines = append(inv.Lines, Line{
			ID:        strings.TrimSpace(l.ID),
			Name:      text(l.Name),
			Quantity:  n.number("line quantity", q.Value),
			Unit:      strings.TrimSpace(q.Unit),
			UnitPrice: n.amount("line price", l.Price),
			NetAmount: n.amount("line amount", l.Net),
			TaxRate:   n.number("line VAT rate", l.TaxRate),
		})
	}
	if n.err != nil {
		return nil, n.err
	}
	return inv, nil
}

func (p *ublParty) party() Party {
	out := Party{
		Name:        first(text(p.RegistrationName), text(p.Name)),
		TradingName: text(p.Name),
		Address: Address{
			City:        text(p.Address.City),
			PostCode:    strings.TrimSpace(p.Address.PostCode),
			Subdivision: text(p.Address.Subdivision),
			Country:     strings.TrimSpace(p.Address.Country),
		},
		ElectronicAddress: strings.TrimSpace(p.Endpoint.Value),
		ElectronicScheme:  strings.TrimSpace(p.Endpoint.Scheme),
	}
	if out.TradingName == out.Name {
		out.TradingName = ""
	}
	for _, l := range append([]string{p.Address.Street, p.Address.Additional}, p.Address.Lines...) {
		if l = text(l); l != "" {
			out.Address.Lines = append(out.Address.Lines, l)
		}
	}
	for _, ts := range p.TaxSchemes {
		v := strings.TrimSpace(ts.CompanyID)
		if v == "" {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(ts.Scheme), "VAT") {
			if out.VATID == "" {
				out.VATID = v
			}
		} else if out.TaxNumber == "" {
			out.TaxNumber = v
		}
	}
	return out
}

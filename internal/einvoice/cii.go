package einvoice

import "strings"

// The CII structs hold both vocabularies: ZUGFeRD 1.0's element names
// (HeaderExchangedDocument, ApplicableSupplyChainTradeAgreement, ...) and
// D16B's (ExchangedDocument, ApplicableHeaderTradeAgreement, ...) as
// alternative fields; a document fills one of each pair. Tags name local
// names only, which encoding/xml matches in any namespace; the root's
// namespace was checked before decoding.

type ciiDoc struct {
	Guideline  string `xml:"ExchangedDocumentContext>GuidelineSpecifiedDocumentContextParameter>ID"`
	Guideline1 string `xml:"SpecifiedExchangedDocumentContext>GuidelineSpecifiedDocumentContextParameter>ID"`

	Header  ciiHeader `xml:"ExchangedDocument"`
	Header1 ciiHeader `xml:"HeaderExchangedDocument"`

	Tx  ciiTransaction `xml:"SupplyChainTradeTransaction"`
	Tx1 ciiTransaction `xml:"SpecifiedSupplyChainTradeTransaction"`
}

type ciiHeader struct {
	ID        string      `xml:"ID"`
	TypeCode  string      `xml:"TypeCode"`
	IssueDate ciiDateTime `xml:"IssueDateTime"`
}

type ciiDateTime struct {
	String struct {
		Value  string `xml:",chardata"`
		Format string `xml:"format,attr"`
	} `xml:"DateTimeString"`
}

type ciiTransaction struct {
	Agreement   ciiAgreement  `xml:"ApplicableHeaderTradeAgreement"`
	Agreement1  ciiAgreement  `xml:"ApplicableSupplyChainTradeAgreement"`
	Settlement  ciiSettlement `xml:"ApplicableHeaderTradeSettlement"`
	Settlement1 ciiSettlement `xml:"ApplicableSupplyChainTradeSettlement"`
	Lines       []ciiLine     `xml:"IncludedSupplyChainTradeLineItem"`
}

type ciiAgreement struct {
	BuyerReference string   `xml:"BuyerReference"`
	Seller         ciiParty `xml:"SellerTradeParty"`
	Buyer          ciiParty `xml:"BuyerTradeParty"`
	Order          string   `xml:"BuyerOrderReferencedDocument>IssuerAssignedID"`
	Order1         string   `xml:"BuyerOrderReferencedDocument>ID"`
}

type ciiParty struct {
	Name        string `xml:"Name"`
	TradingName string `xml:"SpecifiedLegalOrganization>TradingBusinessName"`
	Address     struct {
		PostCode    string `xml:"PostcodeCode"`
		Line1       string `xml:"LineOne"`
		Line2       string `xml:"LineTwo"`
		Line3       string `xml:"LineThree"`
		City        string `xml:"CityName"`
		Country     string `xml:"CountryID"`
		Subdivision string `xml:"CountrySubDivisionName"`
	} `xml:"PostalTradeAddress"`
	URI struct {
		ID     string `xml:",chardata"`
		Scheme string `xml:"schemeID,attr"`
	} `xml:"URIUniversalCommunication>URIID"`
	TaxRegistrations []schemeID `xml:"SpecifiedTaxRegistration>ID"`
}

type schemeID struct {
	Value  string `xml:",chardata"`
	Scheme string `xml:"schemeID,attr"`
}

type amountXML struct {
	Value    string `xml:",chardata"`
	Currency string `xml:"currencyID,attr"`
}

type ciiSettlement struct {
	PaymentReference string `xml:"PaymentReference"`
	Currency         string `xml:"InvoiceCurrencyCode"`
	PaymentMeans     []struct {
		TypeCode string `xml:"TypeCode"`
		// Several accounts may be given; the first is BT-84 (a
		// string field would keep the last).
		Accounts []struct {
			IBAN        string `xml:"IBANID"`
			Proprietary string `xml:"ProprietaryID"`
		} `xml:"PayeePartyCreditorFinancialAccount"`
		BIC []string `xml:"PayeeSpecifiedCreditorFinancialInstitution>BICID"`
	} `xml:"SpecifiedTradeSettlementPaymentMeans"`
	Taxes []ciiTax `xml:"ApplicableTradeTax"`
	Terms []struct {
		Description string      `xml:"Description"`
		Due         ciiDateTime `xml:"DueDateDateTime"`
	} `xml:"SpecifiedTradePaymentTerms"`
	Sum  ciiSummation `xml:"SpecifiedTradeSettlementHeaderMonetarySummation"`
	Sum1 ciiSummation `xml:"SpecifiedTradeSettlementMonetarySummation"`
}

type ciiTax struct {
	Calculated      string `xml:"CalculatedAmount"`
	Basis           string `xml:"BasisAmount"`
	Category        string `xml:"CategoryCode"`
	Rate            string `xml:"RateApplicablePercent"`
	Rate1           string `xml:"ApplicablePercent"`
	ExemptionReason string `xml:"ExemptionReason"`
}

type ciiSummation struct {
	LineTotal  string      `xml:"LineTotalAmount"`
	Charges    string      `xml:"ChargeTotalAmount"`
	Allowances string      `xml:"AllowanceTotalAmount"`
	TaxBasis   string      `xml:"TaxBasisTotalAmount"`
	Tax        []amountXML `xml:"TaxTotalAmount"`
	Rounding   string      `xml:"RoundingAmount"`
	GrandTotal string      `xml:"GrandTotalAmount"`
	Prepaid    string      `xml:"TotalPrepaidAmount"`
	DuePayable string      `xml:"DuePayableAmount"`
}

type ciiLine struct {
	ID   string `xml:"AssociatedDocumentLineDocument>LineID"`
	Name string `xml:"SpecifiedTradeProduct>Name"`

	Price  string `xml:"SpecifiedLineTradeAgreement>NetPriceProductTradePrice>ChargeAmount"`
	Price1 string `xml:"SpecifiedSupplyChainTradeAgreement>NetPriceProductTradePrice>ChargeAmount"`

	Quantity  ciiQuantity `xml:"SpecifiedLineTradeDelivery>BilledQuantity"`
	Quantity1 ciiQuantity `xml:"SpecifiedSupplyChainTradeDelivery>BilledQuantity"`

	Settlement  ciiLineSettlement `xml:"SpecifiedLineTradeSettlement"`
	Settlement1 ciiLineSettlement `xml:"SpecifiedSupplyChainTradeSettlement"`
}

type ciiQuantity struct {
	Value string `xml:",chardata"`
	Unit  string `xml:"unitCode,attr"`
}

type ciiLineSettlement struct {
	Tax  []ciiTax `xml:"ApplicableTradeTax"`
	Net  string   `xml:"SpecifiedTradeSettlementLineMonetarySummation>LineTotalAmount"`
	Net1 string   `xml:"SpecifiedTradeSettlementMonetarySummation>LineTotalAmount"`
}

func (doc *ciiDoc) invoice(syntax Syntax) (*Invoice, error) {
	var n normaliser
	hd, tx := doc.Header, doc.Tx
	if syntax == SyntaxCII1 {
		hd, tx = doc.Header1, doc.Tx1
	}
	ag, st := tx.Agreement, tx.Settlement
	sum := st.Sum
	if syntax == SyntaxCII1 {
		ag, st = tx.Agreement1, tx.Settlement1
		sum = st.Sum1
	}
	guideline := first(doc.Guideline, doc.Guideline1)
	inv := &Invoice{
		Syntax:           syntax,
		Guideline:        guideline,
		Profile:          profileOf(guideline),
		ID:               strings.TrimSpace(hd.ID),
		TypeCode:         strings.TrimSpace(hd.TypeCode),
		IssueDate:        n.date("issue date", hd.IssueDate.String.Value, hd.IssueDate.String.Format),
		Currency:         strings.TrimSpace(st.Currency),
		Seller:           ag.Seller.party(),
		Buyer:            ag.Buyer.party(),
		OrderReference:   first(ag.Order, ag.Order1),
		BuyerReference:   strings.TrimSpace(ag.BuyerReference),
		PaymentReference: strings.TrimSpace(st.PaymentReference),
	}
	var terms []string
	for _, t := range st.Terms {
		if d := text(t.Description); d != "" {
			terms = append(terms, d)
		}
		if inv.DueDate == "" {
			inv.DueDate = n.date("due date", t.Due.String.Value, t.Due.String.Format)
		}
	}
	inv.PaymentTerms = strings.Join(terms, "\n")
	for _, pm := range st.PaymentMeans {
		if inv.PaymentMeansCode == "" {
			inv.PaymentMeansCode = strings.TrimSpace(pm.TypeCode)
		}
		for _, acc := range pm.Accounts {
			if iban := first(acc.IBAN, acc.Proprietary); iban != "" && inv.IBAN == "" {
				inv.IBAN = iban
				inv.BIC = first(pm.BIC...)
			}
		}
	}
	inv.Totals = Totals{
		LineTotal:  n.amount("line total", sum.LineTotal),
		Allowances: n.amount("allowance total", sum.Allowances),
		Charges:    n.amount("charge total", sum.Charges),
		TaxBasis:   n.amount("tax basis total", sum.TaxBasis),
		Tax:        n.amount("tax total", taxInCurrency(sum.Tax, inv.Currency)),
		Rounding:   n.amount("rounding amount", sum.Rounding),
		GrandTotal: n.amount("grand total", sum.GrandTotal),
		Prepaid:    n.amount("prepaid amount", sum.Prepaid),
		DuePayable: n.amount("amount due", sum.DuePayable),
	}
	for _, t := range st.Taxes {
		inv.Taxes = append(inv.Taxes, Tax{
			Category:        strings.TrimSpace(t.Category),
			Rate:            n.number("VAT rate", first(t.Rate, t.Rate1)),
			Basis:           n.amount("VAT basis", t.Basis),
			Amount:          n.amount("VAT amount", t.Calculated),
			ExemptionReason: text(t.ExemptionReason),
		})
	}
	for _, l := range tx.Lines {
		q := l.Quantity
		if q.Value == "" {
			q = l.Quantity1
		}
		ls := l.Settlement
		if len(ls.Tax) == 0 && ls.Net == "" {
			ls = l.Settlement1
		}
		line := Line{
			ID:        strings.TrimSpace(l.ID),
			Name:      text(l.Name),
			Quantity:  n.number("line quantity", q.Value),
			Unit:      strings.TrimSpace(q.Unit),
			UnitPrice: n.amount("line price", first(l.Price, l.Price1)),
			NetAmount: n.amount("line amount", first(ls.Net, ls.Net1)),
		}
		if len(ls.Tax) > 0 {
			line.TaxRate = n.number("line VAT rate", first(ls.Tax[0].Rate, ls.Tax[0].Rate1))
		}
		inv.Lines = append(inv.Lines, line)
	}
	if n.err != nil {
		return nil, n.err
	}
	return inv, nil
}

func (p *ciiParty) party() Party {
	out := Party{
		Name:        text(p.Name),
		TradingName: text(p.TradingName),
		Address: Address{
			City:        text(p.Address.City),
			PostCode:    strings.TrimSpace(p.Address.PostCode),
			Subdivision: text(p.Address.Subdivision),
			Country:     strings.TrimSpace(p.Address.Country),
		},
		ElectronicAddress: strings.TrimSpace(p.URI.ID),
		ElectronicScheme:  strings.TrimSpace(p.URI.Scheme),
	}
	for _, l := range []string{p.Address.Line1, p.Address.Line2, p.Address.Line3} {
		if l = text(l); l != "" {
			out.Address.Lines = append(out.Address.Lines, l)
		}
	}
	for _, r := range p.TaxRegistrations {
		v := strings.TrimSpace(r.Value)
		switch strings.ToUpper(strings.TrimSpace(r.Scheme)) {
		case "VA":
			if out.VATID == "" {
				out.VATID = v
			}
		case "FC":
			if out.TaxNumber == "" {
				out.TaxNumber = v
			}
		}
	}
	return out
}

// taxInCurrency picks the tax total in the invoice's currency (BT-110)
// from those given, which may add one in the VAT accounting currency
// (BT-111); an amount without a currency is taken when none matches.
func taxInCurrency(amounts []amountXML, currency string) string {
	for _, a := range amounts {
		if strings.EqualFold(strings.TrimSpace(a.Currency), currency) {
			return a.Value
		}
	}
	for _, a := range amounts {
		if strings.TrimSpace(a.Currency) == "" {
			return a.Value
		}
	}
	if len(amounts) > 0 {
		return amounts[0].Value
	}
	return ""
}

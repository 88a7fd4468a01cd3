package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/docparse/docparse/internal/einvoice"
)

// MaxEInvoiceBytes is the largest e-invoice XML read, as an upload or as a
// PDF's attachment. An XRechnung or EXTENDED invoice may carry its
// supporting documents as base64 inside the XML, a few MB; more is
// refused with too_large_content.
const MaxEInvoiceBytes = 32 << 20

// EInvoice returns the e-invoice a file holds: for KindEInvoice the XML
// file itself, for a PDF the invoice among its attachments (Factur-X,
// ZUGFeRD, XRechnung hybrids; see einvoice.FromAttachments). from names
// where it was found: the attachment's name, "" for an XML file.
//
// A file that holds no invoice (any other kind, a PDF without an invoice
// attachment) gives nil, "", nil. A broken one gives an *Error:
// corrupt_document (malformed XML, a DOCTYPE, a value not of its type, an
// attachment PDFium cannot decode), too_large_content (over
// MaxEInvoiceBytes, too deep, a token too large, an invoice attachment
// over MaxEInvoiceBytes, any attachment that inflates past the engine's
// memory limit), the open errors of Extract for a PDF, and timeout. Other
// errors are transient.
func (e *Engine) EInvoice(ctx context.Context, path string, kind Kind) (inv *einvoice.Invoice, from string, err error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	switch kind {
	case KindEInvoice:
		inv, err := parseEInvoiceFile(path)
		return inv, "", err
	case KindPDF:
	default:
		return nil, "", nil
	}
	atts, err := e.Attachments(ctx, path, MaxEInvoiceBytes)
	if err != nil {
		return nil, "", err
	}
	cands := make([]einvoice.Attachment, 0, len(atts))
	var oversize string
	for _, a := range atts {
		if a.Data == nil {
			if oversize == "" && strings.HasSuffix(strings.ToLower(a.Name), ".xml") {
				oversize = a.Name
			}
			continue
		}
		cands = append(cands, einvoice.Attachment{Name: a.Name, Data: a.Data})
	}
	inv, from, err = einvoice.FromAttachments(cands, MaxEInvoiceBytes)
	switch {
	case err == nil:
		return inv, from, nil
	case einvoice.IsNotInvoice(err) && oversize != "":
		return nil, "", newError(CodeTooLargeContent, fmt.Sprintf("The PDF's attachment %q is larger than %d MB.", oversize, MaxEInvoiceBytes>>20), nil)
	case einvoice.IsNotInvoice(err):
		return nil, "", nil
	}
	return nil, "", asEInvoiceError(err)
}

// parseEInvoiceFile parses the XML e-invoice at path.
func parseEInvoiceFile(path string) (*einvoice.Invoice, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open e-invoice: %w", err)
	}
	defer f.Close()
	inv, err := einvoice.Parse(f, MaxEInvoiceBytes)
	if err != nil {
		return nil, asEInvoiceError(err)
	}
	return inv, nil
}

// asEInvoiceError turns einvoice's permanent errors into this package's.
func asEInvoiceError(err error) error {
	var ee *einvoice.Error
	if errors.As(err, &ee) {
		return newError(ee.Code, ee.Message, err)
	}
	return err
}

// extractEInvoice reads an XML e-invoice as a readable one-page document:
// the invoice's data under the labels a printed invoice would carry, so
// that the field engine, the classifier and a text preview read it like
// any invoice.
func (e *Engine) extractEInvoice(ctx context.Context, path string) (*Document, error) {
	inv, err := parseEInvoiceFile(path)
	if err != nil {
		return nil, err
	}
	return plainDocument(ctx, EInvoiceText(inv), "")
}

// EInvoiceText renders an invoice as plain text, one labelled value a
// line, the lines as a table whose cells are at least two spaces apart.
// Labels are English; amounts are written as the XML gives them, dates as
// YYYY-MM-DD.
func EInvoiceText(inv *einvoice.Invoice) string {
	var b strings.Builder
	line := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, oneLine(v))
		}
	}
	title := "Invoice"
	switch inv.TypeCode {
	case "381":
		title = "Credit note"
	case "384":
		title = "Corrected invoice"
	}
	b.WriteString(title + "\n")
	line("Invoice number", inv.ID)
	line("Invoice date", inv.IssueDate)
	line("Due date", inv.DueDate)
	line("Currency", inv.Currency)
	line("Order number", inv.OrderReference)
	line("Buyer reference", inv.BuyerReference)
	party := func(role string, p einvoice.Party) {
		if p.Name == "" && p.VATID == "" && p.TradingName == "" {
			return
		}
		b.WriteString("\n")
		line(role, p.Name)
		line(role+" trading name", p.TradingName)
		for _, l := range p.Address.Lines {
			b.WriteString(oneLine(l) + "\n")
		}
		if city := strings.TrimSpace(p.Address.PostCode + " " + p.Address.City); city != "" {
			b.WriteString(city + "\n")
		}
		if p.Address.Country != "" {
			b.WriteString(p.Address.Country + "\n")
		}
		line(role+" VAT number", p.VATID)
		line(role+" tax number", p.TaxNumber)
		line(role+" electronic address", p.ElectronicAddress)
	}
	party("Seller", inv.Seller)
	party("Buyer", inv.Buyer)
	if len(inv.Lines) > 0 {
		b.WriteString("\nDescription  Quantity  Unit  Unit price  Amount  Tax rate\n")
		for _, l := range inv.Lines {
			rate := ""
			if l.TaxRate != "" {
				rate = l.TaxRate + "%"
			}
			cells := []string{oneLine(l.Name), l.Quantity, l.Unit, l.UnitPrice, l.NetAmount, rate}
			for i := range cells {
				if cells[i] == "" {
					cells[i] = "-"
				}
			}
			b.WriteString(strings.Join(cells, "  ") + "\n")
		}
	}
	b.WriteString("\n")
	t := inv.Totals
	line("Line total", t.LineTotal)
	line("Allowances", t.Allowances)
	line("Charges", t.Charges)
	line("Total excl VAT", t.TaxBasis)
	line("VAT amount", t.Tax)
	line("Total incl VAT", t.GrandTotal)
	line("Prepaid", t.Prepaid)
	line("Amount due", t.DuePayable)
	b.WriteString("\n")
	line("IBAN", inv.IBAN)
	line("BIC", inv.BIC)
	line("Payment reference", inv.PaymentReference)
	line("Payment terms", inv.PaymentTerms)
	return b.String()
}

// oneLine folds the line breaks and runs of spaces of s into single
// spaces, so that a value stays on its label's line and in one cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

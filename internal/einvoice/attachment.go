package einvoice

import (
	"bytes"
	"errors"
	"path"
	"strings"
)

// Attachment is a file embedded in a PDF.
type Attachment struct {
	Name string // as the PDF names it, e.g. "factur-x.xml"
	Data []byte
}

// knownNames are the attachment names the Factur-X, ZUGFeRD and XRechnung
// specifications give the invoice XML, lower case.
var knownNames = []string{"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"}

// FromAttachments returns the invoice among a PDF's attachments and the
// name of the attachment it came from. An attachment is a candidate when
// its root element is an invoice (Sniff), whatever its name; candidates
// with a name the specifications give (factur-x.xml, zugferd-invoice.xml,
// ZUGFeRD-invoice.xml, xrechnung.xml) are tried first. Each is parsed with
// Parse's limits and at most limit bytes. It returns an error wrapping
// ErrNotInvoice when no attachment is an invoice, and the first
// candidate's *Error when none parses.
func FromAttachments(atts []Attachment, limit int64) (*Invoice, string, error) {
	var candidates []Attachment
	for _, a := range atts {
		if _, ok := Sniff(head(a.Data)); ok {
			candidates = append(candidates, a)
		}
	}
	// Stable: named ones first, the PDF's order otherwise.
	var named, other []Attachment
	for _, a := range candidates {
		if isKnownName(a.Name) {
			named = append(named, a)
		} else {
			other = append(other, a)
		}
	}
	var firstErr error
	for _, a := range append(named, other...) {
		inv, err := Parse(bytes.NewReader(a.Data), limit)
		if err == nil {
			return inv, a.Name, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, "", firstErr
	}
	return nil, "", &Error{Code: CodeUnsupportedType, Message: "The PDF holds no e-invoice.", cause: ErrNotInvoice}
}

// IsNotInvoice reports whether err says the input holds no invoice at all
// (as opposed to a broken one).
func IsNotInvoice(err error) bool { return errors.Is(err, ErrNotInvoice) }

// SniffSize is how much of a file Sniff needs to see past a long leading
// comment.
const SniffSize = 16 << 10

func head(b []byte) []byte {
	if len(b) > SniffSize {
		return b[:SniffSize]
	}
	return b
}

func isKnownName(name string) bool {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	for _, k := range knownNames {
		if base == k {
			return true
		}
	}
	return false
}

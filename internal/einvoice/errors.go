package einvoice

import "errors"

// Codes of permanent failures, the same strings as internal/extract's (and
// the API's error.code): this package does not import extract so that
// extract may import it.
const (
	CodeCorruptDocument = "corrupt_document"
	CodeTooLargeContent = "too_large_content"
	CodeUnsupportedType = "unsupported_type"
)

// ErrNotInvoice is wrapped by the *Error (code unsupported_type) that Parse
// returns for well-formed XML whose root is not an invoice, and returned by
// FromAttachments when no attachment is one.
var ErrNotInvoice = errors.New("not an e-invoice")

// Error is a permanent failure to read an invoice: the same bytes give the
// same answer. Code is CodeCorruptDocument (malformed XML, a DOCTYPE, a
// value that is not what its element requires), CodeTooLargeContent (over
// a size, token or depth limit) or CodeUnsupportedType (not an invoice).
// Message is a sentence fit for an API client.
type Error struct {
	Code    string
	Message string

	cause error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.Code + ": " + e.Message + ": " + e.cause.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// IsCode reports whether err is or wraps an *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

func corrupt(msg string, cause error) *Error {
	return &Error{Code: CodeCorruptDocument, Message: msg, cause: cause}
}

func tooLarge(msg string) *Error {
	return &Error{Code: CodeTooLargeContent, Message: msg}
}

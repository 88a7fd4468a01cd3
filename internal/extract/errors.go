package extract

import "errors"

// Codes of permanent failures of one file, as API.md names them in a failed
// file's error.code.
const (
	CodeUnsupportedType   = "unsupported_type"
	CodeCorruptDocument   = "corrupt_document"
	CodeEncryptedDocument = "encrypted_document"
	CodeTooManyPages      = "too_many_pages"
	CodeEmptyDocument     = "empty_document"
	CodeTimeout           = "timeout"
	CodeOCRUnavailable    = "ocr_unavailable"
	// CodeTooLargeContent: the file is small but what it holds is not: an
	// image whose header claims more than Config.MaxImagePixels (alone, or
	// on a PDF page to OCR), a PDF page or attachment that needs more than
	// an instance's Config.MemoryLimitMB, a DOCX or XLSX that unpacks to
	// more than 100 MB, holds more than 10000 entries or one XML token over
	// Config.MaxTextBytes, an e-mail with more than 500 parts. Refused
	// before the content is unpacked, or while it is read, never after
	// (decompression bombs).
	CodeTooLargeContent = "too_large_content"
)

// Error is a permanent failure of one file: retrying the same bytes gives the
// same answer, so the caller marks the file failed with Code and Message
// instead of retrying. Any other error from this package is transient (I/O,
// a cancelled context) and worth a retry.
//
// Message is a sentence fit for an API client; it never holds a path or an
// engine's internals. The underlying cause, when there is one, is reachable
// with errors.Unwrap (for example context.DeadlineExceeded for a timeout).
type Error struct {
	Code    string
	Message string

	cause error
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause of the failure, if any.
func (e *Error) Unwrap() error { return e.cause }

// AsError reports whether err is or wraps an *Error, and returns it.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// IsCode reports whether err is or wraps an *Error with the given code.
func IsCode(err error, code string) bool {
	e, ok := AsError(err)
	return ok && e.Code == code
}

func newError(code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

package einvoice_test

import (
	"testing"

	"github.com/docparse/docparse/internal/einvoice"
	"github.com/docparse/docparse/internal/extract"
)

// The codes are the API's: the same strings as extract's, which the
// pipeline maps to a failed file's error.code.
func TestCodesAreExtracts(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		einvoice.CodeCorruptDocument: extract.CodeCorruptDocument,
		einvoice.CodeTooLargeContent: extract.CodeTooLargeContent,
		einvoice.CodeUnsupportedType: extract.CodeUnsupportedType,
	} {
		if got != want {
			t.Errorf("einvoice code %q, extract has %q", got, want)
		}
	}
}

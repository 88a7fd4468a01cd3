// Package orttest finds the OCR models directory for tests.
package orttest

import (
	"os"
	"testing"
)

// ModelsDir returns the OCR models directory of the tests
// (DOCPARSE_TEST_OCR_MODELS, laid out by scripts/ocr-models.sh). Without
// one it skips the test, and fails it in CI (CI=true). The variable is
// not DOCPARSE_OCR_MODELS, which would turn the models on in every server
// the tests start.
func ModelsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("DOCPARSE_TEST_OCR_MODELS")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but DOCPARSE_TEST_OCR_MODELS is not set: .ci/run must lay out the models with scripts/ocr-models.sh")
		}
		t.Skip("DOCPARSE_TEST_OCR_MODELS not set: lay out the models with scripts/ocr-models.sh DIR and set it to DIR")
	}
	return dir
}

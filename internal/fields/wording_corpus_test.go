package fields_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/docparse/docparse/internal/fields/wordings"
)

// TestWordings extracts the development corpus once per wording of the
// suite that it can score, with the generic schema in which that one
// field is worded the suite's way, and wants every wording to read as
// many values right as the canonical wording. go test -v prints the
// accuracy of each; go run ./bench/wordings prints the same table.
func TestWordings(t *testing.T) {
	// One corpus invoice shows its seller only in an image: it needs OCR.
	dir := devCorpus(t, "tesseract")
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("extracts the corpus (about 15 s); not with -short")
	}
	ws, err := wordings.Load(filepath.Join("testdata", "wordings.json"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := wordings.LoadCorpus(context.Background(), dir, filepath.Join(os.TempDir(), "docparse-accuracy-pdfium-cache"))
	if err != nil {
		t.Fatal(err)
	}
	scores := wordings.Run(docs, ws)
	if len(scores) < 100 {
		t.Errorf("%d wordings scored, want at least 100", len(scores))
	}
	var held, heldRight int
	for _, s := range scores {
		t.Logf("%-70s -> %-14s %2d/%-2d (canonical %2d/%d)", s.Wording, s.Wording.Truth, s.Right, s.Docs, s.Canonical, s.Docs)
		if s.Wording.HeldOut > wordings.TunedThrough {
			// Measured, not tuned for: reported, and only a share
			// below heldOutValuesMin fails.
			held += s.Docs
			heldRight += s.Right
			if s.Right < s.Canonical {
				t.Logf("held out: %s reads %s right on %d of %d documents, the canonical wording on %d: %v",
					s.Wording, s.Wording.Truth, s.Right, s.Docs, s.Canonical, s.Misses)
			}
			continue
		}
		if s.Right < s.Canonical {
			t.Errorf("%s reads %s right on %d of %d documents, the canonical wording on %d: %v",
				s.Wording, s.Wording.Truth, s.Right, s.Docs, s.Canonical, s.Misses)
		}
	}
	if held > 0 {
		t.Logf("held-out wordings: %d of %d values right", heldRight, held)
		if float64(heldRight) < heldOutValuesMin*float64(held) {
			t.Errorf("held-out wordings: %d of %d values right, want at least %.0f%%", heldRight, held, 100*heldOutValuesMin)
		}
	}
}

// heldOutValuesMin is the share of values the held-out wordings must read
// right on the corpus.
const heldOutValuesMin = 0.9

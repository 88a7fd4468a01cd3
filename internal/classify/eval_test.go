package classify

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/docparse/docparse/internal/classify/synth"
)

// labelled is a document with the index of its true category, -1 for none.
type labelled struct {
	name string
	text string
	want int
}

// categories turns a synth category set into Categories with IDs.
func categories(set []synth.CategorySpec) []Category {
	out := make([]Category, len(set))
	for i, c := range set {
		out[i] = Category{ID: fmt.Sprintf("cat_%d", i), Name: c.Name, Description: c.Description, Keywords: c.Keywords}
	}
	return out
}

func labelledSynth(set []synth.CategorySpec, docs []synth.Doc) []labelled {
	out := make([]labelled, len(docs))
	for i, d := range docs {
		out[i] = labelled{name: d.Name, text: d.Text, want: synth.CategoryOf(set, d.Kind)}
	}
	return out
}

// corpusInvoices returns the text of the real invoices of the shared
// invoice2data corpus (pdftotext -layout), or skips when it or pdftotext
// is missing.
func corpusInvoices(t testing.TB) []string {
	// The shared corpus stands beside the repository (CI lays it there).
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "invoice2data")
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	ci := os.Getenv("CI") == "true"
	if len(pdfs) == 0 {
		if ci {
			t.Fatalf("CI=true but the invoice2data corpus is not at %s", dir)
		}
		t.Skip("no invoice2data corpus beside the repository")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if ci {
			t.Fatal("CI=true but pdftotext is not installed: .ci/run must install poppler-utils")
		}
		t.Skip("no pdftotext")
	}
	var out []string
	for _, p := range pdfs {
		b, err := exec.Command("pdftotext", "-layout", p, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", p, err)
		}
		out = append(out, string(b))
	}
	txts, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	for _, p := range txts {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// outcome is one decision against the truth.
type outcome struct {
	want, got int // category indexes, -1 for none
	conf      float64
	doc       labelled
	d         Decision
}

func run(m *Model, cats []Category, docs []labelled, threshold float64) []outcome {
	idx := map[string]int{}
	for i, c := range cats {
		idx[c.ID] = i
	}
	out := make([]outcome, len(docs))
	for i, d := range docs {
		dec := m.Classify(d.text, threshold)
		got := -1
		if dec.CategoryID != "" {
			got = idx[dec.CategoryID]
		}
		out[i] = outcome{want: d.want, got: got, conf: dec.Confidence, doc: d, d: dec}
	}
	return out
}

// metrics are the figures issue #7 asks for.
type metrics struct {
	inCat, inCatRight int
	none, noneLeft    int
	high, highRight   int // decisions with confidence >= 0.9
}

func measure(os []outcome) metrics {
	var m metrics
	for _, o := range os {
		if o.want >= 0 {
			m.inCat++
			if o.got == o.want {
				m.inCatRight++
			}
		} else {
			m.none++
			if o.got < 0 {
				m.noneLeft++
			}
		}
		if o.got >= 0 && o.conf >= 0.9 {
			m.high++
			if o.got == o.want {
				m.highRight++
			}
		}
	}
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (m metrics) String() string {
	return fmt.Sprintf("in-category accuracy %.3f (%d/%d), no-category left unclassified %.3f (%d/%d), precision at >=0.9 %.3f (%d/%d)",
		ratio(m.inCatRight, m.inCat), m.inCatRight, m.inCat, ratio(m.noneLeft, m.none), m.noneLeft, m.none, ratio(m.highRight, m.high), m.highRight, m.high)
}

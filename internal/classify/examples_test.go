package classify

import (
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/classify/synth"
)

// pairDocs returns the documents of a split that belong to one of two
// categories of set, labelled 0 or 1.
func pairDocs(set []synth.CategorySpec, a, b int, docs []synth.Doc) []labelled {
	var out []labelled
	for _, d := range docs {
		switch synth.CategoryOf(set, d.Kind) {
		case a:
			out = append(out, labelled{name: d.Name, text: d.Text, want: 0})
		case b:
			out = append(out, labelled{name: d.Name, text: d.Text, want: 1})
		}
	}
	return out
}

// pairAccuracy is the share of docs classified into their own category of
// the pair at threshold 0.5; unclassified counts as wrong.
func pairAccuracy(m *Model, cats []Category, docs []labelled) float64 {
	right := 0
	for _, o := range run(m, cats, docs, 0.5) {
		if o.got == o.want {
			right++
		}
	}
	return ratio(right, len(docs))
}

// corrections returns n examples, alternating between the two categories,
// from training documents: what a user fixing ten files would give.
func corrections(cats []Category, train []labelled, n int) []Example {
	var out []Example
	next := 0
	for len(out) < n {
		found := false
		for i, d := range train {
			if d.want == next%2 {
				out = append(out, Example{Text: d.text, CategoryID: cats[d.want].ID})
				train = append(train[:i:i], train[i+1:]...)
				next++
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return out
}

// TestExamplesImprovePair checks that ten corrections on a confusable pair
// raise the accuracy on held-out documents of that pair (never the
// corrected files themselves).
func TestExamplesImprovePair(t *testing.T) {
	train := synth.Generate(synth.TrainSeed, synth.Train, 440)
	held := synth.Generate(synth.HeldOutSeed, synth.HeldOut, heldOutDocs)
	for _, pc := range synth.Pairs {
		t.Run(pc.Name, func(t *testing.T) {
			cats := categories(pc.Cats[:])
			docs := pairDocs(pc.Cats[:], 0, 1, held)
			before := pairAccuracy(NewModel(cats, nil), cats, docs)
			exs := corrections(cats, pairDocs(pc.Cats[:], 0, 1, train), 10)
			if len(exs) != 10 {
				t.Fatalf("got %d corrections, want 10", len(exs))
			}
			m := NewModel(cats, exs)
			after := pairAccuracy(m, cats, docs)
			if got := measure(run(m, cats, docs, 0.5)); got.high > 0 && ratio(got.highRight, got.high) < 0.95 {
				t.Errorf("after corrections, precision at confidence >= 0.9 = %.3f (%d/%d), want >= 0.95", ratio(got.highRight, got.high), got.highRight, got.high)
			}
			t.Logf("accuracy on %d held-out docs: %.3f before, %.3f after 10 corrections", len(docs), before, after)
			if after <= before {
				t.Errorf("accuracy after 10 corrections = %.3f, want above %.3f before", after, before)
			}
		})
	}
}

// TestOneOverrideFilesTheSameDocument: after a single correction, the
// same document, or one of its copies with other numbers, lands in the
// category the user chose, with a reason that says why; a different
// document is classified as before, and a "none" correction leaves its
// copies unclassified.
func TestOneOverrideFilesTheSameDocument(t *testing.T) {
	cats := []Category{
		{ID: "inv", Name: "Invoice", Description: "a bill asking for payment"},
		{ID: "rpt", Name: "Report", Description: "a monthly activity report"},
	}
	statement := "Harbor Storage monthly statement\nUnit 14B rental period March 2026\nRental fee 120.00\nInsurance 8.00\nAccess card replacement 5.00\nBalance carried forward 0.00\nPlease keep this statement for your records"
	copyOf := "Harbor Storage monthly statement\nUnit 14B rental period April 2026\nRental fee 120.00\nInsurance 8.00\nAccess card replacement 5.00\nBalance carried forward 12.50\nPlease keep this statement for your records"
	other := "Quarterly activity report of the sales team\nVisits, calls and meetings per region\nNorth 42 visits, South 37 visits"
	zero := NewModel(cats, nil)
	before := zero.Classify(statement, 0.5)
	if before.CategoryID == "rpt" {
		t.Fatalf("the statement is already a report without examples (%+v): the test proves nothing", before)
	}
	m := NewModel(cats, []Example{{Text: statement, CategoryID: "rpt"}})
	for _, text := range []string{statement, copyOf} {
		d := m.Classify(text, 0.5)
		if d.CategoryID != "rpt" || d.Confidence < 0.85 || !strings.Contains(d.Reasoning, "put in Report by hand") {
			t.Errorf("after one override: %+v, want Report, sure, saying why", d)
		}
	}
	if got, want := m.Classify(other, 0.5), zero.Classify(other, 0.5); got.CategoryID != want.CategoryID || strings.Contains(got.Reasoning, "by hand") {
		t.Errorf("an unrelated document: %+v, want as without examples: %+v", got, want)
	}
	none := NewModel(cats, []Example{{Text: statement, CategoryID: ""}})
	if d := none.Classify(copyOf, 0.5); d.CategoryID != "" || !strings.Contains(d.Reasoning, "none of the categories by hand") {
		t.Errorf("after a none override: %+v, want unclassified", d)
	}
}

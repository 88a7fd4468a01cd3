package classify

import (
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

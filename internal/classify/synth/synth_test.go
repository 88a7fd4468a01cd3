package synth

import (
	"strings"
	"testing"
)

// TestGenerate checks determinism, that every kind appears, and that the
// held-out split reaches the templates the training split never uses.
func TestGenerate(t *testing.T) {
	a, b := Generate(TrainSeed, Train, 220), Generate(TrainSeed, Train, 220)
	kinds := map[Kind]int{}
	for i := range a {
		if a[i].Text != b[i].Text {
			t.Fatalf("Generate is not deterministic: doc %d differs", i)
		}
		if strings.TrimSpace(a[i].Text) == "" {
			t.Fatalf("doc %s is empty", a[i].Name)
		}
		kinds[a[i].Kind]++
		if ts := templates[a[i].Kind]; a[i].Template == len(ts)-1 && len(ts) > 1 {
			t.Errorf("train doc %s uses the held-out template %d", a[i].Name, a[i].Template)
		}
	}
	if len(kinds) != len(Kinds) {
		t.Errorf("kinds = %v, want all %d", kinds, len(Kinds))
	}
	last := 0
	for _, d := range Generate(HeldOutSeed, HeldOut, 440) {
		if ts := templates[d.Kind]; d.Template == len(ts)-1 {
			last++
		}
	}
	if last == 0 {
		t.Error("held-out split never used a held-out template")
	}
}

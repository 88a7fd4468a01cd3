package classify

import (
	"fmt"
	"os"
	"testing"

	"github.com/docparse/docparse/internal/classify/synth"
)

func TestDebugHeldOut(t *testing.T) {
	if os.Getenv("DEBUG") == "" {
		t.Skip()
	}
	docs := synth.Generate(synth.HeldOutSeed, synth.HeldOut, 880)
	for _, name := range []string{"keywords", "terse", "french"} {
		set := synth.CategorySets[name]
		cats := categories(set)
		m := NewModel(cats, nil)
		os := run(m, cats, labelledSynth(set, docs), 0.5)
		fmt.Println(name, measure(os))
		conf := map[string]int{}
		for _, o := range os {
			if o.got != o.want {
				k := fmt.Sprintf("%s->%d", o.doc.name[:6], o.got)
				conf[k]++
			}
		}
		fmt.Println(conf)
	}
}

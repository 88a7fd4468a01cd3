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
		if name == "terse" {
			shown := map[string]int{}
			for _, o := range os {
				k := o.doc.name[:6]
				if o.got != o.want && shown[k] < 2 && (k == "memo-1" || k == "contra" || k == "purcha") {
					shown[k]++
					sc := m.scores(newDocView(o.doc.text))
					fmt.Printf("--- %s conf %.2f %s\n%+v\n%+v\n%s\n", o.doc.name, o.conf, o.d.Reasoning, sc[0], sc[1], o.doc.text)
				}
			}
		}
	}
}

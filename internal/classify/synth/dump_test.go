package synth

import (
	"fmt"
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	for _, d := range Generate(HeldOutSeed, HeldOut, 22) {
		fmt.Printf("===== %s %s t%d noisy=%v\n%s\n", d.Name, d.Language, d.Template, d.Noisy, d.Text)
	}
}

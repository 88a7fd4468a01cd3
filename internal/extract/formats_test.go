package extract

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestTextFormatsFromFiles extracts the committed HTML, CSV and plain-text
// invoices and checks that each label shares a Line with its value, and
// that script content is not text.
func TestTextFormatsFromFiles(t *testing.T) {
	engine := newTestEngine(t, Config{})
	tests := []struct {
		path    string
		kind    Kind
		label   string
		value   string
		absent  string
		minLine int
	}{
		{"testdata/invoice.html", KindHTML, "Invoice No:", "INV-2026-0042", "tracking", 8},
		{"testdata/invoice.html", KindHTML, "Office chairs", "480.00", "", 8},
		{"testdata/invoice.csv", KindCSV, "Invoice No", "INV-2026-0043", "", 8},
		{"testdata/invoice.csv", KindCSV, "Paper, A4 (box)", "45.00", "", 8},
		{"testdata/invoice.txt", KindText, "FACTURE N°", "FA-2026-117", "", 10},
		{"testdata/invoice.txt", KindText, "Total TTC", "1 620,00", "", 10},
	}
	for _, tt := range tests {
		t.Run(tt.path+"/"+tt.label, func(t *testing.T) {
			head, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if kind, _ := Sniff(head, tt.path); kind != tt.kind {
				t.Fatalf("Sniff = %s, want %s", kind, tt.kind)
			}
			d, err := engine.Extract(context.Background(), tt.path, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			lines := 0
			found := false
			for _, p := range d.Pages {
				for _, l := range p.Lines {
					lines++
					if strings.Contains(l.Text, tt.label) && strings.Contains(l.Text, tt.value) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("no line holds both %q and %q:\n%s", tt.label, tt.value, d.Text())
			}
			if lines < tt.minLine {
				t.Errorf("%d lines, want at least %d", lines, tt.minLine)
			}
			if tt.absent != "" && strings.Contains(d.Text(), tt.absent) {
				t.Errorf("text holds %q, which is not content", tt.absent)
			}
		})
	}
}

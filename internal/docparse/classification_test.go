package docparse

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateClassification(t *testing.T) {
	two := []Category{{Name: "Invoices"}, {Name: "Letters"}}
	keywords := func(n int) []string { return strings.Split(strings.Repeat("k,", n-1)+"k", ",") }
	tests := []struct {
		name     string
		c        Classification
		semantic bool
		paths    []string
	}{
		{"valid", Classification{Name: "mail", Threshold: 0.5, Categories: two}, false, nil},
		{"no name", Classification{Name: " ", Threshold: 0.5, Categories: two}, false, []string{"name"}},
		{"threshold above 1", Classification{Name: "m", Threshold: 1.01, Categories: two}, false, []string{"threshold"}},
		{"one category", Classification{Name: "m", Categories: two[:1]}, true, []string{"categories"}},
		{"every category problem at once", Classification{Name: "m", Categories: []Category{
			{Name: "A", Keywords: keywords(21)},
			{Name: "a"},
			{Name: "", Keywords: []string{"ok", ""}, LinkedExtractionID: "btc_1"},
			{Name: "B", ID: "x_1"},
			{Name: "C", ID: "cat_1"},
			{Name: "D", ID: "cat_1", Description: strings.Repeat("d", MaxDescriptionLen+1)},
		}}, true, []string{"categories[0].keywords", "categories[1].name", "categories[2].name", "categories[2].keywords[1]",
			"categories[2].linked_extraction_id", "categories[3].id", "categories[5].id", "categories[5].description"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ve := checkValidation(t, "ValidateClassification", ValidateClassification(tt.c), tt.paths == nil)
			if ve == nil {
				return
			}
			var got []string
			for p := range ve.Fields {
				got = append(got, p)
			}
			sort.Strings(got)
			want := append([]string(nil), tt.paths...)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" || ve.Semantic != tt.semantic {
				t.Errorf("paths (-want +got):\n%s semantic %v, want %v", diff, ve.Semantic, tt.semantic)
			}
		})
	}
}

func TestClassificationFileResult(t *testing.T) {
	d := Decision{CategoryID: "cat_a", CategoryName: "Invoices", Confidence: 0.8, Reasoning: "matched 'invoice'"}
	if _, ok := (ClassificationFile{}).Result(); ok {
		t.Error("an undecided file has a result")
	}
	if got, ok := (ClassificationFile{Decided: true, Decision: d}).Result(); !ok || got != d {
		t.Errorf("decided: %+v", got)
	}
	o := &Override{CategoryID: "cat_b", CategoryName: "Letters"}
	got, ok := (ClassificationFile{Decided: true, Decision: d, Override: o}).Result()
	if !ok || got.CategoryID != "cat_b" || got.CategoryName != "Letters" || got.Confidence != 1 ||
		!strings.Contains(got.Reasoning, "Invoices") || !strings.Contains(got.Reasoning, "by hand") {
		t.Errorf("overridden: %+v", got)
	}
	// An override of a file not processed yet shows at once.
	if got, ok := (ClassificationFile{Override: o}).Result(); !ok || got.CategoryID != "cat_b" {
		t.Errorf("overridden before processing: %+v", got)
	}
}

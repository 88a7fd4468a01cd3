package client_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/client"
)

// TestCitationOf reads citations by path: keys, an object's children,
// list items and their cells; null is no citation; a path the citations
// lack is an error.
func TestCitationOf(t *testing.T) {
	page := func(n int) *int { return &n }
	r := client.FileResult{Citations: json.RawMessage(`{
		"total": {"page": 2, "box": [0.5, 0.8, 0.6, 0.82]},
		"net": {"page": null, "source": "inferred"},
		"seller": {"name": {"page": 1, "box": [0.1, 0.05, 0.4, 0.07]}, "vat_id": null},
		"tags": [{"page": 1, "box": [0.2, 0.3, 0.25, 0.31]}],
		"line_items": [{"amount": {"page": 1, "box": [0.8, 0.4, 0.9, 0.42]}}, {"amount": {"page": null, "source": "review"}}]}`)}
	for _, tt := range []struct {
		path string
		want *client.Citation
	}{
		{"total", &client.Citation{Page: page(2), Box: []float64{0.5, 0.8, 0.6, 0.82}}},
		{"net", &client.Citation{Source: "inferred"}},
		{"seller.name", &client.Citation{Page: page(1), Box: []float64{0.1, 0.05, 0.4, 0.07}}},
		{"seller.vat_id", nil},
		{"tags[0]", &client.Citation{Page: page(1), Box: []float64{0.2, 0.3, 0.25, 0.31}}},
		{"line_items[0].amount", &client.Citation{Page: page(1), Box: []float64{0.8, 0.4, 0.9, 0.42}}},
		{"line_items[1].amount", &client.Citation{Source: "review"}},
	} {
		got, err := r.CitationOf(tt.path)
		if err != nil {
			t.Errorf("CitationOf(%q): %v", tt.path, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("CitationOf(%q) (-want +got):\n%s", tt.path, d)
		}
	}
	for _, bad := range []string{"missing", "line_items[5].amount", "line_items[x]", "total.page", "seller[0]"} {
		if c, err := r.CitationOf(bad); err == nil {
			t.Errorf("CitationOf(%q) = %+v, want an error", bad, c)
		}
	}
	if c, err := (&client.FileResult{}).CitationOf("total"); c != nil || err != nil {
		t.Errorf("CitationOf without citations = %+v, %v; want nil, nil", c, err)
	}
}

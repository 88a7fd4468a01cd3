package pipeline

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

// A reviewed value the reviewer changed comes from review; one left as
// extracted keeps its source; the rest of the details stay.
func TestReviewedDetails(t *testing.T) {
	schema := []docparse.Field{
		{Key: "total", Type: docparse.TypeNumber},
		{Key: "number", Type: docparse.TypeString},
		{Key: "notes", Type: docparse.TypeString},
		{Key: "items", Type: docparse.TypeListObject, Fields: []docparse.Field{{Key: "amount", Type: docparse.TypeNumber}}},
	}
	old := map[string]any{"total": 10.0, "number": "A1", "notes": nil, "items": []any{map[string]any{"amount": 10.0}}}
	details := []byte(`{"sources":{"total":"embedded_xml","number":"embedded_xml","notes":null,"items":[{"amount":"embedded_xml"}]},"einvoice":{"id":"A1"},"warnings":[{"code":"einvoice_page_mismatch","field":"total"}]}`)
	vals := map[string]any{"total": json.Number("12"), "number": "A1", "notes": "checked", "items": []any{map[string]any{"amount": json.Number("10")}, map[string]any{"amount": json.Number("2")}}}
	b, err := reviewedDetails(schema, old, details, vals)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"total": "review", "number": "embedded_xml", "notes": "review",
		"items": []any{map[string]any{"amount": "embedded_xml"}, map[string]any{"amount": "review"}}}
	if !reflect.DeepEqual(got["sources"], want) {
		t.Errorf("sources = %v, want %v", got["sources"], want)
	}
	if got["einvoice"] == nil || got["warnings"] == nil {
		t.Errorf("details lost their einvoice or warnings: %s", b)
	}
	if b, err := reviewedDetails(schema, old, nil, vals); b != nil || err != nil {
		t.Errorf("reviewedDetails(nil) = %s, %v; want nil", b, err)
	}
}

func TestPageSource(t *testing.T) {
	doc := func(confs ...float64) *extract.Document {
		var l extract.Line
		for _, c := range confs {
			l.Words = append(l.Words, extract.Word{Text: "w", Conf: c})
		}
		return &extract.Document{Pages: []extract.Page{{Lines: []extract.Line{l}}}}
	}
	for _, tc := range []struct {
		doc  *extract.Document
		kind extract.Kind
		want string
	}{
		{doc(1, 1, 1), extract.KindPDF, "text"},
		{doc(0.9, 0.95, 1), extract.KindPDF, "ocr"},
		{doc(1, 1, 1), extract.KindPNG, "ocr"},
		{doc(1), extract.KindDOCX, "text"},
	} {
		if got := pageSource(tc.doc, tc.kind); got != tc.want {
			t.Errorf("pageSource(%v, %s) = %s, want %s", tc.doc, tc.kind, got, tc.want)
		}
	}
}

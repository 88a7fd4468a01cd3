package docparse

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var invoiceFields = []Field{
	{Key: "number", Type: TypeString},
	{Key: "total", Type: TypeNumber},
	{Key: "pages", Type: TypeInteger},
	{Key: "paid", Type: TypeBoolean},
	{Key: "issued", Type: TypeDate},
	{Key: "sent_at", Type: TypeDateTime},
	{Key: "seller", Type: TypeObject, Fields: []Field{{Key: "name", Type: TypeString}, {Key: "vat", Type: TypeString}}},
	{Key: "tags", Type: TypeListString},
	{Key: "lines", Type: TypeListObject, Fields: []Field{{Key: "item", Type: TypeString}, {Key: "amount", Type: TypeNumber}}},
}

func TestValidateResult(t *testing.T) {
	valid := `{"number":"A-1","total":12.50,"pages":2,"paid":true,"issued":"2026-05-24","sent_at":"2026-05-24T10:00:00Z",
		"seller":{"name":"ACME","vat":null},"tags":["a","b"],"lines":[{"item":"Bolts","amount":2.5}]}`
	got, err := ValidateResult(invoiceFields, []byte(valid))
	if err != nil {
		t.Fatalf("ValidateResult(valid) = %v", err)
	}
	want := map[string]any{"number": "A-1", "total": 12.5, "pages": int64(2), "paid": true, "issued": "2026-05-24",
		"sent_at": "2026-05-24T10:00:00Z", "seller": map[string]any{"name": "ACME", "vat": nil}, "tags": []any{"a", "b"},
		"lines": []any{map[string]any{"item": "Bolts", "amount": 2.5}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ValidateResult(valid) (-want +got):\n%s", d)
	}

	nulls := `{"number":null,"total":null,"pages":3.0,"paid":null,"issued":null,"sent_at":null,"seller":null,"tags":null,"lines":[]}`
	got, err = ValidateResult(invoiceFields, []byte(nulls))
	if err != nil {
		t.Fatalf("ValidateResult(nulls) = %v", err)
	}
	if d := cmp.Diff(map[string]any{"name": nil, "vat": nil}, got["seller"]); d != "" {
		t.Errorf("null object (-want +got):\n%s", d)
	}
	if got["pages"] != int64(3) {
		t.Errorf("pages 3.0 = %#v, want int64(3)", got["pages"])
	}

	tests := []struct {
		name string
		raw  string
		want map[string]string // path -> a part of the message
	}{
		{"not an object", `[1]`, map[string]string{"result": "must be a JSON object, not a list"}},
		{"broken", `{"number":`, map[string]string{"result": "must be a JSON object"}},
		{"trailing", `{} {}`, map[string]string{"result": "nothing after it"}},
		{"types", `{"number":5,"total":"12","pages":1.5,"paid":"yes","issued":"24/05/2026","sent_at":"2026-05-24 10:00",
			"seller":{"name":"x","vat":1},"tags":["a",2],"lines":[{"item":"x","amount":"two"},7]}`, map[string]string{
			"number":          "must be a string or null, not the number 5",
			"total":           `must be a number or null, not the string "12"`,
			"pages":           "must be a whole number, not 1.5",
			"paid":            "must be true or false or null",
			"issued":          `must be a date written YYYY-MM-DD`,
			"sent_at":         "RFC 3339",
			"seller.vat":      "must be a string or null, not the number 1",
			"tags[1]":         "must be a string, not the number 2",
			"lines[0].amount": `must be a number or null, not the string "two"`,
			"lines[1]":        "must be an object, not the number 7",
		}},
		{"missing and unknown", `{"number":"1","total":1,"pages":1,"paid":true,"issued":null,"sent_at":null,
			"seller":{"name":"x","vat":null,"iban":"x"},"tags":[],"lines":[{"item":"x"}],"extra":1}`, map[string]string{
			"seller.iban":     "not a field",
			"lines[0].amount": "is required",
			"extra":           "not a field",
		}},
		{"invalid date", `{"number":"1","total":1,"pages":1,"paid":true,"issued":"2026-02-30","sent_at":null,
			"seller":{"name":"x","vat":null},"tags":[],"lines":[]}`, map[string]string{"issued": "2026-02-30"}},
	}
	for _, tt := range tests {
		_, err := ValidateResult(invoiceFields, []byte(tt.raw))
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: ValidateResult = %v, want a *ValidationError", tt.name, err)
			continue
		}
		if ve.Semantic {
			t.Errorf("%s: error is Semantic (422), want plain invalid input (400)", tt.name)
		}
		for path, part := range tt.want {
			if msg, ok := ve.Fields[path]; !ok || !strings.Contains(msg, part) {
				t.Errorf("%s: Fields[%q] = %q, want it to contain %q (all: %v)", tt.name, path, msg, part, ve.Fields)
			}
		}
		if len(ve.Fields) != len(tt.want) {
			t.Errorf("%s: %d problems, want %d: %v", tt.name, len(ve.Fields), len(tt.want), ve.Fields)
		}
	}
}

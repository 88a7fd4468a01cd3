package docparse

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateFields(t *testing.T) {
	str := func(key string) Field { return Field{Key: key, Type: TypeString} }
	obj := func(key string, typ FieldType, children ...Field) Field {
		return Field{Key: key, Type: typ, Fields: children}
	}
	many := func(n int) []Field {
		fs := make([]Field, n)
		for i := range fs {
			fs[i] = str("f" + strings.Repeat("x", i%50) + string(rune('a'+i/50)))
		}
		return fs
	}
	tests := []struct {
		name   string
		fields []Field
		want   map[string]string // nil: valid
	}{
		{
			name:   "one field of every type",
			fields: []Field{str("a"), {Key: "b", Type: TypeNumber}, {Key: "c", Type: TypeInteger}, {Key: "d", Type: TypeBoolean}, {Key: "e", Type: TypeDate}, {Key: "f", Type: TypeDateTime}, {Key: "g", Type: TypeListString}, obj("h", TypeObject, str("x")), obj("i", TypeListObject, str("x"))},
		},
		{
			name:   "three levels deep",
			fields: []Field{obj("a", TypeObject, obj("b", TypeListObject, str("c")))},
		},
		{
			name:   "100 fields and 100 children",
			fields: append(many(99), obj("z", TypeObject, many(100)...)),
		},
		{
			name:   "longest key and description",
			fields: []Field{{Key: "a" + strings.Repeat("b_9", 21), Type: TypeString, Description: strings.Repeat("é", 2000)}},
		},
		{
			name: "no fields",
			want: map[string]string{"fields": "must hold at least 1 field"},
		},
		{
			name:   "101 fields",
			fields: many(101),
			want:   map[string]string{"fields": "must hold at most 100 fields, not 101"},
		},
		{
			name:   "bad keys",
			fields: []Field{{Type: TypeString}, str("Total"), str("1st"), str("in-voice"), str("_x"), str("a" + strings.Repeat("b", 64))},
			want: map[string]string{
				"fields[0].key": "is required",
				"fields[1].key": `"Total" must match ^[a-z][a-z0-9_]{0,63}$`,
				"fields[2].key": `"1st" must match ^[a-z][a-z0-9_]{0,63}$`,
				"fields[3].key": `"in-voice" must match ^[a-z][a-z0-9_]{0,63}$`,
				"fields[4].key": `"_x" must match ^[a-z][a-z0-9_]{0,63}$`,
				"fields[5].key": `"a` + strings.Repeat("b", 64) + `" must match ^[a-z][a-z0-9_]{0,63}$`,
			},
		},
		{
			name:   "duplicate keys among siblings only",
			fields: []Field{str("total"), obj("seller", TypeObject, str("name"), str("total"), str("name")), str("total")},
			want: map[string]string{
				"fields[1].fields[2].key": `"name" is already the key of fields[1].fields[0]`,
				"fields[2].key":           `"total" is already the key of fields[0]`,
			},
		},
		{
			name:   "bad types",
			fields: []Field{{Key: "a"}, {Key: "b", Type: "money"}, {Key: "c", Type: "list<number>"}},
			want: map[string]string{
				"fields[0].type": "is required",
				"fields[1].type": `unknown type "money"; want one of ` + fieldTypes,
				"fields[2].type": `unknown type "list<number>"; want one of ` + fieldTypes,
			},
		},
		{
			name:   "objects without children",
			fields: []Field{obj("a", TypeObject), obj("b", TypeListObject)},
			want: map[string]string{
				"fields[0].fields": "must hold at least 1 field for type object",
				"fields[1].fields": "must hold at least 1 field for type list<object>",
			},
		},
		{
			name:   "too many children",
			fields: []Field{obj("a", TypeObject, many(101)...)},
			want:   map[string]string{"fields[0].fields": "must hold at most 100 fields, not 101"},
		},
		{
			name:   "children on scalar types",
			fields: []Field{obj("a", TypeString, str("x")), obj("b", TypeListString, str("x"))},
			want: map[string]string{
				"fields[0].fields": "only object and list<object> fields hold fields, not string",
				"fields[1].fields": "only object and list<object> fields hold fields, not list<string>",
			},
		},
		{
			name:   "four levels deep",
			fields: []Field{str("x"), obj("a", TypeObject, str("y"), obj("b", TypeObject, obj("c", TypeListObject, obj("d", TypeObject, Field{Key: "BAD"}))))},
			want: map[string]string{
				"fields[1].fields[1].fields[0].fields": "fields nest at most 3 levels deep: a field at level 3 cannot have children",
			},
		},
		{
			name:   "object at level 3 without children",
			fields: []Field{obj("a", TypeListObject, obj("b", TypeObject, obj("c", TypeObject)))},
			want: map[string]string{
				"fields[0].fields[0].fields[0].fields": "fields nest at most 3 levels deep: a field at level 3 cannot have children",
			},
		},
		{
			name:   "description too long",
			fields: []Field{obj("a", TypeObject, Field{Key: "b", Type: TypeDate, Description: strings.Repeat("x", 2001)})},
			want:   map[string]string{"fields[0].fields[0].description": "must be at most 2000 characters, not 2001"},
		},
		{
			name: "every problem at once, with nested paths",
			fields: []Field{
				str("ok"),
				str("ok"),
				{Key: "Bad", Type: "float"},
				obj("items", TypeListObject, str("qty"), Field{Key: "price", Type: "money"}, obj("tax", TypeObject)),
			},
			want: map[string]string{
				"fields[1].key":              `"ok" is already the key of fields[0]`,
				"fields[2].key":              `"Bad" must match ^[a-z][a-z0-9_]{0,63}$`,
				"fields[2].type":             `unknown type "float"; want one of ` + fieldTypes,
				"fields[3].fields[1].type":   `unknown type "money"; want one of ` + fieldTypes,
				"fields[3].fields[2].fields": "must hold at least 1 field for type object",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ve := checkValidation(t, "ValidateFields()", ValidateFields(tt.fields), tt.want == nil)
			if ve == nil {
				return
			}
			if !ve.Semantic {
				t.Errorf("ValidateFields() Semantic = false, want true (HTTP 422)")
			}
			if diff := cmp.Diff(tt.want, ve.Fields); diff != "" {
				t.Errorf("ValidateFields() Fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkValidation checks err, what call returned: nil when valid, else a
// *ValidationError, which it returns (nil when valid).
func checkValidation(t *testing.T, call string, err error, valid bool) *ValidationError {
	t.Helper()
	if valid {
		if err != nil {
			t.Fatalf("%s = %v, want nil", call, err)
		}
		return nil
	}
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("%s = %v, want a *ValidationError", call, err)
	}
	return ve
}

func TestValidateReviewThreshold(t *testing.T) {
	tests := []struct {
		v    float64
		want bool // valid
	}{
		{0, true}, {0.7, true}, {1, true},
		{-0.01, false}, {1.0001, false}, {math.NaN(), false}, {math.Inf(1), false}, {math.Inf(-1), false},
	}
	for _, tt := range tests {
		err := ValidateReviewThreshold(tt.v)
		if got := err == nil; got != tt.want {
			t.Errorf("ValidateReviewThreshold(%v) = %v, want valid %v", tt.v, err, tt.want)
			continue
		}
		if err == nil {
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("ValidateReviewThreshold(%v) = %v, want a *ValidationError", tt.v, err)
		}
		if _, ok := ve.Fields["review_threshold"]; !ok || len(ve.Fields) != 1 || ve.Semantic {
			t.Errorf("ValidateReviewThreshold(%v) = %+v, want one non-semantic problem at review_threshold", tt.v, ve)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `""`},
		{"a\"b", `"a\"b"`},
		{strings.Repeat("x", MaxEchoBytes), `"` + strings.Repeat("x", MaxEchoBytes) + `"`},
		{strings.Repeat("x", 1<<20), `"` + strings.Repeat("x", MaxEchoBytes) + `"... (1048576 bytes)`},
		// Cut before a character that would straddle the limit.
		{strings.Repeat("x", MaxEchoBytes-1) + "é", `"` + strings.Repeat("x", MaxEchoBytes-1) + `"... (65 bytes)`},
	} {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%.20q) = %.100s, want %.100s", tt.in, got, tt.want)
		}
	}
}

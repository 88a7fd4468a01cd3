package docparse

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Limits of an extraction schema (API.md, "Extractions").
const (
	// MaxFields is the most fields one level of a schema may hold: the
	// top level, and the children of one object or list<object>.
	MaxFields = 100
	// MaxDepth is how deep fields may nest: a top-level field is at depth
	// 1, a child of a top-level object at depth 2, and so on.
	MaxDepth = 3
	// MaxKeyLen is the longest field key, in bytes (keys are ASCII).
	MaxKeyLen = 64
	// MaxDescriptionLen is the longest field description, in characters.
	MaxDescriptionLen = 2000
)

// fieldTypes lists the nine field types in the order API.md gives them,
// for error messages.
const fieldTypes = "string, number, integer, boolean, date, datetime, object, list<string>, list<object>"

// ValidateFields checks an extraction schema against the rules of API.md
// and returns a *ValidationError with Semantic set (an HTTP 422) that names
// every offending path, such as "fields[3].fields[0].type", or nil when the
// schema is valid. The rules: 1 to MaxFields top-level fields; each key
// matches ^[a-z][a-z0-9_]{0,63}$ and is unique among its siblings; the type
// is one of the nine; object and list<object> hold 1 to MaxFields children
// in Fields and the other types hold none; fields nest at most MaxDepth
// deep; a description has at most MaxDescriptionLen characters.
//
// A field nested too deep is reported once, at the Fields of the field at
// depth MaxDepth that holds it; its children are not checked further.
func ValidateFields(fields []Field) error {
	e := &ValidationError{Semantic: true}
	switch {
	case len(fields) == 0:
		e.Add("fields", "must hold at least 1 field")
	case len(fields) > MaxFields:
		e.Add("fields", fmt.Sprintf("must hold at most %d fields, not %d", MaxFields, len(fields)))
	}
	validateLevel(e, "fields", fields, 1)
	return e.Err()
}

// validateLevel checks the fields found at path, which sit at depth.
func validateLevel(e *ValidationError, path string, fields []Field, depth int) {
	seen := make(map[string]int, len(fields))
	for i, f := range fields {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case f.Key == "":
			e.Add(p+".key", "is required")
		case !validKey(f.Key):
			e.Add(p+".key", fmt.Sprintf("%q must match ^[a-z][a-z0-9_]{0,63}$", f.Key))
		default:
			if j, dup := seen[f.Key]; dup {
				e.Add(p+".key", fmt.Sprintf("%q is already the key of %s[%d]", f.Key, path, j))
			} else {
				seen[f.Key] = i
			}
		}
		if n := utf8.RuneCountInString(f.Description); n > MaxDescriptionLen {
			e.Add(p+".description", fmt.Sprintf("must be at most %d characters, not %d", MaxDescriptionLen, n))
		}
		switch f.Type {
		case TypeObject, TypeListObject:
			switch {
			case depth >= MaxDepth:
				e.Add(p+".fields", fmt.Sprintf("fields nest at most %d levels deep: a field at level %d cannot have children", MaxDepth, depth))
				continue
			case len(f.Fields) == 0:
				e.Add(p+".fields", fmt.Sprintf("must hold at least 1 field for type %s", f.Type))
			case len(f.Fields) > MaxFields:
				e.Add(p+".fields", fmt.Sprintf("must hold at most %d fields, not %d", MaxFields, len(f.Fields)))
			}
			validateLevel(e, p+".fields", f.Fields, depth+1)
		case TypeString, TypeNumber, TypeInteger, TypeBoolean, TypeDate, TypeDateTime, TypeListString:
			if len(f.Fields) > 0 {
				e.Add(p+".fields", fmt.Sprintf("only object and list<object> fields hold fields, not %s", f.Type))
			}
		case "":
			e.Add(p+".type", "is required")
		default:
			e.Add(p+".type", fmt.Sprintf("unknown type %q; want one of %s", f.Type, fieldTypes))
		}
	}
}

// validKey reports whether key matches ^[a-z][a-z0-9_]{0,63}$.
func validKey(key string) bool {
	if key == "" || len(key) > MaxKeyLen || key[0] < 'a' || key[0] > 'z' {
		return false
	}
	return strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// ValidateReviewThreshold checks an extraction's review_threshold: a finite
// number in [0, 1]. It returns a *ValidationError naming
// "review_threshold", or nil. The error is not Semantic: a number out of
// range is plainly invalid input (HTTP 400), not a schema that means
// nothing valid.
func ValidateReviewThreshold(v float64) error {
	e := &ValidationError{}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 {
		e.Add("review_threshold", fmt.Sprintf("must be a number between 0 and 1, not %v", v))
	}
	return e.Err()
}

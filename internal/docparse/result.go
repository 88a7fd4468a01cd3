package docparse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ValidateResult checks a file result (a JSON object, as a reviewer
// corrects it) against the fields of its schema and returns it decoded and
// normalised, or a *ValidationError (HTTP 400) naming every offending path
// the way the file result names them: "total", "seller.name",
// "line_items[2].amount", "tags[0]".
//
// Every key of the schema must be present, with a value of the field's
// type or null (the document lacks it); a key the schema does not have is
// an error. Values come back as Go values of fields' Result: string,
// float64 (number), int64 (integer), bool, a "YYYY-MM-DD" string (date), an
// RFC 3339 string (datetime), map[string]any (object), []any (lists) or
// nil. A null object becomes an object of nulls, as an extracted object is
// always a map of its children.
func ValidateResult(fields []Field, raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	e := &ValidationError{}
	if err := dec.Decode(&v); err != nil {
		e.Add("result", "must be a JSON object: "+err.Error())
		return nil, e
	}
	if dec.More() {
		e.Add("result", "must be one JSON object, with nothing after it")
		return nil, e
	}
	obj, ok := v.(map[string]any)
	if !ok {
		e.Add("result", fmt.Sprintf("must be a JSON object, not %s", jsonKind(v)))
		return nil, e
	}
	out := resultObject(e, "", fields, obj)
	if err := e.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// resultObject checks the object obj found at prefix (a path ending in "."
// or empty) against fields.
func resultObject(e *ValidationError, prefix string, fields []Field, obj map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f.Key] = true
		v, ok := obj[f.Key]
		if !ok {
			e.Add(prefix+f.Key, "is required (null when the document lacks it)")
			continue
		}
		out[f.Key] = resultValue(e, prefix+f.Key, f, v)
	}
	for k := range obj {
		if !known[k] {
			e.Add(prefix+k, "is not a field of the extraction's schema")
		}
	}
	return out
}

// resultValue checks one value v of field f found at path.
func resultValue(e *ValidationError, path string, f Field, v any) any {
	if v == nil {
		if f.Type == TypeObject {
			return resultObject(e, path+".", f.Fields, nullObject(f.Fields))
		}
		return nil
	}
	bad := func(want string) any {
		e.Add(path, fmt.Sprintf("must be %s or null, not %s", want, jsonKind(v)))
		return nil
	}
	// timeText keeps a string that parses with layout; want names the
	// JSON type expected, written the form the string must take.
	timeText := func(layout, want, written string) any {
		s, ok := v.(string)
		if !ok {
			return bad(want)
		}
		if _, err := time.Parse(layout, s); err != nil {
			e.Add(path, fmt.Sprintf("must be %s, not %q", written, s))
			return nil
		}
		return s
	}
	switch f.Type {
	case TypeString:
		return keep[string](v, bad, "a string")
	case TypeNumber:
		n, ok := v.(json.Number)
		if !ok {
			return bad("a number")
		}
		x, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			e.Add(path, fmt.Sprintf("must be a finite number, not %s", n))
			return nil
		}
		return x
	case TypeInteger:
		n, ok := v.(json.Number)
		if !ok {
			return bad("an integer")
		}
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i
		}
		// 12.0 and 1e3 are integers written another way.
		x, err := strconv.ParseFloat(string(n), 64)
		if err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			e.Add(path, fmt.Sprintf("must be a whole number, not %s", n))
			return nil
		}
		return int64(x)
	case TypeBoolean:
		return keep[bool](v, bad, "true or false")
	case TypeDate:
		return timeText(time.DateOnly, `a date ("2026-05-24")`, "a date written YYYY-MM-DD, such as 2026-05-24")
	case TypeDateTime:
		return timeText(time.RFC3339, `a date and time ("2026-05-24T10:00:00Z")`, "a date and time in RFC 3339, such as 2026-05-24T10:00:00Z")
	case TypeObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		return resultObject(e, path+".", f.Fields, obj)
	case TypeListString:
		list, ok := v.([]any)
		if !ok {
			return bad("a list of strings")
		}
		out := make([]any, len(list))
		for i, x := range list {
			s, ok := x.(string)
			if !ok {
				e.Add(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("must be a string, not %s", jsonKind(x)))
				continue
			}
			out[i] = s
		}
		return out
	case TypeListObject:
		list, ok := v.([]any)
		if !ok {
			return bad("a list of objects")
		}
		out := make([]any, len(list))
		for i, x := range list {
			p := fmt.Sprintf("%s[%d]", path, i)
			obj, ok := x.(map[string]any)
			if !ok {
				e.Add(p, fmt.Sprintf("must be an object, not %s", jsonKind(x)))
				continue
			}
			out[i] = resultObject(e, p+".", f.Fields, obj)
		}
		return out
	}
	e.Add(path, fmt.Sprintf("has unknown type %q in the schema", f.Type))
	return nil
}

// keep returns v when it is a T, else what bad returns for it, told that
// v is not want.
func keep[T any](v any, bad func(want string) any, want string) any {
	if x, ok := v.(T); ok {
		return x
	}
	return bad(want)
}

// nullObject is an object whose every field is null.
func nullObject(fields []Field) map[string]any {
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		m[f.Key] = nil
	}
	return m
}

// jsonKind names the JSON type of a decoded value, for messages.
func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return "the string " + strconv.Quote(v)
	case json.Number, float64:
		return fmt.Sprintf("the number %v", v)
	case bool:
		return strings.ToLower(strconv.FormatBool(v))
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

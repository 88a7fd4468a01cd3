package dashboard

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/docparse/docparse/internal/docparse"
)

// What the dashboard's forms share: the schema form (schema_form.go), the
// category form (category_form.go) and the review form (review_form.go).

const (
	// maxSchemaForm bounds the body of a schema, category or review form:
	// as the API's JSON body, a schema of 100 fields with long
	// descriptions fits.
	maxSchemaForm = 1 << 20
	// maxFormIndex bounds the row indexes a form may name, so that a
	// forged form cannot make the parser allocate much.
	maxFormIndex = 10000
)

// fieldError is one problem, at a validation path such as
// "fields[1].fields[0].type".
type fieldError struct{ Path, Message string }

// sortedErrors lists errs in path order, the JSON's problem first.
func sortedErrors(errs map[string]string) []fieldError {
	return byKey(errs, func(p, m string) fieldError { return fieldError{p, m} })
}

// byKey lists the entries of m in key order, as entry makes them: a
// form's problems, an attempt's headers.
func byKey[T any](m map[string]string, entry func(key, value string) T) []T {
	out := make([]T, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, entry(k, m[k]))
	}
	return out
}

// addProblems adds the problems of err to errs, by path, and reports
// whether err is a validation error.
func addProblems(errs map[string]string, err error) bool {
	var ve *docparse.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for p, m := range ve.Fields {
		errs[p] = m
	}
	return true
}

// readThreshold reads a threshold typed into a form: nil when left empty
// (the default on create, unchanged on edit). Text that is not a number
// is a problem at path, reported in errs with the problems validate
// finds in the rest of the form, all at once.
func readThreshold(text, path string, errs map[string]string, validate func() error) *float64 {
	if text == "" {
		return nil
	}
	t, err := strconv.ParseFloat(text, 64)
	if err != nil {
		errs[path] = fmt.Sprintf("must be a number from 0 to 1, not %s", docparse.Quote(text))
		addProblems(errs, validate())
		return nil
	}
	return &t
}

// formTitle is the title of a form's page: "New extraction", or "Edit"
// and the name of what it edits.
func formTitle(noun string, editing bool, name string) string {
	if editing {
		return "Edit " + name
	}
	return "New " + noun
}

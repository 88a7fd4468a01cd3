package dashboard

// The schema form: an extraction's name, options and fields (nested
// fields too), or the whole schema as JSON, as the API's body. The new
// and edit pages show it; save and update read it.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// schemaForm is the state of the create/edit form: what the user entered
// and every problem with it.
type schemaForm struct {
	Action          string // where the form posts
	Editing         bool
	Name            string
	Description     string
	Language        string
	ReviewThreshold string
	Options         docparse.Options
	Rows            []fieldRow
	JSON            string // the JSON view's text
	JSONMode        bool   // the JSON view was submitted: show it first
	Errors          []fieldError
	errs            map[string]string
}

// Err returns the problem found at path ("name", "fields"), or "".
func (f schemaForm) Err(path string) string { return f.errs[path] }

// extractionForms: the new and edit extraction pages show and post the
// schema form; a new extraction's has one blank field.
var extractionForms = formKind[pipeline.ExtractionInput, schemaForm, docparse.Extraction]{noun: "extraction",
	blank: docparse.Extraction{Language: docparse.DefaultLanguage, ReviewThreshold: docparse.DefaultReviewThreshold,
		Fields: []docparse.Field{{Type: docparse.TypeString}}},
	of: schemaFormOf, read: readSchemaForm, show: (*Handler).showSchemaForm, get: (*Handler).extraction,
	create: (*pipeline.Service).CreateExtraction, update: (*pipeline.Service).UpdateExtraction,
	id: func(e docparse.Extraction) string { return e.ID }}

func (f schemaForm) at(action, _ string) schemaForm { f.Action = action; return f }
func (f schemaForm) invalid() bool                  { return len(f.Errors) > 0 }

// fieldRow is one field of the form with its nested fields.
type fieldRow struct {
	Name        string // the form-name prefix: "fields.1.fields.0"
	Path        string // the validation path: "fields[1].fields[0]"
	Depth       int    // 1 at the top level
	Key         string
	Type        string
	Description string
	Example     string
	Errors      []fieldError
	Rows        []fieldRow
}

// Has reports whether the row's attribute attr ("key", "type") has a
// problem.
func (r fieldRow) Has(attr string) bool {
	for _, e := range r.Errors {
		if e.Path == r.Path+"."+attr {
			return true
		}
	}
	return false
}

// fieldTypes are the field types in the order API.md gives them.
var fieldTypes = []docparse.FieldType{docparse.TypeString, docparse.TypeNumber, docparse.TypeInteger, docparse.TypeBoolean,
	docparse.TypeDate, docparse.TypeDateTime, docparse.TypeObject, docparse.TypeListString, docparse.TypeListObject}

// extractionFormView is the new and edit extraction pages'.
type extractionFormView struct {
	page
	Form schemaForm
}

// showSchemaForm renders the new or edit extraction page with f.
func (h *Handler) showSchemaForm(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, f schemaForm) error {
	title := formTitle("extraction", f.Editing, f.Name)
	h.render(w, r, status, "extraction_form", extractionFormView{page: pageOf(sess, title, "extractions"), Form: f})
	return nil
}

// schemaFormOf is the form showing extraction e.
func schemaFormOf(e docparse.Extraction, action string, editing bool) schemaForm {
	f := schemaForm{Action: action, Editing: editing, Name: e.Name, Description: e.Description, Language: e.Language,
		ReviewThreshold: strconv.FormatFloat(e.ReviewThreshold, 'f', -1, 64), Options: e.Options}
	f.Rows = rowsOf(e.Fields, "fields", "fields", 1, nil)
	f.JSON = schemaJSONText(schemaDoc{Name: &e.Name, Description: &e.Description, Language: &e.Language, Fields: &e.Fields,
		Options: &e.Options, ReviewThreshold: &e.ReviewThreshold})
	return f
}

// rowsOf renders fields as form rows under the form-name prefix name and
// the validation path path, attaching the problems of errs.
func rowsOf(fields []docparse.Field, name, path string, depth int, errs map[string]string) []fieldRow {
	rows := make([]fieldRow, len(fields))
	for i, fd := range fields {
		row := fieldRow{Name: fmt.Sprintf("%s.%d", name, i), Path: fmt.Sprintf("%s[%d]", path, i), Depth: depth,
			Key: fd.Key, Type: string(fd.Type), Description: fd.Description, Example: exampleText(fd.Example)}
		row.Errors = rowErrors(row.Path, errs)
		row.Rows = rowsOf(fd.Fields, row.Name+".fields", row.Path+".fields", depth+1, errs)
		rows[i] = row
	}
	return rows
}

// reattach puts the problems of errs on the rows they name.
func reattach(rows []fieldRow, errs map[string]string) []fieldRow {
	for i := range rows {
		rows[i].Errors = rowErrors(rows[i].Path, errs)
		rows[i].Rows = reattach(rows[i].Rows, errs)
	}
	return rows
}

// rowErrors are the problems of errs with the attributes of the row at
// path.
func rowErrors(path string, errs map[string]string) []fieldError {
	var out []fieldError
	for _, attr := range []string{"key", "type", "description", "example", "fields"} {
		if msg, ok := errs[path+"."+attr]; ok {
			out = append(out, fieldError{path + "." + attr, msg})
		}
	}
	return out
}

// exampleText is a field's example as the form shows it: a string as it
// is, anything else as JSON.
func exampleText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// exampleValue reads an example typed into the form: a string for the
// text-like types; for the others a JSON value when it parses as one
// (42, true, ["a","b"]) and the text otherwise.
func exampleValue(t docparse.FieldType, s string) any {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil
	case t == docparse.TypeString || t == docparse.TypeDate || t == docparse.TypeDateTime || t == "":
		return s
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	return v
}

// schemaDoc is the JSON view's document: the body of the API's create
// and patch.
type schemaDoc struct {
	Name            *string           `json:"name,omitempty"`
	Description     *string           `json:"description,omitempty"`
	Language        *string           `json:"language,omitempty"`
	ReviewThreshold *float64          `json:"review_threshold,omitempty"`
	Options         *docparse.Options `json:"options,omitempty"`
	Fields          *[]docparse.Field `json:"fields,omitempty"`
}

func (d schemaDoc) input() pipeline.ExtractionInput {
	return pipeline.ExtractionInput{Name: d.Name, Description: d.Description, Language: d.Language, Fields: d.Fields,
		Options: d.Options, ReviewThreshold: d.ReviewThreshold}
}

func schemaJSONText(d schemaDoc) string {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "{}"
	}
	return string(b)
}

// readSchemaForm reads a posted schema form: the visual form, or the JSON
// view when mode is "json". It returns the input for the pipeline and the
// form to show again, which already holds the problems found before the
// pipeline's validation (a threshold that is not a number, JSON that does
// not parse). On edit every part of the extraction is given.
func readSchemaForm(form url.Values, editing bool) (pipeline.ExtractionInput, schemaForm) {
	f := schemaForm{Editing: editing, errs: map[string]string{}}
	if form.Get("mode") == "json" {
		return readSchemaJSON(form.Get("schema_json"), f)
	}
	name, desc, lang := form.Get("name"), form.Get("description"), form.Get("language")
	opts := docparse.Options{OCRPriority: form.Get("ocr_priority") != "", InferMissing: form.Get("infer_missing") != "",
		StrictFormat: form.Get("strict_format") != ""}
	fields := formFields(form)
	f.Name, f.Description, f.Language, f.Options = name, desc, lang, opts
	f.ReviewThreshold = strings.TrimSpace(form.Get("review_threshold"))
	in := pipeline.ExtractionInput{Name: &name, Description: &desc, Language: &lang, Options: &opts, Fields: &fields}
	doc := schemaDoc{Name: &name, Description: &desc, Language: &lang, Options: &opts, Fields: &fields}
	if strings.TrimSpace(lang) == "" {
		// Left empty: the default on create, unchanged on edit.
		in.Language, doc.Language = nil, nil
	}
	t := readThreshold(f.ReviewThreshold, "review_threshold", f.errs, func() error { return docparse.ValidateFields(fields) })
	in.ReviewThreshold, doc.ReviewThreshold = t, t
	f.JSON = schemaJSONText(doc)
	f.Rows = rowsOf(fields, "fields", "fields", 1, f.errs)
	f.Errors = sortedErrors(f.errs)
	return in, f
}

// readSchemaJSON reads the JSON view, strictly as the API reads its body.
func readSchemaJSON(text string, f schemaForm) (pipeline.ExtractionInput, schemaForm) {
	f.JSON, f.JSONMode = text, true
	var d schemaDoc
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	err := dec.Decode(&d)
	if err == nil && dec.More() {
		err = errors.New("holds more than one JSON value")
	}
	if err != nil {
		f.errs["json"] = jsonProblem(err)
		f.Errors = sortedErrors(f.errs)
		return pipeline.ExtractionInput{}, f
	}
	f.fill(d)
	return d.input(), f
}

// fill shows d in the visual form, so that switching views keeps it.
func (f *schemaForm) fill(d schemaDoc) {
	if d.Name != nil {
		f.Name = *d.Name
	}
	if d.Description != nil {
		f.Description = *d.Description
	}
	if d.Language != nil {
		f.Language = *d.Language
	}
	if d.ReviewThreshold != nil {
		f.ReviewThreshold = strconv.FormatFloat(*d.ReviewThreshold, 'f', -1, 64)
	}
	if d.Options != nil {
		f.Options = *d.Options
	}
	if d.Fields != nil {
		f.Rows = rowsOf(*d.Fields, "fields", "fields", 1, f.errs)
	}
}

// jsonProblem describes a JSON decoding error for a person.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Sprintf("%s cannot be a JSON %s", field, te.Value)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON is empty or cut off"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// failed reports whether err is a validation error and returns the form
// showing its problems next to the fields they name, the input kept.
func (f schemaForm) failed(err error) (schemaForm, bool) {
	if !addProblems(f.errs, err) {
		return f, false
	}
	f.Errors = sortedErrors(f.errs)
	f.Rows = reattach(f.Rows, f.errs)
	return f, true
}

// formNode is one row of a posted form and the rows nested in it.
type formNode struct {
	vals map[string]string
	kids map[int]*formNode
}

func (n *formNode) kid(i int) *formNode {
	if n.kids == nil {
		n.kids = map[int]*formNode{}
	}
	k := n.kids[i]
	if k == nil {
		k = &formNode{vals: map[string]string{}}
		n.kids[i] = k
	}
	return k
}

// formFields reads the fields of a posted form, named like
// fields.0.key and fields.0.fields.1.type. Rows keep the order of their
// indexes, which need not be contiguous (the page's script adds and
// removes rows); rows left wholly blank are dropped. Nesting deeper than
// the schema allows is read as it comes, for validation to report.
func formFields(form url.Values) []docparse.Field {
	root := &formNode{}
	for name, vs := range form {
		parts := strings.Split(name, ".")
		if len(parts) < 3 || len(parts)%2 == 0 || len(parts) > 2*(docparse.MaxDepth+2)+1 {
			continue
		}
		n, ok := root, true
		for i := 0; i+1 < len(parts)-1; i += 2 {
			idx, err := strconv.Atoi(parts[i+1])
			if parts[i] != "fields" || err != nil || idx < 0 || idx >= maxFormIndex {
				ok = false
				break
			}
			n = n.kid(idx)
		}
		if ok && len(vs) > 0 {
			n.vals[parts[len(parts)-1]] = vs[0]
		}
	}
	return root.fields()
}

// fields returns n's rows as schema fields, in index order.
func (n *formNode) fields() []docparse.Field {
	idx := make([]int, 0, len(n.kids))
	for i := range n.kids {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := []docparse.Field{}
	for _, i := range idx {
		k := n.kids[i]
		t := docparse.FieldType(strings.TrimSpace(k.vals["type"]))
		fd := docparse.Field{Key: strings.TrimSpace(k.vals["key"]), Type: t, Description: strings.TrimSpace(k.vals["description"]),
			Example: exampleValue(t, k.vals["example"]), Fields: k.fields()}
		if len(fd.Fields) == 0 {
			fd.Fields = nil
		}
		blank := fd.Key == "" && fd.Description == "" && fd.Example == nil && fd.Fields == nil &&
			(t == "" || t == docparse.TypeString)
		if !blank {
			out = append(out, fd)
		}
	}
	return out
}

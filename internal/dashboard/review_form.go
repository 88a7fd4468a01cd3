package dashboard

// The review form: the file page shows an extraction file's fields as
// form controls (fieldBuilder), with their confidences, while the file
// may be confirmed; confirm reads the form back (parseReviewForm) into the
// result to confirm.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/fields"
)

// reviewField is one field of the file page: a form control (Edit) or a
// read-only value, with its confidence.
type reviewField struct {
	Key, Label, Description string
	Path, ID                string
	Type                    docparse.FieldType
	Edit                    bool
	Value                   string // the form value, or the text shown
	Missing                 bool   // no value
	Conf                    string // "87%", "" when unknown
	FromXML                 bool   // read from the file's e-invoice XML
	Low                     bool   // below the review threshold
	Error                   string
	Children                []reviewField // object
	Rows                    []reviewRow   // list<object>
	Blank                   *reviewRow    // list<object>: the row that "Add row" copies
	Placeholder             string        // the index placeholder of Blank's paths
	// Cite is where the value was read on the document, nil when it
	// stands on no page shown (cite.js highlights it).
	Cite *citeView
}

// citeView is a value's citation as the page shows it: the page number
// and the box in fractions of the page, "x0 y0 x1 y1".
type citeView struct {
	Page int
	Box  string
}

// reviewRow is one item of a list<object>.
type reviewRow struct {
	Number int // 1-based, for people
	Cells  []reviewField
}

// reviewError is one validation problem, listed above the form.
type reviewError struct {
	ID, Label, Message string
}

// formState is the form's values as text, by path ("seller.name",
// "line_items[0].amount"; a list<string> is one text of lines), and the
// number of rows of each list<object>.
type formState struct {
	vals map[string]string
	rows map[string]int
}

// stateOf is the form state of a stored result.
func stateOf(fs []docparse.Field, vals map[string]any) *formState {
	st := &formState{vals: map[string]string{}, rows: map[string]int{}}
	st.fill(fs, "", vals)
	return st
}

func (st *formState) fill(fs []docparse.Field, prefix string, vals map[string]any) {
	for _, f := range fs {
		p := prefix + f.Key
		v := vals[f.Key]
		switch f.Type {
		case docparse.TypeObject:
			m, _ := v.(map[string]any)
			st.fill(f.Fields, p+".", m)
		case docparse.TypeListObject:
			list, _ := v.([]any)
			st.rows[p] = len(list)
			for i, x := range list {
				m, _ := x.(map[string]any)
				st.fill(f.Fields, fmt.Sprintf("%s[%d].", p, i), m)
			}
		case docparse.TypeListString:
			list, _ := v.([]any)
			lines := make([]string, 0, len(list))
			for _, x := range list {
				lines = append(lines, fmt.Sprint(x))
			}
			st.vals[p] = strings.Join(lines, "\n")
		default:
			st.vals[p] = formatValue(v)
		}
	}
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// parseReviewForm reads the posted form against the schema: it returns the
// form state to show again and the result to confirm. Values that do not
// parse as their type are passed on as text, for ValidateResult to name.
// Rows of a list<object> are renumbered from 0 in the order posted, and a
// row left entirely empty is dropped; a list with no rows is null.
func parseReviewForm(fs []docparse.Field, form url.Values) (*formState, map[string]any) {
	st := &formState{vals: map[string]string{}, rows: map[string]int{}}
	return st, st.parse(fs, form, "", "")
}

// parse reads the fields posted under src into the state under dst.
func (st *formState) parse(fs []docparse.Field, form url.Values, src, dst string) map[string]any {
	out := make(map[string]any, len(fs))
	for _, f := range fs {
		s, d := src+f.Key, dst+f.Key
		switch f.Type {
		case docparse.TypeObject:
			out[f.Key] = st.parse(f.Fields, form, s+".", d+".")
		case docparse.TypeListObject:
			var rows []any
			for _, i := range rowIndices(form, s) {
				dp := fmt.Sprintf("%s[%d].", d, len(rows))
				row := st.parse(f.Fields, form, fmt.Sprintf("%s[%d].", s, i), dp)
				if emptyRow(row) {
					for k := range st.vals {
						if strings.HasPrefix(k, dp) {
							delete(st.vals, k)
						}
					}
					continue
				}
				rows = append(rows, row)
			}
			st.rows[d] = len(rows)
			if len(rows) > 0 {
				out[f.Key] = rows
			} else {
				out[f.Key] = nil
			}
		case docparse.TypeListString:
			raw := form.Get(s)
			st.vals[d] = raw
			var items []any
			for _, line := range strings.Split(raw, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					items = append(items, line)
				}
			}
			if items != nil {
				out[f.Key] = items
			} else {
				out[f.Key] = nil
			}
		default:
			raw := strings.TrimSpace(form.Get(s))
			st.vals[d] = raw
			out[f.Key] = typedValue(f.Type, raw)
		}
	}
	return out
}

// typedValue converts a form value to its field's type, or passes it on
// as text when it does not parse.
func typedValue(t docparse.FieldType, raw string) any {
	if raw == "" {
		return nil
	}
	switch t {
	case docparse.TypeNumber, docparse.TypeInteger:
		if x, err := strconv.ParseFloat(raw, 64); err == nil {
			return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
		}
	case docparse.TypeBoolean:
		switch raw {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return raw
}

func emptyRow(row map[string]any) bool {
	for _, v := range row {
		switch v := v.(type) {
		case nil:
		case map[string]any:
			if !emptyRow(v) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// rowIndices returns the row indices posted for the list<object> at path
// ("line_items[3].amount" -> 3), in order.
func rowIndices(form url.Values, path string) []int {
	seen := map[int]bool{}
	var out []int
	for k := range form {
		rest, ok := strings.CutPrefix(k, path+"[")
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(rest, "]")
		i, err := strconv.Atoi(num)
		if !ok || err != nil || i < 0 || i > 10000 || seen[i] {
			continue
		}
		seen[i] = true
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// fieldBuilder turns a schema and a form state into reviewFields.
type fieldBuilder struct {
	st        *formState
	confs     map[string]float64
	sources   map[string]string
	cites     map[string]*citeView
	problems  map[string]string
	threshold float64
	edit      bool
	hasResult bool
	low       int
}

func (b *fieldBuilder) fields(fs []docparse.Field, prefix string) []reviewField {
	out := make([]reviewField, 0, len(fs))
	for _, f := range fs {
		out = append(out, b.field(f, prefix+f.Key))
	}
	return out
}

func (b *fieldBuilder) field(f docparse.Field, path string) reviewField {
	rf := reviewField{Key: f.Key, Label: label(f.Key), Description: f.Description, Path: path, ID: fieldID(path),
		Type: f.Type, Edit: b.edit, Error: b.problems[path]}
	if strings.EqualFold(strings.TrimSpace(rf.Description), rf.Label) {
		rf.Description = "" // says nothing the label does not
	}
	switch f.Type {
	case docparse.TypeObject:
		rf.Children = b.fields(f.Fields, path+".")
		return rf
	case docparse.TypeListObject:
		n := b.st.rows[path]
		for i := range n {
			rf.Rows = append(rf.Rows, reviewRow{Number: i + 1, Cells: b.fields(f.Fields, fmt.Sprintf("%s[%d].", path, i))})
		}
		rf.Missing = n == 0
		if b.edit {
			rf.Placeholder = "__" + strings.NewReplacer(".", "_", "[", "_", "]", "_").Replace(path) + "__"
			blank := fieldBuilder{st: &formState{vals: map[string]string{}, rows: map[string]int{}}, edit: true}
			rf.Blank = &reviewRow{Cells: blank.fields(f.Fields, path+"["+rf.Placeholder+"].")}
		}
		// Item-level problems ("line_items[2]") belong to the list.
		for p, msg := range b.problems {
			if rest, ok := strings.CutPrefix(p, path+"["); ok && strings.HasSuffix(rest, "]") && rf.Error == "" {
				rf.Error = msg
			}
		}
		if c, ok := b.confs[path]; ok && n == 0 && b.hasResult {
			rf.Conf = pct(c)
		}
		return rf
	case docparse.TypeListString:
		rf.Value = b.st.vals[path]
		rf.Missing = rf.Value == ""
		lowest, found := 2.0, false
		for p, c := range b.confs {
			if p == path || strings.HasPrefix(p, path+"[") {
				lowest, found = min(lowest, c), true
			}
		}
		for p, msg := range b.problems {
			if strings.HasPrefix(p, path+"[") && rf.Error == "" {
				i, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, path+"["), "]"))
				rf.Error = fmt.Sprintf("line %d %s", i+1, msg)
			}
		}
		if found {
			b.mark(&rf, lowest)
		}
		rf.Cite = b.cites[path+"[0]"]
		return rf
	}
	rf.Value = b.st.vals[path]
	rf.Missing = rf.Value == ""
	rf.FromXML = b.sources[path] == fields.SourceEmbeddedXML
	rf.Cite = b.cites[path]
	if c, ok := b.confs[path]; ok {
		b.mark(&rf, c)
	}
	return rf
}

// mark sets the field's confidence and whether it is below the threshold.
func (b *fieldBuilder) mark(rf *reviewField, c float64) {
	if !b.hasResult {
		return
	}
	rf.Conf = pct(c)
	if c < b.threshold {
		rf.Low = true
		b.low++
	}
}

// label turns a key into a label: "invoice_number" -> "Invoice number".
func label(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fieldID is the HTML id of the control of path.
func fieldID(path string) string {
	return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(path)
}

// pathLabel names a path for people: "line_items[0].amount" -> "Line
// items, row 1, Amount".
func pathLabel(path string) string {
	var parts []string
	for _, seg := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(seg, "[")
		parts = append(parts, label(name))
		if hasIdx {
			if i, err := strconv.Atoi(strings.TrimSuffix(idx, "]")); err == nil {
				parts = append(parts, fmt.Sprintf("row %d", i+1))
			}
		}
	}
	return strings.Join(parts, ", ")
}

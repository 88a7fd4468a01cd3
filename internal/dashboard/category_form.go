package dashboard

// The category form: a classification's name, threshold and category
// rows, each with its keywords and the extraction it links to. The new
// and edit pages show it; save and update read it.

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
)

// maxLinkable is how many of the account's extractions the form offers to
// link a category to.
const maxLinkable = 500

// classificationForm is the state of the create/edit form: what the user
// entered and every problem with it.
type classificationForm struct {
	Action      string // where the form posts
	Back        string // the classification's page, when editing
	Editing     bool
	Name        string
	Description string
	Threshold   string
	Rows        []categoryRow
	Extractions []docparse.Extraction // what a category may link to
	Errors      []fieldError
	errs        map[string]string
}

// Err returns the problem found at path ("name", "categories"), or "".
func (f classificationForm) Err(path string) string { return f.errs[path] }

// classificationForms: the new and edit classification pages show and
// post the category form; a new classification's has the fewest blank
// categories it may have.
var classificationForms = formKind[pipeline.ClassificationInput, classificationForm, docparse.Classification]{
	noun: "classification", blank: docparse.Classification{Threshold: docparse.DefaultThreshold,
		Categories: make([]docparse.Category, docparse.MinCategories)},
	of: classificationFormOf, read: readClassificationForm, show: (*Handler).showClassificationForm,
	get: (*Handler).classification, create: (*pipeline.Service).CreateClassification,
	update: (*pipeline.Service).UpdateClassification, id: func(c docparse.Classification) string { return c.ID }}

func (f classificationForm) at(action, back string) classificationForm {
	f.Action, f.Back = action, back
	return f
}
func (f classificationForm) invalid() bool { return len(f.Errors) > 0 }

// BlankRow is the row the page's script copies for "Add category".
func (f classificationForm) BlankRow() categoryRow {
	return categoryRow{Name: "__NAME__", Exts: f.Extractions}
}

// categoryRow is one category of the form.
type categoryRow struct {
	Name          string // the form-name prefix: "categories.2"
	Path          string // the validation path: "categories[2]"
	ID            string // kept on edit, so that the category keeps its overrides
	CatName       string
	Description   string
	Keywords      string
	Linked        string // the linked extraction's id
	LinkedMissing bool   // Linked is not one of Exts
	Exts          []docparse.Extraction
	Errors        []fieldError
}

// Has reports whether the row's attribute attr ("name", "keywords") has a
// problem, including one of its items ("keywords[3]").
func (r categoryRow) Has(attr string) bool {
	p := r.Path + "." + attr
	for _, e := range r.Errors {
		if e.Path == p || strings.HasPrefix(e.Path, p+"[") {
			return true
		}
	}
	return false
}

// classificationFormView is the new and edit classification pages'.
type classificationFormView struct {
	page
	Form classificationForm
}

// showClassificationForm renders the new or edit classification page
// with f, offering the account's extractions to link.
func (h *Handler) showClassificationForm(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, f classificationForm) error {
	es, _, err := h.db.ListExtractions(r.Context(), sess.AccountID, store.Page{Limit: maxLinkable})
	if err != nil {
		return err
	}
	sort.SliceStable(es, func(i, j int) bool { return strings.ToLower(es[i].Name) < strings.ToLower(es[j].Name) })
	f.Extractions = es
	known := make(map[string]bool, len(es))
	for _, e := range es {
		known[e.ID] = true
	}
	for i := range f.Rows {
		f.Rows[i].Exts = es
		f.Rows[i].LinkedMissing = f.Rows[i].Linked != "" && !known[f.Rows[i].Linked]
	}
	title := formTitle("classification", f.Editing, f.Name)
	h.render(w, r, status, "classification_form", classificationFormView{page: pageOf(sess, title, "classifications"), Form: f})
	return nil
}

// classificationFormOf is the form showing classification c.
func classificationFormOf(c docparse.Classification, action string, editing bool) classificationForm {
	f := classificationForm{Action: action, Editing: editing, Name: c.Name, Description: c.Description,
		Threshold: strconv.FormatFloat(c.Threshold, 'f', -1, 64), errs: map[string]string{}}
	if editing {
		f.Back = "/dashboard/classifications/" + c.ID
	}
	f.Rows = categoryRows(c.Categories, f.errs)
	return f
}

// categoryRows renders categories as form rows, attaching the problems of
// errs.
func categoryRows(cats []docparse.Category, errs map[string]string) []categoryRow {
	rows := make([]categoryRow, len(cats))
	for i, x := range cats {
		rows[i] = categoryRow{Name: fmt.Sprintf("categories.%d", i), Path: fmt.Sprintf("categories[%d]", i), ID: x.ID,
			CatName: x.Name, Description: x.Description, Keywords: keywordsText(x.Keywords), Linked: x.LinkedExtractionID}
	}
	return reattachCategories(rows, errs)
}

// reattachCategories puts the problems of errs on the rows they name.
func reattachCategories(rows []categoryRow, errs map[string]string) []categoryRow {
	for i := range rows {
		rows[i].Errors = nil
		for _, e := range sortedErrors(errs) {
			if strings.HasPrefix(e.Path, rows[i].Path+".") {
				rows[i].Errors = append(rows[i].Errors, e)
			}
		}
	}
	return rows
}

// keywordsText shows keywords comma-separated, or one per line when one
// of them holds a comma, so that reading the text back (splitKeywords)
// gives them again.
func keywordsText(kw []string) string {
	for _, k := range kw {
		if strings.Contains(k, ",") {
			return strings.Join(kw, "\n")
		}
	}
	return strings.Join(kw, ", ")
}

// splitKeywords reads the keywords typed into a row: one per line when the
// text has several lines, else comma-separated. Blank ones are dropped.
func splitKeywords(s string) []string {
	sep := ","
	if strings.Contains(s, "\n") {
		sep = "\n"
	}
	var out []string
	for _, k := range strings.Split(s, sep) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// readClassificationForm reads a posted classification form. It returns
// the input for the pipeline and the form to show again, which already
// holds the problems found before the pipeline's validation (a threshold
// that is not a number, reported with the categories' own problems).
// Category rows keep the order of their indexes, which need not be
// contiguous (the page's script adds and removes rows); rows left wholly
// blank are dropped.
func readClassificationForm(form url.Values, editing bool) (pipeline.ClassificationInput, classificationForm) {
	name, desc := form.Get("name"), form.Get("description")
	f := classificationForm{Editing: editing, Name: name, Description: desc, errs: map[string]string{}}
	f.Threshold = strings.TrimSpace(form.Get("threshold"))
	rows := map[int]map[string]string{}
	for name, vs := range form {
		parts := strings.Split(name, ".")
		if len(parts) != 3 || parts[0] != "categories" || len(vs) == 0 {
			continue
		}
		i, err := strconv.Atoi(parts[1])
		if err != nil || i < 0 || i >= maxFormIndex {
			continue
		}
		if rows[i] == nil {
			rows[i] = map[string]string{}
		}
		rows[i][parts[2]] = vs[0]
	}
	idx := make([]int, 0, len(rows))
	for i := range rows {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	cats := []docparse.Category{}
	var typed []string // each kept row's keywords as typed
	for _, i := range idx {
		v := rows[i]
		x := docparse.Category{ID: strings.TrimSpace(v["id"]), Name: strings.TrimSpace(v["name"]),
			Description: strings.TrimSpace(v["description"]), Keywords: splitKeywords(v["keywords"]),
			LinkedExtractionID: strings.TrimSpace(v["linked_extraction_id"])}
		if x.ID == "" && x.Name == "" && x.Description == "" && len(x.Keywords) == 0 && x.LinkedExtractionID == "" {
			continue
		}
		cats = append(cats, x)
		typed = append(typed, strings.TrimSpace(v["keywords"]))
	}
	in := pipeline.ClassificationInput{Name: &name, Description: &desc, Categories: &cats}
	in.Threshold = readThreshold(f.Threshold, "threshold", f.errs, func() error { return docparse.ValidateCategories(cats) })
	f.Rows = categoryRows(cats, f.errs)
	for i := range f.Rows {
		f.Rows[i].Keywords = typed[i]
	}
	f.Errors = sortedErrors(f.errs)
	return in, f
}

// failed reports whether err is a validation error and returns the form
// showing its problems next to the rows they name, the input kept.
func (f classificationForm) failed(err error) (classificationForm, bool) {
	if !addProblems(f.errs, err) {
		return f, false
	}
	f.Errors = sortedErrors(f.errs)
	f.Rows = reattachCategories(f.Rows, f.errs)
	return f, true
}

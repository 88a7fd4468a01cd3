package dashboard

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
)

// The classification pages: the list, the create/edit form with its
// category rows, the classification with its categories, batches and an
// upload drop zone, and the batch page, which follows its batch live until
// it ends (with batches.go's status answer and extractions.js) and lets a
// person put a file into another category by hand. Every change goes
// through the same pipeline use cases as the JSON API: the same
// validation, the same upload, the same override.

// maxLinkable is how many of the account's extractions the form offers to
// link a category to.
const maxLinkable = 500

// classificationView is what the classification pages receive. The names
// start with Cls so that they never collide with another embedded view.
type classificationView struct {
	ClsList    []docparse.Classification
	Cls        docparse.Classification
	ClsForm    classificationForm
	ClsLinks   map[string]string // linked extraction id -> its name; missing when the extraction is gone
	ClsBatches []docparse.ClassificationBatch
	ClsMore    bool // more batches than listed
	ClsUpload  uploadLimits
	ClsError   string // the upload's error, or the override's on the batch page
	ClsBatch   docparse.ClassificationBatch
	ClsFiles   []clsFile
}

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

// clsFile is one file of the batch page, as its row and the live status
// show it.
type clsFile struct {
	ID          string
	FileName    string
	Status      docparse.FileStatus
	PageCount   int
	Error       *docparse.FileError
	Decided     bool   // the file has a category or was left unclassified
	Category    string // the category's name; "" when unclassified or undecided
	CategoryID  string
	SelectID    string // the override select's choice: CategoryID when still a category
	Confidence  float64
	Reasoning   string
	Overridden  bool
	LinkedURL   string // the dashboard page of the extraction batch it went to
	LinkedText  string
	LinkedBatch string
}

// cells is the file's row as the live status sends it (see
// extractions.js): the text of each [data-cell], or a link.
func (f clsFile) cells() map[string]any {
	c := map[string]any{"category": "—", "confidence": "—", "reasoning": "", "linked": "—", "overridden": "", "choice": f.SelectID}
	if f.Decided {
		c["category"] = f.Category
		if f.Category == "" {
			c["category"] = "Unclassified"
		}
		c["confidence"] = percent(f.Confidence)
		c["reasoning"] = f.Reasoning
	}
	if f.Overridden {
		c["overridden"] = "overridden"
	}
	if f.LinkedURL != "" {
		c["linked"] = map[string]string{"href": f.LinkedURL, "text": f.LinkedText}
	} else if f.LinkedBatch != "" {
		c["linked"] = f.LinkedBatch
	}
	return c
}

var classificationFuncs = map[string]any{
	"minCategories": func() int { return docparse.MinCategories },
	"maxCategories": func() int { return docparse.MaxCategories },
	"maxKeywords":   func() int { return docparse.MaxKeywords },
	"categoryNames": func(cs []docparse.Category) string {
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = c.Name
		}
		return strings.Join(names, ", ")
	},
}

func (h *Handler) classificationsPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	cs, _, err := h.db.ListClassifications(r.Context(), sess.AccountID, store.Page{Limit: maxListed})
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "classifications", view{Title: "Classifications", Nav: "classifications", Email: sess.Email,
		CSRF: sess.CSRFToken, classificationView: classificationView{ClsList: cs}})
	return nil
}

func (h *Handler) newClassificationPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c := docparse.Classification{Threshold: docparse.DefaultThreshold, Categories: make([]docparse.Category, docparse.MinCategories)}
	return h.showClassificationForm(w, r, sess, http.StatusOK, classificationFormOf(c, "/dashboard/classifications", false))
}

func (h *Handler) editClassificationPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c, err := h.db.Classification(r.Context(), sess.AccountID, r.PathValue("classification_id"))
	if err != nil {
		return err
	}
	return h.showClassificationForm(w, r, sess, http.StatusOK, classificationFormOf(c, "/dashboard/classifications/"+c.ID+"/edit", true))
}

// showClassificationForm renders the form, offering the account's
// extractions to link.
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
	title := "New classification"
	if f.Editing {
		title = "Edit " + f.Name
	}
	h.render(w, r, status, "classification_form", view{Title: title, Nav: "classifications", Email: sess.Email, CSRF: sess.CSRFToken,
		classificationView: classificationView{ClsForm: f}})
	return nil
}

func (h *Handler) createClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	in, f := readClassificationForm(r.PostForm, false)
	f.Action = "/dashboard/classifications"
	if len(f.Errors) > 0 {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	c, err := h.svc.CreateClassification(r.Context(), sess.AccountID, in)
	if f, ok := f.failed(err); ok {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard created classification", "account_id", sess.AccountID, "user_id", sess.UserID, "classification_id", c.ID)
	http.Redirect(w, r, "/dashboard/classifications/"+c.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) updateClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("classification_id")
	if _, err := h.db.Classification(r.Context(), sess.AccountID, id); err != nil {
		return err
	}
	in, f := readClassificationForm(r.PostForm, true)
	f.Action, f.Back = "/dashboard/classifications/"+id+"/edit", "/dashboard/classifications/"+id
	if len(f.Errors) > 0 {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	_, err := h.svc.UpdateClassification(r.Context(), sess.AccountID, id, in)
	if f, ok := f.failed(err); ok {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard updated classification", "account_id", sess.AccountID, "user_id", sess.UserID, "classification_id", id)
	http.Redirect(w, r, "/dashboard/classifications/"+id, http.StatusSeeOther)
	return nil
}

func (h *Handler) deleteClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("classification_id")
	if err := h.svc.DeleteClassification(r.Context(), sess.AccountID, id); err != nil {
		return err
	}
	h.log.Info("dashboard deleted classification", "account_id", sess.AccountID, "user_id", sess.UserID, "classification_id", id)
	http.Redirect(w, r, "/dashboard/classifications", http.StatusSeeOther)
	return nil
}

func (h *Handler) classificationPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c, err := h.db.Classification(r.Context(), sess.AccountID, r.PathValue("classification_id"))
	if err != nil {
		return err
	}
	return h.showClassification(w, r, sess, http.StatusOK, c, "")
}

// showClassification renders the classification page, with the upload's
// error when msg is set.
func (h *Handler) showClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, c docparse.Classification, msg string) error {
	ctx := r.Context()
	bs, more, err := h.db.ListClassificationBatches(ctx, sess.AccountID, c.ID, store.BatchFilter{}, store.Page{Limit: maxListed})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(c.Categories))
	for _, x := range c.Categories {
		ids = append(ids, x.LinkedExtractionID)
	}
	links, err := h.extractionNames(ctx, sess.AccountID, ids)
	if err != nil {
		return err
	}
	cfg := h.svc.Config()
	h.render(w, r, status, "classification", view{Title: c.Name, Nav: "classifications", Email: sess.Email, CSRF: sess.CSRFToken,
		classificationView: classificationView{Cls: c, ClsLinks: links, ClsBatches: bs, ClsMore: more, ClsError: msg,
			ClsUpload: uploadLimits{MaxFiles: cfg.MaxFiles, MaxFileSize: cfg.MaxFileSize}}})
	return nil
}

// extractionNames returns the names of the account's extractions ids, by
// id; an extraction that is gone is left out, and "" is skipped.
func (h *Handler) extractionNames(ctx context.Context, accountID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if _, seen := out[id]; seen || id == "" {
			continue
		}
		e, err := h.db.Extraction(ctx, accountID, id)
		if errors.Is(err, docparse.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = e.Name
	}
	return out, nil
}

// uploadClassificationBatch streams the files of the multipart body into
// a new batch of the classification, through the same
// pipeline.ClassificationUpload as the JSON API (see receiveUpload).
func (h *Handler) uploadClassificationBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error {
	ctx := r.Context()
	c, err := h.db.Classification(ctx, sess.AccountID, r.PathValue("classification_id"))
	if err != nil {
		return err
	}
	up, err := h.svc.NewClassificationUpload(ctx, sess.AccountID, c.ID)
	if err != nil {
		return err
	}
	return h.receiveUpload(w, r, mr, up,
		func(name string) (string, int, error) {
			b, _, err := up.Commit(ctx, name, nil)
			return b.ID, b.FileCount, err
		},
		func(status int, msg string) error { return h.showClassification(w, r, sess, status, c, msg) },
		"/dashboard/classifications/"+c.ID, "account_id", sess.AccountID, "user_id", sess.UserID, "classification_id", c.ID)
}

// clsBatch reads the batch of the request's path with its files as the
// page shows them.
func (h *Handler) clsBatch(ctx context.Context, accountID string, c docparse.Classification, batchID string) (docparse.ClassificationBatch, []clsFile, error) {
	b, files, err := h.db.ClassificationBatchWithFiles(ctx, accountID, c.ID, batchID)
	if err != nil {
		return b, nil, err
	}
	var linked []string
	for _, f := range files {
		if f.LinkedBatchID != "" {
			linked = append(linked, f.LinkedBatchID)
		}
	}
	var exts map[string]string // extraction batch -> its extraction
	var names map[string]string
	if len(linked) > 0 {
		if exts, err = h.db.BatchExtractionIDs(ctx, accountID, linked); err != nil {
			return b, nil, err
		}
		ids := make([]string, 0, len(exts))
		for _, id := range exts {
			ids = append(ids, id)
		}
		if names, err = h.extractionNames(ctx, accountID, ids); err != nil {
			return b, nil, err
		}
	}
	out := make([]clsFile, len(files))
	for i, f := range files {
		cf := clsFile{ID: f.ID, FileName: f.FileName, Status: f.Status, PageCount: f.PageCount, Error: f.Error,
			Overridden: f.Override != nil, LinkedBatch: f.LinkedBatchID}
		if d, ok := f.Result(); ok {
			cf.Decided, cf.Category, cf.CategoryID, cf.Confidence, cf.Reasoning = true, d.CategoryName, d.CategoryID, d.Confidence, d.Reasoning
			if _, ok := c.Category(d.CategoryID); ok {
				cf.SelectID = d.CategoryID
			}
		}
		if ext, ok := exts[f.LinkedBatchID]; ok {
			cf.LinkedURL = "/dashboard/extractions/" + ext + "/batches/" + f.LinkedBatchID
			cf.LinkedText = names[ext]
			if cf.LinkedText == "" {
				cf.LinkedText = "Extraction batch"
			}
		}
		out[i] = cf
	}
	return b, out, nil
}

func (h *Handler) clsBatchPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c, err := h.db.Classification(r.Context(), sess.AccountID, r.PathValue("classification_id"))
	if err != nil {
		return err
	}
	return h.showClsBatch(w, r, sess, http.StatusOK, c, r.PathValue("batch_id"), "")
}

// showClsBatch renders the batch page, with the override's error when msg
// is set.
func (h *Handler) showClsBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, c docparse.Classification, batchID, msg string) error {
	b, files, err := h.clsBatch(r.Context(), sess.AccountID, c, batchID)
	if err != nil {
		return err
	}
	title := b.Name
	if title == "" {
		title = "Batch of " + b.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	h.render(w, r, status, "classification_batch", view{Title: title, Nav: "classifications", Email: sess.Email, CSRF: sess.CSRFToken,
		classificationView: classificationView{Cls: c, ClsBatch: b, ClsFiles: files, ClsError: msg}})
	return nil
}

// clsBatchStatus is the batch page's live update: batches.go's answer,
// each file with the cells of its row.
func (h *Handler) clsBatchStatus(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	ctx := r.Context()
	c, err := h.db.Classification(ctx, sess.AccountID, r.PathValue("classification_id"))
	var b docparse.ClassificationBatch
	var files []clsFile
	if err == nil {
		b, files, err = h.clsBatch(ctx, sess.AccountID, c, r.PathValue("batch_id"))
	}
	if errors.Is(err, docparse.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": errNotFound.msg})
		return nil
	}
	if err != nil {
		return err
	}
	body := batchStatusBody{Status: b.Status, Terminal: b.Status.Terminal(), FileCount: b.FileCount, Counts: b.Counts, DoneText: doneText(b.Counts),
		Done: doneCount(b.Counts), Files: make([]batchStatusFile, len(files))}
	if b.CompletedAt != nil {
		body.CompletedAt = b.CompletedAt.UTC().Format(time.RFC3339)
	}
	for i, f := range files {
		body.Files[i] = batchStatusFile{ID: f.ID, Status: f.Status, PageCount: f.PageCount, Error: f.Error, Cells: f.cells()}
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// overrideFile sets or clears a file's category by hand, through the same
// pipeline use case as the API's PATCH. The choice is sticky: processing
// never changes it.
func (h *Handler) overrideFile(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	ctx := r.Context()
	c, err := h.db.Classification(ctx, sess.AccountID, r.PathValue("classification_id"))
	if err != nil {
		return err
	}
	batchID, fileID := r.PathValue("batch_id"), r.PathValue("file_id")
	f, err := h.db.ClassificationFile(ctx, sess.AccountID, c.ID, batchID, fileID)
	if err != nil {
		return err
	}
	var cat *string
	if r.PostFormValue("action") != "clear" {
		id := r.PostFormValue("category_id")
		if id == "" {
			return h.showClsBatch(w, r, sess, http.StatusBadRequest, c, batchID,
				fmt.Sprintf("Choose a category for “%s” before setting it.", f.FileName))
		}
		cat = &id
	}
	_, err = h.svc.SetClassificationOverride(ctx, sess.AccountID, c.ID, batchID, fileID, cat)
	var ve *docparse.ValidationError
	if errors.As(err, &ve) {
		return h.showClsBatch(w, r, sess, http.StatusUnprocessableEntity, c, batchID,
			fmt.Sprintf("That category is no longer one of this classification's, so “%s” was not changed. Choose another.", f.FileName))
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard set classification override", "account_id", sess.AccountID, "user_id", sess.UserID,
		"classification_id", c.ID, "batch_id", batchID, "file_id", fileID, "cleared", cat == nil)
	http.Redirect(w, r, "/dashboard/classifications/"+c.ID+"/batches/"+batchID+"#"+fileID, http.StatusSeeOther)
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
	if f.Threshold != "" {
		t, err := strconv.ParseFloat(f.Threshold, 64)
		if err != nil {
			f.errs["threshold"] = fmt.Sprintf("must be a number from 0 to 1, not %s", docparse.Quote(f.Threshold))
			// Report the categories' problems with it, all at once.
			var ve *docparse.ValidationError
			if errors.As(docparse.ValidateCategories(cats), &ve) {
				for p, m := range ve.Fields {
					f.errs[p] = m
				}
			}
		} else {
			in.Threshold = &t
		}
	}
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
	var ve *docparse.ValidationError
	if !errors.As(err, &ve) {
		return f, false
	}
	for p, m := range ve.Fields {
		f.errs[p] = m
	}
	f.Errors = sortedErrors(f.errs)
	f.Rows = reattachCategories(f.Rows, f.errs)
	return f, true
}

package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/einvoice"
	"github.com/docparse/docparse/internal/export"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
)

// maxPreviewPages is how many rendered pages the file page shows.
const maxPreviewPages = 20

// reviewView is what the review queue and the file page receive.
type reviewView struct {
	// review: the queue, grouped by extraction.
	ReviewGroups []reviewGroup
	ReviewMore   bool
	ReviewNotice string
	ReviewLink   string // the confirmed file's page, with ReviewNotice

	// file: one file beside its fields.
	RF           store.ReviewFile
	FilePath     string // the file page's path
	FileFields   []reviewField
	ReviewErrors []reviewError
	Editable     bool
	Threshold    float64
	LowCount     int
	Preview      string // "pages", "image", "text" or "none"
	Pages        []int
	MorePages    int
	DocText      string
	TextCut      bool
	// Invoice is the file's e-invoice (an XML upload, or a PDF's
	// attachment), shown as a readable invoice; nil for other files.
	Invoice  *invoiceView
	Warnings []warningView
}

// invoiceView is an e-invoice as the file page shows it.
type invoiceView struct {
	einvoice.Invoice
	Title string // "Invoice", "Credit note", ...
}

// warningView is one warning of a file result, as a sentence.
type warningView struct {
	Code, Text string
	Path, ID   string // the field it is about, if any
}

// reviewGroup is one extraction's files in the queue.
type reviewGroup struct {
	ExtractionID   string
	ExtractionName string
	Items          []reviewItem
}

type reviewItem struct {
	store.ReviewItem
	Lowest string // "38%", or "" without confidences
	Path   string
}

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

var reviewFuncs = map[string]any{
	"pct": func(c float64) string { return fmt.Sprintf("%.0f%%", math.Floor(c*100)) },
}

func (h *Handler) reviewRoutes(mux *http.ServeMux) {
	const file = "/dashboard/extractions/{extraction_id}/batches/{batch_id}/files/{file_id}"
	mux.Handle("GET /dashboard/review", h.authed(h.reviewPage))
	mux.Handle("GET "+file, h.authed(h.filePage))
	mux.Handle("POST "+file+"/confirm", h.authedBody(maxSchemaForm, h.confirmFile))
	mux.Handle("GET "+file+"/pages/{page}", h.authed(h.pageImage))
	mux.Handle("GET "+file+"/content", h.authed(h.fileContent))
}

func filePath(f docparse.File) string {
	return "/dashboard/extractions/" + url.PathEscape(f.ExtractionID) + "/batches/" + url.PathEscape(f.BatchID) +
		"/files/" + url.PathEscape(f.ID)
}

func (h *Handler) reviewPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	items, more, err := h.db.ReviewQueue(r.Context(), sess.AccountID, store.MaxReviewQueue)
	if err != nil {
		return err
	}
	v := view{Title: "Review", Nav: "review", Email: sess.Email, CSRF: sess.CSRFToken}
	v.ReviewMore = more
	for _, it := range items {
		ri := reviewItem{ReviewItem: it, Path: filePath(it.File)}
		var conf map[string]any
		if json.Unmarshal(it.File.Confidence, &conf) == nil && conf != nil {
			ri.Lowest = reviewFuncs["pct"].(func(float64) string)(fields.MinConfidence(conf))
		}
		n := len(v.ReviewGroups)
		if n == 0 || v.ReviewGroups[n-1].ExtractionID != it.File.ExtractionID {
			v.ReviewGroups = append(v.ReviewGroups, reviewGroup{ExtractionID: it.File.ExtractionID, ExtractionName: it.ExtractionName})
			n++
		}
		v.ReviewGroups[n-1].Items = append(v.ReviewGroups[n-1].Items, ri)
	}
	if id := r.URL.Query().Get("confirmed"); id != "" {
		if f, err := h.db.AccountFile(r.Context(), sess.AccountID, id); err == nil && f.Status == docparse.FileProcessed {
			v.ReviewNotice = fmt.Sprintf("“%s” is confirmed: it is processed now, and file.processed was sent.", f.FileName)
			v.ReviewLink = filePath(f)
		}
	}
	h.render(w, r, http.StatusOK, "review", v)
	return nil
}

// reviewFile reads the file named in the path, of the session's account.
func (h *Handler) reviewFile(r *http.Request, sess docparse.Session) (store.ReviewFile, error) {
	return h.db.FileForReview(r.Context(), sess.AccountID, r.PathValue("extraction_id"), r.PathValue("batch_id"), r.PathValue("file_id"))
}

func (h *Handler) filePage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	rf, err := h.reviewFile(r, sess)
	if err != nil {
		return err
	}
	return h.showFile(w, r, sess, http.StatusOK, rf, nil, nil, "")
}

// showFile renders the file page. posted holds the form values a failed
// confirmation sent (nil: show the stored result), problems its errors.
func (h *Handler) showFile(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, rf store.ReviewFile,
	posted *formState, problems map[string]string, msg string) error {
	f := rf.File
	v := view{Title: f.FileName, Nav: "review", Email: sess.Email, CSRF: sess.CSRFToken, Error: msg}
	v.RF, v.FilePath, v.Threshold = rf, filePath(f), rf.Schema.ReviewThreshold
	v.Editable = f.Status.CanConfirm()

	var conf any
	if f.Confidence != nil {
		if err := json.Unmarshal(f.Confidence, &conf); err != nil {
			return fmt.Errorf("decode confidence: %w", err)
		}
	}
	confs := map[string]float64{}
	flatten(confs, "", conf)
	st := posted
	if st == nil {
		var vals map[string]any
		if f.Result != nil {
			if err := json.Unmarshal(f.Result, &vals); err != nil {
				return fmt.Errorf("decode result: %w", err)
			}
		}
		st = stateOf(rf.Schema.Fields, vals)
	}
	det := export.DecodeDetails(f.Details)
	var srcAny any
	if len(det.Sources) > 0 {
		_ = json.Unmarshal(det.Sources, &srcAny)
	}
	sources := map[string]string{}
	flatten(sources, "", srcAny)
	if len(det.EInvoice) > 0 && string(det.EInvoice) != "null" {
		var inv einvoice.Invoice
		if err := json.Unmarshal(det.EInvoice, &inv); err == nil {
			v.Invoice = &invoiceView{Invoice: inv, Title: invoiceTitle(inv.TypeCode)}
		}
	}
	v.Warnings = warningViews(det.Warnings)
	b := fieldBuilder{st: st, confs: confs, sources: sources, problems: problems, threshold: rf.Schema.ReviewThreshold, edit: v.Editable,
		hasResult: f.Result != nil}
	v.FileFields = b.fields(rf.Schema.Fields, "")
	v.LowCount = b.low
	paths := make([]string, 0, len(problems))
	for p := range problems {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		v.ReviewErrors = append(v.ReviewErrors, reviewError{ID: fieldID(p), Label: pathLabel(p), Message: problems[p]})
	}

	switch pipeline.PreviewOf(f.Kind) {
	case pipeline.PreviewText:
		if v.Invoice != nil && extract.Kind(f.Kind) == extract.KindEInvoice {
			v.Preview = "einvoice" // the readable invoice, not its XML
			break
		}
		v.Preview = "text"
		text, cut, err := h.svc.DocumentText(r.Context(), f)
		if _, ok := extract.AsError(err); ok {
			v.Preview = "none"
		} else if err != nil {
			return err
		}
		v.DocText, v.TextCut = text, cut
	case pipeline.PreviewPages:
		v.Preview = "pages"
		for i := 1; i <= min(f.PageCount, maxPreviewPages); i++ {
			v.Pages = append(v.Pages, i)
		}
		v.MorePages = f.PageCount - len(v.Pages)
	case pipeline.PreviewImage:
		v.Preview, v.Pages = "image", []int{1}
	default:
		v.Preview = "none"
	}
	h.render(w, r, status, "file", v)
	return nil
}

func (h *Handler) confirmFile(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	rf, err := h.reviewFile(r, sess)
	if err != nil {
		return err
	}
	if !rf.File.Status.CanConfirm() {
		return h.showFile(w, r, sess, http.StatusConflict, rf, nil, nil, notInReview(rf))
	}
	st, result := parseReviewForm(rf.Schema.Fields, r.PostForm)
	raw, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode reviewed result: %w", err)
	}
	_, err = h.svc.ConfirmReview(r.Context(), sess.AccountID, rf.File.ID, raw, sess.UserID)
	var ve *docparse.ValidationError
	switch {
	case errors.As(err, &ve):
		msg := "Some values are not valid. Correct them and confirm again."
		if len(ve.Fields) == 1 {
			msg = "One value is not valid. Correct it and confirm again."
		}
		return h.showFile(w, r, sess, http.StatusBadRequest, rf, st, ve.Fields, msg)
	case errors.Is(err, pipeline.ErrNotInReview):
		if rf, err = h.reviewFile(r, sess); err != nil {
			return err
		}
		return h.showFile(w, r, sess, http.StatusConflict, rf, nil, nil, notInReview(rf))
	case err != nil:
		return err
	}
	h.log.Info("dashboard confirmed review", "account_id", sess.AccountID, "user_id", sess.UserID, "file_id", rf.File.ID)
	http.Redirect(w, r, "/dashboard/review?confirmed="+url.QueryEscape(rf.File.ID), http.StatusSeeOther)
	return nil
}

// notInReview explains why a file cannot be confirmed.
func notInReview(rf store.ReviewFile) string {
	if rf.ReviewedAt != nil {
		by := ""
		if rf.ReviewedBy != "" {
			by = " by " + rf.ReviewedBy
		}
		return fmt.Sprintf("This file was already reviewed%s on %s. Your changes were not saved; the values below are the confirmed ones.",
			by, rf.ReviewedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf("This file does not need review: its status is %s. Your changes were not saved.", strings.ReplaceAll(string(rf.File.Status), "_", " "))
}

func (h *Handler) pageImage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	n, err := strconv.Atoi(r.PathValue("page"))
	if err != nil || n < 1 {
		return errNotFound
	}
	rf, err := h.reviewFile(r, sess)
	if err != nil {
		return err
	}
	img, ctype, err := h.svc.PageImage(r.Context(), rf.File, n)
	if e, ok := extract.AsError(err); ok {
		return &pageError{http.StatusUnprocessableEntity, "This page cannot be shown: " + e.Message}
	}
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Length", strconv.Itoa(len(img)))
	// A file's pages never change; only its owner's session may read them.
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("Content-Disposition", "inline")
	w.Write(img)
	return nil
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

// flatten maps every path of a document shaped like a result
// ("seller.name", "lines[2].amount") to its leaf of type T: the numbers of
// a confidence document, the strings of a sources document.
func flatten[T any](out map[string]T, path string, v any) {
	switch v := v.(type) {
	case T:
		out[path] = v
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(out, p, e)
		}
	case []any:
		for i, e := range v {
			flatten(out, fmt.Sprintf("%s[%d]", path, i), e)
		}
	}
}

// invoiceTitle names an invoice by its type code (UNTDID 1001).
func invoiceTitle(code string) string {
	switch code {
	case "381":
		return "Credit note"
	case "384":
		return "Corrected invoice"
	case "389":
		return "Self-billed invoice"
	}
	return "Invoice"
}

// warningViews turns a file result's warnings into sentences.
func warningViews(raw json.RawMessage) []warningView {
	var ws []struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Field     string `json:"field"`
		PageValue any    `json:"page_value"`
		XMLValue  any    `json:"xml_value"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &ws) != nil {
		return nil
	}
	out := make([]warningView, 0, len(ws))
	for _, w := range ws {
		v := warningView{Code: w.Code, Text: w.Message}
		if w.Code == pipeline.WarningEInvoiceMismatch {
			v.Text = fmt.Sprintf("the page shows %s where the e-invoice's XML says %s.", formatValue(w.PageValue), formatValue(w.XMLValue))
		}
		if w.Field != "" {
			v.Path, v.ID = pathLabel(w.Field), fieldID(w.Field)
		}
		out = append(out, v)
	}
	return out
}

// fieldBuilder turns a schema and a form state into reviewFields.
type fieldBuilder struct {
	st        *formState
	confs     map[string]float64
	sources   map[string]string
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
			rf.Conf = reviewFuncs["pct"].(func(float64) string)(c)
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
		return rf
	}
	rf.Value = b.st.vals[path]
	rf.Missing = rf.Value == ""
	rf.FromXML = b.sources[path] == fields.SourceEmbeddedXML
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
	rf.Conf = reviewFuncs["pct"].(func(float64) string)(c)
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

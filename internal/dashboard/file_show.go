package dashboard

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/einvoice"
	"github.com/docparse/docparse/internal/export"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
)

// maxPreviewPages is how many rendered pages the file page shows.
const maxPreviewPages = 20

// fileView is the file page's: an extraction file beside its fields, in
// the review form (review_form.go) while it may be confirmed.
type fileView struct {
	page
	Error        string // why the confirmation failed
	RF           store.ReviewFile
	FilePath     string // the file page's path
	FileFields   []reviewField
	ReviewErrors []reviewError
	Editable     bool
	Threshold    float64
	LowCount     int
	Preview      string // "pages", "image", "text", "einvoice" or "none"
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

func filePath(f docparse.File) string {
	return "/dashboard/extractions/" + url.PathEscape(f.ExtractionID) + "/batches/" + url.PathEscape(f.BatchID) +
		"/files/" + url.PathEscape(f.ID)
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
	v := fileView{page: pageOf(sess, f.FileName, "review"), Error: msg}
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
	var citeAny any
	if len(det.Citations) > 0 {
		_ = json.Unmarshal(det.Citations, &citeAny)
	}
	cites := map[string]*citeView{}
	flattenCitations(cites, "", citeAny)
	if len(det.EInvoice) > 0 && string(det.EInvoice) != "null" {
		var inv einvoice.Invoice
		if err := json.Unmarshal(det.EInvoice, &inv); err == nil {
			v.Invoice = &invoiceView{Invoice: inv, Title: invoiceTitle(inv.TypeCode)}
		}
	}
	v.Warnings = warningViews(det.Warnings)
	b := fieldBuilder{st: st, confs: confs, sources: sources, cites: cites, problems: problems, threshold: rf.Schema.ReviewThreshold, edit: v.Editable,
		hasResult: f.Result != nil}
	v.FileFields = b.fields(rf.Schema.Fields, "")
	v.LowCount = b.low
	for _, p := range slices.Sorted(maps.Keys(problems)) {
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

// flatten maps every path of a document shaped like a result
// ("seller.name", "lines[2].amount") to its leaf of type T: the numbers of
// a confidence document, the strings of a sources document.
func flatten[T any](out map[string]T, path string, v any) {
	eachPath(path, v, func(p string, v any) bool {
		t, ok := v.(T)
		if ok {
			out[p] = t
		}
		return ok
	})
}

// flattenCitations maps every path of a citations document to the
// citation of a value read on a page with a box; values that stand on no
// page, or on a page without geometry, have none.
func flattenCitations(out map[string]*citeView, path string, v any) {
	eachPath(path, v, func(p string, v any) bool {
		// A citation is {"page": N|null, "box": [...], "source": ...}; an
		// object's citations map its keys (one may be "page", whose
		// citation is a map, not a number).
		m, _ := v.(map[string]any)
		page, ok := m["page"]
		if !ok || isMap(page) {
			return false
		}
		n, _ := page.(float64)
		box, _ := m["box"].([]any)
		if n >= 1 && len(box) == 4 {
			parts := make([]string, 4)
			for i, e := range box {
				f, _ := e.(float64)
				parts[i] = strconv.FormatFloat(f, 'f', -1, 64)
			}
			out[p] = &citeView{Page: int(n), Box: strings.Join(parts, " ")}
		}
		return true
	})
}

// eachPath walks a document shaped like a result, calling leaf with each
// node and its path ("seller.name", "lines[2].amount") until leaf takes
// it (true); maps and lists it does not take are walked into.
func eachPath(path string, v any, leaf func(path string, v any) bool) {
	if leaf(path, v) {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			eachPath(p, e, leaf)
		}
	case []any:
		for i, e := range v {
			eachPath(fmt.Sprintf("%s[%d]", path, i), e, leaf)
		}
	}
}

func isMap(v any) bool {
	_, ok := v.(map[string]any)
	return ok
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

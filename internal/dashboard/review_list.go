package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/store"
)

// reviewView is the review queue's: the files to review, grouped by
// extraction.
type reviewView struct {
	page
	Groups []reviewGroup
	More   bool
	Notice string
	Link   string // the confirmed file's page, with Notice
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

func (h *Handler) reviewPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	items, more, err := h.db.ReviewQueue(r.Context(), sess.AccountID, store.MaxReviewQueue)
	if err != nil {
		return err
	}
	v := reviewView{page: pageOf(sess, "Review", "review"), More: more}
	for _, it := range items {
		ri := reviewItem{ReviewItem: it, Path: filePath(it.File)}
		var conf map[string]any
		if json.Unmarshal(it.File.Confidence, &conf) == nil && conf != nil {
			ri.Lowest = pct(fields.MinConfidence(conf))
		}
		n := len(v.Groups)
		if n == 0 || v.Groups[n-1].ExtractionID != it.File.ExtractionID {
			v.Groups = append(v.Groups, reviewGroup{ExtractionID: it.File.ExtractionID, ExtractionName: it.ExtractionName})
			n++
		}
		v.Groups[n-1].Items = append(v.Groups[n-1].Items, ri)
	}
	if id := r.URL.Query().Get("confirmed"); id != "" {
		if f, err := h.db.AccountFile(r.Context(), sess.AccountID, id); err == nil && f.Status == docparse.FileProcessed {
			v.Notice = fmt.Sprintf("“%s” is confirmed: it is processed now, and file.processed was sent.", f.FileName)
			v.Link = filePath(f)
		}
	}
	h.render(w, r, http.StatusOK, "review", v)
	return nil
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// extractionView is the extraction page's: its schema, its batches and
// the upload drop zone.
type extractionView struct {
	page
	Extraction docparse.Extraction
	Batches    []docparse.Batch
	More       bool // more batches than listed
	Upload     uploadLimits
	Error      string // the upload's
}

// extraction reads the extraction named in the path, of the session's
// account.
func (h *Handler) extraction(r *http.Request, sess docparse.Session) (docparse.Extraction, error) {
	return h.db.Extraction(r.Context(), sess.AccountID, r.PathValue("extraction_id"))
}

func (h *Handler) extractionPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.extraction(r, sess)
	if err != nil {
		return err
	}
	return h.showExtraction(w, r, sess, http.StatusOK, e, "")
}

// showExtraction renders the extraction page, with the upload's error
// when msg is set.
func (h *Handler) showExtraction(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, e docparse.Extraction, msg string) error {
	bs, more, err := h.db.ListBatches(r.Context(), sess.AccountID, e.ID, store.BatchFilter{}, store.Page{Limit: maxListed})
	if err != nil {
		return err
	}
	h.render(w, r, status, "extraction", extractionView{page: pageOf(sess, e.Name, "extractions"),
		Extraction: e, Batches: bs, More: more, Upload: h.uploadLimits(), Error: msg})
	return nil
}

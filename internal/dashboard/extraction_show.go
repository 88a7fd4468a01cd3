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

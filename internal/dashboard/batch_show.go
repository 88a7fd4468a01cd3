package dashboard

import (
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// batchView is an extraction batch's page, which follows the batch live
// (batch_status.go) until it ends.
type batchView struct {
	page
	Extraction docparse.Extraction
	Batch      docparse.Batch
	Files      []docparse.File
}

func (h *Handler) batchPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.extraction(r, sess)
	if err != nil {
		return err
	}
	b, files, err := h.db.BatchWithFiles(r.Context(), sess.AccountID, e.ID, r.PathValue("batch_id"))
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "batch", batchView{page: pageOf(sess, batchTitle(b.Name, b.CreatedAt), "extractions"),
		Extraction: e, Batch: b, Files: files})
	return nil
}

// batchTitle is the title of a batch's page: its name, or when it was
// uploaded.
func batchTitle(name string, created time.Time) string {
	if name == "" {
		return "Batch of " + created.UTC().Format("2006-01-02 15:04 UTC")
	}
	return name
}

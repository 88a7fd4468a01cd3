package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// classificationBatchStatus is a classification batch page's live
// update: batch_status.go's answer, each file with the cells of its row.
func (h *Handler) classificationBatchStatus(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c, err := h.classification(r, sess)
	if err != nil {
		return statusError(w, err)
	}
	b, files, err := h.classificationBatch(r.Context(), sess.AccountID, c, r.PathValue("batch_id"))
	if err != nil {
		return statusError(w, err)
	}
	body := newBatchStatus(b.Status, b.FileCount, b.Counts, b.CompletedAt)
	for _, f := range files {
		body.Files = append(body.Files, batchStatusFile{ID: f.ID, Status: f.Status, PageCount: f.PageCount, Error: f.Error, Cells: f.cells()})
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

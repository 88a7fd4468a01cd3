package dashboard

import (
	"errors"
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// batchStatusBody is a batch page's live update: what its script
// (extractions.js) redraws every 2 s until Terminal.
type batchStatusBody struct {
	Status      docparse.BatchStatus `json:"status"`
	Terminal    bool                 `json:"terminal"`
	FileCount   int                  `json:"file_count"`
	Done        int                  `json:"done"`
	DoneText    string               `json:"done_text"` // as the batch lists show it
	Counts      docparse.Counts      `json:"counts"`
	CompletedAt string               `json:"completed_at,omitempty"`
	Files       []batchStatusFile    `json:"files"`
}

type batchStatusFile struct {
	ID        string              `json:"id"`
	Status    docparse.FileStatus `json:"status"`
	PageCount int                 `json:"page_count"`
	Error     *docparse.FileError `json:"error,omitempty"`
	// Cells, when set, are the text (or a link, {href, text}) of the
	// row's [data-cell] elements: a classification file's category,
	// confidence, reasoning and linked batch.
	Cells map[string]any `json:"cells,omitempty"`
}

// newBatchStatus is the live update of a batch of files files, without
// the files.
func newBatchStatus(status docparse.BatchStatus, files int, counts docparse.Counts, completedAt *time.Time) batchStatusBody {
	body := batchStatusBody{Status: status, Terminal: status.Terminal(), FileCount: files, Counts: counts, DoneText: doneText(counts),
		Done: doneCount(counts), Files: []batchStatusFile{}}
	if completedAt != nil {
		body.CompletedAt = completedAt.UTC().Format(time.RFC3339)
	}
	return body
}

// statusError answers the live update of a batch that is not found with
// a 404 the script understands; it returns any other error.
func statusError(w http.ResponseWriter, err error) error {
	if errors.Is(err, docparse.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": errNotFound.msg})
		return nil
	}
	return err
}

// batchStatus is an extraction batch page's live update.
func (h *Handler) batchStatus(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	b, files, err := h.db.BatchWithFiles(r.Context(), sess.AccountID, r.PathValue("extraction_id"), r.PathValue("batch_id"))
	if err != nil {
		return statusError(w, err)
	}
	body := newBatchStatus(b.Status, b.FileCount, b.Counts, b.CompletedAt)
	for _, f := range files {
		body.Files = append(body.Files, batchStatusFile{ID: f.ID, Status: f.Status, PageCount: f.PageCount, Error: f.Error})
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

package dashboard

import (
	"mime/multipart"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// uploadBatch streams the files of the multipart body into a new batch of
// the extraction, through the same pipeline.Upload as the JSON API (see
// receiveUpload).
func (h *Handler) uploadBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error {
	e, err := h.extraction(r, sess)
	if err != nil {
		return err
	}
	up, err := h.svc.NewUpload(r.Context(), sess.AccountID, e.ID)
	if err != nil {
		return err
	}
	show := func(status int, msg string) error { return h.showExtraction(w, r, sess, status, e, msg) }
	return h.receiveUpload(w, r, sess, mr, up, show, "/dashboard/extractions/"+e.ID, "extraction_id", e.ID)
}

// uploadClassificationBatch is uploadBatch for a classification, through
// pipeline.ClassificationUpload.
func (h *Handler) uploadClassificationBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error {
	c, err := h.classification(r, sess)
	if err != nil {
		return err
	}
	up, err := h.svc.NewClassificationUpload(r.Context(), sess.AccountID, c.ID)
	if err != nil {
		return err
	}
	show := func(status int, msg string) error { return h.showClassification(w, r, sess, status, c, msg) }
	return h.receiveUpload(w, r, sess, mr, up, show, "/dashboard/classifications/"+c.ID, "classification_id", c.ID)
}

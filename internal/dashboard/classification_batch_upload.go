package dashboard

import (
	"mime/multipart"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// uploadClassificationBatch streams the files of the multipart body into
// a new batch of the classification, through the same
// pipeline.ClassificationUpload as the JSON API (see receiveUpload).
func (h *Handler) uploadClassificationBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error {
	ctx := r.Context()
	c, err := h.classification(r, sess)
	if err != nil {
		return err
	}
	up, err := h.svc.NewClassificationUpload(ctx, sess.AccountID, c.ID)
	if err != nil {
		return err
	}
	return h.receiveUpload(w, r, sess, mr, up,
		func(name string) (string, int, error) {
			b, _, err := up.Commit(ctx, name, nil)
			return b.ID, b.FileCount, err
		},
		func(status int, msg string) error { return h.showClassification(w, r, sess, status, c, msg) },
		"/dashboard/classifications/"+c.ID, "classification_id", c.ID)
}

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
	ctx := r.Context()
	e, err := h.extraction(r, sess)
	if err != nil {
		return err
	}
	up, err := h.svc.NewUpload(ctx, sess.AccountID, e.ID)
	if err != nil {
		return err
	}
	return h.receiveUpload(w, r, sess, mr, up,
		func(name string) (string, int, error) {
			b, _, err := up.Commit(ctx, name, nil)
			return b.ID, b.FileCount, err
		},
		func(status int, msg string) error { return h.showExtraction(w, r, sess, status, e, msg) },
		"/dashboard/extractions/"+e.ID, "extraction_id", e.ID)
}

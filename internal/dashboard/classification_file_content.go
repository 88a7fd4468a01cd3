package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// classificationFileContent downloads the original upload of a
// classification file (see serveDocument).
func (h *Handler) classificationFileContent(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	f, err := h.db.ClassificationFile(r.Context(), sess.AccountID, r.PathValue("classification_id"), r.PathValue("batch_id"), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	return h.serveDocument(w, r, f.BlobKey, f.MIME, f.FileName, f.CreatedAt)
}

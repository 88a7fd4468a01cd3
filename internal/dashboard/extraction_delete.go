package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

func (h *Handler) deleteExtraction(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("extraction_id")
	if err := h.svc.DeleteExtraction(r.Context(), sess.AccountID, id); err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/extractions", "dashboard deleted extraction", "extraction_id", id)
}

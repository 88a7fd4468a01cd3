package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

func (h *Handler) deleteClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("classification_id")
	if err := h.svc.DeleteClassification(r.Context(), sess.AccountID, id); err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/classifications", "dashboard deleted classification", "classification_id", id)
}

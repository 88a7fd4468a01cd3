package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

func (h *Handler) deleteEndpoint(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("endpoint_id")
	if err := h.svc.DeleteEndpoint(r.Context(), sess.AccountID, id); err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/api", "dashboard deleted webhook endpoint", "endpoint_id", id)
}

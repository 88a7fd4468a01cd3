package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("key_id")
	if err := h.db.RevokeAPIKey(r.Context(), sess.AccountID, id, h.svc.Now()); err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/api", "dashboard revoked api key", "key_id", id)
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// enableEndpoint enables the endpoint (on) or disables it.
func (h *Handler) enableEndpoint(on bool) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		id := r.PathValue("endpoint_id")
		if _, _, err := h.svc.UpdateEndpoint(r.Context(), sess.AccountID, id, pipeline.EndpointInput{Enabled: &on}); err != nil {
			return err
		}
		return h.changed(w, r, sess, "/dashboard/api", "dashboard updated webhook endpoint", "endpoint_id", id, "enabled", on)
	}
}

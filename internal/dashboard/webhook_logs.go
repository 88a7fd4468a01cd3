package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// logsView is the page of an endpoint's last delivery attempts.
type logsView struct {
	page
	Endpoint     docparse.Endpoint
	Attempts     []docparse.Attempt
	EndpointPath string
}

func (h *Handler) logsPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.queryEndpoint(r, sess)
	if err != nil {
		return err
	}
	as, err := h.db.ListAttempts(r.Context(), sess.AccountID, e.ID, maxLogAttempts)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "logs", logsView{page: pageOf(sess, "Webhook logs", "api"),
		Endpoint: e, Attempts: as, EndpointPath: endpointQuery(e.ID)})
	return nil
}

package dashboard

import (
	"errors"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/wire"
)

// resendAttempt queues the attempt's event for delivery to its endpoint
// again.
func (h *Handler) resendAttempt(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, a, err := h.findAttempt(r, sess)
	if err != nil {
		return err
	}
	if a.EventType == wire.EventEndpointTest {
		h.showAttempt(w, r, sess, http.StatusBadRequest, e, a, "", "A test event cannot be resent. Use “Send test event” on the API page instead.")
		return nil
	}
	n, err := h.svc.ResendEvent(r.Context(), sess.AccountID, a.EventID, e.ID)
	if errors.Is(err, docparse.ErrNotFound) {
		h.showAttempt(w, r, sess, http.StatusNotFound, e, a, "", "This event is no longer kept (events are kept for 30 days) and cannot be resent.")
		return nil
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard resent webhook event", "account_id", sess.AccountID, "user_id", sess.UserID, "endpoint_id", e.ID, "event_id", a.EventID)
	notice := "The event is queued for delivery again."
	if n == 0 {
		notice = "The event is already queued for delivery."
	}
	h.showAttempt(w, r, sess, http.StatusOK, e, a, notice, "")
	return nil
}

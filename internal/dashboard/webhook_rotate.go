package dashboard

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// rotateSecret gives the endpoint a new signing secret; the old one also
// signs for the grace period given in hours.
func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.db.Endpoint(r.Context(), sess.AccountID, r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	var grace time.Duration
	if s := strings.TrimSpace(r.PostFormValue("grace_hours")); s != "" {
		hrs, perr := strconv.ParseFloat(s, 64)
		max := pipeline.MaxGracePeriod.Hours()
		if perr != nil || hrs < 0 || hrs > max {
			return h.showAPI(w, r, sess, http.StatusBadRequest, apiView{
				WebhookError: fmt.Sprintf("Grace period: must be a number of hours from 0 to %.0f.", max)})
		}
		grace = time.Duration(hrs * float64(time.Hour))
	}
	secret, err := h.svc.RotateSecret(r.Context(), sess.AccountID, e.ID, grace)
	if msg := validationMessage(err); msg != "" {
		return h.showAPI(w, r, sess, http.StatusBadRequest, apiView{WebhookError: msg})
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard rotated webhook secret", "account_id", sess.AccountID, "user_id", sess.UserID, "endpoint_id", e.ID)
	h.render(w, r, http.StatusOK, "endpoint_secret", endpointSecretView{page: pageOf(sess, "New webhook secret", "api"),
		NewSecret: secret, Endpoint: e, Grace: grace})
	return nil
}

package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// endpointSecretView is the page that shows an endpoint's new signing
// secret, once: of a new endpoint, or rotated with a grace period.
type endpointSecretView struct {
	page
	NewSecret   string
	Endpoint    docparse.Endpoint
	NewEndpoint bool
	Grace       time.Duration
}

func (h *Handler) createEndpoint(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	rawURL := strings.TrimSpace(r.PostFormValue("url"))
	types := r.PostForm["event_types"]
	if types == nil {
		types = []string{}
	}
	selected := map[string]bool{}
	for _, t := range types {
		selected[t] = true
	}
	failed := func(status int, msg string) error {
		return h.showAPI(w, r, sess, status, apiView{WebhookURL: rawURL, WebhookTypes: selected, WebhookError: msg})
	}
	e, err := h.svc.CreateEndpoint(r.Context(), sess.AccountID, pipeline.EndpointInput{URL: &rawURL, EventTypes: &types})
	if msg := validationMessage(err); msg != "" {
		return failed(http.StatusBadRequest, msg)
	}
	if le, ok := errors.AsType[*docparse.LimitError](err); ok {
		return failed(http.StatusConflict, fmt.Sprintf("This account already has %d webhook endpoints, the most it may hold. Delete one first.", le.Max))
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard created webhook endpoint", "account_id", sess.AccountID, "user_id", sess.UserID, "endpoint_id", e.ID)
	// Answered directly, not redirected: the secret is in this response only.
	h.render(w, r, http.StatusOK, "endpoint_secret", endpointSecretView{page: pageOf(sess, "New webhook endpoint", "api"),
		NewSecret: e.Secret, Endpoint: e, NewEndpoint: true})
	return nil
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
)

// apiView is the API page's: the keys with the create form, and the
// webhook endpoints with theirs. A form that failed keeps what was
// entered and says why.
type apiView struct {
	page
	Keys    []docparse.APIKey
	MaxKeys int
	KeyName string
	Error   string // the key form's problem

	Endpoints    []docparse.Endpoint
	MaxEndpoints int
	EventTypes   []string
	WebhookURL   string
	WebhookTypes map[string]bool
	WebhookError string
}

func (h *Handler) apiPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	return h.showAPI(w, r, sess, http.StatusOK, apiView{})
}

// showAPI renders the API page (keys and webhook settings) over v, which
// carries the state of a form that failed.
func (h *Handler) showAPI(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, v apiView) error {
	keys, _, err := h.db.ListAPIKeys(r.Context(), sess.AccountID, store.Page{Limit: 100})
	if err != nil {
		return err
	}
	eps, _, err := h.db.ListEndpoints(r.Context(), sess.AccountID, store.Page{Limit: store.MaxEndpoints})
	if err != nil {
		return err
	}
	v.page = pageOf(sess, "API keys", "api")
	v.Keys, v.MaxKeys = keys, store.MaxActiveKeys
	v.Endpoints, v.MaxEndpoints, v.EventTypes = eps, store.MaxEndpoints, pipeline.EventTypes
	if v.WebhookTypes == nil {
		v.WebhookTypes = map[string]bool{}
	}
	h.render(w, r, status, "api", v)
	return nil
}

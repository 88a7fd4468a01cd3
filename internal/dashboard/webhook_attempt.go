package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/wire"
)

// attemptView is the page of one delivery attempt: its request and the
// answer, with the resend button.
type attemptView struct {
	page
	Endpoint     docparse.Endpoint
	Attempt      docparse.Attempt
	Resendable   bool
	Notice       string
	Error        string
	EndpointPath string
}

func (h *Handler) attemptPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, a, err := h.findAttempt(r, sess)
	if err != nil {
		return err
	}
	h.showAttempt(w, r, sess, http.StatusOK, e, a, "", "")
	return nil
}

// findAttempt returns the endpoint's attempt named in the path.
func (h *Handler) findAttempt(r *http.Request, sess docparse.Session) (docparse.Endpoint, docparse.Attempt, error) {
	e, err := h.queryEndpoint(r, sess)
	if err != nil {
		return e, docparse.Attempt{}, err
	}
	as, err := h.db.ListAttempts(r.Context(), sess.AccountID, e.ID, maxDetailAttempts)
	if err != nil {
		return e, docparse.Attempt{}, err
	}
	id := r.PathValue("attempt_id")
	for _, a := range as {
		if a.ID == id {
			return e, a, nil
		}
	}
	return e, docparse.Attempt{}, errNotFound
}

func (h *Handler) showAttempt(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, e docparse.Endpoint, a docparse.Attempt, notice, msg string) {
	h.render(w, r, status, "attempt", attemptView{page: pageOf(sess, "Webhook attempt", "api"), Endpoint: e, Attempt: a,
		Resendable: a.EventType != wire.EventEndpointTest, Notice: notice, Error: msg, EndpointPath: endpointQuery(e.ID)})
}

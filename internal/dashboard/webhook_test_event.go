package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/wire"
)

// endpointTestView is the page that shows how an endpoint answered a
// test event.
type endpointTestView struct {
	page
	Endpoint     docparse.Endpoint
	Test         wire.TestResult
	EndpointPath string
}

// testEndpoint sends the endpoint a test event and shows its answer.
func (h *Handler) testEndpoint(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.db.Endpoint(r.Context(), sess.AccountID, r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	res, err := h.svc.TestEndpoint(r.Context(), sess.AccountID, e.ID)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "endpoint_test", endpointTestView{page: pageOf(sess, "Test event", "api"),
		Endpoint: e, Test: res, EndpointPath: endpointQuery(e.ID)})
	return nil
}

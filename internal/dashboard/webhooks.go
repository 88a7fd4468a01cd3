package dashboard

// What the webhook pages share: the endpoints are listed on the API page
// (api_show.go) and changed by the webhook_*.go actions; an endpoint's
// delivery attempts have their own pages.

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
)

// maxLogAttempts is how many attempts the logs page lists; an attempt's
// detail page is found among the last maxDetailAttempts.
const (
	maxLogAttempts    = 100
	maxDetailAttempts = 1000
)

// fieldNames are the form's names for the pipeline's validation paths.
var fieldNames = map[string]string{"url": "URL", "event_types": "Event types", "grace_period_seconds": "Grace period"}

// validationMessage renders a validation error for a person, or "" when
// err is not one.
func validationMessage(err error) string {
	var ve *docparse.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	parts := make([]string, 0, len(ve.Fields))
	for _, p := range slices.Sorted(maps.Keys(ve.Fields)) {
		name := p
		if i := strings.IndexByte(p, '['); i > 0 {
			name = p[:i]
		}
		if n, ok := fieldNames[name]; ok {
			name = n
		}
		parts = append(parts, fmt.Sprintf("%s: %s.", name, ve.Fields[p]))
	}
	return strings.Join(parts, " ")
}

// queryEndpoint returns the session's account's endpoint named by the
// endpoint query parameter; another account's is not found.
func (h *Handler) queryEndpoint(r *http.Request, sess docparse.Session) (docparse.Endpoint, error) {
	id := r.URL.Query().Get("endpoint")
	if id == "" {
		return docparse.Endpoint{}, errNotFound
	}
	return h.db.Endpoint(r.Context(), sess.AccountID, id)
}

// endpointQuery is the query that names endpoint id on the logs and
// attempt pages, for their links.
func endpointQuery(id string) string { return "?endpoint=" + url.QueryEscape(id) }

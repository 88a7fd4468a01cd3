package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// maxLogAttempts is how many attempts the logs page lists; an attempt's
// detail page is found among the last maxDetailAttempts.
const (
	maxLogAttempts    = 100
	maxDetailAttempts = 1000
)

// webhookView is what the webhook pages receive.
type webhookView struct {
	// api page: the endpoints and the create form's state.
	Endpoints    []docparse.Endpoint
	MaxEndpoints int
	EventTypes   []string
	WebhookURL   string
	WebhookTypes map[string]bool
	WebhookError string
	// endpoint_secret, endpoint_test, logs, attempt
	Endpoint     docparse.Endpoint
	NewEndpoint  bool // endpoint_secret: a new endpoint, not a rotation
	Grace        time.Duration
	Test         pipeline.TestResult
	Attempts     []docparse.Attempt
	Attempt      docparse.Attempt
	Resendable   bool
	Notice       string
	EndpointPath string // "?endpoint=we_..." for links
}

// headerField is one header of an attempt, in name order.
type headerField struct{ Name, Value string }

var webhookFuncs = map[string]any{
	"status": func(code *int) string {
		if code == nil {
			return "—"
		}
		return strconv.Itoa(*code)
	},
	"ok":   func(code *int) bool { return code != nil && *code >= 200 && *code < 300 },
	"ms":   func(ms float64) string { return strconv.FormatFloat(ms, 'f', 0, 64) + " ms" },
	"text": func(b []byte) string { return string(b) },
	"headers": func(m map[string]string) []headerField {
		out := make([]headerField, 0, len(m))
		for k, v := range m {
			out = append(out, headerField{k, v})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	},
	"join":  strings.Join,
	"hours": func(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', -1, 64) },
}

func (h *Handler) webhookRoutes(mux *http.ServeMux) {
	mux.Handle("POST /dashboard/api/webhooks", h.authed(h.createEndpoint))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/test", h.authed(h.testEndpoint))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/rotate", h.authed(h.rotateSecret))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/enable", h.authed(h.enableEndpoint(true)))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/disable", h.authed(h.enableEndpoint(false)))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/delete", h.authed(h.deleteEndpoint))
	mux.Handle("GET /dashboard/api/logs", h.authed(h.logsPage))
	mux.Handle("GET /dashboard/api/logs/{attempt_id}", h.authed(h.attemptPage))
	mux.Handle("POST /dashboard/api/logs/{attempt_id}/resend", h.authed(h.resendAttempt))
}

// fieldNames are the form's names for the pipeline's validation paths.
var fieldNames = map[string]string{"url": "URL", "event_types": "Event types", "grace_period_seconds": "Grace period"}

// validationMessage renders a validation error for a person, or "" when
// err is not one.
func validationMessage(err error) string {
	var ve *docparse.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	paths := make([]string, 0, len(ve.Fields))
	for p := range ve.Fields {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	parts := make([]string, 0, len(paths))
	for _, p := range paths {
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
		return h.showAPI(w, r, sess, status, view{webhookView: webhookView{WebhookURL: rawURL, WebhookTypes: selected, WebhookError: msg}})
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
	h.render(w, r, http.StatusOK, "endpoint_secret", view{Title: "New webhook endpoint", Nav: "api", Email: sess.Email, CSRF: sess.CSRFToken,
		NewSecret: e.Secret, webhookView: webhookView{Endpoint: e, NewEndpoint: true}})
	return nil
}

func (h *Handler) testEndpoint(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.db.Endpoint(r.Context(), sess.AccountID, r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	res, err := h.svc.TestEndpoint(r.Context(), sess.AccountID, e.ID)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "endpoint_test", view{Title: "Test event", Nav: "api", Email: sess.Email, CSRF: sess.CSRFToken,
		webhookView: webhookView{Endpoint: e, Test: res, EndpointPath: "?endpoint=" + url.QueryEscape(e.ID)}})
	return nil
}

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
			return h.showAPI(w, r, sess, http.StatusBadRequest, view{webhookView: webhookView{
				WebhookError: fmt.Sprintf("Grace period: must be a number of hours from 0 to %.0f.", max)}})
		}
		grace = time.Duration(hrs * float64(time.Hour))
	}
	secret, err := h.svc.RotateSecret(r.Context(), sess.AccountID, e.ID, grace)
	if msg := validationMessage(err); msg != "" {
		return h.showAPI(w, r, sess, http.StatusBadRequest, view{webhookView: webhookView{WebhookError: msg}})
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard rotated webhook secret", "account_id", sess.AccountID, "user_id", sess.UserID, "endpoint_id", e.ID)
	h.render(w, r, http.StatusOK, "endpoint_secret", view{Title: "New webhook secret", Nav: "api", Email: sess.Email, CSRF: sess.CSRFToken,
		NewSecret: secret, webhookView: webhookView{Endpoint: e, Grace: grace}})
	return nil
}

func (h *Handler) enableEndpoint(on bool) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		id := r.PathValue("endpoint_id")
		if _, _, err := h.svc.UpdateEndpoint(r.Context(), sess.AccountID, id, pipeline.EndpointInput{Enabled: &on}); err != nil {
			return err
		}
		h.log.Info("dashboard updated webhook endpoint", "account_id", sess.AccountID, "user_id", sess.UserID, "endpoint_id", id, "enabled", on)
		http.Redirect(w, r, "/dashboard/api", http.StatusSeeOther)
		return nil
	}
}

func (h *Handler) deleteEndpoint(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("endpoint_id")
	if err := h.svc.DeleteEndpoint(r.Context(), sess.AccountID, id); err != nil {
		return err
	}
	h.log.Info("dashboard deleted webhook endpoint", "account_id", sess.AccountID, "user_id", sess.UserID, "endpoint_id", id)
	http.Redirect(w, r, "/dashboard/api", http.StatusSeeOther)
	return nil
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

func (h *Handler) logsPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.queryEndpoint(r, sess)
	if err != nil {
		return err
	}
	as, err := h.db.ListAttempts(r.Context(), sess.AccountID, e.ID, maxLogAttempts)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "logs", view{Title: "Webhook logs", Nav: "api", Email: sess.Email, CSRF: sess.CSRFToken,
		webhookView: webhookView{Endpoint: e, Attempts: as, EndpointPath: "?endpoint=" + url.QueryEscape(e.ID)}})
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
	h.render(w, r, status, "attempt", view{Title: "Webhook attempt", Nav: "api", Email: sess.Email, CSRF: sess.CSRFToken, Error: msg,
		webhookView: webhookView{Endpoint: e, Attempt: a, Resendable: a.EventType != pipeline.EventEndpointTest,
			Notice: notice, EndpointPath: "?endpoint=" + url.QueryEscape(e.ID)}})
}

func (h *Handler) attemptPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, a, err := h.findAttempt(r, sess)
	if err != nil {
		return err
	}
	h.showAttempt(w, r, sess, http.StatusOK, e, a, "", "")
	return nil
}

func (h *Handler) resendAttempt(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, a, err := h.findAttempt(r, sess)
	if err != nil {
		return err
	}
	if a.EventType == pipeline.EventEndpointTest {
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

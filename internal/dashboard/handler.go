package dashboard

// The request adapters: a handler returns its error, and handleBody turns
// it into the error page (or a session's page into a redirect to the
// sign-in page); authed and authedBody check the session, its request
// limit and the CSRF token of a POST first.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/ratelimit"
)

// pageError is an error answered with its own status and message.
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

var (
	errForbidden = &pageError{http.StatusForbidden, "This form has expired or did not come from this dashboard. Go back, reload the page and try again."}
	errNotFound  = &pageError{http.StatusNotFound, "There is no such page."}
)

// errorView is the error page's.
type errorView struct {
	page
	Message string
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: errors become an error page; internal ones
// are logged once. A POST body is bounded by maxForm.
func (h *Handler) handle(fn handlerFunc) http.Handler { return h.handleBody(maxForm, fn) }

// handleBody is handle with a POST body of at most limit bytes.
func (h *Handler) handleBody(limit int64, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		err := fn(w, r)
		if err == nil {
			return
		}
		var pe *pageError
		var qe *docparse.QuotaError
		var le *docparse.LimitError
		switch {
		case errors.As(err, &pe):
		case errors.As(err, &qe):
			pe = quotaProblem(qe)
		case errors.As(err, &le):
			// A count quota (extractions, classifications): the error
			// says which, for example "an account may hold at most 1000
			// extractions; delete one first".
			msg := le.Error()
			pe = &pageError{http.StatusConflict, strings.ToUpper(msg[:1]) + msg[1:] + "."}
		case errors.Is(err, docparse.ErrNotFound):
			pe = errNotFound
		default:
			h.log.Error("dashboard error", "method", r.Method, "path", r.URL.Path, "request_id", w.Header().Get("X-Request-Id"), "err", err)
			pe = &pageError{http.StatusInternalServerError, "Something went wrong on our side. Try again in a moment."}
		}
		h.render(w, r, pe.status, "error", errorView{page: page{Title: http.StatusText(pe.status)}, Message: pe.msg})
	})
}

// sessionFunc is a handler for a signed-in user.
type sessionFunc func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error

// authed requires a live session: a GET without one is sent to the sign-in
// page, a POST is refused. Every POST must carry the session's CSRF token
// in its csrf_token form field.
func (h *Handler) authed(fn sessionFunc) http.Handler { return h.authedBody(maxForm, fn) }

// authedBody is authed with a POST form of at most limit bytes.
func (h *Handler) authedBody(limit int64, fn sessionFunc) http.Handler {
	return h.handleBody(limit, func(w http.ResponseWriter, r *http.Request) error {
		sess, ok, err := h.session(w, r)
		if !ok || err != nil {
			return err
		}
		if err := h.rateLimit(w, sess); err != nil {
			return err
		}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				return formError(err, limit)
			}
			if !sameToken(r.PostFormValue("csrf_token"), sess.CSRFToken) {
				return errForbidden
			}
		}
		return fn(w, r, sess)
	})
}

// rateLimit takes one request from the account's bucket, or answers 429
// with Retry-After and a message.
func (h *Handler) rateLimit(w http.ResponseWriter, sess docparse.Session) error {
	d := h.limits.Request(sess.AccountID)
	d.SetHeaders(w.Header())
	if d.OK {
		return nil
	}
	cfg := h.limits.Config()
	return &pageError{http.StatusTooManyRequests, fmt.Sprintf(
		"Too many requests for this account: at most %g per second (bursts of %d), its API keys included. Try again in %d second%s.",
		cfg.Rate, cfg.Burst, d.RetryAfter, plural(d.RetryAfter))}
}

// formError explains a form that could not be read: too large (413), or
// malformed or cut off (400).
func formError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	var sbe *ratelimit.SlowBodyError
	if errors.As(err, &sbe) {
		return &pageError{http.StatusRequestTimeout, "This form arrived too slowly and was stopped. Try again."}
	}
	if errors.As(err, &mbe) {
		return &pageError{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("This form is larger than %d KB, the most this page accepts. Send fewer or shorter values.", limit>>10)}
	}
	return &pageError{http.StatusBadRequest, "The form could not be read. Reload the page and try again."}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// changed logs a change the signed-in user made, with attrs, and sends
// the browser on to the page at to (303), so that reloading it posts
// nothing again.
func (h *Handler) changed(w http.ResponseWriter, r *http.Request, sess docparse.Session, to, msg string, attrs ...any) error {
	h.log.Info(msg, append([]any{"account_id", sess.AccountID, "user_id", sess.UserID}, attrs...)...)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// writeJSON answers v as JSON with status: the live status of a batch
// page, and the answers of the upload script.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encode response"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// Package dashboard serves docparse's web dashboard: server-rendered
// html/template pages under /dashboard/, over the same pipeline and store
// as the JSON API. Users sign in with an email and a password (see
// `docparse users create`); the session cookie authorises the dashboard
// only, never the JSON API, and API keys cannot sign in here.
//
// Every POST carries the session's CSRF token in a hidden field (the sign-in
// form a double-submit cookie; an upload, whose body streams unparsed, the
// X-CSRF-Token header or a first multipart part); a POST without it is
// answered 403.
package dashboard

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Cookie names. The session cookie holds a random token whose SHA-256 is
// the stored session id.
const (
	sessionCookie = "dp_session"
	loginCookie   = "dp_login_csrf"
	cookiePath    = "/dashboard/"
)

// maxForm bounds the body of a dashboard form.
const maxForm = 64 << 10

// Handler serves the dashboard. Mount it at /dashboard/. Safe for
// concurrent use.
type Handler struct {
	db    *store.DB
	svc   *pipeline.Service
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
	// logins throttles failed sign-ins (see throttle.go).
	logins *loginThrottle
	// limits are the per-account request and key creation limits, shared
	// with the API; nil limits nothing.
	limits *ratelimit.Limits
	// proxies are the trusted reverse proxies (see proxy.go).
	proxies []netip.Prefix
}

// New returns the dashboard handler. A signed-in user's requests draw on
// the account's bucket of limits, as its API keys do. It panics if an
// embedded template does not parse, which the tests catch.
func New(db *store.DB, svc *pipeline.Service, limits *ratelimit.Limits, logger *slog.Logger) *Handler {
	h := &Handler{db: db, svc: svc, log: logger, pages: map[string]*template.Template{}, logins: newLoginThrottle(svc.Now),
		limits: limits}
	funcs := template.FuncMap{
		"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"utc":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"args":     args,
	}
	for k, v := range webhookFuncs {
		funcs[k] = v
	}
	for k, v := range reviewFuncs {
		funcs[k] = v
	}
	for k, v := range extractionFuncs {
		funcs[k] = v
	}
	for k, v := range classificationFuncs {
		funcs[k] = v
	}
	// Every template but the layout and the parts (_*.html, shared by
	// pages) is a page, rendered inside the layout.
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		page := strings.TrimSuffix(path.Base(name), ".html")
		if page == "layout" || strings.HasPrefix(page, "_") {
			continue
		}
		h.pages[page] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/_*.html", name))
	}
	h.mux = h.routes()
	return h
}

// args makes the argument of a shared part: a map of its name/value
// pairs.
func args(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("args: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("args: name %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// routes lists every page of the dashboard.
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(assetFS, "assets")
	mux.Handle("GET /dashboard/assets/", http.StripPrefix("/dashboard/assets/", http.FileServerFS(assets)))
	mux.Handle("GET /dashboard/{$}", h.handle(func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/dashboard/api", http.StatusSeeOther)
		return nil
	}))
	mux.Handle("GET /dashboard/login", h.handle(h.loginPage))
	mux.Handle("POST /dashboard/login", h.handle(h.login))
	mux.Handle("POST /dashboard/logout", h.authed(h.logout))
	mux.Handle("GET /dashboard/api", h.authed(h.apiPage))
	mux.Handle("POST /dashboard/api/keys", h.authed(h.createKey))
	mux.Handle("POST /dashboard/api/keys/{key_id}/revoke", h.authed(h.revokeKey))
	h.webhookRoutes(mux)
	h.reviewRoutes(mux)
	// Extractions, their batches and uploads (see extractions.go, batches.go).
	mux.Handle("GET /dashboard/extractions", h.authed(h.extractionsPage))
	mux.Handle("GET /dashboard/extractions/new", h.authed(h.newExtractionPage))
	mux.Handle("POST /dashboard/extractions", h.authedBody(maxSchemaForm, h.createExtraction))
	mux.Handle("GET /dashboard/extractions/{extraction_id}", h.authed(h.extractionPage))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/edit", h.authed(h.editExtractionPage))
	mux.Handle("POST /dashboard/extractions/{extraction_id}/edit", h.authedBody(maxSchemaForm, h.updateExtraction))
	mux.Handle("POST /dashboard/extractions/{extraction_id}/delete", h.authed(h.deleteExtraction))
	mux.Handle("POST /dashboard/extractions/{extraction_id}/batches", h.authedUpload(h.uploadBatch))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/batches/{batch_id}", h.authed(h.batchPage))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/batches/{batch_id}/status", h.authed(h.batchStatus))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/batches/{batch_id}/export", h.authed(h.exportBatch))
	// Classifications, their batches, uploads and overrides (see
	// classifications.go).
	mux.Handle("GET /dashboard/classifications", h.authed(h.classificationsPage))
	mux.Handle("GET /dashboard/classifications/new", h.authed(h.newClassificationPage))
	mux.Handle("POST /dashboard/classifications", h.authedBody(maxSchemaForm, h.createClassification))
	mux.Handle("GET /dashboard/classifications/{classification_id}", h.authed(h.classificationPage))
	mux.Handle("GET /dashboard/classifications/{classification_id}/edit", h.authed(h.editClassificationPage))
	mux.Handle("POST /dashboard/classifications/{classification_id}/edit", h.authedBody(maxSchemaForm, h.updateClassification))
	mux.Handle("POST /dashboard/classifications/{classification_id}/delete", h.authed(h.deleteClassification))
	mux.Handle("POST /dashboard/classifications/{classification_id}/batches", h.authedUpload(h.uploadClassificationBatch))
	mux.Handle("GET /dashboard/classifications/{classification_id}/batches/{batch_id}", h.authed(h.clsBatchPage))
	mux.Handle("GET /dashboard/classifications/{classification_id}/batches/{batch_id}/status", h.authed(h.clsBatchStatus))
	mux.Handle("POST /dashboard/classifications/{classification_id}/batches/{batch_id}/files/{file_id}/override", h.authed(h.overrideFile))
	mux.Handle("GET /dashboard/classifications/{classification_id}/batches/{batch_id}/files/{file_id}/content", h.authed(h.classificationFileContent))
	// Any other path: the sign-in page for a visitor, a 404 for a user.
	mux.Handle("/dashboard/", h.authed(func(w http.ResponseWriter, r *http.Request, _ docparse.Session) error {
		return errNotFound
	}))
	return mux
}

// ServeHTTP serves the dashboard.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

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
		h.render(w, r, pe.status, "error", view{Title: http.StatusText(pe.status), Message: pe.msg})
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

// session returns the request's live session. Without one it answers
// itself (a GET is sent to the sign-in page, anything else is
// errForbidden) and reports !ok. Pages of a session are never cached.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) (docparse.Session, bool, error) {
	var token string
	if c, err := r.Cookie(sessionCookie); err == nil {
		token = c.Value
	}
	sess, err := h.svc.Session(r.Context(), token)
	if errors.Is(err, docparse.ErrNotFound) {
		if r.Method != http.MethodGet {
			return sess, false, errForbidden
		}
		http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
		return sess, false, nil
	}
	if err != nil {
		return sess, false, err
	}
	w.Header().Set("Cache-Control", "no-store")
	return sess, true, nil
}

// sameToken compares a posted token with the expected one in constant
// time; an empty token never matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// view is what every page template receives.
type view struct {
	Title   string
	Nav     string // the section of the top navigation this page is in
	Email   string // the signed-in user; empty on the sign-in page
	CSRF    string
	Message string
	Error   string

	// login
	LoginEmail string
	// api
	Keys    []docparse.APIKey
	MaxKeys int
	KeyName string
	// key_created
	NewKey    docparse.APIKey
	NewSecret string

	// webhooks (see webhooks.go)
	webhookView
	// review queue and file pages (see review.go)
	reviewView
	// extractions and batches (see extractions.go, batches.go)
	extractionView
	// classifications and their batches (see classifications.go)
	classificationView
}

// render writes page with status. Rendering into a buffer first means a
// template error is a clean 500, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	var buf bytes.Buffer
	if err := h.pages[page].Execute(&buf, v); err != nil {
		h.log.Error("dashboard render", "page", page, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, expires time.Time) {
	c := &http.Cookie{Name: name, Value: value, Path: cookiePath, HttpOnly: true, Secure: h.secureRequest(r),
		SameSite: http.SameSiteLaxMode}
	if value == "" {
		c.MaxAge = -1
	} else if !expires.IsZero() {
		c.Expires = expires
		c.MaxAge = int(time.Until(expires).Seconds())
	}
	http.SetCookie(w, c)
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := h.svc.Session(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, "/dashboard/api", http.StatusSeeOther)
			return nil
		}
	}
	return h.showLogin(w, r, http.StatusOK, "", "")
}

// showLogin renders the sign-in form with a fresh double-submit CSRF
// token.
func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, email, msg string) error {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("random token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	h.setCookie(w, r, loginCookie, token, time.Time{})
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, status, "login", view{Title: "Sign in", CSRF: token, LoginEmail: email, Error: msg})
	return nil
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf_token"), c.Value) {
		return errForbidden
	}
	email := r.PostFormValue("email")
	at, refused := h.logins.reserve(r, email)
	if refused != nil {
		secs := int(refused.wait.Seconds())
		if time.Duration(secs)*time.Second < refused.wait {
			secs++
		}
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		h.log.Warn("dashboard sign-in throttled", "remote", r.RemoteAddr, "busy", refused.busy)
		if refused.busy {
			return h.showLogin(w, r, http.StatusTooManyRequests, email,
				"Too many sign-ins are in progress for this account or from this address. Try again in a moment.")
		}
		mins := (secs + 59) / 60
		return h.showLogin(w, r, http.StatusTooManyRequests, email,
			fmt.Sprintf("Too many failed sign-ins. Try again in %d minute%s.", mins, plural(mins)))
	}
	var (
		sess  docparse.Session
		token string
	)
	if !h.logins.check(r, func() { sess, token, err = h.svc.SignIn(r.Context(), email, r.PostFormValue("password")) }) {
		at.abandoned()
		return r.Context().Err()
	}
	if errors.Is(err, pipeline.ErrBadCredentials) {
		at.failed()
		return h.showLogin(w, r, http.StatusUnauthorized, email, "The email or the password is incorrect.")
	}
	if err != nil {
		at.abandoned()
		return err
	}
	at.succeeded()
	h.setCookie(w, r, loginCookie, "", time.Time{})
	h.setCookie(w, r, sessionCookie, token, sess.ExpiresAt)
	http.Redirect(w, r, "/dashboard/api", http.StatusSeeOther)
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	if err := h.svc.SignOut(r.Context(), sess); err != nil {
		return err
	}
	h.setCookie(w, r, sessionCookie, "", time.Time{})
	http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
	return nil
}

func (h *Handler) apiPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	return h.showKeys(w, r, sess, http.StatusOK, "", "")
}

// showKeys renders the API page, with an error about the create form when
// msg is set.
func (h *Handler) showKeys(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, name, msg string) error {
	return h.showAPI(w, r, sess, status, view{KeyName: name, Error: msg})
}

// showAPI renders the API page (keys and webhook settings) over v, which
// carries the state of a form that failed.
func (h *Handler) showAPI(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, v view) error {
	keys, _, err := h.db.ListAPIKeys(r.Context(), sess.AccountID, store.Page{Limit: 100})
	if err != nil {
		return err
	}
	eps, _, err := h.db.ListEndpoints(r.Context(), sess.AccountID, store.Page{Limit: store.MaxEndpoints})
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Email, v.CSRF = "API keys", "api", sess.Email, sess.CSRFToken
	v.Keys, v.MaxKeys = keys, store.MaxActiveKeys
	v.Endpoints, v.MaxEndpoints, v.EventTypes = eps, store.MaxEndpoints, pipeline.EventTypes
	if v.WebhookTypes == nil {
		v.WebhookTypes = map[string]bool{}
	}
	h.render(w, r, status, "api", v)
	return nil
}

func (h *Handler) createKey(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if utf8.RuneCountInString(name) > 200 {
		return h.showKeys(w, r, sess, http.StatusBadRequest, name, "The name must be at most 200 characters.")
	}
	if d := h.limits.CreateKey(sess.AccountID); !d.OK {
		w.Header().Set("Retry-After", strconv.Itoa(d.RetryAfter))
		mins := (d.RetryAfter + 59) / 60
		return h.showKeys(w, r, sess, http.StatusTooManyRequests, name, fmt.Sprintf(
			"This account has created %d keys within the hour, the most it may. Try again in %d minute%s.",
			h.limits.Config().KeysPerHour, mins, plural(mins)))
	}
	k, secret, err := h.svc.CreateAPIKey(r.Context(), sess.AccountID, name)
	if le, ok := errors.AsType[*docparse.LimitError](err); ok {
		return h.showKeys(w, r, sess, http.StatusConflict, name,
			fmt.Sprintf("This account already has %d active keys, the most it may hold. Revoke one first.", le.Max))
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard created api key", "account_id", sess.AccountID, "user_id", sess.UserID, "key_id", k.ID)
	// Answered directly, not redirected: the secret is in this response
	// only, which no-store keeps out of the browser's cache.
	h.render(w, r, http.StatusOK, "key_created", view{Title: "New API key", Nav: "api", Email: sess.Email, CSRF: sess.CSRFToken,
		NewKey: k, NewSecret: secret})
	return nil
}

func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("key_id")
	if err := h.db.RevokeAPIKey(r.Context(), sess.AccountID, id, h.svc.Now()); err != nil {
		return err
	}
	h.log.Info("dashboard revoked api key", "account_id", sess.AccountID, "user_id", sess.UserID, "key_id", id)
	http.Redirect(w, r, "/dashboard/api", http.StatusSeeOther)
	return nil
}

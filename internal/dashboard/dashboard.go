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
//
// routes.go lists every route. Each page and each action has its own file,
// named for it as the route reads (extraction_show.go, key_revoke.go).
// Where the extraction and the classification pages do the same, one
// handler serves both, in the file named for it: listPage (list.go),
// showing (path_values.go), newPage, editPage and saving (form_pages.go),
// deleting (delete.go; the webhook endpoints' too) and the uploads
// (batch_upload.go). The forms that several of them show live in
// schema_form.go, category_form.go and review_form.go, the request
// adapters in handler.go.
package dashboard

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

const (
	// maxForm bounds the body of a dashboard form.
	maxForm = 64 << 10
	// maxListed is how many extractions or classifications, and batches
	// of one of them, a page lists.
	maxListed = 100
)

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

// ServeHTTP serves the dashboard.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// page is what the layout shows of every page: its title, the section of
// the top navigation it is in, and the signed-in user. Each page's view
// embeds it; a view without Email (the sign-in and error pages) shows no
// navigation.
type page struct {
	Title string
	Nav   string
	Email string
	CSRF  string
}

// pageOf is the layout of a signed-in user's page.
func pageOf(sess docparse.Session, title, nav string) page {
	return page{Title: title, Nav: nav, Email: sess.Email, CSRF: sess.CSRFToken}
}

// render writes the page named name, showing v, with status. Rendering
// into a buffer first means a template error is a clean 500, not half a
// page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v any) {
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, v); err != nil {
		h.log.Error("dashboard render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

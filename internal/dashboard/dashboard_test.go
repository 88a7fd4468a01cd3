package dashboard_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/dashboard"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
)

const (
	email    = "ada@example.com"
	password = "correct horse battery"
)

var (
	csrfRE   = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	secretRE = regexp.MustCompile(`dp_live_[0-9A-Za-z]{32}`)

	// The paths of dashboard pages, with the ids they name.
	extPathRE      = regexp.MustCompile(`^/dashboard/extractions/(ext_[0-9A-Za-z]+)$`)
	batchPathRE    = regexp.MustCompile(`^/dashboard/extractions/ext_[0-9A-Za-z]+/batches/(btc_[0-9A-Za-z]+)$`)
	extBatchPathRE = regexp.MustCompile(`^/dashboard/extractions/(ext_[0-9A-Za-z]+)/batches/(btc_[0-9A-Za-z]+)$`)
	clsPathRE      = regexp.MustCompile(`^/dashboard/classifications/(cls_[0-9A-Za-z]+)$`)
	clsBatchPathRE = regexp.MustCompile(`^/dashboard/classifications/cls_[0-9A-Za-z]+/batches/(cbtc_[0-9A-Za-z]+)$`)
)

// browser is a cookie-keeping client of one test server that follows
// redirects, as a browser does.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

// page is a response read whole.
type page struct {
	status int
	path   string // after redirects
	body   string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	return read(b.t, resp)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	return read(b.t, resp)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return page{status: resp.StatusCode, path: resp.Request.URL.Path, body: string(body)}
}

// landedOn checks that p answered 200 on a page whose path matches re
// and whose body holds each of wants, and returns the path's first group
// (the id of what a form created).
func landedOn(t *testing.T, p page, re *regexp.Regexp, wants ...string) string {
	t.Helper()
	m := re.FindStringSubmatch(p.path)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("answered %d on %s, want a page like %s:\n%s", p.status, p.path, re, p.body)
	}
	for _, want := range wants {
		if !strings.Contains(p.body, want) {
			t.Fatalf("page %s lacks %q:\n%s", p.path, want, p.body)
		}
	}
	return m[1]
}

// csrf returns the CSRF token of the page's forms.
func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("page %s has no csrf_token field:\n%s", p.path, p.body)
	}
	return m[1]
}

// login signs in through the form and returns the page it lands on.
func (b *browser) login(email, password string) page {
	b.t.Helper()
	form := b.get("/dashboard/login")
	return b.post("/dashboard/login", url.Values{"csrf_token": {form.csrf(b.t)}, "email": {email}, "password": {password}})
}

// sessionSetCookie signs in through the form, with the extra request
// header, and returns the Set-Cookie header of the session cookie that
// the sign-in answers (not following its redirect).
func (b *browser) sessionSetCookie(email, password string, header http.Header) string {
	b.t.Helper()
	form := url.Values{"csrf_token": {b.get("/dashboard/login").csrf(b.t)}, "email": {email}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, b.base+"/dashboard/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	noFollow := &http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "dp_session=") {
			return c
		}
	}
	b.t.Fatalf("sign-in set no session cookie: %d", resp.StatusCode)
	return ""
}

// sessionCookie returns the browser's dashboard session token.
func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.base + "/dashboard/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "dp_session" {
			return c.Value
		}
	}
	return ""
}

func apiStatus(t *testing.T, base, bearer string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/extractions", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /v1/extractions: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSignInThrottled: after five wrong passwords for an email, even the
// right password is refused with 429 and a clear message, while another
// user signs in from the same browser.
func TestSignInThrottled(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
	srv.User("acme", email, password)
	srv.User("acme", "bob@example.com", password)
	b := newBrowser(t, srv.URL)
	for i := 0; i < 5; i++ {
		if p := b.login(email, "wrong password"); p.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, p.status)
		}
	}
	p := b.login(email, password)
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many failed sign-ins. Try again in 15 minutes.") {
		t.Fatalf("sign-in after 5 failures = %d:\n%s", p.status, p.body)
	}
	if b.sessionCookie() != "" {
		t.Fatal("a throttled sign-in set a session cookie")
	}
	if p := b.login("bob@example.com", password); p.status != http.StatusOK || p.path != "/dashboard/" {
		t.Fatalf("another user's sign-in = %d on %s", p.status, p.path)
	}
}

// TestFormTooLarge: a form over the limit is answered 413 with a message
// that says so, not as an expired form.
func TestFormTooLarge(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
	srv.User("acme", email, password)
	b := newBrowser(t, srv.URL)
	csrf := b.login(email, password).csrf(t)
	p := b.post("/dashboard/api/keys", url.Values{"csrf_token": {csrf}, "name": {strings.Repeat("k", 80<<10)}})
	if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "This form is larger than 64 KB") {
		t.Fatalf("an 80 KB form = %d:\n%s", p.status, p.body)
	}
	if p := b.post("/dashboard/api/keys", url.Values{"csrf_token": {csrf}, "name": {"small"}}); p.status != http.StatusOK {
		t.Fatalf("a small form after it = %d", p.status)
	}
}

// The server's root sends a browser to the dashboard; other unknown paths
// stay the API's 404.
func TestRootRedirect(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
	b := newBrowser(t, srv.URL)
	if p := b.get("/"); p.path != "/dashboard/login" || !strings.Contains(p.body, "Sign in") {
		t.Fatalf("GET / landed on %s (%d), want the dashboard's sign-in page", p.path, p.status)
	}
	if p := b.get("/nowhere"); p.status != http.StatusNotFound || !strings.Contains(p.body, "route_not_found") {
		t.Fatalf("GET /nowhere = %d %s, want the API's 404", p.status, p.body)
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoWorkers: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)
		apiKey := srv.Key("acme")
		b := newBrowser(t, srv.URL)

		if p := b.get("/dashboard/"); p.path != "/dashboard/login" || !strings.Contains(p.body, "Sign in") {
			t.Fatalf("GET /dashboard/ signed out landed on %s, want the sign-in page", p.path)
		}

		// Wrong password, unknown email, and an API key as the password
		// are all refused with the same message.
		for _, c := range []struct{ email, password string }{
			{email, "not the password"}, {"eve@example.com", password}, {email, apiKey},
		} {
			p := b.login(c.email, c.password)
			if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "The email or the password is incorrect.") {
				t.Fatalf("login(%q, %q) = %d on %s, want 401 with the error shown:\n%s", c.email, c.password, p.status, p.path, p.body)
			}
		}
		if b.sessionCookie() != "" {
			t.Fatal("a failed login set a session cookie")
		}

		p := b.login(strings.ToUpper(email), password)
		if p.status != http.StatusOK || p.path != "/dashboard/" || !strings.Contains(p.body, "<h1>Overview</h1>") {
			t.Fatalf("login = %d on %s, want 200 on the overview, /dashboard/", p.status, p.path)
		}
		p = b.get("/dashboard/api")
		if !strings.Contains(p.body, "servertest") || !strings.Contains(p.body, "dp_live_…"+apiKey[len(apiKey)-4:]) {
			t.Fatalf("API page does not list the account's key:\n%s", p.body)
		}
		if strings.Contains(p.body, apiKey) {
			t.Fatal("API page shows a whole key")
		}
		csrf := p.csrf(t)
		session := b.sessionCookie()
		if session == "" {
			t.Fatal("no session cookie after login")
		}

		// The session cookie does not authorise the JSON API.
		if got := apiStatus(t, srv.URL, session); got != http.StatusUnauthorized {
			t.Errorf("session cookie as Bearer key: GET /v1/extractions = %d, want 401", got)
		}

		// POSTs without the session's CSRF token are refused.
		for _, form := range []url.Values{{"name": {"x"}}, {"name": {"x"}, "csrf_token": {"wrong"}}} {
			if p := b.post("/dashboard/api/keys", form); p.status != http.StatusForbidden {
				t.Errorf("POST /dashboard/api/keys %v = %d, want 403", form, p.status)
			}
		}
		if p := b.post("/dashboard/logout", nil); p.status != http.StatusForbidden {
			t.Errorf("POST /dashboard/logout without token = %d, want 403", p.status)
		}

		// Create: the secret is shown once, then only its last four.
		p = b.post("/dashboard/api/keys", url.Values{"csrf_token": {csrf}, "name": {"ci-bot"}})
		secret := secretRE.FindString(p.body)
		if p.status != http.StatusOK || secret == "" {
			t.Fatalf("create key = %d, want 200 showing dp_live_...:\n%s", p.status, p.body)
		}
		if got := apiStatus(t, srv.URL, secret); got != http.StatusOK {
			t.Errorf("new key: GET /v1/extractions = %d, want 200", got)
		}
		p = b.get("/dashboard/api")
		if !strings.Contains(p.body, "ci-bot") || !strings.Contains(p.body, "dp_live_…"+secret[len(secret)-4:]) {
			t.Fatalf("API page does not list the new key:\n%s", p.body)
		}
		if strings.Contains(p.body, secret) {
			t.Fatal("API page shows the new key's secret again")
		}

		// Revoke.
		acct, err := srv.DB.AccountByName(context.Background(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		keyID := keyIDByName(t, srv.DB, acct.ID, "ci-bot")
		p = b.post("/dashboard/api/keys/"+keyID+"/revoke", url.Values{"csrf_token": {csrf}})
		if p.status != http.StatusOK || p.path != "/dashboard/api" || strings.Contains(p.body, "ci-bot") {
			t.Fatalf("revoke = %d on %s, want the API page without ci-bot:\n%s", p.status, p.path, p.body)
		}
		if id := keyIDByName(t, srv.DB, acct.ID, "ci-bot"); id != "" {
			t.Fatalf("key %s still active after revoke", id)
		}

		// Logout ends the session on the server, not only in the browser.
		p = b.post("/dashboard/logout", url.Values{"csrf_token": {csrf}})
		if p.path != "/dashboard/login" {
			t.Fatalf("logout landed on %s, want /dashboard/login", p.path)
		}
		replay := newBrowser(t, srv.URL)
		u, _ := url.Parse(srv.URL + "/dashboard/")
		replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "dp_session", Value: session}})
		if p := replay.get("/dashboard/api"); p.path != "/dashboard/login" {
			t.Fatalf("old session cookie after logout reached %s, want /dashboard/login", p.path)
		}
		if p := replay.post("/dashboard/api/keys", url.Values{"csrf_token": {csrf}}); p.status != http.StatusForbidden {
			t.Fatalf("POST with old session after logout = %d, want 403", p.status)
		}
	})
}

// keyIDByName returns the id of the account's active key named name, or "".
func keyIDByName(t *testing.T, db *store.DB, accountID, name string) string {
	t.Helper()
	keys, _, err := db.ListAPIKeys(context.Background(), accountID, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Name == name {
			return k.ID
		}
	}
	return ""
}

func TestCookieAndAccounts(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
	srv.User("acme", email, password)
	srv.User("other", "bob@example.com", password)
	srv.Key("acme")
	b := newBrowser(t, srv.URL)

	// The session cookie's attributes, on the login response itself.
	set := b.sessionSetCookie("bob@example.com", password, nil)
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/dashboard/", "Max-Age=43"} {
		if !strings.Contains(set, want) {
			t.Errorf("session Set-Cookie = %q, want %s", set, want)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("session Set-Cookie = %q: Secure over plain HTTP", set)
	}

	// bob's account has no keys: the empty state, and acme's key cannot be
	// revoked from it.
	p := b.get("/dashboard/api")
	if !strings.Contains(p.body, "No API keys yet.") {
		t.Fatalf("empty account's API page lacks the empty state:\n%s", p.body)
	}
	acme, err := srv.DB.AccountByName(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	id := keyIDByName(t, srv.DB, acme.ID, "servertest")
	if p := b.post("/dashboard/api/keys/"+id+"/revoke", url.Values{"csrf_token": {p.csrf(t)}}); p.status != http.StatusNotFound {
		t.Fatalf("revoke another account's key = %d, want 404", p.status)
	}
	if keyIDByName(t, srv.DB, acme.ID, "servertest") == "" {
		t.Fatal("another account's key was revoked")
	}

	// Login without the login form's token is refused.
	fresh := newBrowser(t, srv.URL)
	if p := fresh.post("/dashboard/login", url.Values{"email": {email}, "password": {password}}); p.status != http.StatusForbidden {
		t.Fatalf("login without csrf token = %d, want 403", p.status)
	}

	// Unknown pages are HTML 404s; assets are served.
	if p := b.get("/dashboard/nope"); p.status != http.StatusNotFound {
		t.Errorf("GET /dashboard/nope = %d, want 404", p.status)
	}
	if p := b.get("/dashboard/assets/style.css"); p.status != http.StatusOK || !strings.Contains(p.body, "@media") {
		t.Errorf("GET style.css = %d", p.status)
	}
}

// TestTrustedProxyCookie: signing in through a trusted proxy that says
// https sets a Secure session cookie; the same header from an untrusted
// peer does not.
func TestTrustedProxyCookie(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies string
		want    bool
	}{{"trusted", "127.0.0.0/8,::1", true}, {"untrusted", "192.0.2.0/24", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proxies, err := dashboard.ParseTrustedProxies(tc.proxies)
			if err != nil {
				t.Fatal(err)
			}
			srv := servertest.Start(t, servertest.Options{NoWorkers: true, TrustedProxies: proxies})
			srv.User("acme", email, password)
			set := newBrowser(t, srv.URL).sessionSetCookie(email, password, http.Header{"X-Forwarded-Proto": {"https"}})
			if got := strings.Contains(set, "; Secure"); got != tc.want {
				t.Errorf("session Set-Cookie = %q, Secure %v, want %v", set, got, tc.want)
			}
		})
	}
}

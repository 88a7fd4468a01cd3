package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/dashboard"
	"github.com/docparse/docparse/internal/servertest"
)

// TestTrustedProxyCookie: signing in through a trusted proxy that says
// https sets a Secure session cookie; the same header from an untrusted
// peer does not.
func TestTrustedProxyCookie(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies string
		want    bool
	}{{"trusted", "127.0.0.0/8,::1", true}, {"untrusted", "192.0.2.0/24", false}} {
		t.Run(tc.name, func(t *testing.T) {
			proxies, err := dashboard.ParseTrustedProxies(tc.proxies)
			if err != nil {
				t.Fatal(err)
			}
			srv := servertest.Start(t, servertest.Options{NoWorkers: true, TrustedProxies: proxies})
			srv.User("acme", email, password)
			b := newBrowser(t, srv.URL)
			form := b.get("/dashboard/login")
			vals := url.Values{"csrf_token": {form.csrf(t)}, "email": {email}, "password": {password}}
			req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.URL+"/dashboard/login", strings.NewReader(vals.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-Proto", "https")
			noFollow := &http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var set string
			for _, c := range resp.Header.Values("Set-Cookie") {
				if strings.HasPrefix(c, "dp_session=") {
					set = c
				}
			}
			if set == "" {
				t.Fatalf("no session cookie: %d", resp.StatusCode)
			}
			if got := strings.Contains(set, "; Secure"); got != tc.want {
				t.Errorf("session Set-Cookie = %q, Secure %v, want %v", set, got, tc.want)
			}
		})
	}
}

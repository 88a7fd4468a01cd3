package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/docparse/docparse/internal/servertest"
)

// TestSignInRace: 59 wrong passwords and the right one, sent at once from
// 60 browsers, are charged before they are checked: at most five
// passwords are checked (401, or the sign-in), every other attempt is
// refused with 429, Retry-After and a message, and a refused right
// password gets no session. Once five have failed, a second wave with the
// right password is refused whole.
func TestSignInRace(t *testing.T) {
	servertest.Each(t, servertest.Options{NoWorkers: true}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)

		type result struct {
			status   int
			right    bool
			signedIn bool
			retry    string
			body     string
		}
		wave := func(n, rightAt int) []result {
			browsers := make([]*browser, n)
			tokens := make([]string, n)
			for i := range browsers {
				browsers[i] = newBrowser(t, srv.URL)
				tokens[i] = browsers[i].get("/dashboard/login").csrf(t)
			}
			results := make([]result, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range browsers {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					pw := "wrong password " + string(rune('a'+i%26))
					if i == rightAt {
						pw = password
					}
					b := browsers[i]
					noFollow := &http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
					<-start
					resp, err := noFollow.PostForm(srv.URL+"/dashboard/login", url.Values{"csrf_token": {tokens[i]}, "email": {email}, "password": {pw}})
					if err != nil {
						t.Errorf("attempt %d: %v", i, err)
						return
					}
					p := read(t, resp)
					results[i] = result{status: p.status, right: i == rightAt, signedIn: b.sessionCookie() != "",
						retry: resp.Header.Get("Retry-After"), body: p.body}
				}(i)
			}
			close(start)
			wg.Wait()
			return results
		}

		checked, refused := 0, 0
		for _, r := range wave(60, 30) {
			switch {
			case r.status == http.StatusUnauthorized:
				checked++
			case r.status == http.StatusSeeOther && r.right && r.signedIn:
				checked++
			case r.status == http.StatusTooManyRequests:
				refused++
				if r.retry == "" || !strings.Contains(r.body, "Try again in") {
					t.Errorf("429 without Retry-After or message: %q\n%s", r.retry, r.body)
				}
				if r.signedIn {
					t.Error("a refused attempt got a session")
				}
			default:
				t.Errorf("attempt answered %d (right password: %v, session: %v)", r.status, r.right, r.signedIn)
			}
		}
		if checked > 5 || checked+refused != 60 {
			t.Fatalf("%d passwords checked and %d refused of 60 simultaneous attempts, want at most 5 checked", checked, refused)
		}

		// Fill the email's five attempts with wrong passwords, then race
		// the right one among 20 more: none is checked.
		b := newBrowser(t, srv.URL)
		for i := 0; i < 10; i++ {
			if p := b.login(email, "wrong password"); p.status == http.StatusTooManyRequests && strings.Contains(p.body, "failed sign-ins") {
				break
			}
		}
		for _, r := range wave(20, 7) {
			if r.status != http.StatusTooManyRequests || r.signedIn {
				t.Fatalf("after five failures an attempt (right password: %v) answered %d, session %v", r.right, r.status, r.signedIn)
			}
			if !strings.Contains(r.body, "Too many failed sign-ins.") {
				t.Fatalf("429 without the failed sign-ins message:\n%s", r.body)
			}
		}
	})
}

package dashboard

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// Cookie names. The session cookie holds a random token whose SHA-256 is
// the stored session id.
const (
	sessionCookie = "dp_session"
	loginCookie   = "dp_login_csrf"
	cookiePath    = "/dashboard/"
)

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

// setCookie sets a dashboard cookie; an empty value deletes it. It is
// Secure when the browser reached us over HTTPS (see proxy.go).
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

package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// login checks the sign-in form, throttled (see throttle.go), and starts
// a session.
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
	http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
	return nil
}

package dashboard

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// loginView is the sign-in page's. It has no Email: the layout shows the
// navigation to a signed-in user only.
type loginView struct {
	page
	LoginEmail string
	Error      string
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := h.svc.Session(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
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
	h.render(w, r, status, "login", loginView{page: page{Title: "Sign in", CSRF: token}, LoginEmail: email, Error: msg})
	return nil
}

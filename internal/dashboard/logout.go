package dashboard

import (
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	if err := h.svc.SignOut(r.Context(), sess); err != nil {
		return err
	}
	h.setCookie(w, r, sessionCookie, "", time.Time{})
	http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
	return nil
}

package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/docparse"
)

// keyCreatedView is the page that shows a new key's secret, once.
type keyCreatedView struct {
	page
	NewKey    docparse.APIKey
	NewSecret string
}

func (h *Handler) createKey(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	failed := func(status int, msg string) error {
		return h.showAPI(w, r, sess, status, apiView{KeyName: name, Error: msg})
	}
	if utf8.RuneCountInString(name) > 200 {
		return failed(http.StatusBadRequest, "The name must be at most 200 characters.")
	}
	if d := h.limits.CreateKey(sess.AccountID); !d.OK {
		w.Header().Set("Retry-After", strconv.Itoa(d.RetryAfter))
		mins := (d.RetryAfter + 59) / 60
		return failed(http.StatusTooManyRequests, fmt.Sprintf(
			"This account has created %d keys within the hour, the most it may. Try again in %d minute%s.",
			h.limits.Config().KeysPerHour, mins, plural(mins)))
	}
	k, secret, err := h.svc.CreateAPIKey(r.Context(), sess.AccountID, name)
	if le, ok := errors.AsType[*docparse.LimitError](err); ok {
		return failed(http.StatusConflict,
			fmt.Sprintf("This account already has %d active keys, the most it may hold. Revoke one first.", le.Max))
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard created api key", "account_id", sess.AccountID, "user_id", sess.UserID, "key_id", k.ID)
	// Answered directly, not redirected: the secret is in this response
	// only, which no-store keeps out of the browser's cache.
	h.render(w, r, http.StatusOK, "key_created", keyCreatedView{page: pageOf(sess, "New API key", "api"), NewKey: k, NewSecret: secret})
	return nil
}

package dashboard

import (
	"context"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// deleting is the post that deletes, with del, the noun ("extraction",
// "webhook endpoint") whose id the path value param names, and sends the
// browser on to the page at to: the delete actions of the extraction,
// classification and API pages.
func (h *Handler) deleting(param, noun, to string, del func(ctx context.Context, accountID, id string) error) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		id := r.PathValue(param)
		if err := del(r.Context(), sess.AccountID, id); err != nil {
			return err
		}
		return h.changed(w, r, sess, to, "dashboard deleted "+noun, param, id)
	}
}

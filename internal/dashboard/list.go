package dashboard

import (
	"context"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// listView is a list page's: the account's extractions or
// classifications.
type listView[T any] struct {
	page
	Items []T
}

// listPage is the page named name (and its nav entry) that lists the
// newest of the account's extractions or classifications, read by list.
func listPage[T any](h *Handler, name, title string, list func(context.Context, string, store.Page) ([]T, bool, error)) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		items, _, err := list(r.Context(), sess.AccountID, store.Page{Limit: maxListed})
		if err != nil {
			return err
		}
		h.render(w, r, http.StatusOK, name, listView[T]{page: pageOf(sess, title, name), Items: items})
		return nil
	}
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// classificationsView is the list of classifications'.
type classificationsView struct {
	page
	Classifications []docparse.Classification
}

func (h *Handler) classificationsPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	cs, _, err := h.db.ListClassifications(r.Context(), sess.AccountID, store.Page{Limit: maxListed})
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "classifications", classificationsView{page: pageOf(sess, "Classifications", "classifications"),
		Classifications: cs})
	return nil
}

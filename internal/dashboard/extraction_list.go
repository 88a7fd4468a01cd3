package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// extractionsView is the list of extractions'.
type extractionsView struct {
	page
	Extractions []docparse.Extraction
}

func (h *Handler) extractionsPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	es, _, err := h.db.ListExtractions(r.Context(), sess.AccountID, store.Page{Limit: maxListed})
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "extractions", extractionsView{page: pageOf(sess, "Extractions", "extractions"), Extractions: es})
	return nil
}

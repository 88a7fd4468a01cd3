package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// newClassificationPage shows the category form of a new classification,
// with the fewest blank categories it may have.
func (h *Handler) newClassificationPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c := docparse.Classification{Threshold: docparse.DefaultThreshold, Categories: make([]docparse.Category, docparse.MinCategories)}
	return h.showClassificationForm(w, r, sess, http.StatusOK, classificationFormOf(c, "/dashboard/classifications", false))
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// editClassificationPage shows the category form of a classification.
func (h *Handler) editClassificationPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c, err := h.classification(r, sess)
	if err != nil {
		return err
	}
	return h.showClassificationForm(w, r, sess, http.StatusOK, classificationFormOf(c, "/dashboard/classifications/"+c.ID+"/edit", true))
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// createClassification creates a classification from the new page's
// category form, or shows the form again with its problems.
func (h *Handler) createClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	in, f := readClassificationForm(r.PostForm, false)
	f.Action = "/dashboard/classifications"
	if len(f.Errors) > 0 {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	c, err := h.svc.CreateClassification(r.Context(), sess.AccountID, in)
	if f, ok := f.failed(err); ok {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/classifications/"+c.ID, "dashboard created classification", "classification_id", c.ID)
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// updateClassification saves the edit page's category form, or shows it
// again with its problems.
func (h *Handler) updateClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("classification_id")
	if _, err := h.classification(r, sess); err != nil {
		return err
	}
	in, f := readClassificationForm(r.PostForm, true)
	f.Action, f.Back = "/dashboard/classifications/"+id+"/edit", "/dashboard/classifications/"+id
	if len(f.Errors) > 0 {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	_, err := h.svc.UpdateClassification(r.Context(), sess.AccountID, id, in)
	if f, ok := f.failed(err); ok {
		return h.showClassificationForm(w, r, sess, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/classifications/"+id, "dashboard updated classification", "classification_id", id)
}

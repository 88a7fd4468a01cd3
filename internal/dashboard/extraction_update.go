package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// updateExtraction saves the edit page's schema form, or shows it again
// with its problems.
func (h *Handler) updateExtraction(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	id := r.PathValue("extraction_id")
	if _, err := h.extraction(r, sess); err != nil {
		return err
	}
	in, f := readSchemaForm(r.PostForm, true)
	f.Action = "/dashboard/extractions/" + id + "/edit"
	if len(f.Errors) > 0 {
		return h.showSchemaForm(w, r, sess, http.StatusBadRequest, f)
	}
	_, err := h.svc.UpdateExtraction(r.Context(), sess.AccountID, id, in)
	if f, ok := f.failed(err); ok {
		return h.showSchemaForm(w, r, sess, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/extractions/"+id, "dashboard updated extraction", "extraction_id", id)
}

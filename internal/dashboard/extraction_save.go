package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// createExtraction creates an extraction from the new page's schema form,
// or shows the form again with its problems.
func (h *Handler) createExtraction(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	in, f := readSchemaForm(r.PostForm, false)
	f.Action = "/dashboard/extractions"
	if len(f.Errors) > 0 {
		return h.showSchemaForm(w, r, sess, http.StatusBadRequest, f)
	}
	e, err := h.svc.CreateExtraction(r.Context(), sess.AccountID, in)
	if f, ok := f.failed(err); ok {
		return h.showSchemaForm(w, r, sess, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/extractions/"+e.ID, "dashboard created extraction", "extraction_id", e.ID)
}

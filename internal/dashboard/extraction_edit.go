package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// editExtractionPage shows the schema form of an extraction.
func (h *Handler) editExtractionPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e, err := h.extraction(r, sess)
	if err != nil {
		return err
	}
	return h.showSchemaForm(w, r, sess, http.StatusOK, schemaFormOf(e, "/dashboard/extractions/"+e.ID+"/edit", true))
}

package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// newExtractionPage shows the schema form of a new extraction, with one
// blank field.
func (h *Handler) newExtractionPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	e := docparse.Extraction{Language: docparse.DefaultLanguage, ReviewThreshold: docparse.DefaultReviewThreshold,
		Fields: []docparse.Field{{Type: docparse.TypeString}}}
	return h.showSchemaForm(w, r, sess, http.StatusOK, schemaFormOf(e, "/dashboard/extractions", false))
}

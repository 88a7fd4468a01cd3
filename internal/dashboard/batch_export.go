package dashboard

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/export"
)

// exportBatch serves the batch's export as a download: the API's export,
// byte for byte.
func (h *Handler) exportBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	format, err := export.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		return &pageError{http.StatusBadRequest, "The export format must be json or csv."}
	}
	x, err := export.Load(r.Context(), h.db, sess.AccountID, r.PathValue("extraction_id"), r.PathValue("batch_id"))
	if err != nil {
		return err
	}
	return x.Serve(w, format, true)
}

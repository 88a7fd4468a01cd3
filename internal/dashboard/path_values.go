package dashboard

// What a dashboard path names, read for the session's account: a page
// shows it, or an action changes it. Another account's is not found.

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// extraction reads the extraction named in the path.
func (h *Handler) extraction(r *http.Request, sess docparse.Session) (docparse.Extraction, error) {
	return h.db.Extraction(r.Context(), sess.AccountID, r.PathValue("extraction_id"))
}

// classification reads the classification named in the path.
func (h *Handler) classification(r *http.Request, sess docparse.Session) (docparse.Classification, error) {
	return h.db.Classification(r.Context(), sess.AccountID, r.PathValue("classification_id"))
}

// reviewFile reads the extraction file named in the path.
func (h *Handler) reviewFile(r *http.Request, sess docparse.Session) (store.ReviewFile, error) {
	return h.db.FileForReview(r.Context(), sess.AccountID, r.PathValue("extraction_id"), r.PathValue("batch_id"), r.PathValue("file_id"))
}

// showing is the page of the thing that get reads from the path, which
// show renders: the extraction and classification pages. show also
// renders the page again, with another status and a message, after a
// failed upload.
func showing[T any](get func(*http.Request, docparse.Session) (T, error),
	show func(http.ResponseWriter, *http.Request, docparse.Session, int, T, string) error) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		v, err := get(r, sess)
		if err != nil {
			return err
		}
		return show(w, r, sess, http.StatusOK, v, "")
	}
}

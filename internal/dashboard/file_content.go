package dashboard

import (
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/upload"
)

// fileContent downloads the original upload of an extraction file.
func (h *Handler) fileContent(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	rf, err := h.reviewFile(r, sess)
	if err != nil {
		return err
	}
	f := rf.File
	return h.serveDocument(w, r, f.BlobKey, f.MIME, f.FileName, f.CreatedAt)
}

// serveDocument sends a stored upload as an attachment (upload.Serve),
// kept out of every cache.
func (h *Handler) serveDocument(w http.ResponseWriter, r *http.Request, key, contentType, fileName string, modified time.Time) error {
	w.Header().Set("Cache-Control", "private, no-store")
	return upload.Serve(w, r, h.svc.OpenDocument, key, contentType, fileName, modified)
}

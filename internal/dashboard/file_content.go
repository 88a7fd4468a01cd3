package dashboard

import (
	"mime"
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
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

// serveDocument sends a stored upload as an attachment with the type it
// was sniffed as: a browser saves it, never renders it in the dashboard's
// origin.
func (h *Handler) serveDocument(w http.ResponseWriter, r *http.Request, key, contentType, fileName string, modified time.Time) error {
	fh, err := h.svc.OpenDocument(key)
	if err != nil {
		return err
	}
	defer fh.Close()
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fileName}))
	hd.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", modified, fh)
	return nil
}

package dashboard

import (
	"net/http"
	"strconv"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

// pageImage serves one page of a file, rendered, for the file page.
func (h *Handler) pageImage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	n, err := strconv.Atoi(r.PathValue("page"))
	if err != nil || n < 1 {
		return errNotFound
	}
	rf, err := h.reviewFile(r, sess)
	if err != nil {
		return err
	}
	img, ctype, err := h.svc.PageImage(r.Context(), rf.File, n)
	if e, ok := extract.AsError(err); ok {
		return &pageError{http.StatusUnprocessableEntity, "This page cannot be shown: " + e.Message}
	}
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Length", strconv.Itoa(len(img)))
	// A file's pages never change; only its owner's session may read them.
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("Content-Disposition", "inline")
	w.Write(img)
	return nil
}

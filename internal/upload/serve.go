package upload

import (
	"context"
	"io"
	"mime"
	"net/http"
	"time"
)

// Serve sends back the stored upload that open opens by key, as an
// attachment with the type it was sniffed as (application/octet-stream
// when there is none) and nosniff: a browser saves it, never renders it.
// It answers ranges and conditional requests (http.ServeContent). An
// error opening the upload is returned before anything is written;
// headers the caller set first are kept.
func Serve(w http.ResponseWriter, r *http.Request, open func(ctx context.Context, key string) (io.ReadSeekCloser, error), key, contentType, fileName string, modified time.Time) error {
	fh, err := open(r.Context(), key)
	if err != nil {
		return err
	}
	defer fh.Close()
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fileName}))
	http.ServeContent(w, r, "", modified, fh)
	return nil
}

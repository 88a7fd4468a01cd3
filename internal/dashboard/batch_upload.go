package dashboard

import (
	"context"
	"mime/multipart"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// uploadBatch streams the files of the multipart body into a new batch of
// the extraction, through the same pipeline.Upload as the JSON API.
func (h *Handler) uploadBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error {
	return uploading(h, w, r, sess, mr, "extraction", (*Handler).extraction, extractionForms.id,
		(*pipeline.Service).NewUpload, (*Handler).showExtraction)
}

// uploadClassificationBatch is uploadBatch for a classification, through
// pipeline.ClassificationUpload.
func (h *Handler) uploadClassificationBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error {
	return uploading(h, w, r, sess, mr, "classification", (*Handler).classification, classificationForms.id,
		(*pipeline.Service).NewClassificationUpload, (*Handler).showClassification)
}

// uploading receives an upload to what get reads from the path, noun
// (whose id is id): open starts its batch, and receiveUpload streams the
// files into it; a problem of the upload shows its page again with show.
func uploading[T any, U batchUpload](h *Handler, w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader,
	noun string, get func(*Handler, *http.Request, docparse.Session) (T, error), id func(T) string,
	open func(*pipeline.Service, context.Context, string, string) (U, error),
	show func(*Handler, http.ResponseWriter, *http.Request, docparse.Session, int, T, string) error) error {
	v, err := get(h, r, sess)
	if err != nil {
		return err
	}
	up, err := open(h.svc, r.Context(), sess.AccountID, id(v))
	if err != nil {
		return err
	}
	page := func(status int, msg string) error { return show(h, w, r, sess, status, v, msg) }
	return h.receiveUpload(w, r, sess, mr, up, page, "/dashboard/"+noun+"s/"+id(v), noun+"_id", id(v))
}

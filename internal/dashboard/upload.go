package dashboard

// Uploads: authedUpload guards them, and receiveUpload streams the files
// of the multipart body (upload.Read, the API's reader) into a new batch
// through the same pipeline uploads as the JSON API. The upload actions
// are in batch_upload.go.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/upload"
)

// uploadForm is the upload form of the extraction and classification
// pages: a file input named files, which sends a nameless empty part
// when left empty, and the batch name.
var uploadForm = upload.Form{FileParts: []string{"files"}}

// uploadLimits are the configured limits of one upload, for the page and
// its script.
type uploadLimits struct {
	MaxFiles    int
	MaxFileSize int64
}

func (h *Handler) uploadLimits() uploadLimits {
	cfg := h.svc.Config()
	return uploadLimits{MaxFiles: cfg.MaxFiles, MaxFileSize: cfg.MaxFileSize}
}

// uploadFunc handles an upload whose session and CSRF token are checked;
// it reads the rest of the multipart body from mr.
type uploadFunc func(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error

// authedUpload guards an upload as authed guards a form, without parsing
// the body: the files stream through to fn. The session's CSRF token
// comes in the X-CSRF-Token header (the page's script sends it) or as the
// first part of the multipart body, named csrf_token (a plain form, which
// browsers send in document order, with the token's hidden field first).
// The body is bounded by the configured upload limits. A request that
// asks for JSON (the script) gets its errors as {"error": "..."}.
func (h *Handler) authedUpload(fn uploadFunc) http.Handler {
	limit := h.svc.Config().MaxUploadBytes()
	return h.handleBody(limit, func(w http.ResponseWriter, r *http.Request) error {
		err := func() error {
			sess, ok, err := h.session(w, r)
			if !ok || err != nil {
				return err
			}
			if err := h.rateLimit(w, sess); err != nil {
				return err
			}
			header := r.Header.Get("X-CSRF-Token")
			if header != "" && !sameToken(header, sess.CSRFToken) {
				return errForbidden
			}
			mr, err := r.MultipartReader()
			if err != nil {
				if header == "" {
					return errForbidden
				}
				return &pageError{http.StatusUnsupportedMediaType, "Upload files as multipart/form-data."}
			}
			if header == "" {
				part, err := mr.NextPart()
				if err != nil || part.FormName() != "csrf_token" {
					return errForbidden
				}
				token, err := io.ReadAll(io.LimitReader(part, 256))
				if err != nil || !sameToken(string(token), sess.CSRFToken) {
					return errForbidden
				}
			}
			if r.ContentLength > limit {
				return h.uploadTooLarge()
			}
			return fn(w, r, sess, mr)
		}()
		var pe *pageError
		if err != nil && wantsJSON(r) && errors.As(err, &pe) {
			writeJSON(w, pe.status, map[string]string{"error": pe.msg})
			return nil
		}
		return err
	})
}

// wantsJSON reports whether the request is the upload script's.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func (h *Handler) uploadTooLarge() *pageError {
	cfg := h.svc.Config()
	return &pageError{http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"The upload is larger than a batch may be: at most %d files of at most %s each. Upload fewer or smaller files.",
		cfg.MaxFiles, humanSize(cfg.MaxFileSize))}
}

// batchUpload is an upload being received: a *pipeline.Upload or a
// *pipeline.ClassificationUpload.
type batchUpload interface {
	upload.Receiver
	CommitBatch(ctx context.Context, name string) (batchID string, files int, err error)
	Abort()
}

// receiveUpload streams the files of the multipart body into up
// (readUpload: files go to the blob store as they arrive, limits answer
// 413 with nothing stored, each file is sniffed for its type), then
// commits it. Success is logged with logAttrs and goes to the new batch's
// page under parent (for the script: its address, as JSON); a problem of
// the upload shows the parent page again with the message (for the
// script: JSON), nothing stored.
func (h *Handler) receiveUpload(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader, up batchUpload,
	show func(status int, msg string) error, parent string, logAttrs ...any) error {
	defer up.Abort() // a no-op after a successful commit
	failed := func(pe *pageError) error {
		up.Abort()
		if wantsJSON(r) {
			writeJSON(w, pe.status, map[string]string{"error": pe.msg})
			return nil
		}
		return show(pe.status, pe.msg)
	}
	name, err := h.readUpload(r.Context(), mr, up)
	if pe, ok := errors.AsType[*pageError](err); ok {
		return failed(pe)
	}
	if err != nil {
		return err
	}
	batchID, files, err := up.CommitBatch(r.Context(), name)
	if msg := uploadValidation(err); msg != "" {
		return failed(&pageError{http.StatusBadRequest, msg})
	}
	if qe, ok := errors.AsType[*docparse.QuotaError](err); ok {
		return failed(quotaProblem(qe))
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard uploaded batch", append([]any{"account_id", sess.AccountID, "user_id", sess.UserID},
		append(logAttrs, "batch_id", batchID, "files", files)...)...)
	to := parent + "/batches/" + batchID
	if wantsJSON(r) {
		writeJSON(w, http.StatusCreated, map[string]string{"batch_id": batchID, "url": to})
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// readUpload streams the files of the multipart body into up and returns
// the batch name the form gave. A problem of the upload itself (a limit,
// a body cut off, a bad name) is a *pageError with the status and the
// message to show; the caller aborts the upload. Any other error is
// internal.
func (h *Handler) readUpload(ctx context.Context, mr *multipart.Reader, up upload.Receiver) (string, error) {
	name, err := upload.Read(ctx, mr, up, uploadForm)
	if be, ok := errors.AsType[*upload.BodyError](err); ok {
		return "", h.bodyProblem(be.Err)
	}
	if errors.Is(err, upload.ErrNameTooLong) {
		return "", &pageError{http.StatusBadRequest, "The batch name must be at most 200 characters."}
	}
	fe, ok := errors.AsType[*upload.FileError](err)
	if !ok {
		return name, err
	}
	if qe, ok := errors.AsType[*docparse.QuotaError](fe.Err); ok {
		return "", quotaProblem(qe)
	}
	cfg := h.svc.Config()
	switch {
	case errors.Is(fe.Err, docparse.ErrTooLarge) && up.Files() >= cfg.MaxFiles:
		return "", &pageError{http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"Too many files: a batch holds at most %d files. Upload the others in another batch.", cfg.MaxFiles)}
	case errors.Is(fe.Err, docparse.ErrTooLarge):
		return "", &pageError{http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"“%s” is larger than %s, the most one file may be. Nothing was uploaded.", fe.Name, humanSize(cfg.MaxFileSize))}
	}
	if msg := uploadValidation(fe.Err); msg != "" {
		return "", &pageError{http.StatusBadRequest, msg}
	}
	return "", fe.Err
}

// quotaProblem is the page of an upload refused by a quota: 413 for
// stored bytes, 429 for files per day, as the API answers.
func quotaProblem(qe *docparse.QuotaError) *pageError {
	if qe.Quota == docparse.QuotaFilesPerDay {
		return &pageError{http.StatusTooManyRequests, fmt.Sprintf(
			"This account may upload %d files per day and has reached that. Nothing was uploaded. Uploads are possible again after midnight (UTC).", qe.Limit)}
	}
	return &pageError{http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"This upload would take the account's stored documents past its quota of %s (%s are stored). Nothing was uploaded. Delete extractions or classifications to free space.",
		humanSize(qe.Limit), humanSize(qe.Used))}
}

// uploadValidation renders the upload's validation errors for a person,
// or "" when err is not one.
func uploadValidation(err error) string {
	var ve *docparse.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	if _, ok := ve.Fields["files"]; ok && len(ve.Fields) == 1 {
		return "Choose at least one file to upload."
	}
	parts := make([]string, 0, len(ve.Fields))
	for _, fe := range sortedErrors(ve.Fields) {
		parts = append(parts, fmt.Sprintf("%s: %s.", fe.Path, fe.Message))
	}
	return strings.Join(parts, " ")
}

// bodyProblem explains an upload body that could not be read: too large,
// too slow, or cut off.
func (h *Handler) bodyProblem(err error) *pageError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return h.uploadTooLarge()
	}
	var sbe *ratelimit.SlowBodyError
	if errors.As(err, &sbe) {
		return &pageError{http.StatusRequestTimeout, fmt.Sprintf(
			"The upload arrived too slowly (under %s per second) and was stopped. Nothing was uploaded; try again on a faster connection or with fewer files.",
			humanSize(sbe.Config.MinRate))}
	}
	return &pageError{http.StatusBadRequest, "The upload was cut off or is malformed. Nothing was uploaded; try again."}
}

package dashboard

// The batch pages: the live batch page and its status route, the export
// download (the export package's, byte for byte the API's), and the upload
// that creates a batch through the same pipeline.Upload as the JSON API.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/export"
	"github.com/docparse/docparse/internal/ratelimit"
)

func (h *Handler) batchPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	ctx := r.Context()
	e, err := h.db.Extraction(ctx, sess.AccountID, r.PathValue("extraction_id"))
	if err != nil {
		return err
	}
	b, files, err := h.db.BatchWithFiles(ctx, sess.AccountID, e.ID, r.PathValue("batch_id"))
	if err != nil {
		return err
	}
	title := b.Name
	if title == "" {
		title = "Batch of " + b.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	h.render(w, r, http.StatusOK, "batch", view{Title: title, Nav: "extractions", Email: sess.Email, CSRF: sess.CSRFToken,
		extractionView: extractionView{Ext: e, ExtBatch: b, ExtFiles: files}})
	return nil
}

// batchStatusBody is the batch page's live update: what its script
// redraws every 2 s until Terminal.
type batchStatusBody struct {
	Status      docparse.BatchStatus `json:"status"`
	Terminal    bool                 `json:"terminal"`
	FileCount   int                  `json:"file_count"`
	Done        int                  `json:"done"`
	DoneText    string               `json:"done_text"` // as the batch lists show it
	Counts      docparse.Counts      `json:"counts"`
	CompletedAt string               `json:"completed_at,omitempty"`
	Files       []batchStatusFile    `json:"files"`
}

type batchStatusFile struct {
	ID        string              `json:"id"`
	Status    docparse.FileStatus `json:"status"`
	PageCount int                 `json:"page_count"`
	Error     *docparse.FileError `json:"error,omitempty"`
	// Cells, when set, are the text (or a link, {href, text}) of the
	// row's [data-cell] elements: a classification file's category,
	// confidence, reasoning and linked batch.
	Cells map[string]any `json:"cells,omitempty"`
}

func (h *Handler) batchStatus(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	b, files, err := h.db.BatchWithFiles(r.Context(), sess.AccountID, r.PathValue("extraction_id"), r.PathValue("batch_id"))
	if errors.Is(err, docparse.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": errNotFound.msg})
		return nil
	}
	if err != nil {
		return err
	}
	body := batchStatusBody{Status: b.Status, Terminal: b.Status.Terminal(), FileCount: b.FileCount, Counts: b.Counts, DoneText: doneText(b.Counts),
		Done: doneCount(b.Counts), Files: make([]batchStatusFile, len(files))}
	if b.CompletedAt != nil {
		body.CompletedAt = b.CompletedAt.UTC().Format(time.RFC3339)
	}
	for i, f := range files {
		body.Files[i] = batchStatusFile{ID: f.ID, Status: f.Status, PageCount: f.PageCount, Error: f.Error}
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encode response"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

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
	var buf bytes.Buffer
	if err := x.Write(&buf, format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", format.Disposition(x.Batch.ID))
	_, err = w.Write(buf.Bytes())
	return err
}

// Uploads.

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

// uploadBatch streams the files of the multipart body into a new batch of
// the extraction, through the same pipeline.Upload as the JSON API (see
// receiveUpload).
func (h *Handler) uploadBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, mr *multipart.Reader) error {
	ctx := r.Context()
	e, err := h.db.Extraction(ctx, sess.AccountID, r.PathValue("extraction_id"))
	if err != nil {
		return err
	}
	up, err := h.svc.NewUpload(ctx, sess.AccountID, e.ID)
	if err != nil {
		return err
	}
	return h.receiveUpload(w, r, mr, up,
		func(name string) (string, int, error) {
			b, _, err := up.Commit(ctx, name, nil)
			return b.ID, b.FileCount, err
		},
		func(status int, msg string) error { return h.showExtraction(w, r, sess, status, e, msg) },
		"/dashboard/extractions/"+e.ID, "account_id", sess.AccountID, "user_id", sess.UserID, "extraction_id", e.ID)
}

// batchUpload is an upload being received: a pipeline.Upload or a
// pipeline.ClassificationUpload.
type batchUpload interface {
	fileReceiver
	Abort()
}

// receiveUpload streams the files of the multipart body into up
// (readUpload: files go to the blob store as they arrive, limits answer
// 413 with nothing stored, each file is sniffed for its type), then
// commits it. Success goes to the new batch's page under parent (for the
// script: its address, as JSON); a problem of the upload shows the parent
// page again with the message (for the script: JSON), nothing stored.
func (h *Handler) receiveUpload(w http.ResponseWriter, r *http.Request, mr *multipart.Reader, up batchUpload,
	commit func(name string) (batchID string, files int, err error), show func(status int, msg string) error,
	parent string, logAttrs ...any) error {
	defer up.Abort() // a no-op after a successful commit
	failed := func(status int, msg string) error {
		up.Abort()
		if wantsJSON(r) {
			writeJSON(w, status, map[string]string{"error": msg})
			return nil
		}
		return show(status, msg)
	}
	name, err := h.readUpload(r.Context(), mr, up)
	var pe *pageError
	if errors.As(err, &pe) {
		return failed(pe.status, pe.msg)
	}
	if err != nil {
		return err
	}
	batchID, files, err := commit(name)
	if msg := uploadValidation(err); msg != "" {
		return failed(http.StatusBadRequest, msg)
	}
	var qe *docparse.QuotaError
	if errors.As(err, &qe) {
		pe := quotaProblem(qe)
		return failed(pe.status, pe.msg)
	}
	if err != nil {
		return err
	}
	h.log.Info("dashboard uploaded batch", append(logAttrs, "batch_id", batchID, "files", files)...)
	to := parent + "/batches/" + batchID
	if wantsJSON(r) {
		writeJSON(w, http.StatusCreated, map[string]string{"batch_id": batchID, "url": to})
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// fileReceiver is what an upload's files stream into: a
// pipeline.Upload (extraction batch) or pipeline.ClassificationUpload.
type fileReceiver interface {
	Add(ctx context.Context, fileName string, r io.Reader) error
	Files() int
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

// readUpload streams the files of the multipart body into up and returns
// the batch name the form gave. A problem of the upload itself (a limit,
// a body cut off, a bad name) is a *pageError with the status and the
// message to show; the caller aborts the upload. Any other error is
// internal.
func (h *Handler) readUpload(ctx context.Context, mr *multipart.Reader, up fileReceiver) (string, error) {
	cfg := h.svc.Config()
	problem := func(status int, msg string) error { return &pageError{status, msg} }
	name := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return name, nil
		}
		if err != nil {
			return "", problem(h.bodyProblem(err))
		}
		switch part.FormName() {
		case "files":
			fileName := part.FileName()
			if fileName == "" {
				// A file input left empty sends a nameless, empty part.
				if _, err := io.Copy(io.Discard, part); err != nil {
					return "", problem(h.bodyProblem(err))
				}
				continue
			}
			rr := &readRecorder{r: part}
			err := up.Add(ctx, fileName, rr)
			var qe *docparse.QuotaError
			switch {
			case rr.err != nil:
				return "", problem(h.bodyProblem(rr.err))
			case errors.As(err, &qe):
				return "", quotaProblem(qe)
			case errors.Is(err, docparse.ErrTooLarge) && up.Files() >= cfg.MaxFiles:
				return "", problem(http.StatusRequestEntityTooLarge, fmt.Sprintf(
					"Too many files: a batch holds at most %d files. Upload the others in another batch.", cfg.MaxFiles))
			case errors.Is(err, docparse.ErrTooLarge):
				return "", problem(http.StatusRequestEntityTooLarge, fmt.Sprintf(
					"“%s” is larger than %s, the most one file may be. Nothing was uploaded.", fileName, humanSize(cfg.MaxFileSize)))
			case err != nil:
				if msg := uploadValidation(err); msg != "" {
					return "", problem(http.StatusBadRequest, msg)
				}
				return "", err
			}
		case "name":
			b, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return "", problem(h.bodyProblem(err))
			}
			name = strings.TrimSpace(string(b))
			if len([]rune(name)) > 200 {
				return "", problem(http.StatusBadRequest, "The batch name must be at most 200 characters.")
			}
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", problem(h.bodyProblem(err))
			}
		}
		part.Close()
	}
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

// bodyProblem is the status and message for an upload body that could not
// be read: too large, or cut off.
func (h *Handler) bodyProblem(err error) (int, string) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		pe := h.uploadTooLarge()
		return pe.status, pe.msg
	}
	var sbe *ratelimit.SlowBodyError
	if errors.As(err, &sbe) {
		return http.StatusRequestTimeout, slowMessage(sbe)
	}
	return http.StatusBadRequest, "The upload was cut off or is malformed. Nothing was uploaded; try again."
}

// slowMessage explains a body cut off for arriving too slowly.
func slowMessage(sbe *ratelimit.SlowBodyError) string {
	return fmt.Sprintf("The upload arrived too slowly (under %s per second) and was stopped. Nothing was uploaded; try again on a faster connection or with fewer files.",
		humanSize(sbe.Config.MinRate))
}

// readRecorder remembers the error of reading a request part, so that a
// truncated or oversized body is told apart from a storage failure.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF {
		rr.err = err
	}
	return n, err
}

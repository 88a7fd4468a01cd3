package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/export"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/upload"
)

// bodyError turns an error reading the request body into an API error.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("the request body is larger than %d bytes: %w", mbe.Limit, docparse.ErrTooLarge)
	}
	var sbe *ratelimit.SlowBodyError
	if errors.As(err, &sbe) {
		return err
	}
	return errorf(http.StatusBadRequest, "malformed_multipart", "the multipart body is malformed or truncated: %v", err)
}

// checkUpload refuses a request that is not multipart (415) or whose
// declared length is over what the limits allow (413), and bounds the
// body it may read.
func (s *Server) checkUpload(w http.ResponseWriter, r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "upload files as multipart/form-data with one part named \"files\" per file")
	}
	cfg := s.svc.Config()
	limit := cfg.MaxUploadBytes()
	if r.ContentLength > limit {
		return fmt.Errorf("the request body is larger than %d bytes (%d files of at most %d bytes): %w", limit, cfg.MaxFiles, cfg.MaxFileSize, docparse.ErrTooLarge)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return nil
}

// uploadForm is the API's upload form: files in parts named files,
// files[] or file; a file part without a file name is named file-1,
// file-2, ... by its position.
var uploadForm = upload.Form{FileParts: []string{"files", "files[]", "file"},
	Unnamed: func(n int) string { return fmt.Sprintf("file-%d", n+1) }}

// receiveUpload reads a multipart upload with upload.Read, which streams
// each file part to up; nothing is held in memory whole. It returns the
// batch name of the "name" part. The caller has called checkUpload, and
// commits or aborts up.
func receiveUpload(r *http.Request, up upload.Receiver) (string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", errorf(http.StatusBadRequest, "malformed_multipart", "the multipart body is malformed: %v", err)
	}
	name, err := upload.Read(r.Context(), mr, up, uploadForm)
	if be, ok := errors.AsType[*upload.BodyError](err); ok {
		return "", bodyError(be.Err)
	}
	if fe, ok := errors.AsType[*upload.FileError](err); ok {
		return "", fe.Err
	}
	if errors.Is(err, upload.ErrNameTooLong) {
		v := &docparse.ValidationError{}
		v.Add("name", "must be at most 200 characters")
		return "", v
	}
	return name, err
}

// batchUpload is a batch of B with files F being received: a
// *pipeline.Upload or a *pipeline.ClassificationUpload.
type batchUpload[B, F any] interface {
	upload.Receiver
	Abort()
	Commit(ctx context.Context, name string, within func(tx *store.Tx, b B, files []F) error) (B, []F, error)
}

// createBatchOf receives a multipart upload into a new batch of the
// parent named by the path value parent: start begins the upload (the
// pipeline's NewUpload or NewClassificationUpload), and its commit
// commits the request's stored answer (createsOnce), 202 with the new
// batch and its files as view shows them. Each file part streams to the
// blob store; nothing is held in memory whole. Limits answer 413 and
// leave nothing stored.
func createBatchOf[U batchUpload[B, F], B, F, V any](s *Server, w http.ResponseWriter, r *http.Request, parent string,
	start func(ctx context.Context, accountID, parentID string) (U, error), view func(B, []F) V) error {
	return s.createsOnce(w, r, true, func(o *once) error {
		if err := s.checkUpload(w, r); err != nil {
			return err
		}
		ctx := r.Context()
		up, err := start(ctx, account(r), r.PathValue(parent))
		if err != nil {
			return err
		}
		defer up.Abort() // no-op after a successful Commit
		name, err := receiveUpload(r, up)
		if err != nil {
			return err
		}
		_, _, err = up.Commit(ctx, name, func(tx *store.Tx, b B, files []F) error {
			return o.commit(ctx, tx, answer{Status: http.StatusAccepted, Body: view(b, files)})
		})
		return err
	})
}

// createBatch receives a multipart upload into a new extraction batch
// (createBatchOf).
func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) error {
	return createBatchOf(s, w, r, "extraction_id", s.svc.NewUpload, viewBatchResult)
}

// getBatch is the polling endpoint: one indexed read of the batch's
// version answers an unchanged batch (304 for If-None-Match, or the
// rendered answer kept for that version); only a changed batch is read
// whole. Never cached by intermediaries.
func (s *Server) getBatch(w http.ResponseWriter, r *http.Request) error {
	return pollBatchOf(s, w, r, "extraction_id", s.db.BatchVersion, s.db.BatchWithFiles, viewBatchResult,
		func(b docparse.Batch) int64 { return b.Version })
}

// poll answers a polling request for a batch whose version was just read:
// 304 when If-None-Match holds its ETag, else the answer kept for that
// version, else the answer read (whole) and rendered by read, which also
// reports the version it saw, and kept for the next poll. Never cached
// by intermediaries.
func (s *Server) poll(w http.ResponseWriter, r *http.Request, batchID string, version int64,
	read func() (body any, version int64, err error)) error {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	etag := batchETag(batchID, version)
	h.Set("ETag", etag)
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body, ok := s.polls.get(batchID, version)
	if !ok {
		v, seen, err := read()
		if err != nil {
			return err
		}
		if body, err = json.Marshal(v); err != nil {
			return err
		}
		body = append(body, '\n')
		s.polls.put(batchID, seen, body)
		if seen != version {
			h.Set("ETag", batchETag(batchID, seen))
		}
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(body)
	return err
}

func batchETag(batchID string, version int64) string {
	return `"` + batchID + "-" + strconv.FormatInt(version, 10) + `"`
}

// etagMatch reports whether an If-None-Match header matches etag.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func (s *Server) listBatches(w http.ResponseWriter, r *http.Request) error {
	exists := func(ctx context.Context, acct, id string) error { _, err := s.db.Extraction(ctx, acct, id); return err }
	return listBatchesOf(w, r, docparse.PrefixBatch, "extraction_id", exists, s.db.ListBatches,
		func(b docparse.Batch) string { return b.ID }, viewBatch)
}

// batchFilter reads ?status= and ?updated_after= of a batch list.
func batchFilter(r *http.Request) (store.BatchFilter, error) {
	var f store.BatchFilter
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		if !docparse.BatchStatus(v).Valid() {
			return f, errorf(http.StatusBadRequest, "invalid_request", "status must be one of queued, processing, processed, partial, failed, not %s", docparse.Quote(v))
		}
		f.Status = docparse.BatchStatus(v)
	}
	if v := q.Get("updated_after"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, errorf(http.StatusBadRequest, "invalid_request", "updated_after must be an RFC 3339 time such as 2026-05-24T10:00:00Z, not %s", docparse.Quote(v))
		}
		f.UpdatedAfter = &t
	}
	return f, nil
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.db.File(r.Context(), account(r), r.PathValue("extraction_id"), r.PathValue("batch_id"), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewFileResult(f))
	return nil
}

// getFileContent returns the original upload as it was received.
func (s *Server) getFileContent(w http.ResponseWriter, r *http.Request) error {
	f, err := s.db.File(r.Context(), account(r), r.PathValue("extraction_id"), r.PathValue("batch_id"), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	return upload.Serve(w, r, s.svc.OpenDocument, f.BlobKey, f.MIME, f.FileName, f.CreatedAt)
}

// exportBatch returns every file's result as JSON or CSV.
func (s *Server) exportBatch(w http.ResponseWriter, r *http.Request) error {
	format, err := export.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	x, err := export.Load(r.Context(), s.db, account(r), r.PathValue("extraction_id"), r.PathValue("batch_id"))
	if err != nil {
		return err
	}
	return x.Serve(w, format, false)
}

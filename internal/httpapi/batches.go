package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// multipartOverhead is what a multipart body may carry beyond its files'
// bytes (boundaries, part headers, the name part).
const multipartOverhead = 1 << 20

// readRecorder remembers the error of reading a request part, so that a
// truncated body is told apart from a storage failure.
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

// bodyError turns an error reading the request body into an API error.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("the request body is larger than %d bytes: %w", mbe.Limit, docparse.ErrTooLarge)
	}
	return errorf(http.StatusBadRequest, "malformed_multipart", "the multipart body is malformed or truncated: %v", err)
}

// uploader is a batch being received: pipeline.Upload (extraction
// batches) or pipeline.ClassificationUpload.
type uploader interface {
	Add(ctx context.Context, fileName string, r io.Reader) error
	Files() int
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
	limit := int64(cfg.MaxFiles)*cfg.MaxFileSize + multipartOverhead
	if r.ContentLength > limit {
		return fmt.Errorf("the request body is larger than %d bytes (%d files of at most %d bytes): %w", limit, cfg.MaxFiles, cfg.MaxFileSize, docparse.ErrTooLarge)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return nil
}

// receiveUpload reads a multipart upload and streams each "files" part to
// up; nothing is held in memory whole. It returns the batch name of the
// "name" part. The caller has called checkUpload, and commits or aborts
// up.
func receiveUpload(r *http.Request, up uploader) (string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", errorf(http.StatusBadRequest, "malformed_multipart", "the multipart body is malformed: %v", err)
	}
	name := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", bodyError(err)
		}
		switch part.FormName() {
		case "files", "files[]", "file":
			rr := &readRecorder{r: part}
			fileName := part.FileName()
			if fileName == "" {
				fileName = fmt.Sprintf("file-%d", up.Files()+1)
			}
			if err := up.Add(r.Context(), fileName, rr); err != nil {
				if rr.err != nil {
					return "", bodyError(rr.err)
				}
				return "", err
			}
		case "name":
			b, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return "", bodyError(err)
			}
			name = strings.TrimSpace(string(b))
			if len([]rune(name)) > 200 {
				v := &docparse.ValidationError{}
				v.Add("name", "must be at most 200 characters")
				return "", v
			}
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", bodyError(err)
			}
		}
		part.Close()
	}
	return name, nil
}

// createBatch receives a multipart upload and streams each "files" part to
// the blob store; nothing is held in memory whole. Limits answer 413 and
// leave nothing stored.
func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkUpload(w, r); err != nil {
		return err
	}
	up, err := s.svc.NewUpload(r.Context(), account(r), r.PathValue("extraction_id"))
	if err != nil {
		return err
	}
	defer up.Abort() // no-op after a successful Commit
	name, err := receiveUpload(r, up)
	if err != nil {
		return err
	}
	b, files, err := up.Commit(r.Context(), name)
	if err != nil {
		return err
	}
	views := make([]fileSummaryView, len(files))
	for i, f := range files {
		views[i] = viewFileSummary(f)
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"batch": viewBatch(b), "files": views})
	return nil
}

// getBatch is the polling endpoint: one indexed read of the batch's
// version answers an unchanged batch (304 for If-None-Match, or the
// rendered answer kept for that version); only a changed batch is read
// whole. Never cached by intermediaries.
func (s *Server) getBatch(w http.ResponseWriter, r *http.Request) error {
	ctx, acct := r.Context(), account(r)
	extID, batchID := r.PathValue("extraction_id"), r.PathValue("batch_id")
	version, err := s.db.BatchVersion(ctx, acct, extID, batchID)
	if err != nil {
		return err
	}
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
		b, files, err := s.db.BatchWithFiles(ctx, acct, extID, batchID)
		if err != nil {
			return err
		}
		views := make([]fileSummaryView, len(files))
		for i, f := range files {
			views[i] = viewFileSummary(f)
		}
		body, err = json.Marshal(batchBody{Batch: viewBatch(b), Files: views})
		if err != nil {
			return err
		}
		body = append(body, '\n')
		s.polls.put(batchID, b.Version, body)
		if b.Version != version {
			h.Set("ETag", batchETag(batchID, b.Version))
		}
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(body)
	return err
}

// batchBody is the answer of the polling endpoint and of an upload.
type batchBody struct {
	Batch batchView         `json:"batch"`
	Files []fileSummaryView `json:"files"`
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
	ctx := r.Context()
	p, err := page(r, docparse.PrefixBatch)
	if err != nil {
		return err
	}
	f, err := batchFilter(r)
	if err != nil {
		return err
	}
	// The extraction must exist in this account (404 otherwise, not an
	// empty list).
	if _, err := s.db.Extraction(ctx, account(r), r.PathValue("extraction_id")); err != nil {
		return err
	}
	bs, more, err := s.db.ListBatches(ctx, account(r), r.PathValue("extraction_id"), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(bs, more, func(b docparse.Batch) string { return b.ID }, viewBatch))
	return nil
}

// batchFilter reads ?status= and ?updated_after= of a batch list.
func batchFilter(r *http.Request) (store.BatchFilter, error) {
	var f store.BatchFilter
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		if !docparse.BatchStatus(v).Valid() {
			return f, errorf(http.StatusBadRequest, "invalid_request", "status must be one of queued, processing, processed, partial, failed, not %q", v)
		}
		f.Status = docparse.BatchStatus(v)
	}
	if v := q.Get("updated_after"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, errorf(http.StatusBadRequest, "invalid_request", "updated_after must be an RFC 3339 time such as 2026-05-24T10:00:00Z, not %q", v)
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
	return s.serveBlob(w, r, f.BlobKey, f.MIME, f.FileName, f.CreatedAt)
}

// serveBlob answers a stored upload as it was received, as an attachment.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, key, contentType, fileName string, modified time.Time) error {
	fh, err := s.blobs.Open(key)
	if err != nil {
		return err
	}
	defer fh.Close()
	h := w.Header()
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fileName}))
	http.ServeContent(w, r, "", modified, fh)
	return nil
}

// exportBatch returns every file's result as JSON or CSV.
func (s *Server) exportBatch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		return errorf(http.StatusBadRequest, "invalid_request", "format must be json or csv, not %q", format)
	}
	b, _, err := s.db.BatchWithFiles(ctx, account(r), r.PathValue("extraction_id"), r.PathValue("batch_id"))
	if err != nil {
		return err
	}
	files, err := s.db.BatchFiles(ctx, account(r), b.ExtractionID, b.ID)
	if err != nil {
		return err
	}
	if format == "json" {
		out := make([]fileResultBody, len(files))
		for i, f := range files {
			out[i] = viewFileResult(f)
		}
		writeJSON(w, http.StatusOK, map[string]any{"batch": viewBatch(b), "files": out})
		return nil
	}
	var buf bytes.Buffer
	if err := writeCSV(&buf, files); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": b.ID + ".csv"}))
	_, err = w.Write(buf.Bytes())
	return err
}

// writeCSV writes one row per file and one column per field path: object
// children as parent.child, lists as their JSON text.
func writeCSV(w io.Writer, files []docparse.File) error {
	rows := make([]map[string]string, len(files))
	cols := map[string]bool{}
	var order []string
	for i, f := range files {
		rows[i] = map[string]string{}
		if f.Result == nil {
			continue
		}
		var v map[string]any
		dec := json.NewDecoder(bytes.NewReader(f.Result))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("decode result of %s: %w", f.ID, err)
		}
		flatten("", v, rows[i])
		for k := range rows[i] {
			if !cols[k] {
				cols[k] = true
				order = append(order, k)
			}
		}
	}
	sort.Strings(order)
	cw := csv.NewWriter(w)
	header := append([]string{"file_id", "file_name", "status", "error_code"}, order...)
	if err := cw.Write(header); err != nil {
		return err
	}
	for i, f := range files {
		rec := []string{f.ID, f.FileName, string(f.Status), ""}
		if f.Error != nil {
			rec[3] = f.Error.Code
		}
		for _, c := range order {
			rec = append(rec, rows[i][c])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func flatten(prefix string, v map[string]any, out map[string]string) {
	for k, val := range v {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		switch x := val.(type) {
		case nil:
			out[path] = ""
		case map[string]any:
			flatten(path, x, out)
		case []any:
			b, _ := json.Marshal(x)
			out[path] = string(b)
		case string:
			out[path] = x
		default:
			out[path] = fmt.Sprint(x)
		}
	}
}

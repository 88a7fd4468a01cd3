package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
)

// File is one document to upload. Name is its file name (the server keeps
// its last path element); Reader is its content, read once, as the upload
// streams.
type File struct {
	Name   string
	Reader io.Reader
}

// UploadOptions tune [Client.UploadBatch].
type UploadOptions struct {
	// Name names the batch (at most 200 characters); optional.
	Name string
	// IdempotencyKey, when set, makes a repeat of the upload within 24 h
	// return the first answer and store nothing: set it to retry an upload
	// safely after a network error or a 5xx.
	IdempotencyKey string
	// Progress, when set, is called from another goroutine as the upload
	// proceeds, with the bytes of file content sent so far.
	Progress func(sent int64)
}

// errUploadEnded unblocks the multipart writer once the answer is in.
var errUploadEnded = errors.New("upload ended")

// UploadBatch uploads files to an extraction as one new batch and returns
// the batch, queued, with its files. The request body is written as it is
// sent (multipart/form-data through a pipe), so no file is ever held in
// memory whole; its length is not known in advance. The server accepts 30
// files of 25 MB by default; over either limit it answers 413 and stores
// nothing. An unsupported or unreadable file is accepted and fails on its
// own.
//
// UploadBatch returns once it has stopped reading the files; it does not
// close them. An upload cannot be retried from streams: a 429 *Error
// carries RetryAfter, and with an IdempotencyKey a re-upload is safe.
func (c *Client) UploadBatch(ctx context.Context, extractionID string, files []File, o UploadOptions) (*BatchResult, error) {
	return upload[BatchResult](ctx, c, path("extractions", extractionID, "batches"), files, o)
}

// upload streams files as a multipart batch upload to p and decodes the
// answer into a new R.
func upload[R any](ctx context.Context, c *Client, p string, files []File, o UploadOptions) (*R, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	written := make(chan struct{})
	go func() {
		defer close(written)
		pw.CloseWithError(writeMultipart(mw, files, o))
	}()
	resp, err := c.send(ctx, request{method: http.MethodPost, path: p,
		raw: pr, ctype: mw.FormDataContentType(), header: idempotency(o.IdempotencyKey)})
	// The server may answer before it has read everything (a 404 or 413):
	// closing the pipe's reading end stops the writer.
	pr.CloseWithError(errUploadEnded)
	<-written
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out R
	if err := decodeBody(resp, &out); err != nil {
		return nil, fmt.Errorf("docparse: decode upload answer: %w", err)
	}
	return &out, nil
}

// writeMultipart writes the batch name and every file as parts named
// "files", then the closing boundary.
func writeMultipart(mw *multipart.Writer, files []File, o UploadOptions) error {
	if o.Name != "" {
		if err := mw.WriteField("name", o.Name); err != nil {
			return err
		}
	}
	var sent int64
	for i, f := range files {
		if f.Reader == nil {
			return fmt.Errorf("file %d (%q) has no Reader", i, f.Name)
		}
		w, err := mw.CreateFormFile("files", f.Name)
		if err != nil {
			return err
		}
		r := f.Reader
		if o.Progress != nil {
			r = &progressReader{r: r, sent: &sent, progress: o.Progress}
		}
		if _, err := io.Copy(w, r); err != nil {
			return fmt.Errorf("read %q: %w", f.Name, err)
		}
	}
	return mw.Close()
}

// progressReader reports the running total of bytes read.
type progressReader struct {
	r        io.Reader
	sent     *int64
	progress func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		*p.sent += int64(n)
		p.progress(*p.sent)
	}
	return n, err
}

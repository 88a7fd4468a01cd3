package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"
)

// Client calls the docparse API with one key. Safe for concurrent use.
type Client struct {
	Base string // http://127.0.0.1:PORT
	Key  string
	HTTP *http.Client
}

// NewClient returns a client with its own transport.
func NewClient(base, key string) *Client {
	return &Client{Base: base, Key: key, HTTP: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
}

// Batch is the part of a batch answer the benchmarks read.
type Batch struct {
	ID          string         `json:"id"`
	Status      string         `json:"status"`
	FileCount   int            `json:"file_count"`
	PageCount   int            `json:"page_count"`
	Counts      map[string]int `json:"counts"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	CompletedAt *time.Time     `json:"completed_at"`
}

// Terminal reports whether the batch has reached a final status.
func (b Batch) Terminal() bool {
	return b.Status == "processed" || b.Status == "partial" || b.Status == "failed"
}

// BatchFile is one entry of a batch's files.
type BatchFile struct {
	ID        string `json:"id"`
	FileName  string `json:"file_name"`
	Status    string `json:"status"`
	PageCount int    `json:"page_count"`
	// CategoryID is the category a classification batch's file was
	// classified in; nil for none, and in extraction batches.
	CategoryID *string `json:"classified_category_id"`
	Error      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// BatchAnswer is the body of POST .../batches and GET .../batches/{id},
// of extractions and of classifications.
type BatchAnswer struct {
	Batch Batch       `json:"batch"`
	Files []BatchFile `json:"files"`
}

// do sends a request and decodes a JSON answer of status want into out.
// A 429 is waited out (Retry-After) and the request sent again, its body
// made anew by body, up to ctx.
func (c *Client) do(ctx context.Context, method, path string, body func() (io.Reader, string, int64), want int, out any) error {
	for {
		var rd io.Reader
		ctype, length := "", int64(-1)
		if body != nil {
			rd, ctype, length = body()
		}
		req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
		if err != nil {
			return err
		}
		if length >= 0 {
			req.ContentLength = length
		}
		req.Header.Set("Authorization", "Bearer "+c.Key)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s %s: read answer: %w", method, path, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
				continue
			case <-ctx.Done():
				return fmt.Errorf("%s %s: rate limited until the deadline: %w", method, path, ctx.Err())
			}
		}
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, bytes.TrimSpace(b))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
		return nil
	}
}

// Call sends in as a JSON body (none when in is nil) and decodes a JSON
// answer of status want into out (when out is not nil). A 429 is waited
// out and the request sent again, as every call of the client does.
func (c *Client) Call(ctx context.Context, method, path string, in any, want int, out any) error {
	var body func() (io.Reader, string, int64)
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = func() (io.Reader, string, int64) { return bytes.NewReader(b), "application/json", int64(len(b)) }
	}
	return c.do(ctx, method, path, body, want, out)
}

// InvoiceFields is the schema the benchmarks extract.
var InvoiceFields = []map[string]string{
	{"key": "invoice_number", "type": "string", "description": "Invoice number"},
	{"key": "date", "type": "date", "description": "Invoice date"},
	{"key": "total", "type": "number", "description": "Total amount due"},
}

// CreateExtraction creates an extraction with InvoiceFields and returns
// its id.
func (c *Client) CreateExtraction(ctx context.Context, name string) (string, error) {
	var out struct {
		Extraction struct {
			ID string `json:"id"`
		} `json:"extraction"`
	}
	in := map[string]any{"name": name, "fields": InvoiceFields}
	if err := c.Call(ctx, http.MethodPost, "/v1/extractions", in, http.StatusCreated, &out); err != nil {
		return "", err
	}
	if out.Extraction.ID == "" {
		return "", fmt.Errorf("POST /v1/extractions: no extraction id in the answer")
	}
	return out.Extraction.ID, nil
}

// Part is one file of an upload. Open is called once, when the part is
// written, and the reader is closed after it.
type Part struct {
	Name string
	Size int64
	Open func() (io.ReadCloser, error)
}

// FilePart is a Part read from a file on disk.
func FilePart(path, name string) (Part, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Part{}, err
	}
	return Part{Name: name, Size: st.Size(), Open: func() (io.ReadCloser, error) { return os.Open(path) }}, nil
}

// BytesPart is a Part held in memory (small files only).
func BytesPart(name string, b []byte) Part {
	return Part{Name: name, Size: int64(len(b)), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// multipartLength returns the exact length of the multipart body that
// writeMultipart writes with boundary, without reading any file.
func multipartLength(boundary string, parts []Part) (int64, error) {
	var cw countWriter
	mw := multipart.NewWriter(&cw)
	if err := mw.SetBoundary(boundary); err != nil {
		return 0, err
	}
	var files int64
	for _, p := range parts {
		if _, err := mw.CreatePart(partHeader(p.Name)); err != nil {
			return 0, err
		}
		files += p.Size
	}
	if err := mw.Close(); err != nil {
		return 0, err
	}
	return int64(cw) + files, nil
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

func partHeader(name string) textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename="%s"`, strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)))
	h.Set("Content-Type", "application/octet-stream")
	return h
}

// writeMultipart streams parts into w, one file at a time, through a small
// copy buffer: no file is ever held in memory.
func writeMultipart(mw *multipart.Writer, parts []Part) error {
	buf := make([]byte, 256<<10)
	for _, p := range parts {
		pw, err := mw.CreatePart(partHeader(p.Name))
		if err != nil {
			return err
		}
		r, err := p.Open()
		if err != nil {
			return err
		}
		n, err := io.CopyBuffer(pw, r, buf)
		r.Close()
		if err != nil {
			return fmt.Errorf("copy %s: %w", p.Name, err)
		}
		if n != p.Size {
			return fmt.Errorf("copy %s: %d bytes, expected %d", p.Name, n, p.Size)
		}
	}
	return mw.Close()
}

// Upload posts parts as one multipart request to the extraction, streamed
// through an io.Pipe with an exact Content-Length. It returns the 202
// answer.
func (c *Client) Upload(ctx context.Context, extractionID string, parts []Part) (BatchAnswer, error) {
	return c.upload(ctx, "/v1/extractions/"+extractionID+"/batches", parts)
}

// UploadClassification posts parts to the classification as Upload does
// to an extraction.
func (c *Client) UploadClassification(ctx context.Context, classificationID string, parts []Part) (BatchAnswer, error) {
	return c.upload(ctx, "/v1/classifications/"+classificationID+"/batches", parts)
}

func (c *Client) upload(ctx context.Context, path string, parts []Part) (BatchAnswer, error) {
	var out BatchAnswer
	boundary := multipart.NewWriter(io.Discard).Boundary()
	length, err := multipartLength(boundary, parts)
	if err != nil {
		return out, err
	}
	body := func() (io.Reader, string, int64) {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		_ = mw.SetBoundary(boundary) // valid: it came from NewWriter
		go func() { pw.CloseWithError(writeMultipart(mw, parts)) }()
		return pr, mw.FormDataContentType(), length
	}
	err = c.do(ctx, http.MethodPost, path, body, http.StatusAccepted, &out)
	return out, err
}

// Batch gets a batch (the polling endpoint).
func (c *Client) Batch(ctx context.Context, extractionID, batchID string) (BatchAnswer, error) {
	var out BatchAnswer
	err := c.do(ctx, http.MethodGet, "/v1/extractions/"+extractionID+"/batches/"+batchID, nil, http.StatusOK, &out)
	return out, err
}

// ListBatches lists the extraction's batches (newest first, up to 100).
func (c *Client) ListBatches(ctx context.Context, extractionID string) ([]Batch, error) {
	var out struct {
		Data []Batch `json:"data"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/extractions/"+extractionID+"/batches?limit=100", nil, http.StatusOK, &out)
	return out.Data, err
}

// Export returns a batch's results (GET .../export?format=json): file
// name -> result object.
func (c *Client) Export(ctx context.Context, extractionID, batchID string) (map[string]map[string]any, error) {
	var out struct {
		Files []struct {
			File struct {
				FileName string `json:"file_name"`
			} `json:"file"`
			Result map[string]any `json:"result"`
		} `json:"files"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/extractions/"+extractionID+"/batches/"+batchID+"/export?format=json", nil, http.StatusOK, &out)
	if err != nil {
		return nil, err
	}
	m := make(map[string]map[string]any, len(out.Files))
	for _, f := range out.Files {
		m[f.File.FileName] = f.Result
	}
	return m, nil
}

// WaitBatch polls a batch every interval until it is terminal or ctx ends.
func (c *Client) WaitBatch(ctx context.Context, extractionID, batchID string, every time.Duration) (BatchAnswer, error) {
	return c.WatchBatch(ctx, extractionID, batchID, every, nil)
}

// WatchBatch is WaitBatch that also hands every answer to seen (when not
// nil), the terminal one included.
func (c *Client) WatchBatch(ctx context.Context, extractionID, batchID string, every time.Duration, seen func(BatchAnswer)) (BatchAnswer, error) {
	return c.pollBatch(ctx, "/v1/extractions/"+extractionID+"/batches/"+batchID, every, seen)
}

// WaitClassificationBatch polls a classification's batch every interval
// until it is terminal or ctx ends.
func (c *Client) WaitClassificationBatch(ctx context.Context, classificationID, batchID string, every time.Duration) (BatchAnswer, error) {
	return c.pollBatch(ctx, "/v1/classifications/"+classificationID+"/batches/"+batchID, every, nil)
}

// pollBatch gets the batch at path every interval, handing each answer to
// seen, until the batch is terminal or ctx ends.
func (c *Client) pollBatch(ctx context.Context, path string, every time.Duration, seen func(BatchAnswer)) (BatchAnswer, error) {
	for {
		var a BatchAnswer
		if err := c.do(ctx, http.MethodGet, path, nil, http.StatusOK, &a); err != nil {
			return a, err
		}
		if seen != nil {
			seen(a)
		}
		if a.Batch.Terminal() {
			return a, nil
		}
		select {
		case <-time.After(every):
		case <-ctx.Done():
			return a, fmt.Errorf("batch %s still %s: %w", a.Batch.ID, a.Batch.Status, ctx.Err())
		}
	}
}

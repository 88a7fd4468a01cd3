// Package export renders a batch's results for download, as API.md's
// `GET .../batches/{batch_id}/export` defines them: JSON (the batch and
// every file's result, in the wire shape of the API) or CSV (one row per
// file, one column per scalar field path). The JSON API and the dashboard
// both serve it, so the two downloads are the same bytes.
//
// ViewBatch, ViewFile and ViewFileResult turn a stored batch and file
// into their wire shapes; the JSON API's batch and file answers use them
// too.
package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/wire"
)

// Format is an export format.
type Format string

// The export formats.
const (
	JSON Format = "json"
	CSV  Format = "csv"
)

// ParseFormat reads the format query parameter: "" is JSON. An unknown
// format is a *docparse.ValidationError naming "format".
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "", JSON:
		return JSON, nil
	case CSV:
		return CSV, nil
	}
	v := &docparse.ValidationError{}
	v.Add("format", fmt.Sprintf("must be json or csv, not %q", s))
	return "", v
}

// ContentType is the Content-Type of an export in f.
func (f Format) ContentType() string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// Disposition is a Content-Disposition that saves the export of batch
// batchID as <batchID>.<format>.
func (f Format) Disposition(batchID string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": batchID + "." + string(f)})
}

// Batch is a batch and every file of it with its result, read in one
// account.
type Batch struct {
	Batch docparse.Batch
	Files []docparse.File
}

// Load reads the account's batch for export; another account's batch is
// docparse.ErrNotFound.
func Load(ctx context.Context, db *store.DB, accountID, extractionID, batchID string) (Batch, error) {
	b, _, err := db.BatchWithFiles(ctx, accountID, extractionID, batchID)
	if err != nil {
		return Batch{}, err
	}
	files, err := db.BatchFiles(ctx, accountID, b.ExtractionID, b.ID)
	if err != nil {
		return Batch{}, err
	}
	return Batch{Batch: b, Files: files}, nil
}

// Write writes the export in f to w. CSV is rendered whole before the
// first byte is written, so a result that does not decode is an error,
// not half a file.
func (x Batch) Write(w io.Writer, f Format) error {
	if f == CSV {
		var buf bytes.Buffer
		if err := writeCSV(&buf, x.Files); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	out := wire.BatchExport{Batch: ViewBatch(x.Batch), Files: make([]wire.FileResult, len(x.Files))}
	for i, f := range x.Files {
		out.Files[i] = ViewFileResult(f)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encode export: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeCSV writes one row per file and one column per field path: object
// children as parent.child, lists as their JSON text.
// Serve answers x in format f: rendered whole first, so that an error
// leaves the response unwritten. attach names it as a download (always
// for CSV).
func (x Batch) Serve(w http.ResponseWriter, f Format, attach bool) error {
	var buf bytes.Buffer
	if err := x.Write(&buf, f); err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType())
	if attach || f == CSV {
		w.Header().Set("Content-Disposition", f.Disposition(x.Batch.ID))
	}
	_, err := w.Write(buf.Bytes())
	return err
}

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
	header := []string{"file_id", "file_name", "status", "error_code"}
	for _, c := range order {
		header = append(header, CSVText(c))
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i, f := range files {
		rec := []string{f.ID, CSVText(f.FileName), string(f.Status), ""}
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

// CSVText neutralises a text cell a spreadsheet would run as a formula:
// one that begins with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe, as OWASP's "CSV injection" advice has it. Only text
// (file names, string field values, column names) goes through here:
// numbers, negative ones included, are written as they are and stay
// numbers in a spreadsheet.
func CSVText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// flatten puts v's scalar values in out by path; text goes through
// CSVText.
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
			out[path] = CSVText(x)
		default:
			out[path] = fmt.Sprint(x)
		}
	}
}

// ViewBatch returns b's wire shape.
func ViewBatch(b docparse.Batch) wire.Batch {
	return wire.Batch{ID: b.ID, ExtractionID: b.ExtractionID, Name: b.Name, Status: string(b.Status), FileCount: b.FileCount,
		PageCount: b.PageCount, Counts: wire.Counts(b.Counts), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, CompletedAt: b.CompletedAt}
}

// ViewFile returns f's wire shape, without its result.
func ViewFile(f docparse.File) wire.FileInfo {
	return wire.FileInfo{ID: f.ID, ExtractionID: f.ExtractionID, BatchID: f.BatchID, FileName: f.FileName, ContentType: f.MIME,
		Size: f.Size, Status: string(f.Status), PageCount: f.PageCount, Error: (*wire.FileError)(f.Error), CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// FileDetails is docparse.File.Details decoded into its parts, each nil
// when absent.
type FileDetails struct {
	Sources   json.RawMessage `json:"sources"`
	Citations json.RawMessage `json:"citations"`
	EInvoice  json.RawMessage `json:"einvoice"`
	Warnings  json.RawMessage `json:"warnings"`
}

// DecodeDetails decodes a file's details; nil or unreadable details give
// the zero FileDetails.
func DecodeDetails(details []byte) FileDetails {
	var d FileDetails
	if details != nil {
		_ = json.Unmarshal(details, &d)
	}
	return d
}

// ViewFileResult returns f's result on the wire: result, confidence,
// sources and citations are null until the file has a result (citations
// also for a result stored before they existed); einvoice is there for an
// e-invoice, warnings when there is one.
func ViewFileResult(f docparse.File) wire.FileResult {
	b := wire.FileResult{File: ViewFile(f), Result: json.RawMessage("null"), Confidence: json.RawMessage("null"), Sources: json.RawMessage("null"),
		Citations: json.RawMessage("null")}
	if f.Result != nil {
		b.Result = f.Result
	}
	if f.Confidence != nil {
		b.Confidence = f.Confidence
	}
	d := DecodeDetails(f.Details)
	if len(d.Sources) > 0 {
		b.Sources = d.Sources
	}
	if len(d.Citations) > 0 {
		b.Citations = d.Citations
	}
	if len(d.EInvoice) > 0 && string(d.EInvoice) != "null" {
		b.EInvoice = d.EInvoice
	}
	if len(d.Warnings) > 0 && string(d.Warnings) != "null" {
		b.Warnings = d.Warnings
	}
	return b
}

// Package wire holds the JSON shapes of the docparse API's answers and
// event payloads (docs/API.md), written once: the server renders its
// answers and webhook payloads from them, and the client SDK decodes into
// them (package client names each again, as an alias).
//
// The JSON of a type is the contract: field names, their order, which are
// null and which are left out (omitempty). Changing a tag here changes
// what every client receives. Times are RFC 3339 UTC on the wire;
// statuses and other enumerations are plain strings.
//
// The package uses the standard library only and imports nothing of the
// server, so that the client may import it.
package wire

import (
	"encoding/json"
	"time"
)

// APIKey is an API key as listed: never its secret.
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Last4      string     `json:"last4"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"` // nil when never used; updated at most once a minute
}

// Page is one page of a list, API.md's list envelope: newest first (the
// events feed: oldest first). While HasMore is true, NextCursor is what
// ?cursor= (the events feed: ?after=) takes to read the next page; it is
// left out when empty.
type Page[T any] struct {
	Data       []T    `json:"data"`
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Field is one field of an extraction schema. Key matches
// ^[a-z][a-z0-9_]{0,63}$; Type is string, number, integer, boolean, date
// ("2026-05-24"), datetime (RFC 3339), object, list<string> or
// list<object>; object and list<object> fields carry their children in
// Fields; nesting is at most 3 deep.
type Field struct {
	Key         string  `json:"key"`
	Type        string  `json:"type"`
	Description string  `json:"description,omitempty"`
	Example     any     `json:"example,omitempty"`
	Fields      []Field `json:"fields,omitempty"`
}

// Options are an extraction's processing options.
type Options struct {
	OCRPriority  bool `json:"ocr_priority"`
	InferMissing bool `json:"infer_missing"`
	StrictFormat bool `json:"strict_format"`
}

// Extraction is a schema that documents are uploaded to.
type Extraction struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	Language        string    `json:"language"`
	Fields          []Field   `json:"fields"`
	Options         Options   `json:"options"`
	ReviewThreshold float64   `json:"review_threshold"`
	Status          string    `json:"status"` // always "ready"
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Batch statuses. A batch goes queued -> processing -> one terminal
// status, processed (no file failed), partial (some failed) or failed
// (all failed), and never changes again.
const (
	BatchQueued     = "queued"
	BatchProcessing = "processing"
	BatchProcessed  = "processed"
	BatchPartial    = "partial"
	BatchFailed     = "failed"
)

// File statuses: queued -> processing -> processed | needs_review |
// failed.
const (
	FileQueued      = "queued"
	FileProcessing  = "processing"
	FileProcessed   = "processed"
	FileNeedsReview = "needs_review"
	FileFailed      = "failed"
)

// Counts is how many files of a batch are in each status.
type Counts struct {
	Queued      int `json:"queued"`
	Processing  int `json:"processing"`
	Processed   int `json:"processed"`
	NeedsReview int `json:"needs_review"`
	Failed      int `json:"failed"`
}

// Done is how many files have ended (processed, needs_review or failed).
func (c Counts) Done() int { return c.Processed + c.NeedsReview + c.Failed }

// Batch is one upload of files to an extraction.
type Batch struct {
	ID           string     `json:"id"`
	ExtractionID string     `json:"extraction_id"`
	Name         string     `json:"name"`
	Status       string     `json:"status"`
	FileCount    int        `json:"file_count"`
	PageCount    int        `json:"page_count"`
	Counts       Counts     `json:"counts"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	CompletedAt  *time.Time `json:"completed_at"`
}

// Terminal reports whether the batch has ended: processed, partial or
// failed. A terminal batch never changes again.
func (b Batch) Terminal() bool { return terminal(b.Status) }

func terminal(status string) bool {
	return status == BatchProcessed || status == BatchPartial || status == BatchFailed
}

// FileError is why a file failed: Code is for example unsupported_type,
// corrupt_document, encrypted_document, empty_document, too_many_pages,
// timeout or internal_error.
type FileError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// BatchFile is a file as its batch lists it.
type BatchFile struct {
	ID        string     `json:"id"`
	FileName  string     `json:"file_name"`
	Status    string     `json:"status"`
	PageCount int        `json:"page_count"`
	Error     *FileError `json:"error,omitempty"`
}

// BatchResult is a batch with its files: the answer of an upload and of
// the polling endpoint.
type BatchResult struct {
	Batch Batch       `json:"batch"`
	Files []BatchFile `json:"files"`
}

// FileInfo is one file of a batch in full, without its result.
type FileInfo struct {
	ID           string     `json:"id"`
	ExtractionID string     `json:"extraction_id"`
	BatchID      string     `json:"batch_id"`
	FileName     string     `json:"file_name"`
	ContentType  string     `json:"content_type"` // sniffed from the content
	Size         int64      `json:"size"`
	Status       string     `json:"status"`
	PageCount    int        `json:"page_count"`
	Error        *FileError `json:"error,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// FileResult is a file with what was extracted from it, as the API
// answers it and the JSON export holds it. Result maps each schema key to
// its value (null when not found); Confidence mirrors it with numbers in
// [0, 1] (a nested map for object fields, an array for list fields);
// Sources mirrors it with how each value was read ("text", "ocr",
// "embedded_xml", "inferred", "review"); Citations mirrors it with where:
// {"page": 1, "box": [x0, y0, x1, y1]} in fractions of the page, origin
// top left, or {"page": null, "source": "embedded_xml"} for a value that
// stands on no page. All four are null until the file has a result. EInvoice is there for an e-invoice and Warnings when
// there is one; both are passed on as the result stored them (see
// docs/API.md).
type FileResult struct {
	File       FileInfo        `json:"file"`
	Result     json.RawMessage `json:"result"`
	Confidence json.RawMessage `json:"confidence"`
	Sources    json.RawMessage `json:"sources"`
	Citations  json.RawMessage `json:"citations"`
	EInvoice   json.RawMessage `json:"einvoice,omitempty"`
	Warnings   json.RawMessage `json:"warnings,omitempty"`
}

// BatchExport is the JSON export of a batch: every file with its result.
type BatchExport struct {
	Batch Batch        `json:"batch"`
	Files []FileResult `json:"files"`
}

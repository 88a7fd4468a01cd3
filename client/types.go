package client

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/wire"
)

// Wire types. The API's answers and event payloads are package wire's
// types, named here again as aliases; the types declared in this package
// are requests, and answers the client reads in its own way. Times are
// RFC 3339 UTC on the wire.

// APIKey is an API key as listed: never its secret.
type APIKey = wire.APIKey

// CreatedAPIKey is the answer of [Client.CreateAPIKey]: Key is the
// plaintext "dp_live_..." and is shown only this once. A replay of the
// request by its IdempotencyKey answers the same APIKey with Key empty:
// the server never stores the plaintext.
type CreatedAPIKey struct {
	APIKey APIKey `json:"api_key"`
	Key    string `json:"key"`
}

// Field types of an extraction schema.
const (
	TypeString     = "string"
	TypeNumber     = "number"
	TypeInteger    = "integer"
	TypeBoolean    = "boolean"
	TypeDate       = "date"     // "2026-05-24"
	TypeDateTime   = "datetime" // RFC 3339
	TypeObject     = "object"   // children in Fields
	TypeListString = "list<string>"
	TypeListObject = "list<object>" // children in Fields
)

// Extractions: see the wire types of the same names.
type (
	Field      = wire.Field
	Options    = wire.Options
	Extraction = wire.Extraction
)

// ExtractionParams creates an extraction. Name and Fields are required;
// the server defaults Language to "Multi-Lingual" and ReviewThreshold to
// 0.7.
type ExtractionParams struct {
	Name            string   `json:"name"`
	Description     string   `json:"description,omitempty"`
	Language        string   `json:"language,omitempty"`
	Fields          []Field  `json:"fields"`
	Options         *Options `json:"options,omitempty"`
	ReviewThreshold *float64 `json:"review_threshold,omitempty"`
	// IdempotencyKey, when set, makes a repeat of this create within 24 h
	// return the first answer and create nothing.
	IdempotencyKey string `json:"-"`
}

// ExtractionUpdate changes an extraction; nil fields are left as they
// are. Changes affect new batches only.
type ExtractionUpdate struct {
	Name            *string  `json:"name,omitempty"`
	Description     *string  `json:"description,omitempty"`
	Language        *string  `json:"language,omitempty"`
	Fields          []Field  `json:"fields,omitempty"`
	Options         *Options `json:"options,omitempty"`
	ReviewThreshold *float64 `json:"review_threshold,omitempty"`
}

// Batch statuses. A batch goes queued -> processing -> one terminal
// status, processed (no file failed), partial (some failed) or failed
// (all failed), and never changes again.
const (
	BatchQueued     = wire.BatchQueued
	BatchProcessing = wire.BatchProcessing
	BatchProcessed  = wire.BatchProcessed
	BatchPartial    = wire.BatchPartial
	BatchFailed     = wire.BatchFailed
)

// File statuses: queued -> processing -> processed | needs_review |
// failed.
const (
	FileQueued      = wire.FileQueued
	FileProcessing  = wire.FileProcessing
	FileProcessed   = wire.FileProcessed
	FileNeedsReview = wire.FileNeedsReview
	FileFailed      = wire.FileFailed
)

// Batches and their files: see the wire types of the same names.
// BatchResult is the answer of an upload, of [Client.GetBatch] and of
// [Client.WaitForBatch].
type (
	Counts      = wire.Counts
	Batch       = wire.Batch
	FileError   = wire.FileError
	BatchFile   = wire.BatchFile
	BatchResult = wire.BatchResult
	FileInfo    = wire.FileInfo
)

// FileResult is a file with what was extracted from it: the answer
// wire.FileResult, with its warnings read into Warning values. Result
// maps each schema key to its value (null when not found); Confidence
// mirrors it with numbers in [0, 1] (a nested map for object fields, an
// array for list fields); Sources mirrors it with how each value was read
// ("text", "ocr", "embedded_xml", "inferred", "review"); Citations
// mirrors it with where each value was read (read one with CitationOf).
// All four are JSON null until the file has a result.
//
// EInvoice is set for an e-invoice (a Factur-X/ZUGFeRD/XRechnung PDF or a
// CII/UBL XML upload): the invoice as its XML holds it (syntax, profile,
// id, type_code, issue_date, due_date, currency, seller, buyer, totals,
// taxes, lines; see docs/API.md). Warnings list what a person should
// check, such as a page that contradicts the e-invoice's XML.
type FileResult struct {
	File       FileInfo        `json:"file"`
	Result     json.RawMessage `json:"result"`
	Confidence json.RawMessage `json:"confidence"`
	Sources    json.RawMessage `json:"sources,omitempty"`
	Citations  json.RawMessage `json:"citations,omitempty"`
	EInvoice   json.RawMessage `json:"einvoice,omitempty"`
	Warnings   []Warning       `json:"warnings,omitempty"`
}

// Warning is one warning of a file result. Code is
// "einvoice_page_mismatch" (Field's value on the page, PageValue,
// contradicts the e-invoice's XML, XMLValue) or "einvoice_unreadable" (the
// PDF's e-invoice attachment could not be read; Message says why).
type Warning struct {
	Code      string `json:"code"`
	Message   string `json:"message,omitempty"`
	Field     string `json:"field,omitempty"`
	PageValue any    `json:"page_value,omitempty"`
	XMLValue  any    `json:"xml_value,omitempty"`
}

// HasResult reports whether the file has a result yet.
func (r *FileResult) HasResult() bool { return len(r.Result) > 0 && string(r.Result) != "null" }

// DecodeResult decodes Result into v, typically a struct with json tags
// matching the schema's keys. It decodes nothing when there is no result.
func (r *FileResult) DecodeResult(v any) error {
	if !r.HasResult() {
		return nil
	}
	return json.Unmarshal(r.Result, v)
}

// ResultMap returns Result as a map (nil when there is no result).
// Numbers are float64, as encoding/json decodes them.
func (r *FileResult) ResultMap() (map[string]any, error) {
	var m map[string]any
	err := r.DecodeResult(&m)
	return m, err
}

// ConfidenceMap returns Confidence as a map (nil when there is no result):
// values are float64, or nested maps and arrays for object and list
// fields.
func (r *FileResult) ConfidenceMap() (map[string]any, error) {
	if len(r.Confidence) == 0 || string(r.Confidence) == "null" {
		return nil, nil
	}
	var m map[string]any
	err := json.Unmarshal(r.Confidence, &m)
	return m, err
}

// BatchExport is the JSON export of a batch: every file with its result.
type BatchExport struct {
	Batch Batch        `json:"batch"`
	Files []FileResult `json:"files"`
}

// WebhookEndpoint is a URL that receives the account's events.
type WebhookEndpoint = wire.WebhookEndpoint

// WebhookEndpointParams creates an endpoint. URL must be https:// (plain
// http to localhost only on a server that allows private webhooks).
type WebhookEndpointParams struct {
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	EventTypes  []string `json:"event_types,omitempty"` // empty: every type
	Enabled     *bool    `json:"enabled,omitempty"`     // default true
	// IdempotencyKey: see ExtractionParams.
	IdempotencyKey string `json:"-"`
}

// CreatedWebhookEndpoint is the answer of a create: Secret ("whsec_...")
// signs deliveries and is shown only here and on rotation. A replay of the
// request by its IdempotencyKey answers the same endpoint with Secret
// empty: stored answers never hold the secret.
type CreatedWebhookEndpoint struct {
	WebhookEndpoint WebhookEndpoint `json:"webhook_endpoint"`
	Secret          string          `json:"secret"`
}

// WebhookEndpointUpdate changes an endpoint; nil fields are left as they
// are. EventTypes set to a pointer to an empty slice subscribes to every
// type.
type WebhookEndpointUpdate struct {
	URL         *string   `json:"url,omitempty"`
	Description *string   `json:"description,omitempty"`
	EventTypes  *[]string `json:"event_types,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty"`
}

// UpdatedWebhookEndpoint is the answer of an update. Recovery is set when
// the update re-enabled a disabled endpoint: pass Recovery.Since to
// [Client.RecoverWebhookEndpoint] to receive what it missed.
type UpdatedWebhookEndpoint struct {
	WebhookEndpoint WebhookEndpoint `json:"webhook_endpoint"`
	Recovery        *Recovery       `json:"recovery,omitempty"`
}

// Webhook endpoints' answers: see the wire types of the same names.
type (
	Recovery   = wire.Recovery   // the offer of a re-enabled endpoint
	TestResult = wire.TestResult // what a test delivery did
	Attempt    = wire.Attempt    // one logged delivery attempt
)

// Event types.
const (
	EventExtractionCompleted     = wire.EventExtractionCompleted
	EventExtractionFailed        = wire.EventExtractionFailed
	EventFileProcessed           = wire.EventFileProcessed
	EventFileNeedsReview         = wire.EventFileNeedsReview
	EventFileFailed              = wire.EventFileFailed
	EventClassificationCompleted = wire.EventClassificationCompleted
	EventFileClassified          = wire.EventFileClassified
	EventEndpointTest            = wire.EventEndpointTest
)

// Event is one event: an entry of the events feed (wire.Event, with the
// timestamp read into a time.Time), or a webhook delivery decoded by
// [WebhookHandler] (which fills ID from webhook-id and leaves CreatedAt
// and Deliveries empty).
type Event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"` // when the event happened
	Data      json.RawMessage `json:"data"`
	// CreatedAt and Deliveries are set in the events feed only.
	CreatedAt  time.Time  `json:"created_at"`
	Deliveries []Delivery `json:"deliveries,omitempty"`
}

// Delivery is the state of one event's delivery to one endpoint.
type Delivery = wire.Delivery

// BatchEventData is the data of extraction.completed and
// extraction.failed (which adds Error).
type BatchEventData = wire.BatchEventData

// FileEventData is the data of file.processed, file.needs_review and
// file.failed: wire.FileEventData, with File a BatchFile (the same
// fields) as this package has always had it.
type FileEventData struct {
	ExtractionID string    `json:"extraction_id"`
	BatchID      string    `json:"batch_id"`
	File         BatchFile `json:"file"`
}

// TestEventData is the data of endpoint.test.
type TestEventData = wire.TestEventData

// Citation says where a value was read. Page is the page (1-based) and Box
// the box around the words it was read from, in fractions of the page's
// width and height (x0, y0, x1, y1; origin top left). A value that stands
// on no page has a nil Page and says why in Source ("embedded_xml",
// "inferred", "review"); a page of a text format (.txt, .docx, e-mail)
// has no geometry, so no Box.
type Citation struct {
	Page   *int      `json:"page"`
	Box    []float64 `json:"box,omitempty"`
	Source string    `json:"source,omitempty"`
}

// CitationOf returns the citation of the value at path: a key
// ("total"), an object's child ("seller.name") or a list's item
// ("line_items[2].amount", "tags[0]"). It returns nil, nil for a value not
// found (or a result stored before citations existed), and an error for a
// path the citations do not have.
func (r *FileResult) CitationOf(path string) (*Citation, error) {
	if len(r.Citations) == 0 || string(r.Citations) == "null" {
		return nil, nil
	}
	var node any
	if err := json.Unmarshal(r.Citations, &node); err != nil {
		return nil, fmt.Errorf("decode citations: %w", err)
	}
	for _, step := range splitPath(path) {
		switch n := node.(type) {
		case map[string]any:
			if step.index >= 0 {
				return nil, fmt.Errorf("citations: %s: not a list", path)
			}
			v, ok := n[step.key]
			if !ok {
				return nil, fmt.Errorf("citations: %s: no key %q", path, step.key)
			}
			node = v
		case []any:
			if step.index < 0 || step.index >= len(n) {
				return nil, fmt.Errorf("citations: %s: no item %d", path, step.index)
			}
			node = n[step.index]
		case nil:
			return nil, nil
		default:
			return nil, fmt.Errorf("citations: %s: a value has no children", path)
		}
	}
	if node == nil {
		return nil, nil
	}
	b, _ := json.Marshal(node)
	var c Citation
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("citations: %s: %w", path, err)
	}
	return &c, nil
}

// pathStep is one step of a result path: a key, or a list index (key "").
type pathStep struct {
	key   string
	index int
}

// splitPath splits "line_items[2].amount" into line_items, [2], amount.
func splitPath(path string) []pathStep {
	var steps []pathStep
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			steps = append(steps, pathStep{key: key, index: -1})
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if err != nil {
				i = -2 // no such item
			}
			steps = append(steps, pathStep{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return steps
}

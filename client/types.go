package client

import (
	"encoding/json"
	"time"
)

// Wire types. They mirror the API's JSON field for field; times are
// RFC 3339 UTC on the wire.

// APIKey is an API key as listed: never its secret.
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Last4      string     `json:"last4"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"` // nil when never used; updated at most once a minute
}

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

// Field is one field of an extraction schema. Key matches
// ^[a-z][a-z0-9_]{0,63}$; object and list<object> fields carry their
// children in Fields; nesting is at most 3 deep.
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

// BatchFile is a file as a batch lists it (and as events carry it).
type BatchFile struct {
	ID        string     `json:"id"`
	FileName  string     `json:"file_name"`
	Status    string     `json:"status"`
	PageCount int        `json:"page_count"`
	Error     *FileError `json:"error,omitempty"`
}

// BatchResult is a batch with its files: the answer of an upload, of
// [Client.GetBatch] and of [Client.WaitForBatch].
type BatchResult struct {
	Batch Batch       `json:"batch"`
	Files []BatchFile `json:"files"`
}

// FileInfo is one file of a batch in full.
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

// FileResult is a file with what was extracted from it. Result maps each
// schema key to its value (null when not found); Confidence mirrors it
// with numbers in [0, 1] (a nested map for object fields, an array for
// list fields); Sources mirrors it with how each value was read ("text",
// "ocr", "embedded_xml", "inferred", "review"). All three are JSON null
// until the file has a result.
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
type WebhookEndpoint struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"` // empty: every type
	Enabled     bool     `json:"enabled"`
	// Status is "active", "failing" (deliveries fail since FailingSince)
	// or "disabled" (see DisabledReason).
	Status         string     `json:"status"`
	DisabledReason *string    `json:"disabled_reason"`
	LastSuccessAt  *time.Time `json:"last_success_at"`
	FailingSince   *time.Time `json:"failing_since"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

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

// Recovery is the offer of a re-enabled endpoint.
type Recovery struct {
	Since   time.Time `json:"since"`
	Message string    `json:"message"`
}

// TestResult is what a test delivery did. StatusCode is nil when no
// answer came; Error is nil when there was none.
type TestResult struct {
	StatusCode   *int    `json:"status_code"`
	LatencyMS    float64 `json:"latency_ms"`
	ResponseBody string  `json:"response_body"`
	Error        *string `json:"error"`
}

// Attempt is one logged delivery attempt.
type Attempt struct {
	ID              string            `json:"id"`
	EventID         string            `json:"event_id"`
	EventType       string            `json:"event_type"`
	EndpointID      string            `json:"endpoint_id"`
	AttemptNumber   int               `json:"attempt_number"`
	StatusCode      *int              `json:"status_code"`
	LatencyMS       float64           `json:"latency_ms"`
	RequestHeaders  map[string]string `json:"request_headers"`
	RequestBody     string            `json:"request_body"`
	ResponseHeaders map[string]string `json:"response_headers"`
	ResponseBody    string            `json:"response_body"` // first 20 KB
	Error           *string           `json:"error"`
	CreatedAt       time.Time         `json:"created_at"`
	NextAttemptAt   *time.Time        `json:"next_attempt_at"`
}

// Event types.
const (
	EventExtractionCompleted     = "extraction.completed"
	EventExtractionFailed        = "extraction.failed"
	EventFileProcessed           = "file.processed"
	EventFileNeedsReview         = "file.needs_review"
	EventFileFailed              = "file.failed"
	EventClassificationCompleted = "classification.completed"
	EventFileClassified          = "file.classified"
	EventEndpointTest            = "endpoint.test"
)

// Event is one event: an entry of the events feed, or a webhook delivery
// decoded by [WebhookHandler] (which fills ID from webhook-id and leaves
// CreatedAt and Deliveries empty).
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
type Delivery struct {
	EndpointID     string     `json:"endpoint_id"`
	Status         string     `json:"status"` // pending, delivered or failed
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      *string    `json:"last_error"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
}

// BatchEventData is the data of extraction.completed and
// extraction.failed (which adds Error).
type BatchEventData struct {
	ExtractionID string      `json:"extraction_id"`
	BatchID      string      `json:"batch_id"`
	Status       string      `json:"status"`
	FileCount    int         `json:"file_count"`
	PageCount    int         `json:"page_count"`
	Counts       Counts      `json:"counts"`
	Files        []BatchFile `json:"files"`
	Error        *FileError  `json:"error,omitempty"`
}

// FileEventData is the data of file.processed, file.needs_review and
// file.failed.
type FileEventData struct {
	ExtractionID string    `json:"extraction_id"`
	BatchID      string    `json:"batch_id"`
	File         BatchFile `json:"file"`
}

// TestEventData is the data of endpoint.test.
type TestEventData struct {
	Message string `json:"message"`
}

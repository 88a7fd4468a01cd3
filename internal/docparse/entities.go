package docparse

import "time"

// Account owns keys, extractions and everything under them.
type Account struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// APIKey is a stored API key: only its hash and last four characters.
type APIKey struct {
	ID         string
	AccountID  string
	Name       string
	Last4      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Extraction is a schema that documents are uploaded to.
type Extraction struct {
	ID              string
	AccountID       string
	Name            string
	Description     string
	Language        string
	Fields          []Field
	Options         Options
	ReviewThreshold float64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Schema is what a batch copies from its extraction at upload, so that a
// later PATCH affects new batches only.
type Schema struct {
	Language        string  `json:"language"`
	Fields          []Field `json:"fields"`
	Options         Options `json:"options"`
	ReviewThreshold float64 `json:"review_threshold"`
}

// BatchCore is what every batch is, whatever its files are for: an
// upload of files to an extraction (Batch) or to a classification
// (ClassificationBatch). Its status follows from its counts
// (BatchStatusFor) by the same rules for every kind.
type BatchCore struct {
	ID        string
	AccountID string
	Name      string
	Status    BatchStatus
	FileCount int
	PageCount int
	Counts    Counts
	// Version grows with every change of the batch or one of its files; the
	// polling endpoint's ETag is made from it.
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
}

// Batch is one upload of files to an extraction.
type Batch struct {
	BatchCore
	ExtractionID string
	Schema       Schema
}

// FileError is why a file failed.
type FileError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// FileCore is what every uploaded document of a batch is, whatever its
// batch's kind: an extraction's file (File) or a classification's
// (ClassificationFile).
type FileCore struct {
	ID        string
	AccountID string
	BatchID   string
	Position  int
	FileName  string
	Kind      string
	MIME      string
	Size      int64
	PageCount int
	BlobKey   string
	Status    FileStatus
	Error     *FileError
	CreatedAt time.Time
	UpdatedAt time.Time
}

// File is one uploaded document of an extraction batch.
type File struct {
	FileCore
	ExtractionID string
	// Result and Confidence are the JSON documents of the file result, nil
	// until the file has one.
	Result     []byte
	Confidence []byte
	// Details is the JSON object of the rest of the file result (sources,
	// einvoice, warnings), nil until the file has a result or for a
	// result stored before details existed.
	Details []byte
}

// Endpoint is a webhook endpoint of an account.
type Endpoint struct {
	ID          string
	AccountID   string
	URL         string
	Description string
	// EventTypes filters the events delivered; empty means all.
	EventTypes     []string
	Enabled        bool
	DisabledReason string
	// Secret signs deliveries; PrevSecret also signs them until
	// PrevSecretExpiresAt (rotation grace period).
	Secret              string
	PrevSecret          string
	PrevSecretExpiresAt *time.Time
	LastSuccessAt       *time.Time
	FailingSince        *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Wants reports whether the endpoint subscribes to events of type t.
func (e Endpoint) Wants(t string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, x := range e.EventTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Secrets returns the secrets that sign a delivery at now.
func (e Endpoint) Secrets(now time.Time) []string {
	s := []string{e.Secret}
	if e.PrevSecret != "" && e.PrevSecretExpiresAt != nil && now.Before(*e.PrevSecretExpiresAt) {
		s = append(s, e.PrevSecret)
	}
	return s
}

// Event is one entry of the events feed; Payload is the exact body every
// delivery of it sends.
type Event struct {
	Seq       int64
	ID        string
	AccountID string
	Type      string
	Payload   []byte
	CreatedAt time.Time
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is the state of one event's delivery to one endpoint.
type Delivery struct {
	ID         string
	AccountID  string
	EventID    string
	EndpointID string
	State      string
	Attempts   int
	// Round grows each time the delivery is queued again (resend,
	// recover).
	Round          int
	FirstAttemptAt *time.Time
	NextAttemptAt  time.Time
	LastStatus     *int
	LastError      string
}

// Attempt is one recorded delivery attempt.
type Attempt struct {
	ID              string
	AccountID       string
	EndpointID      string
	EventID         string
	EventType       string
	AttemptNumber   int
	StatusCode      *int
	LatencyMS       float64
	RequestHeaders  map[string]string
	RequestBody     []byte
	ResponseHeaders map[string]string
	ResponseBody    string
	Error           string
	CreatedAt       time.Time
	NextAttemptAt   *time.Time
}

package wire

import (
	"encoding/json"
	"strings"
	"time"
)

// Event types. Every event is {"type", "timestamp", "data"}; the types
// below say what its data holds.
const (
	EventExtractionCompleted     = "extraction.completed"     // BatchEventData
	EventExtractionFailed        = "extraction.failed"        // BatchEventData with Error
	EventFileProcessed           = "file.processed"           // FileEventData
	EventFileNeedsReview         = "file.needs_review"        // FileEventData
	EventFileFailed              = "file.failed"              // FileEventData
	EventClassificationCompleted = "classification.completed" // ClassificationEventData
	EventFileClassified          = "file.classified"          // FileClassifiedEventData
	EventEndpointTest            = "endpoint.test"            // TestEventData
)

// SplitEventTypes splits a comma-separated list of event types, as the
// events feed's ?type= takes it, into its items with the spaces around
// them trimmed, leaving out empty ones (nil for none). It checks no type.
func SplitEventTypes(list string) []string {
	var types []string
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			types = append(types, t)
		}
	}
	return types
}

// Event is one entry of the events feed. Type, Timestamp (the event's
// time, RFC 3339 with up to nanoseconds) and Data are those of the
// payload every delivery of the event sends; Deliveries has one entry per
// endpoint the event was queued to, [] when none.
type Event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Timestamp  string          `json:"timestamp"`
	Data       json.RawMessage `json:"data"`
	CreatedAt  time.Time       `json:"created_at"`
	Deliveries []Delivery      `json:"deliveries"`
}

// BatchEventData is the data of extraction.completed and
// extraction.failed (which adds Error). Its files carry no error.
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
	File         EventFile `json:"file"`
}

// EventFile is the file of FileEventData: a BatchFile's fields with the
// page count before the status, as the event has always sent them.
type EventFile struct {
	ID        string     `json:"id"`
	FileName  string     `json:"file_name"`
	PageCount int        `json:"page_count"`
	Status    string     `json:"status"`
	Error     *FileError `json:"error,omitempty"`
}

// ClassifiedFile is a file in the data of file.classified and
// classification.completed: its result (the override when there is one).
// CategoryID is nil when the file has no category, Confidence while it
// has no result.
type ClassifiedFile struct {
	ID            string     `json:"id"`
	FileName      string     `json:"file_name"`
	Status        string     `json:"status"`
	PageCount     int        `json:"page_count"`
	CategoryID    *string    `json:"category_id"`
	CategoryName  *string    `json:"category_name"`
	Confidence    *float64   `json:"confidence"`
	Overridden    bool       `json:"overridden"`
	LinkedBatchID *string    `json:"linked_batch_id,omitempty"`
	Error         *FileError `json:"error,omitempty"`
}

// FileClassifiedEventData is the data of file.classified.
type FileClassifiedEventData struct {
	ClassificationID string         `json:"classification_id"`
	BatchID          string         `json:"batch_id"`
	File             ClassifiedFile `json:"file"`
}

// ClassificationEventData is the data of classification.completed.
type ClassificationEventData struct {
	ClassificationID string           `json:"classification_id"`
	BatchID          string           `json:"batch_id"`
	Status           string           `json:"status"`
	FileCount        int              `json:"file_count"`
	PageCount        int              `json:"page_count"`
	Counts           Counts           `json:"counts"`
	Files            []ClassifiedFile `json:"files"`
}

// TestEventData is the data of endpoint.test.
type TestEventData struct {
	Message string `json:"message"`
}

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

// Batch is one upload of files to an extraction.
type Batch struct {
	ID           string
	AccountID    string
	ExtractionID string
	Name         string
	Status       BatchStatus
	Schema       Schema
	FileCount    int
	PageCount    int
	Counts       Counts
	// Version grows with every change of the batch or one of its files; the
	// polling endpoint's ETag is made from it.
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
}

// FileError is why a file failed.
type FileError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// File is one uploaded document of a batch.
type File struct {
	ID           string
	AccountID    string
	ExtractionID string
	BatchID      string
	Position     int
	FileName     string
	Kind         string
	MIME         string
	Size         int64
	PageCount    int
	BlobKey      string
	Status       FileStatus
	Error        *FileError
	// Result and Confidence are the JSON documents of the file result, nil
	// until the file has one.
	Result     []byte
	Confidence []byte
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

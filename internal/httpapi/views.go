package httpapi

import (
	"encoding/json"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// Wire shapes of API.md. Times are RFC 3339 UTC.

type apiKeyView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Last4      string     `json:"last4"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func viewAPIKey(k docparse.APIKey) apiKeyView {
	return apiKeyView{ID: k.ID, Name: k.Name, Last4: k.Last4, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

type extractionView struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	Language        string           `json:"language"`
	Fields          []docparse.Field `json:"fields"`
	Options         docparse.Options `json:"options"`
	ReviewThreshold float64          `json:"review_threshold"`
	Status          string           `json:"status"`
	CreatedAt       time.Time        `json:"created_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
}

func viewExtraction(e docparse.Extraction) extractionView {
	return extractionView{ID: e.ID, Name: e.Name, Description: e.Description, Language: e.Language, Fields: e.Fields,
		Options: e.Options, ReviewThreshold: e.ReviewThreshold, Status: "ready", CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

type batchView struct {
	ID           string               `json:"id"`
	ExtractionID string               `json:"extraction_id"`
	Name         string               `json:"name"`
	Status       docparse.BatchStatus `json:"status"`
	FileCount    int                  `json:"file_count"`
	PageCount    int                  `json:"page_count"`
	Counts       docparse.Counts      `json:"counts"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
	CompletedAt  *time.Time           `json:"completed_at"`
}

func viewBatch(b docparse.Batch) batchView {
	return batchView{ID: b.ID, ExtractionID: b.ExtractionID, Name: b.Name, Status: b.Status, FileCount: b.FileCount,
		PageCount: b.PageCount, Counts: b.Counts, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, CompletedAt: b.CompletedAt}
}

type fileSummaryView struct {
	ID        string              `json:"id"`
	FileName  string              `json:"file_name"`
	Status    docparse.FileStatus `json:"status"`
	PageCount int                 `json:"page_count"`
	Error     *docparse.FileError `json:"error,omitempty"`
}

func viewFileSummary(f docparse.File) fileSummaryView {
	return fileSummaryView{ID: f.ID, FileName: f.FileName, Status: f.Status, PageCount: f.PageCount, Error: f.Error}
}

type fileView struct {
	ID           string              `json:"id"`
	ExtractionID string              `json:"extraction_id"`
	BatchID      string              `json:"batch_id"`
	FileName     string              `json:"file_name"`
	ContentType  string              `json:"content_type"`
	Size         int64               `json:"size"`
	Status       docparse.FileStatus `json:"status"`
	PageCount    int                 `json:"page_count"`
	Error        *docparse.FileError `json:"error,omitempty"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
}

func viewFile(f docparse.File) fileView {
	return fileView{ID: f.ID, ExtractionID: f.ExtractionID, BatchID: f.BatchID, FileName: f.FileName, ContentType: f.MIME,
		Size: f.Size, Status: f.Status, PageCount: f.PageCount, Error: f.Error, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// fileResultBody is the file result of API.md: result and confidence are
// null until the file has a result.
type fileResultBody struct {
	File       fileView        `json:"file"`
	Result     json.RawMessage `json:"result"`
	Confidence json.RawMessage `json:"confidence"`
}

func viewFileResult(f docparse.File) fileResultBody {
	b := fileResultBody{File: viewFile(f), Result: json.RawMessage("null"), Confidence: json.RawMessage("null")}
	if f.Result != nil {
		b.Result = f.Result
	}
	if f.Confidence != nil {
		b.Confidence = f.Confidence
	}
	return b
}

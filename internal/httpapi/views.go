package httpapi

import (
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/export"
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

// The batch, file and file result shapes are the export's, which holds
// them whole.
type (
	batchView      = export.BatchView
	fileResultBody = export.FileResultView
)

func viewBatch(b docparse.Batch) batchView          { return export.ViewBatch(b) }
func viewFileResult(f docparse.File) fileResultBody { return export.ViewFileResult(f) }

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

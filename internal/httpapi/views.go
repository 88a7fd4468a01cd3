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

type categoryView struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Description        string   `json:"description"`
	Keywords           []string `json:"keywords"`
	LinkedExtractionID *string  `json:"linked_extraction_id"`
}

type classificationView struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Threshold   float64        `json:"threshold"`
	Categories  []categoryView `json:"categories"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

func viewClassification(c docparse.Classification) classificationView {
	v := classificationView{ID: c.ID, Name: c.Name, Description: c.Description, Threshold: c.Threshold,
		Categories: make([]categoryView, len(c.Categories)), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	for i, x := range c.Categories {
		cv := categoryView{ID: x.ID, Name: x.Name, Description: x.Description, Keywords: x.Keywords}
		if cv.Keywords == nil {
			cv.Keywords = []string{}
		}
		if x.LinkedExtractionID != "" {
			cv.LinkedExtractionID = &x.LinkedExtractionID
		}
		v.Categories[i] = cv
	}
	return v
}

type classificationBatchView struct {
	ID               string               `json:"id"`
	ClassificationID string               `json:"classification_id"`
	Name             string               `json:"name"`
	Status           docparse.BatchStatus `json:"status"`
	FileCount        int                  `json:"file_count"`
	PageCount        int                  `json:"page_count"`
	Counts           docparse.Counts      `json:"counts"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
	CompletedAt      *time.Time           `json:"completed_at"`
}

func viewClassificationBatch(b docparse.ClassificationBatch) classificationBatchView {
	return classificationBatchView{ID: b.ID, ClassificationID: b.ClassificationID, Name: b.Name, Status: b.Status, FileCount: b.FileCount,
		PageCount: b.PageCount, Counts: b.Counts, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, CompletedAt: b.CompletedAt}
}

// classificationFileView is a classification file as its batch lists it:
// the result is the override when there is one (overridden: true), else
// the classifier's decision; the classified_* fields and confidence are
// null until the file is processed, and classified_category_* stay null
// for a file below the threshold.
type classificationFileView struct {
	ID                      string              `json:"id"`
	FileName                string              `json:"file_name"`
	Status                  docparse.FileStatus `json:"status"`
	PageCount               int                 `json:"page_count"`
	ClassifiedCategoryID    *string             `json:"classified_category_id"`
	ClassifiedCategoryName  *string             `json:"classified_category_name"`
	Confidence              *float64            `json:"confidence"`
	ClassificationReasoning *string             `json:"classification_reasoning"`
	Overridden              bool                `json:"overridden"`
	LinkedBatchID           *string             `json:"linked_batch_id"`
	Error                   *docparse.FileError `json:"error,omitempty"`
}

func viewClassificationFile(f docparse.ClassificationFile) classificationFileView {
	v := classificationFileView{ID: f.ID, FileName: f.FileName, Status: f.Status, PageCount: f.PageCount, Overridden: f.Override != nil, Error: f.Error}
	if d, ok := f.Result(); ok {
		if d.CategoryID != "" {
			v.ClassifiedCategoryID, v.ClassifiedCategoryName = &d.CategoryID, &d.CategoryName
		}
		v.Confidence, v.ClassificationReasoning = &d.Confidence, &d.Reasoning
	}
	if f.LinkedBatchID != "" {
		v.LinkedBatchID = &f.LinkedBatchID
	}
	return v
}

// classificationFileDetail is one classification file in full.
type classificationFileDetail struct {
	classificationFileView
	ClassificationID string    `json:"classification_id"`
	BatchID          string    `json:"batch_id"`
	ContentType      string    `json:"content_type"`
	Size             int64     `json:"size"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func viewClassificationFileDetail(f docparse.ClassificationFile) classificationFileDetail {
	return classificationFileDetail{classificationFileView: viewClassificationFile(f), ClassificationID: f.ClassificationID, BatchID: f.BatchID,
		ContentType: f.MIME, Size: f.Size, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

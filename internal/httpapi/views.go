package httpapi

import (
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/export"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/wire"
)

// The answers' shapes are package wire's; the functions here fill them
// from the domain's types.

func viewAPIKey(k docparse.APIKey) wire.APIKey {
	return wire.APIKey{ID: k.ID, Name: k.Name, Last4: k.Last4, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

func viewExtraction(e docparse.Extraction) wire.Extraction {
	return wire.Extraction{ID: e.ID, Name: e.Name, Description: e.Description, Language: e.Language, Fields: viewFields(e.Fields),
		Options: wire.Options(e.Options), ReviewThreshold: e.ReviewThreshold, Status: "ready", CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// viewFields keeps nil as nil and empty as empty: the schema's fields are
// null or [] on the wire as they were stored.
func viewFields(fs []docparse.Field) []wire.Field {
	if fs == nil {
		return nil
	}
	out := make([]wire.Field, len(fs))
	for i, f := range fs {
		out[i] = wire.Field{Key: f.Key, Type: string(f.Type), Description: f.Description, Example: f.Example, Fields: viewFields(f.Fields)}
	}
	return out
}

// The batch and file shapes are filled by package export, whose download
// holds them whole.

func viewBatch(b docparse.Batch) wire.Batch          { return export.ViewBatch(b) }
func viewFileResult(f docparse.File) wire.FileResult { return export.ViewFileResult(f) }

func viewFileSummary(f docparse.File) wire.BatchFile {
	return wire.BatchFile{ID: f.ID, FileName: f.FileName, Status: string(f.Status), PageCount: f.PageCount, Error: (*wire.FileError)(f.Error)}
}

// viewBatchResult is an extraction batch with its files, as its upload
// and its polling answer show it.
func viewBatchResult(b docparse.Batch, files []docparse.File) wire.BatchResult {
	return wire.BatchResult{Batch: viewBatch(b), Files: viewAll(files, viewFileSummary)}
}

func viewClassification(c docparse.Classification) wire.Classification {
	v := wire.Classification{ID: c.ID, Name: c.Name, Description: c.Description, Threshold: c.Threshold,
		Categories: make([]wire.Category, len(c.Categories)), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	for i, x := range c.Categories {
		cv := wire.Category{ID: x.ID, Name: x.Name, Description: x.Description, Keywords: x.Keywords}
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

func viewClassificationBatch(b docparse.ClassificationBatch) wire.ClassificationBatch {
	return wire.ClassificationBatch{ID: b.ID, ClassificationID: b.ClassificationID, Name: b.Name, Status: string(b.Status), FileCount: b.FileCount,
		PageCount: b.PageCount, Counts: wire.Counts(b.Counts), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, CompletedAt: b.CompletedAt}
}

// viewClassificationBatchResult is a classification batch with its
// files, as its upload and its polling answer show it.
func viewClassificationBatchResult(b docparse.ClassificationBatch, files []docparse.ClassificationFile) wire.ClassificationBatchResult {
	return wire.ClassificationBatchResult{Batch: viewClassificationBatch(b), Files: viewAll(files, viewClassificationFile)}
}

// viewClassificationFile is a classification file as its batch lists it:
// the result is the override when there is one (overridden: true), else
// the classifier's decision; the classified_* fields and confidence are
// null until the file is processed, and classified_category_* stay null
// for a file below the threshold. The fields of one file in full are
// left zero, so left out.
func viewClassificationFile(f docparse.ClassificationFile) wire.ClassificationFile {
	// The result as the events show it, under the API's names, with the
	// reasoning the events leave out.
	c := pipeline.ViewClassifiedFile(f)
	v := wire.ClassificationFile{ID: c.ID, FileName: c.FileName, Status: c.Status, PageCount: c.PageCount,
		ClassifiedCategoryID: c.CategoryID, ClassifiedCategoryName: c.CategoryName, Confidence: c.Confidence,
		Overridden: c.Overridden, LinkedBatchID: c.LinkedBatchID, Error: c.Error}
	if d, ok := f.Result(); ok {
		v.ClassificationReasoning = &d.Reasoning
	}
	return v
}

// classificationFileDetail is one classification file in full. Its own
// fields stand in for the embedded file's fields of the same names, which
// omit a zero value: this answer always carries them, a size of 0
// included.
type classificationFileDetail struct {
	wire.ClassificationFile
	ClassificationID string    `json:"classification_id"`
	BatchID          string    `json:"batch_id"`
	ContentType      string    `json:"content_type"`
	Size             int64     `json:"size"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func viewClassificationFileDetail(f docparse.ClassificationFile) classificationFileDetail {
	return classificationFileDetail{ClassificationFile: viewClassificationFile(f), ClassificationID: f.ClassificationID, BatchID: f.BatchID,
		ContentType: f.MIME, Size: f.Size, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// viewAll shows each of xs with view, in order; [] when there are none.
func viewAll[T, V any](xs []T, view func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = view(x)
	}
	return out
}

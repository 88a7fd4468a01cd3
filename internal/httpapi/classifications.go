package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/upload"
	"github.com/docparse/docparse/wire"
)

// Classifications, their batches and files (API.md, "Classifications").

// classificationRequest is the body of create and patch. A category has
// the form of the answer's: its ID names an existing category in a PATCH;
// linked_extraction_id null or absent links no extraction.
type classificationRequest struct {
	Name        *string          `json:"name"`
	Description *string          `json:"description"`
	Threshold   *float64         `json:"threshold"`
	Categories  *[]wire.Category `json:"categories"`
}

func (in classificationRequest) input() pipeline.ClassificationInput {
	out := pipeline.ClassificationInput{Name: in.Name, Description: in.Description, Threshold: in.Threshold}
	if in.Categories != nil {
		cats := make([]docparse.Category, len(*in.Categories))
		for i, c := range *in.Categories {
			cats[i] = docparse.Category{ID: c.ID, Name: c.Name, Description: c.Description, Keywords: c.Keywords}
			if c.LinkedExtractionID != nil {
				cats[i].LinkedExtractionID = *c.LinkedExtractionID
			}
		}
		out.Categories = &cats
	}
	return out
}

// createClassificationBatch receives a multipart upload into a new
// classification batch exactly as createBatch does: same limits (413,
// nothing stored), streaming, and a bad file accepted to fail on its own.
func (s *Server) createClassificationBatch(w http.ResponseWriter, r *http.Request) error {
	return createBatchOf(s, w, r, "classification_id", s.svc.NewClassificationUpload, viewClassificationBatchResult)
}

// getClassificationBatch is the polling endpoint of classification
// batches, with the ETag and the kept answers of getBatch. The version
// also moves with overrides and chaining, so a poll sees them.
func (s *Server) getClassificationBatch(w http.ResponseWriter, r *http.Request) error {
	return pollBatchOf(s, w, r, "classification_id", s.db.ClassificationBatchVersion, s.db.ClassificationBatchWithFiles,
		viewClassificationBatchResult, func(b docparse.ClassificationBatch) int64 { return b.Version })
}

func (s *Server) listClassificationBatches(w http.ResponseWriter, r *http.Request) error {
	exists := func(ctx context.Context, acct, id string) error {
		_, err := s.db.Classification(ctx, acct, id)
		return err
	}
	return listBatchesOf(w, r, docparse.PrefixClassificationBatch, "classification_id", exists, s.db.ListClassificationBatches,
		func(b docparse.ClassificationBatch) string { return b.ID }, viewClassificationBatch)
}

func (s *Server) getClassificationFile(w http.ResponseWriter, r *http.Request) error {
	return one(w, "file", viewClassificationFileDetail)(s.db.ClassificationFile(r.Context(), account(r),
		r.PathValue("classification_id"), r.PathValue("batch_id"), r.PathValue("file_id")))
}

// overrideRequest is the body of a file PATCH: classified_category_id is
// required, a category id sets the override and null clears it.
type overrideRequest struct {
	ClassifiedCategoryID json.RawMessage `json:"classified_category_id"`
}

// updateClassificationFile sets or clears a file's override.
func (s *Server) updateClassificationFile(w http.ResponseWriter, r *http.Request) error {
	var in overrideRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var cat *string
	switch raw := bytes.TrimSpace(in.ClassifiedCategoryID); {
	case len(raw) == 0:
		v := &docparse.ValidationError{}
		v.Add("classified_category_id", "is required: a category id to set the override, or null to clear it")
		return v
	case string(raw) == "null":
	default:
		var id string
		if err := json.Unmarshal(raw, &id); err != nil {
			v := &docparse.ValidationError{}
			v.Add("classified_category_id", "must be a category id (a string) or null")
			return v
		}
		cat = &id
	}
	return one(w, "file", viewClassificationFileDetail)(s.svc.SetClassificationOverride(r.Context(), account(r),
		r.PathValue("classification_id"), r.PathValue("batch_id"), r.PathValue("file_id"), cat))
}

// getClassificationFileContent returns the original upload.
func (s *Server) getClassificationFileContent(w http.ResponseWriter, r *http.Request) error {
	f, err := s.db.ClassificationFile(r.Context(), account(r), r.PathValue("classification_id"), r.PathValue("batch_id"), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	return upload.Serve(w, r, s.svc.OpenDocument, f.BlobKey, f.MIME, f.FileName, f.CreatedAt)
}

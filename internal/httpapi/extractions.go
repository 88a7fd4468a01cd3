package httpapi

import (
	"context"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
)

// extractionRequest is the body of create and patch.
type extractionRequest struct {
	Name            *string           `json:"name"`
	Description     *string           `json:"description"`
	Language        *string           `json:"language"`
	Fields          *[]docparse.Field `json:"fields"`
	Options         *docparse.Options `json:"options"`
	ReviewThreshold *float64          `json:"review_threshold"`
}

func (in extractionRequest) input() pipeline.ExtractionInput {
	return pipeline.ExtractionInput{Name: in.Name, Description: in.Description, Language: in.Language, Fields: in.Fields,
		Options: in.Options, ReviewThreshold: in.ReviewThreshold}
}

func (s *Server) createExtraction(w http.ResponseWriter, r *http.Request) error {
	return createFromJSON(s, w, r, func(ctx context.Context, tx *store.Tx, in extractionRequest) (answer, error) {
		return created("extraction", viewExtraction)(s.svc.CreateExtractionTx(ctx, tx, account(r), in.input()))
	})
}

func (s *Server) listExtractions(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, docparse.PrefixExtraction, s.db.ListExtractions, func(e docparse.Extraction) string { return e.ID }, viewExtraction)
}

func (s *Server) getExtraction(w http.ResponseWriter, r *http.Request) error {
	return one(w, "extraction", viewExtraction)(s.db.Extraction(r.Context(), account(r), r.PathValue("extraction_id")))
}

func (s *Server) updateExtraction(w http.ResponseWriter, r *http.Request) error {
	var in extractionRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return one(w, "extraction", viewExtraction)(s.svc.UpdateExtraction(r.Context(), account(r), r.PathValue("extraction_id"), in.input()))
}

func (s *Server) deleteExtraction(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.svc.DeleteExtraction(r.Context(), account(r), r.PathValue("extraction_id")))
}

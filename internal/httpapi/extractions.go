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
	return s.createsOnce(w, r, true, func(o *once) error {
		var in extractionRequest
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		return o.tx(func(ctx context.Context, tx *store.Tx) (answer, error) {
			e, err := s.svc.CreateExtractionTx(ctx, tx, account(r), in.input())
			if err != nil {
				return answer{}, err
			}
			return answer{Status: http.StatusCreated, Body: map[string]any{"extraction": viewExtraction(e)}}, nil
		})
	})
}

func (s *Server) listExtractions(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r, docparse.PrefixExtraction)
	if err != nil {
		return err
	}
	es, more, err := s.db.ListExtractions(r.Context(), account(r), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(es, more, func(e docparse.Extraction) string { return e.ID }, viewExtraction))
	return nil
}

func (s *Server) getExtraction(w http.ResponseWriter, r *http.Request) error {
	e, err := s.db.Extraction(r.Context(), account(r), r.PathValue("extraction_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"extraction": viewExtraction(e)})
	return nil
}

func (s *Server) updateExtraction(w http.ResponseWriter, r *http.Request) error {
	var in extractionRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.svc.UpdateExtraction(r.Context(), account(r), r.PathValue("extraction_id"), in.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"extraction": viewExtraction(e)})
	return nil
}

func (s *Server) deleteExtraction(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteExtraction(r.Context(), account(r), r.PathValue("extraction_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

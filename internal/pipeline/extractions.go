package pipeline

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// ExtractionInput is a create or patch request for an extraction. Nil
// pointers are "not given".
type ExtractionInput struct {
	Name            *string
	Description     *string
	Language        *string
	Fields          *[]docparse.Field
	Options         *docparse.Options
	ReviewThreshold *float64
}

// setDescription applies a patch's description, when it has one, to
// *dst, reporting to v one of more than max characters.
func setDescription(v *docparse.ValidationError, description *string, max int, dst *string) {
	if description == nil {
		return
	}
	if utf8.RuneCountInString(*description) > max {
		v.Add("description", fmt.Sprintf("must be at most %d characters", max))
	}
	*dst = *description
}

// apply validates in and applies it to e, reporting every problem.
func (in ExtractionInput) apply(e *docparse.Extraction, create bool) error {
	plain := &docparse.ValidationError{}
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
		}
		switch n := utf8.RuneCountInString(name); {
		case n == 0:
			plain.Add("name", "is required")
		case n > 200:
			plain.Add("name", "must be at most 200 characters")
		default:
			e.Name = name
		}
	}
	setDescription(plain, in.Description, 2000, &e.Description)
	if in.Language != nil {
		l := strings.TrimSpace(*in.Language)
		if l == "" || utf8.RuneCountInString(l) > 50 {
			plain.Add("language", "must be a language name such as English, French, German, Spanish or Multi-Lingual")
		}
		e.Language = l
	} else if create {
		e.Language = docparse.DefaultLanguage
	}
	if in.Options != nil {
		e.Options = *in.Options
	}
	if in.ReviewThreshold != nil {
		if t := *in.ReviewThreshold; math.IsNaN(t) || t < 0 || t > 1 {
			plain.Add("review_threshold", "must be a number from 0 to 1")
		}
		e.ReviewThreshold = *in.ReviewThreshold
	} else if create {
		e.ReviewThreshold = docparse.DefaultReviewThreshold
	}
	if in.Fields == nil && create {
		plain.Add("fields", "is required: at least one field")
	}
	if err := plain.Err(); err != nil {
		return err
	}
	if in.Fields != nil {
		if err := docparse.ValidateFields(*in.Fields); err != nil {
			return err
		}
		e.Fields = *in.Fields
	}
	return nil
}

// CreateExtraction validates in and stores a new extraction.
func (s *Service) CreateExtraction(ctx context.Context, accountID string, in ExtractionInput) (docparse.Extraction, error) {
	return inTx(ctx, s.db, func(tx *store.Tx) (docparse.Extraction, error) { return s.CreateExtractionTx(ctx, tx, accountID, in) })
}

// CreateExtractionTx is CreateExtraction inside tx, for a caller that
// commits more with it (the stored answer of an Idempotency-Key).
func (s *Service) CreateExtractionTx(ctx context.Context, tx *store.Tx, accountID string, in ExtractionInput) (docparse.Extraction, error) {
	now := s.Now()
	e := docparse.Extraction{ID: s.ids.New(docparse.PrefixExtraction), AccountID: accountID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&e, true); err != nil {
		return docparse.Extraction{}, err
	}
	return insertCounted(ctx, accountID, "extractions", s.cfg.Quotas.Extractions, tx.CountExtractions, tx.InsertExtraction, e)
}

// UpdateExtraction applies a patch; batches already uploaded keep the
// schema they were uploaded with.
func (s *Service) UpdateExtraction(ctx context.Context, accountID, id string, in ExtractionInput) (docparse.Extraction, error) {
	var e docparse.Extraction
	err := s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		e, err = tx.Extraction(ctx, accountID, id)
		if err != nil {
			return err
		}
		if err := in.apply(&e, false); err != nil {
			return err
		}
		e.UpdatedAt = s.Now()
		return tx.UpdateExtraction(ctx, e)
	})
	return e, err
}

// DeleteExtraction removes an extraction with its batches, files, results
// and the stored documents that no classification file shares. Jobs still queued for its files find nothing and
// end.
func (s *Service) DeleteExtraction(ctx context.Context, accountID, id string) error {
	keys, err := inTx(ctx, s.db, func(tx *store.Tx) ([]string, error) { return tx.DeleteExtraction(ctx, accountID, id) })
	if err != nil {
		return err
	}
	s.deleteBlobs(ctx, keys)
	return nil
}

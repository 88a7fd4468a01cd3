package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// ClassificationInput is a create or patch request for a classification.
// Nil pointers are "not given". Categories given to a PATCH replace the
// list: a category with the id of an existing one keeps that id (and the
// overrides that name it), one without an id is new, and an existing one
// left out is removed.
type ClassificationInput struct {
	Name        *string
	Description *string
	Threshold   *float64
	Categories  *[]docparse.Category
}

// apply applies in to c, minting ids of new categories. It validates the
// result except for linked extractions (checkLinks).
func (in ClassificationInput) apply(s *Service, c *docparse.Classification, create bool) error {
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Threshold != nil {
		c.Threshold = *in.Threshold
	} else if create {
		c.Threshold = docparse.DefaultThreshold
	}
	if in.Categories == nil && create {
		e := &docparse.ValidationError{}
		e.Add("categories", fmt.Sprintf("is required: %d to %d categories", docparse.MinCategories, docparse.MaxCategories))
		if c.Name == "" {
			e.Add("name", "is required")
		}
		return e
	}
	old := c.Categories
	if in.Categories != nil {
		cats := make([]docparse.Category, len(*in.Categories))
		for i, x := range *in.Categories {
			x.Name = strings.TrimSpace(x.Name)
			x.LinkedExtractionID = strings.TrimSpace(x.LinkedExtractionID)
			kw := make([]string, len(x.Keywords))
			for j, k := range x.Keywords {
				kw[j] = strings.TrimSpace(k)
			}
			x.Keywords = kw
			cats[i] = x
		}
		c.Categories = cats
	}
	if err := docparse.ValidateClassification(*c); err != nil {
		return err
	}
	if in.Categories == nil {
		return nil
	}
	e := &docparse.ValidationError{Semantic: true}
	known := map[string]bool{}
	for _, x := range old {
		known[x.ID] = true
	}
	for i := range c.Categories {
		x := &c.Categories[i]
		switch {
		case x.ID == "":
			x.ID = s.ids.New(docparse.PrefixCategory)
		case create:
			e.Add(fmt.Sprintf("categories[%d].id", i), "must not be given: the categories of a new classification get their ids from the server")
		case !known[x.ID]:
			e.Add(fmt.Sprintf("categories[%d].id", i), docparse.Quote(x.ID)+" is not a category of this classification")
		}
	}
	return e.Err()
}

// checkLinks reports, as a 422 naming categories[i].linked_extraction_id,
// every linked extraction that is not an extraction of the account.
func checkLinks(ctx context.Context, tx *store.Tx, accountID string, cats []docparse.Category) error {
	e := &docparse.ValidationError{Semantic: true}
	for i, x := range cats {
		if x.LinkedExtractionID == "" {
			continue
		}
		ok, err := tx.ExtractionExists(ctx, accountID, x.LinkedExtractionID)
		if err != nil {
			return err
		}
		if !ok {
			e.Add(fmt.Sprintf("categories[%d].linked_extraction_id", i), fmt.Sprintf("no extraction %s in this account", x.LinkedExtractionID))
		}
	}
	return e.Err()
}

// CreateClassification validates in and stores a new classification.
func (s *Service) CreateClassification(ctx context.Context, accountID string, in ClassificationInput) (docparse.Classification, error) {
	return inTx(ctx, s.db, func(tx *store.Tx) (docparse.Classification, error) {
		return s.CreateClassificationTx(ctx, tx, accountID, in)
	})
}

// CreateClassificationTx is CreateClassification inside tx, for a caller
// that commits more with it (the stored answer of an Idempotency-Key).
func (s *Service) CreateClassificationTx(ctx context.Context, tx *store.Tx, accountID string, in ClassificationInput) (docparse.Classification, error) {
	now := s.Now()
	c := docparse.Classification{ID: s.ids.New(docparse.PrefixClassification), AccountID: accountID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(s, &c, true); err != nil {
		return docparse.Classification{}, err
	}
	if err := checkLinks(ctx, tx, accountID, c.Categories); err != nil {
		return docparse.Classification{}, err
	}
	return insertCounted(ctx, accountID, "classifications", s.cfg.Quotas.Extractions, tx.CountClassifications, tx.InsertClassification, c)
}

// UpdateClassification applies a patch. Files classified from then on use
// the new categories and threshold; results already stored stay as they
// are.
func (s *Service) UpdateClassification(ctx context.Context, accountID, id string, in ClassificationInput) (docparse.Classification, error) {
	var c docparse.Classification
	err := s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		c, err = tx.LockClassification(ctx, accountID, id, true)
		if err != nil {
			return err
		}
		if err := in.apply(s, &c, false); err != nil {
			return err
		}
		if in.Categories != nil {
			if err := checkLinks(ctx, tx, accountID, c.Categories); err != nil {
				return err
			}
		}
		c.UpdatedAt = s.Now()
		c.Version, err = tx.UpdateClassification(ctx, c)
		return err
	})
	return c, err
}

// DeleteClassification removes a classification with its batches, files
// and the stored documents that no chained extraction batch shares. Jobs
// still queued for its files find nothing and end.
func (s *Service) DeleteClassification(ctx context.Context, accountID, id string) error {
	keys, err := inTx(ctx, s.db, func(tx *store.Tx) ([]string, error) { return tx.DeleteClassification(ctx, accountID, id) })
	if err != nil {
		return err
	}
	s.models.forget(id)
	s.deleteBlobs(ctx, keys)
	return nil
}

// deleteBlobs deletes blobs whose rows are gone, logging failures (an
// orphan blob is harmless). The rows are gone already: a request that
// ends meanwhile does not stop it.
func (s *Service) deleteBlobs(ctx context.Context, keys []string) {
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.Warn("delete blob", "blob_key", k, "err", err)
		}
	}
}

// SetClassificationOverride puts a file into the category categoryID by
// hand, or, with nil, clears its override so that it shows the
// classifier's decision again. An override is sticky: processing the file
// (again) never changes it. The classification learns from it for the
// files it classifies next. A category that is not one of the
// classification's is a 422 naming classified_category_id.
func (s *Service) SetClassificationOverride(ctx context.Context, accountID, classificationID, batchID, fileID string, categoryID *string) (docparse.ClassificationFile, error) {
	var f docparse.ClassificationFile
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockClassification(ctx, accountID, classificationID, true)
		if err != nil {
			return err
		}
		now := s.Now()
		var o *docparse.Override
		if categoryID != nil {
			cat, ok := c.Category(*categoryID)
			if !ok {
				e := &docparse.ValidationError{Semantic: true}
				e.Add("classified_category_id", fmt.Sprintf("%s is not a category of classification %s", docparse.Quote(*categoryID), c.ID))
				return e
			}
			o = &docparse.Override{CategoryID: cat.ID, CategoryName: cat.Name, At: now}
		}
		f, err = tx.SetOverride(ctx, accountID, classificationID, batchID, fileID, o, now)
		return err
	})
	return f, err
}

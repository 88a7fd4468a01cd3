package dashboard

import (
	"context"
	"errors"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// classificationView is the classification page's: its categories, its
// batches and the upload drop zone.
type classificationView struct {
	page
	Classification docparse.Classification
	Links          map[string]string // linked extraction id -> its name; missing when the extraction is gone
	Batches        []docparse.ClassificationBatch
	More           bool // more batches than listed
	Upload         uploadLimits
	Error          string // the upload's
}

// showClassification renders the classification page, with the upload's
// error when msg is set.
func (h *Handler) showClassification(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, c docparse.Classification, msg string) error {
	ctx := r.Context()
	bs, more, err := h.db.ListClassificationBatches(ctx, sess.AccountID, c.ID, store.BatchFilter{}, store.Page{Limit: maxListed})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(c.Categories))
	for _, x := range c.Categories {
		ids = append(ids, x.LinkedExtractionID)
	}
	links, err := h.extractionNames(ctx, sess.AccountID, ids)
	if err != nil {
		return err
	}
	h.render(w, r, status, "classification", classificationView{page: pageOf(sess, c.Name, "classifications"),
		Classification: c, Links: links, Batches: bs, More: more, Upload: h.uploadLimits(), Error: msg})
	return nil
}

// extractionNames returns the names of the account's extractions ids, by
// id; an extraction that is gone is left out, and "" is skipped.
func (h *Handler) extractionNames(ctx context.Context, accountID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if _, seen := out[id]; seen || id == "" {
			continue
		}
		e, err := h.db.Extraction(ctx, accountID, id)
		if errors.Is(err, docparse.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = e.Name
	}
	return out, nil
}

package dashboard

import (
	"context"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// classificationBatchView is a classification batch's page, which
// follows the batch live (classification_batch_status.go) until it ends
// and lets a person put a file into another category by hand
// (classification_file_override.go).
type classificationBatchView struct {
	page
	Classification docparse.Classification
	Batch          docparse.ClassificationBatch
	Files          []classifiedFile
	Error          string // the override's
}

// classifiedFile is one file of the batch page, as its row and the live
// status show it.
type classifiedFile struct {
	ID          string
	FileName    string
	Status      docparse.FileStatus
	PageCount   int
	Error       *docparse.FileError
	Decided     bool   // the file has a category or was left unclassified
	Category    string // the category's name; "" when unclassified or undecided
	CategoryID  string
	SelectID    string // the override select's choice: CategoryID when still a category
	Confidence  float64
	Reasoning   string
	Overridden  bool
	LinkedURL   string // the dashboard page of the extraction batch it went to
	LinkedText  string
	LinkedBatch string
}

// cells is the file's row as the live status sends it (see
// extractions.js): the text of each [data-cell], or a link.
func (f classifiedFile) cells() map[string]any {
	c := map[string]any{"category": "—", "confidence": "—", "reasoning": "", "linked": "—", "overridden": "", "choice": f.SelectID}
	if f.Decided {
		c["category"] = f.Category
		if f.Category == "" {
			c["category"] = "Unclassified"
		}
		c["confidence"] = percent(f.Confidence)
		c["reasoning"] = f.Reasoning
	}
	if f.Overridden {
		c["overridden"] = "overridden"
	}
	if f.LinkedURL != "" {
		c["linked"] = map[string]string{"href": f.LinkedURL, "text": f.LinkedText}
	} else if f.LinkedBatch != "" {
		c["linked"] = f.LinkedBatch
	}
	return c
}

func (h *Handler) classificationBatchPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	c, err := h.classification(r, sess)
	if err != nil {
		return err
	}
	return h.showClassificationBatch(w, r, sess, http.StatusOK, c, r.PathValue("batch_id"), "")
}

// showClassificationBatch renders the batch page, with the override's
// error when msg is set.
func (h *Handler) showClassificationBatch(w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, c docparse.Classification, batchID, msg string) error {
	b, files, err := h.classificationBatch(r.Context(), sess.AccountID, c, batchID)
	if err != nil {
		return err
	}
	h.render(w, r, status, "classification_batch", classificationBatchView{page: pageOf(sess, batchTitle(b.Name, b.CreatedAt), "classifications"),
		Classification: c, Batch: b, Files: files, Error: msg})
	return nil
}

// classificationBatch reads the classification's batch batchID with its
// files as the page shows them.
func (h *Handler) classificationBatch(ctx context.Context, accountID string, c docparse.Classification, batchID string) (docparse.ClassificationBatch, []classifiedFile, error) {
	b, files, err := h.db.ClassificationBatchWithFiles(ctx, accountID, c.ID, batchID)
	if err != nil {
		return b, nil, err
	}
	var linked []string
	for _, f := range files {
		if f.LinkedBatchID != "" {
			linked = append(linked, f.LinkedBatchID)
		}
	}
	var exts map[string]string // extraction batch -> its extraction
	var names map[string]string
	if len(linked) > 0 {
		if exts, err = h.db.BatchExtractionIDs(ctx, accountID, linked); err != nil {
			return b, nil, err
		}
		ids := make([]string, 0, len(exts))
		for _, id := range exts {
			ids = append(ids, id)
		}
		if names, err = h.extractionNames(ctx, accountID, ids); err != nil {
			return b, nil, err
		}
	}
	out := make([]classifiedFile, len(files))
	for i, f := range files {
		cf := classifiedFile{ID: f.ID, FileName: f.FileName, Status: f.Status, PageCount: f.PageCount, Error: f.Error,
			Overridden: f.Override != nil, LinkedBatch: f.LinkedBatchID}
		if d, ok := f.Result(); ok {
			cf.Decided, cf.Category, cf.CategoryID, cf.Confidence, cf.Reasoning = true, d.CategoryName, d.CategoryID, d.Confidence, d.Reasoning
			if _, ok := c.Category(d.CategoryID); ok {
				cf.SelectID = d.CategoryID
			}
		}
		if ext, ok := exts[f.LinkedBatchID]; ok {
			cf.LinkedURL = "/dashboard/extractions/" + ext + "/batches/" + f.LinkedBatchID
			cf.LinkedText = names[ext]
			if cf.LinkedText == "" {
				cf.LinkedText = "Extraction batch"
			}
		}
		out[i] = cf
	}
	return b, out, nil
}

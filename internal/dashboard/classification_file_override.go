package dashboard

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// overrideFile sets or clears a file's category by hand, through the same
// pipeline use case as the API's PATCH. The choice is sticky: processing
// never changes it.
func (h *Handler) overrideFile(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	ctx := r.Context()
	c, err := h.classification(r, sess)
	if err != nil {
		return err
	}
	batchID, fileID := r.PathValue("batch_id"), r.PathValue("file_id")
	f, err := h.db.ClassificationFile(ctx, sess.AccountID, c.ID, batchID, fileID)
	if err != nil {
		return err
	}
	var cat *string
	if r.PostFormValue("action") != "clear" {
		id := r.PostFormValue("category_id")
		if id == "" {
			return h.showClassificationBatch(w, r, sess, http.StatusBadRequest, c, batchID,
				fmt.Sprintf("Choose a category for “%s” before setting it.", f.FileName))
		}
		cat = &id
	}
	_, err = h.svc.SetClassificationOverride(ctx, sess.AccountID, c.ID, batchID, fileID, cat)
	var ve *docparse.ValidationError
	if errors.As(err, &ve) {
		return h.showClassificationBatch(w, r, sess, http.StatusUnprocessableEntity, c, batchID,
			fmt.Sprintf("That category is no longer one of this classification's, so “%s” was not changed. Choose another.", f.FileName))
	}
	if err != nil {
		return err
	}
	return h.changed(w, r, sess, "/dashboard/classifications/"+c.ID+"/batches/"+batchID+"#"+fileID, "dashboard set classification override",
		"classification_id", c.ID, "batch_id", batchID, "file_id", fileID, "cleared", cat == nil)
}

package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
)

// confirmFile confirms the reviewed values of a file in review, or shows
// the file page again with the values' problems.
func (h *Handler) confirmFile(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	rf, err := h.reviewFile(r, sess)
	if err != nil {
		return err
	}
	if !rf.File.Status.CanConfirm() {
		return h.showFile(w, r, sess, http.StatusConflict, rf, nil, nil, notInReview(rf))
	}
	st, result := parseReviewForm(rf.Schema.Fields, r.PostForm)
	raw, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode reviewed result: %w", err)
	}
	_, err = h.svc.ConfirmReview(r.Context(), sess.AccountID, rf.File.ID, raw, sess.UserID)
	var ve *docparse.ValidationError
	switch {
	case errors.As(err, &ve):
		msg := "Some values are not valid. Correct them and confirm again."
		if len(ve.Fields) == 1 {
			msg = "One value is not valid. Correct it and confirm again."
		}
		return h.showFile(w, r, sess, http.StatusBadRequest, rf, st, ve.Fields, msg)
	case errors.Is(err, pipeline.ErrNotInReview):
		if rf, err = h.reviewFile(r, sess); err != nil {
			return err
		}
		return h.showFile(w, r, sess, http.StatusConflict, rf, nil, nil, notInReview(rf))
	case err != nil:
		return err
	}
	return h.changed(w, r, sess, "/dashboard/review?confirmed="+url.QueryEscape(rf.File.ID), "dashboard confirmed review",
		"file_id", rf.File.ID)
}

// notInReview explains why a file cannot be confirmed.
func notInReview(rf store.ReviewFile) string {
	if rf.ReviewedAt != nil {
		by := ""
		if rf.ReviewedBy != "" {
			by = " by " + rf.ReviewedBy
		}
		return fmt.Sprintf("This file was already reviewed%s on %s. Your changes were not saved; the values below are the confirmed ones.",
			by, rf.ReviewedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf("This file does not need review: its status is %s. Your changes were not saved.", strings.ReplaceAll(string(rf.File.Status), "_", " "))
}

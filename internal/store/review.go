package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// ReviewItem is one file of the review queue, with the names of its
// extraction and batch.
type ReviewItem struct {
	File           docparse.File // without Result
	ExtractionName string
	BatchName      string
	BatchCreatedAt time.Time
}

// MaxReviewQueue bounds the files the review queue lists at once.
const MaxReviewQueue = 500

// ReviewQueue lists the account's needs_review files, grouped by
// extraction (by name), oldest first within one: at most limit of them,
// and whether more wait. The files carry their confidence but not their
// result.
func (db *DB) ReviewQueue(ctx context.Context, accountID string, limit int) ([]ReviewItem, bool, error) {
	rows, err := db.read().QueryContext(ctx, `SELECT f.id, f.extraction_id, f.batch_id, f.file_name, f.kind, f.page_count,
		f.confidence, f.created_at, f.updated_at, e.name, b.name, b.created_at
		FROM files f JOIN batches b ON b.id = f.batch_id AND b.account_id = f.account_id
		JOIN extractions e ON e.id = f.extraction_id AND e.account_id = f.account_id
		WHERE f.account_id = $1 AND f.status = 'needs_review'
		ORDER BY e.name, e.id, f.updated_at, f.id LIMIT $2`, accountID, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("list review queue: %w", err)
	}
	return collect(rows, Page{Limit: limit}, func(row interface{ Scan(...any) error }) (ReviewItem, error) {
		var it ReviewItem
		var conf sql.NullString
		var created, updated, batchCreated int64
		f := &it.File
		err := row.Scan(&f.ID, &f.ExtractionID, &f.BatchID, &f.FileName, &f.Kind, &f.PageCount, &conf, &created, &updated,
			&it.ExtractionName, &it.BatchName, &batchCreated)
		f.AccountID, f.Status = accountID, docparse.FileNeedsReview
		if conf.Valid {
			f.Confidence = []byte(conf.String)
		}
		f.CreatedAt, f.UpdatedAt, it.BatchCreatedAt = fromMicros(created), fromMicros(updated), fromMicros(batchCreated)
		return it, err
	})
}

// ReviewFile is a file as its review page shows it: with its result, the
// schema its batch was uploaded with, the names of its extraction and
// batch, and who confirmed it.
type ReviewFile struct {
	File           docparse.File
	Schema         docparse.Schema
	ExtractionName string
	BatchName      string
	// ReviewedBy is the email of the user who confirmed the file ("" when
	// nobody did, or the user is gone); ReviewedAt when.
	ReviewedBy string
	ReviewedAt *time.Time
}

// FileForReview returns the account's file of that extraction and batch,
// in any status, for its review page.
func (db *DB) FileForReview(ctx context.Context, accountID, extractionID, batchID, fileID string) (ReviewFile, error) {
	var rf ReviewFile
	var schema string
	var reviewedBy sql.NullString
	var reviewedAt sql.NullInt64
	row := db.read().QueryRowContext(ctx, `SELECT `+prefixCols(fileCols, "f.")+`, b.schema, b.name, e.name, u.email, f.reviewed_at
		FROM files f JOIN batches b ON b.id = f.batch_id AND b.account_id = f.account_id
		JOIN extractions e ON e.id = f.extraction_id AND e.account_id = f.account_id
		LEFT JOIN users u ON u.id = f.reviewed_by AND u.account_id = f.account_id
		WHERE f.id = $1 AND f.account_id = $2 AND f.extraction_id = $3 AND f.batch_id = $4`,
		fileID, accountID, extractionID, batchID)
	f, err := scanFile(rowWith{row, []any{&schema, &rf.BatchName, &rf.ExtractionName, &reviewedBy, &reviewedAt}})
	if err := rowErr(err, "file", fileID, "select file for review"); err != nil {
		return rf, err
	}
	if err := json.Unmarshal([]byte(schema), &rf.Schema); err != nil {
		return rf, fmt.Errorf("decode batch schema: %w", err)
	}
	rf.File, rf.ReviewedBy, rf.ReviewedAt = f, reviewedBy.String, nullTime(reviewedAt)
	return rf, nil
}

// rowWith scans a row into scanFile's destinations followed by more.
type rowWith struct {
	row  *sql.Row
	more []any
}

func (r rowWith) Scan(dest ...any) error { return r.row.Scan(append(dest, r.more...)...) }

// AccountFile returns the account's file by its id alone, with its result.
func (db *DB) AccountFile(ctx context.Context, accountID, fileID string) (docparse.File, error) {
	f, err := scanFile(db.read().QueryRowContext(ctx, `SELECT `+fileCols+` FROM files WHERE id = $1 AND account_id = $2`, fileID, accountID))
	return f, rowErr(err, "file", fileID, "select file")
}

// ConfirmReview stores a reviewer's result, confidence and details (nil
// keeps the stored details) for the account's file and moves it from needs_review to processed, recording
// userID and now as who confirmed it and when; the batch's counts and
// version follow in the same transaction. The batch's status is left as
// it is: needs_review and processed count alike for it (a batch never
// waits for a review), so a terminal batch stays what it ended as.
//
// A file that is not in needs_review (already confirmed, by this call
// racing another or before) is not changed: Move.Moved is false and
// Move.File is the file as it is. The UPDATE is conditional on the status,
// so of two concurrent confirmations exactly one moves the file.
func (tx *Tx) ConfirmReview(ctx context.Context, accountID, fileID string, result, confidence, details []byte, userID string, now time.Time) (Move, error) {
	var m Move
	f, err := tx.FileForWork(ctx, accountID, fileID)
	if err != nil {
		return m, err
	}
	m.File = f
	if !f.Status.CanConfirm() {
		return m, nil
	}
	var reviewer sql.NullString
	if userID != "" {
		reviewer = sql.NullString{String: userID, Valid: true}
	}
	var det sql.NullString
	if details != nil {
		det = sql.NullString{String: string(details), Valid: true}
	}
	res, err := tx.x.ExecContext(ctx, `UPDATE files SET status = $1, result = $2, confidence = $3, reviewed_by = $4, reviewed_at = $5,
		updated_at = $5, details = COALESCE($6, details) WHERE id = $7 AND account_id = $8 AND status = $9`,
		string(docparse.FileProcessed), string(result), string(confidence), reviewer, micros(now), det, fileID, accountID,
		string(docparse.FileNeedsReview))
	if err != nil {
		return m, fmt.Errorf("update reviewed file: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return m, nil
	}
	f.Status, f.Result, f.Confidence, f.UpdatedAt = docparse.FileProcessed, result, confidence, now
	if details != nil {
		f.Details = details
	}
	b, err := tx.countMove(ctx, extractionTables, accountID, f.BatchID, docparse.FileNeedsReview, docparse.FileProcessed, now)
	if err != nil {
		return m, err
	}
	m.File, m.Batch, m.Moved = f, b.extraction(), true
	return m, nil
}

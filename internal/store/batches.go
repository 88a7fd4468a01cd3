package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// Extraction batches, their files and the review of those files. The
// batch rules are those of every kind of batch (filebatch.go).

// InsertBatch stores a new batch and its files, all queued. The caller
// inserts the files' jobs in the same transaction.
func (tx *Tx) InsertBatch(ctx context.Context, b docparse.Batch, files []docparse.File) error {
	schema, err := json.Marshal(b.Schema)
	if err != nil {
		return fmt.Errorf("encode batch schema: %w", err)
	}
	var extra columns
	extra.set("schema", string(schema))
	cores := make([]docparse.FileCore, len(files))
	for i, f := range files {
		cores[i] = f.FileCore
	}
	return tx.insertBatch(ctx, extractionTables, b.BatchCore, b.ExtractionID, extra, cores, columns{})
}

// BatchWithFiles is what the polling endpoint reads: the batch (without
// its schema) and its files (without results), in one indexed query.
func (db *DB) BatchWithFiles(ctx context.Context, accountID, extractionID, batchID string) (docparse.Batch, []docparse.File, error) {
	br, files, err := batchWithFiles(ctx, db, extractionTables, accountID, extractionID, batchID,
		`f.id, f.file_name, f.status, f.page_count, f.error_code, f.error_message`, func() ([]any, func() docparse.File) {
			var f docparse.File
			var ecode, emsg sql.NullString
			return []any{&f.ID, &f.FileName, &f.Status, &f.PageCount, &ecode, &emsg}, func() docparse.File {
				if ecode.Valid {
					f.Error = &docparse.FileError{Code: ecode.String, Message: emsg.String}
				}
				return f
			}
		})
	b := br.extraction()
	for i := range files {
		files[i].BatchID, files[i].AccountID, files[i].ExtractionID = b.ID, b.AccountID, b.ExtractionID
	}
	return b, files, err
}

// ListBatches lists an extraction's batches, newest first.
func (db *DB) ListBatches(ctx context.Context, accountID, extractionID string, f BatchFilter, p Page) ([]docparse.Batch, bool, error) {
	return listBatches(ctx, db, extractionTables, accountID, extractionID, f, p, scanBatch)
}

const fileCols = `id, account_id, extraction_id, batch_id, position, file_name, kind, mime, size, page_count, blob_key, status,
	error_code, error_message, result, confidence, details, created_at, updated_at`

func scanFile(row interface{ Scan(...any) error }) (docparse.File, error) {
	var f docparse.File
	var ecode, emsg, result, conf, details sql.NullString
	var created, updated int64
	if err := row.Scan(&f.ID, &f.AccountID, &f.ExtractionID, &f.BatchID, &f.Position, &f.FileName, &f.Kind, &f.MIME, &f.Size,
		&f.PageCount, &f.BlobKey, &f.Status, &ecode, &emsg, &result, &conf, &details, &created, &updated); err != nil {
		return f, err
	}
	if ecode.Valid {
		f.Error = &docparse.FileError{Code: ecode.String, Message: emsg.String}
	}
	if result.Valid {
		f.Result = []byte(result.String)
	}
	if conf.Valid {
		f.Confidence = []byte(conf.String)
	}
	if details.Valid {
		f.Details = []byte(details.String)
	}
	f.CreatedAt, f.UpdatedAt = fromMicros(created), fromMicros(updated)
	return f, nil
}

// File returns one file of the account's batch, with its result.
func (db *DB) File(ctx context.Context, accountID, extractionID, batchID, fileID string) (docparse.File, error) {
	f, err := scanFile(db.read().QueryRowContext(ctx, `SELECT `+fileCols+` FROM files
		WHERE id = $1 AND account_id = $2 AND extraction_id = $3 AND batch_id = $4`, fileID, accountID, extractionID, batchID))
	return f, rowErr(err, "file", fileID, "select file")
}

// BatchExtractionIDs returns the extraction of each of the account's
// extraction batches named in batchIDs, by batch id; a batch that does not
// exist (or is another account's) is left out. The dashboard uses it to
// link a classification file to the extraction batch it was chained to.
func (db *DB) BatchExtractionIDs(ctx context.Context, accountID string, batchIDs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(batchIDs) == 0 {
		return out, nil
	}
	in, ids := db.engine.inStrings("id", 2, batchIDs)
	pairs, err := queryAll(ctx, db.read(), func(row interface{ Scan(...any) error }) (p [2]string, err error) {
		err = row.Scan(&p[0], &p[1])
		return p, err
	}, `SELECT id, extraction_id FROM batches WHERE account_id = $1 AND `+in, accountID, ids)
	if err != nil {
		return nil, fmt.Errorf("select batch extractions: %w", err)
	}
	for _, p := range pairs {
		out[p[0]] = p[1]
	}
	return out, nil
}

// BatchFiles returns every file of the account's batch with its result, in
// upload order (the batch export).
func (db *DB) BatchFiles(ctx context.Context, accountID, extractionID, batchID string) ([]docparse.File, error) {
	files, err := queryAll(ctx, db.read(), scanFile, `SELECT `+fileCols+` FROM files
		WHERE batch_id = $1 AND account_id = $2 AND extraction_id = $3 ORDER BY position`, batchID, accountID, extractionID)
	if err != nil {
		return nil, fmt.Errorf("select files: %w", err)
	}
	return files, nil
}

// BatchSchema returns the schema a batch was uploaded with.
func (tx *Tx) BatchSchema(ctx context.Context, accountID, batchID string) (docparse.Schema, error) {
	var s docparse.Schema
	var raw string
	err := tx.x.QueryRowContext(ctx, `SELECT schema FROM batches WHERE id = $1 AND account_id = $2`, batchID, accountID).Scan(&raw)
	if err := rowErr(err, "batch", batchID, "select batch schema"); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("decode batch schema: %w", err)
	}
	return s, nil
}

// FileForWork returns a file for its worker, inside the transaction.
func (tx *Tx) FileForWork(ctx context.Context, accountID, fileID string) (docparse.File, error) {
	f, err := scanFile(tx.x.QueryRowContext(ctx, `SELECT `+fileCols+` FROM files WHERE id = $1 AND account_id = $2`, fileID, accountID))
	return f, rowErr(err, "file", fileID, "select file")
}

// FileOutcome is what a file's move stores besides its status.
type FileOutcome struct {
	Result     []byte // JSON, nil to keep
	Confidence []byte // JSON, nil to keep
	Details    []byte // JSON object (docparse.File.Details), nil to keep
	Error      *docparse.FileError
}

// MoveFile moves the account's file to status to, if docparse allows the
// move from its current status, and keeps its batch's counts, version and
// status in step, all in tx (moveFile): of the concurrent moves of one
// batch's files, the one that makes the last file terminal ends the
// batch, exactly once.
func (tx *Tx) MoveFile(ctx context.Context, accountID, fileID string, to docparse.FileStatus, out FileOutcome, now time.Time) (Move, error) {
	f, err := tx.FileForWork(ctx, accountID, fileID)
	if err != nil || !f.Status.CanMove(to) {
		return Move{File: f}, err
	}
	var set columns
	for _, c := range []struct {
		name string
		v    []byte
	}{{"result", out.Result}, {"confidence", out.Confidence}, {"details", out.Details}} {
		if c.v != nil {
			set.set(c.name, string(c.v))
		}
	}
	b, ended, err := tx.moveFile(ctx, extractionTables, accountID, fileID, f.BatchID, f.Status, to, out.Error, set, now)
	if err != nil {
		return Move{}, err
	}
	f.Status, f.UpdatedAt = to, now
	if out.Error != nil {
		f.Error = out.Error
	}
	return Move{File: f, Batch: b.extraction(), Moved: true, BatchEnded: ended}, nil
}

// BatchFileSummaries returns the files of a batch in upload order, without
// results, inside the transaction (for the batch's event).
func (tx *Tx) BatchFileSummaries(ctx context.Context, accountID, batchID string) ([]docparse.File, error) {
	files, err := queryAll(ctx, tx.x, func(row interface{ Scan(...any) error }) (docparse.File, error) {
		var f docparse.File
		err := row.Scan(&f.ID, &f.FileName, &f.Status, &f.PageCount)
		return f, err
	}, `SELECT id, file_name, status, page_count FROM files
		WHERE batch_id = $1 AND account_id = $2 ORDER BY position`, batchID, accountID)
	if err != nil {
		return nil, fmt.Errorf("select files: %w", err)
	}
	return files, nil
}

// BatchVersion returns the version of the account's batch: the cheap read
// that answers an unchanged poll.
func (db *DB) BatchVersion(ctx context.Context, accountID, extractionID, batchID string) (int64, error) {
	return db.batchVersion(ctx, extractionTables, accountID, extractionID, batchID)
}

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

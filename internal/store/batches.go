package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// InsertBatch stores a new batch and its files, all queued. The caller
// inserts the files' jobs in the same transaction.
func (tx *Tx) InsertBatch(ctx context.Context, b docparse.Batch, files []docparse.File) error {
	schema, err := json.Marshal(b.Schema)
	if err != nil {
		return fmt.Errorf("encode batch schema: %w", err)
	}
	_, err = tx.x.ExecContext(ctx, `INSERT INTO batches (id, account_id, extraction_id, name, status, schema, file_count, page_count,
		n_queued, n_processing, n_processed, n_needs_review, n_failed, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, 0, 0, 1, $10, $10)`,
		b.ID, b.AccountID, b.ExtractionID, b.Name, string(docparse.BatchQueued), string(schema), len(files), b.PageCount,
		len(files), micros(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert batch: %w", err)
	}
	for _, f := range files {
		_, err = tx.x.ExecContext(ctx, `INSERT INTO files (id, account_id, extraction_id, batch_id, position, file_name, kind, mime, size,
			page_count, blob_key, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
			f.ID, b.AccountID, b.ExtractionID, b.ID, f.Position, f.FileName, f.Kind, f.MIME, f.Size, f.PageCount, f.BlobKey,
			string(docparse.FileQueued), micros(b.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert file: %w", err)
		}
	}
	return nil
}

const batchCols = `id, account_id, extraction_id, name, status, file_count, page_count,
	n_queued, n_processing, n_processed, n_needs_review, n_failed, version, created_at, updated_at, completed_at`

// batchColsB is batchCols qualified by the alias b, for joins.
var batchColsB = prefixCols(batchCols, "b.")

func batchDest(b *docparse.Batch, created, updated *int64, completed *sql.NullInt64) []any {
	return []any{&b.ID, &b.AccountID, &b.ExtractionID, &b.Name, &b.Status, &b.FileCount, &b.PageCount,
		&b.Counts.Queued, &b.Counts.Processing, &b.Counts.Processed, &b.Counts.NeedsReview, &b.Counts.Failed,
		&b.Version, created, updated, completed}
}

func scanBatch(row interface{ Scan(...any) error }) (docparse.Batch, error) {
	var b docparse.Batch
	var created, updated int64
	var completed sql.NullInt64
	if err := row.Scan(batchDest(&b, &created, &updated, &completed)...); err != nil {
		return b, err
	}
	b.CreatedAt, b.UpdatedAt, b.CompletedAt = fromMicros(created), fromMicros(updated), nullTime(completed)
	return b, nil
}

// BatchWithFiles is what the polling endpoint reads: the batch (without
// its schema) and its files (without results), in one indexed query.
func (db *DB) BatchWithFiles(ctx context.Context, accountID, extractionID, batchID string) (docparse.Batch, []docparse.File, error) {
	rows, err := db.read().QueryContext(ctx, `SELECT `+batchColsB+`,
		f.id, f.file_name, f.status, f.page_count, f.error_code, f.error_message
		FROM batches b LEFT JOIN files f ON f.batch_id = b.id
		WHERE b.id = $1 AND b.account_id = $2 AND b.extraction_id = $3
		ORDER BY f.position`, batchID, accountID, extractionID)
	if err != nil {
		return docparse.Batch{}, nil, fmt.Errorf("select batch: %w", err)
	}
	defer rows.Close()
	var b docparse.Batch
	var files []docparse.File
	found := false
	for rows.Next() {
		var created, updated int64
		var completed sql.NullInt64
		var fid, fname, fstatus sql.NullString
		var fpages sql.NullInt64
		var ecode, emsg sql.NullString
		dest := append(batchDest(&b, &created, &updated, &completed), &fid, &fname, &fstatus, &fpages, &ecode, &emsg)
		if err := rows.Scan(dest...); err != nil {
			return b, nil, fmt.Errorf("scan batch: %w", err)
		}
		b.CreatedAt, b.UpdatedAt, b.CompletedAt = fromMicros(created), fromMicros(updated), nullTime(completed)
		found = true
		if fid.Valid {
			f := docparse.File{ID: fid.String, FileName: fname.String, Status: docparse.FileStatus(fstatus.String),
				PageCount: int(fpages.Int64), BatchID: b.ID, AccountID: b.AccountID, ExtractionID: b.ExtractionID}
			if ecode.Valid {
				f.Error = &docparse.FileError{Code: ecode.String, Message: emsg.String}
			}
			files = append(files, f)
		}
	}
	if err := rows.Err(); err != nil {
		return b, nil, fmt.Errorf("select batch: %w", err)
	}
	if !found {
		return b, nil, docparse.NotFound("batch", batchID)
	}
	return b, files, nil
}

// BatchFilter narrows ListBatches.
type BatchFilter struct {
	Status       docparse.BatchStatus // "" for any
	UpdatedAfter *time.Time
}

// ListBatches lists an extraction's batches, newest first.
func (db *DB) ListBatches(ctx context.Context, accountID, extractionID string, f BatchFilter, p Page) ([]docparse.Batch, bool, error) {
	after := int64(-1)
	if f.UpdatedAfter != nil {
		after = micros(*f.UpdatedAfter)
	}
	rows, err := db.read().QueryContext(ctx, `SELECT `+batchCols+` FROM batches
		WHERE account_id = $1 AND extraction_id = $2 AND ($3 = '' OR status = $3) AND updated_at > $4
		AND ($5 = '' OR id < $5) ORDER BY id DESC LIMIT $6`,
		accountID, extractionID, string(f.Status), after, p.Cursor, p.limit()+1)
	if err != nil {
		return nil, false, fmt.Errorf("list batches: %w", err)
	}
	return collect(rows, p, scanBatch)
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
	if err := rowErr(err, "file", fileID, "select file"); err != nil {
		return f, err
	}
	return f, nil
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
	rows, err := db.read().QueryContext(ctx, `SELECT id, extraction_id FROM batches
		WHERE account_id = $1 AND `+in, accountID, ids)
	if err != nil {
		return nil, fmt.Errorf("select batch extractions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ext string
		if err := rows.Scan(&id, &ext); err != nil {
			return nil, fmt.Errorf("scan batch extraction: %w", err)
		}
		out[id] = ext
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select batch extractions: %w", err)
	}
	return out, nil
}

// BatchFiles returns every file of the account's batch with its result, in
// upload order (the batch export).
func (db *DB) BatchFiles(ctx context.Context, accountID, extractionID, batchID string) ([]docparse.File, error) {
	rows, err := db.read().QueryContext(ctx, `SELECT `+fileCols+` FROM files
		WHERE batch_id = $1 AND account_id = $2 AND extraction_id = $3 ORDER BY position`, batchID, accountID, extractionID)
	if err != nil {
		return nil, fmt.Errorf("select files: %w", err)
	}
	files, _, err := collect(rows, Page{Limit: 1 << 30}, scanFile)
	return files, err
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
	if err := rowErr(err, "file", fileID, "select file"); err != nil {
		return f, err
	}
	return f, nil
}

// counterColumn is the batches column counting files in status s.
var counterColumn = map[docparse.FileStatus]string{
	docparse.FileQueued:      "n_queued",
	docparse.FileProcessing:  "n_processing",
	docparse.FileProcessed:   "n_processed",
	docparse.FileNeedsReview: "n_needs_review",
	docparse.FileFailed:      "n_failed",
}

// FileOutcome is what a file's move stores besides its status.
type FileOutcome struct {
	Result     []byte // JSON, nil to keep
	Confidence []byte // JSON, nil to keep
	Details    []byte // JSON object (docparse.File.Details), nil to keep
	Error      *docparse.FileError
}

// Move is the result of MoveFile.
type Move struct {
	File  docparse.File  // after the move
	Batch docparse.Batch // after the move, without its schema
	// Moved is false when the file was already past the requested move
	// (for example terminal): nothing changed.
	Moved bool
	// BatchEnded is true when this move made the batch terminal; exactly one
	// move of a batch reports it.
	BatchEnded bool
}

// MoveFile moves the account's file to status to, if docparse allows the
// move from its current status, and keeps its batch's counts, version and
// status in step, all in tx. The batch's row is updated before its status
// is decided, so that concurrent moves of one batch's files serialise on
// that row (PostgreSQL) or on the single writer (SQLite): the move that
// makes the last file terminal sees every other move and ends the batch,
// exactly once.
func (tx *Tx) MoveFile(ctx context.Context, accountID, fileID string, to docparse.FileStatus, out FileOutcome, now time.Time) (Move, error) {
	var m Move
	f, err := tx.FileForWork(ctx, accountID, fileID)
	if err != nil {
		return m, err
	}
	from := f.Status
	if !from.CanMove(to) {
		m.File = f
		return m, nil
	}
	var ecode, emsg sql.NullString
	if out.Error != nil {
		ecode = sql.NullString{String: out.Error.Code, Valid: true}
		emsg = sql.NullString{String: out.Error.Message, Valid: true}
	}
	var result, conf sql.NullString
	if out.Result != nil {
		result = sql.NullString{String: string(out.Result), Valid: true}
	}
	if out.Confidence != nil {
		conf = sql.NullString{String: string(out.Confidence), Valid: true}
	}
	var details sql.NullString
	if out.Details != nil {
		details = sql.NullString{String: string(out.Details), Valid: true}
	}
	res, err := tx.x.ExecContext(ctx, `UPDATE files SET status = $1, error_code = COALESCE($2, error_code), error_message = COALESCE($3, error_message),
		result = COALESCE($4, result), confidence = COALESCE($5, confidence), details = COALESCE($6, details), updated_at = $7
		WHERE id = $8 AND account_id = $9 AND status = $10`,
		string(to), ecode, emsg, result, conf, details, micros(now), fileID, accountID, string(from))
	if err != nil {
		return m, fmt.Errorf("update file: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return m, fmt.Errorf("file %s changed concurrently: %w", fileID, docparse.ErrConflict)
	}
	f.Status, f.UpdatedAt = to, now
	if out.Error != nil {
		f.Error = out.Error
	}
	m.File, m.Moved = f, true

	b, err := scanBatch(tx.x.QueryRowContext(ctx, `UPDATE batches SET `+countersMove(from, to)+`version = version + 1, updated_at = $1
		WHERE id = $2 AND account_id = $3 RETURNING `+batchCols,
		micros(now), f.BatchID, accountID))
	if err != nil {
		return m, fmt.Errorf("update batch counts: %w", err)
	}
	b.Status, b.CompletedAt, m.BatchEnded, err = tx.decideBatch(ctx, "batches", b.ID, accountID, b.Status, b.Counts, b.CompletedAt, now)
	if err != nil {
		return m, err
	}
	m.Batch = b
	return m, nil
}

// countersMove is the SET clause, ending in ", ", that moves one file's
// count from status from to status to; empty when they are equal (a job
// run again keeps the counts).
func countersMove(from, to docparse.FileStatus) string {
	if from == to {
		return ""
	}
	dec, inc := counterColumn[from], counterColumn[to]
	return dec + ` = ` + dec + ` - 1, ` + inc + ` = ` + inc + ` + 1, `
}

// decideBatch derives the status of batch id of table (batches or
// classification_batches) from its counts, just updated in tx, and stores
// it when it changed. The caller has updated the batch's row in tx first,
// so concurrent moves of one batch's files serialise on that row
// (PostgreSQL) or on the single writer (SQLite), and the move that makes
// the last file terminal sees every other: ended is true for exactly one
// move of a batch. A terminal status never changes.
func (tx *Tx) decideBatch(ctx context.Context, table, id, accountID string, cur docparse.BatchStatus, c docparse.Counts,
	completedAt *time.Time, now time.Time) (status docparse.BatchStatus, completed *time.Time, ended bool, err error) {
	if cur.Terminal() {
		return cur, completedAt, false, nil
	}
	next := docparse.BatchStatusFor(c)
	if next == cur {
		return cur, completedAt, false, nil
	}
	var done sql.NullInt64
	if next.Terminal() {
		done = sql.NullInt64{Int64: micros(now), Valid: true}
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE `+table+` SET status = $1, completed_at = $2 WHERE id = $3 AND account_id = $4
		AND status NOT IN ('processed', 'partial', 'failed')`, string(next), done, id, accountID); err != nil {
		return cur, completedAt, false, fmt.Errorf("update batch status: %w", err)
	}
	return next, nullTime(done), next.Terminal(), nil
}

// BatchFileSummaries returns the files of a batch in upload order, without
// results, inside the transaction (for the batch's event).
func (tx *Tx) BatchFileSummaries(ctx context.Context, accountID, batchID string) ([]docparse.File, error) {
	rows, err := tx.x.QueryContext(ctx, `SELECT id, file_name, status, page_count FROM files
		WHERE batch_id = $1 AND account_id = $2 ORDER BY position`, batchID, accountID)
	if err != nil {
		return nil, fmt.Errorf("select files: %w", err)
	}
	files, _, err := collect(rows, Page{Limit: 1 << 30}, func(row interface{ Scan(...any) error }) (docparse.File, error) {
		var f docparse.File
		err := row.Scan(&f.ID, &f.FileName, &f.Status, &f.PageCount)
		return f, err
	})
	return files, err
}

// BatchVersion returns the version of the account's batch: the cheap read
// that answers an unchanged poll.
func (db *DB) BatchVersion(ctx context.Context, accountID, extractionID, batchID string) (int64, error) {
	const q = `SELECT version FROM batches WHERE id = $1 AND account_id = $2 AND extraction_id = $3`
	v, err := db.readVersion(ctx, q, batchID, accountID, extractionID)
	if err := rowErr(err, "batch", batchID, "select batch version"); err != nil {
		return 0, err
	}
	return v, nil
}

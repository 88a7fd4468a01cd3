package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// Batches of files, of every kind. An extraction batch (tables batches
// and files) and a classification batch (classification_batches and
// classification_files) have one shape: a batch row that counts its files
// per status (n_queued ... n_failed), carries a version that grows with
// every change of the batch or of one of its files (the polling
// endpoint's ETag), and a status derived from the counts
// (docparse.BatchStatusFor); file rows that move queued -> processing ->
// processed | needs_review | failed. The code in this file is the only
// code that inserts a batch, moves a file, keeps the counts and version,
// decides the terminal status and reads the polling answer, for every
// kind. A kind adds its tables (batchTables) and the columns that only it
// has (columns): its outcome, and what it keeps of its owner.

// batchTables names the tables of one kind of batch and the column that
// names, in both, the extraction or classification the batch belongs to.
type batchTables struct {
	// kind names the kind in the version cache and its notices.
	kind                byte
	batches, files      string
	owner               string
	batchNoun, fileNoun string // in errors
	// batchCols are the columns batchRow reads; batchColsB the same
	// qualified by the alias b.
	batchCols, batchColsB string
	versionQuery          string
}

func newBatchTables(kind byte, batches, files, owner, batchNoun, fileNoun string) batchTables {
	cols := `id, account_id, ` + owner + `, name, status, file_count, page_count,
	n_queued, n_processing, n_processed, n_needs_review, n_failed, version, created_at, updated_at, completed_at`
	return batchTables{kind: kind, batches: batches, files: files, owner: owner, batchNoun: batchNoun, fileNoun: fileNoun,
		batchCols: cols, batchColsB: prefixCols(cols, "b."),
		versionQuery: `SELECT version FROM ` + batches + ` WHERE id = $1 AND account_id = $2 AND ` + owner + ` = $3`}
}

// The kinds of batch.
var (
	extractionTables     = newBatchTables('e', "batches", "files", "extraction_id", "batch", "file")
	classificationTables = newBatchTables('c', "classification_batches", "classification_files", "classification_id",
		"classification batch", "classification file")
)

// FileMove is the result of moving a file of a batch (MoveFile,
// MoveClassificationFile, ConfirmReview).
type FileMove[F, B any] struct {
	File  F // after the move
	Batch B // after the move (an extraction batch without its schema)
	// Moved is false when the file was already past the requested move
	// (for example terminal): nothing changed.
	Moved bool
	// BatchEnded is true when this move made the batch terminal; exactly one
	// move of a batch reports it.
	BatchEnded bool
}

// Move is the move of an extraction file.
type Move = FileMove[docparse.File, docparse.Batch]

// ClassificationMove is the move of a classification file.
type ClassificationMove = FileMove[docparse.ClassificationFile, docparse.ClassificationBatch]

// batchRow is a row of a batches table, read through batchCols.
type batchRow struct {
	id, accountID, owner, name string
	status                     docparse.BatchStatus
	fileCount, pageCount       int
	counts                     docparse.Counts
	version                    int64
	created, updated           int64
	completed                  sql.NullInt64
}

func (r *batchRow) dest() []any {
	return []any{&r.id, &r.accountID, &r.owner, &r.name, &r.status, &r.fileCount, &r.pageCount,
		&r.counts.Queued, &r.counts.Processing, &r.counts.Processed, &r.counts.NeedsReview, &r.counts.Failed,
		&r.version, &r.created, &r.updated, &r.completed}
}

// core is the row as what every kind of batch has.
func (r *batchRow) core() docparse.BatchCore {
	return docparse.BatchCore{ID: r.id, AccountID: r.accountID, Name: r.name, Status: r.status,
		FileCount: r.fileCount, PageCount: r.pageCount, Counts: r.counts, Version: r.version,
		CreatedAt: fromMicros(r.created), UpdatedAt: fromMicros(r.updated), CompletedAt: nullTime(r.completed)}
}

// extraction is the row as an extraction batch, without its schema.
func (r *batchRow) extraction() docparse.Batch {
	return docparse.Batch{BatchCore: r.core(), ExtractionID: r.owner}
}

// classification is the row as a classification batch.
func (r *batchRow) classification() docparse.ClassificationBatch {
	return docparse.ClassificationBatch{BatchCore: r.core(), ClassificationID: r.owner}
}

func scanBatch(row interface{ Scan(...any) error }) (docparse.Batch, error) {
	var r batchRow
	err := row.Scan(r.dest()...)
	return r.extraction(), err
}

func scanClassificationBatch(row interface{ Scan(...any) error }) (docparse.ClassificationBatch, error) {
	var r batchRow
	err := row.Scan(r.dest()...)
	return r.classification(), err
}

// columns are columns of a row that one kind of batch has alone, with
// their values: what insertBatch and moveFile write beside the columns
// every kind has.
type columns struct {
	names []string
	vals  []any
}

func (c *columns) set(name string, v any) {
	c.names = append(c.names, name)
	c.vals = append(c.vals, v)
}

// insertBatch stores a new batch b of kind t, of owner owner, queued at
// version 1, and its files, all queued: the columns every kind has (of b,
// its ID, AccountID, Name, PageCount and CreatedAt; of a file, what its
// upload set: ID to BlobKey), then batchExtra on the batch's row and
// fileExtra on each file's. The caller inserts the files' jobs in the same
// transaction.
func (tx *Tx) insertBatch(ctx context.Context, t batchTables, b docparse.BatchCore, owner string, batchExtra columns,
	files []docparse.FileCore, fileExtra columns) error {
	_, err := tx.x.ExecContext(ctx, `INSERT INTO `+t.batches+` (id, account_id, `+t.owner+`, name, status, file_count, page_count,
		n_queued, n_processing, n_processed, n_needs_review, n_failed, version, created_at, updated_at`+batchExtra.namesList()+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $6, 0, 0, 0, 0, 1, $8, $8`+batchExtra.params(9)+`)`,
		append([]any{b.ID, b.AccountID, owner, b.Name, string(docparse.BatchQueued), len(files), b.PageCount, micros(b.CreatedAt)},
			batchExtra.vals...)...)
	if err != nil {
		return fmt.Errorf("insert %s: %w", t.batchNoun, err)
	}
	q := `INSERT INTO ` + t.files + ` (id, account_id, ` + t.owner + `, batch_id, position, file_name, kind, mime, size,
		page_count, blob_key, status, created_at, updated_at` + fileExtra.namesList() + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13` + fileExtra.params(14) + `)`
	for _, f := range files {
		_, err = tx.x.ExecContext(ctx, q, append([]any{f.ID, b.AccountID, owner, b.ID, f.Position, f.FileName, f.Kind, f.MIME, f.Size,
			f.PageCount, f.BlobKey, string(docparse.FileQueued), micros(b.CreatedAt)}, fileExtra.vals...)...)
		if err != nil {
			return fmt.Errorf("insert %s: %w", t.fileNoun, err)
		}
	}
	return nil
}

// namesList returns ", name, ..." of c's columns, to follow a list of
// columns.
func (c columns) namesList() string {
	var b strings.Builder
	for _, name := range c.names {
		b.WriteString(", " + name)
	}
	return b.String()
}

// params returns the placeholders of c's values, ", $from, $from+1, ...",
// to follow a list of values.
func (c columns) params(from int) string {
	var b strings.Builder
	for i := range c.names {
		fmt.Fprintf(&b, ", $%d", from+i)
	}
	return b.String()
}

// counterColumn is the column of a batches table counting files in status
// s.
var counterColumn = map[docparse.FileStatus]string{
	docparse.FileQueued:      "n_queued",
	docparse.FileProcessing:  "n_processing",
	docparse.FileProcessed:   "n_processed",
	docparse.FileNeedsReview: "n_needs_review",
	docparse.FileFailed:      "n_failed",
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

// moveFile moves the account's file fileID of kind t, of batch batchID,
// from status from to status to, storing ferr (when not nil) and set
// beside the status, and keeps the batch's counts, version and status in
// step, all in tx. The caller has read the file in tx and checked that
// from.CanMove(to). The UPDATE is conditional on from: a file that moved
// meanwhile is docparse.ErrConflict.
//
// The batch's row is updated before its status is decided, so that
// concurrent moves of one batch's files serialise on that row
// (PostgreSQL) or on the single writer (SQLite): the move that makes the
// last file terminal sees every other move and ends the batch (ended),
// exactly once.
func (tx *Tx) moveFile(ctx context.Context, t batchTables, accountID, fileID, batchID string, from, to docparse.FileStatus,
	ferr *docparse.FileError, set columns, now time.Time) (b batchRow, ended bool, err error) {
	var ecode, emsg sql.NullString
	if ferr != nil {
		ecode = sql.NullString{String: ferr.Code, Valid: true}
		emsg = sql.NullString{String: ferr.Message, Valid: true}
	}
	var q strings.Builder
	q.WriteString(`UPDATE ` + t.files + ` SET status = $1, error_code = COALESCE($2, error_code),
		error_message = COALESCE($3, error_message), updated_at = $4`)
	args := append([]any{string(to), ecode, emsg, micros(now)}, set.vals...)
	for i, name := range set.names {
		fmt.Fprintf(&q, ", %s = $%d", name, 5+i)
	}
	n := len(args)
	fmt.Fprintf(&q, ` WHERE id = $%d AND account_id = $%d AND status = $%d`, n+1, n+2, n+3)
	res, err := tx.x.ExecContext(ctx, q.String(), append(args, fileID, accountID, string(from))...)
	if err != nil {
		return b, false, fmt.Errorf("update %s: %w", t.fileNoun, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return b, false, fmt.Errorf("file %s changed concurrently: %w", fileID, docparse.ErrConflict)
	}
	if b, err = tx.countMove(ctx, t, accountID, batchID, from, to, now); err != nil {
		return b, false, err
	}
	ended, err = tx.decideBatch(ctx, t, &b, now)
	return b, ended, err
}

// countMove moves one file's count of the account's batch batchID of
// kind t from status from to status to, and the batch to a new version,
// in tx; it returns the batch after it.
func (tx *Tx) countMove(ctx context.Context, t batchTables, accountID, batchID string, from, to docparse.FileStatus, now time.Time) (batchRow, error) {
	var b batchRow
	err := tx.x.QueryRowContext(ctx, `UPDATE `+t.batches+` SET `+countersMove(from, to)+`version = version + 1, updated_at = $1
		WHERE id = $2 AND account_id = $3 RETURNING `+t.batchCols, micros(now), batchID, accountID).Scan(b.dest()...)
	if err != nil {
		return b, fmt.Errorf("update %s counts: %w", t.batchNoun, err)
	}
	tx.changedBatch(t, accountID, b.owner, batchID, b.version)
	return b, nil
}

// touchBatch moves the account's batch batchID of kind t to a new version
// (a change its poll must see), in tx. A batch that does not exist is not
// an error (nothing to see).
func (tx *Tx) touchBatch(ctx context.Context, t batchTables, accountID, batchID string, now time.Time) error {
	var owner string
	var v int64
	err := tx.x.QueryRowContext(ctx, `UPDATE `+t.batches+` SET version = version + 1, updated_at = $1
		WHERE id = $2 AND account_id = $3 RETURNING `+t.owner+`, version`, micros(now), batchID, accountID).Scan(&owner, &v)
	if ok, err := optionalRow(err, "update "+t.batchNoun+" version"); !ok {
		return err
	}
	tx.changedBatch(t, accountID, owner, batchID, v)
	return nil
}

// changedBatch records that the account's batch batchID of kind t, of
// owner, moved to version v in tx (versions.go).
func (tx *Tx) changedBatch(t batchTables, accountID, owner, batchID string, v int64) {
	tx.changed = append(tx.changed, versionChange{key: versionKey{kind: t.kind, account: accountID, owner: owner, batch: batchID}, version: v})
}

// deletedBatches records that the batches of kind t of the account's
// owner are deleted in tx (versions.go).
func (tx *Tx) deletedBatches(t batchTables, accountID, owner string) {
	tx.changed = append(tx.changed, versionChange{key: versionKey{kind: t.kind, account: accountID, owner: owner}})
}

// decideBatch derives the status of batch b of kind t from its counts,
// just updated in tx, and stores it, in b too, when it changed. The
// caller has updated the batch's row in tx first, so concurrent moves of
// one batch's files serialise on that row (PostgreSQL) or on the single
// writer (SQLite), and the move that makes the last file terminal sees
// every other: ended is true for exactly one move of a batch. A terminal
// status never changes.
func (tx *Tx) decideBatch(ctx context.Context, t batchTables, b *batchRow, now time.Time) (ended bool, err error) {
	if b.status.Terminal() {
		return false, nil
	}
	next := docparse.BatchStatusFor(b.counts)
	if next == b.status {
		return false, nil
	}
	var done sql.NullInt64
	if next.Terminal() {
		done = sql.NullInt64{Int64: micros(now), Valid: true}
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE `+t.batches+` SET status = $1, completed_at = $2 WHERE id = $3 AND account_id = $4
		AND status NOT IN ('processed', 'partial', 'failed')`, string(next), done, b.id, b.accountID); err != nil {
		return false, fmt.Errorf("update batch status: %w", err)
	}
	b.status, b.completed = next, done
	return next.Terminal(), nil
}

// batchWithFiles reads the account's batch of kind t, of owner ownerID,
// with its files in upload order, in one query (one snapshot: the counts
// agree with the files). fileCols are the file columns to read,
// qualified by f.; file returns the destinations of one row's file
// columns and the func that makes the file once they are scanned. A batch
// always holds at least one file (an upload without files is refused),
// so no row is a docparse.NotFoundError.
func batchWithFiles[F any](ctx context.Context, db *DB, t batchTables, accountID, ownerID, batchID, fileCols string,
	file func() ([]any, func() F)) (batchRow, []F, error) {
	var b batchRow
	rows, err := db.read().QueryContext(ctx, `SELECT `+t.batchColsB+`, `+fileCols+`
		FROM `+t.batches+` b JOIN `+t.files+` f ON f.batch_id = b.id
		WHERE b.id = $1 AND b.account_id = $2 AND b.`+t.owner+` = $3 ORDER BY f.position`, batchID, accountID, ownerID)
	if err != nil {
		return b, nil, fmt.Errorf("select %s: %w", t.batchNoun, err)
	}
	defer rows.Close()
	var files []F
	for rows.Next() {
		dest, made := file()
		if err := rows.Scan(append(b.dest(), dest...)...); err != nil {
			return b, nil, fmt.Errorf("scan %s: %w", t.batchNoun, err)
		}
		files = append(files, made())
	}
	if err := rows.Err(); err != nil {
		return b, nil, fmt.Errorf("select %s: %w", t.batchNoun, err)
	}
	if len(files) == 0 {
		return b, nil, docparse.NotFound(t.batchNoun, batchID)
	}
	return b, files, nil
}

// BatchFilter narrows ListBatches and ListClassificationBatches.
type BatchFilter struct {
	Status       docparse.BatchStatus // "" for any
	UpdatedAfter *time.Time
}

// listBatches lists the batches of kind t of the account's owner
// ownerID, newest first.
func listBatches[B any](ctx context.Context, db *DB, t batchTables, accountID, ownerID string, f BatchFilter, p Page,
	scan func(row interface{ Scan(...any) error }) (B, error)) ([]B, bool, error) {
	after := int64(-1)
	if f.UpdatedAfter != nil {
		after = micros(*f.UpdatedAfter)
	}
	rows, err := db.read().QueryContext(ctx, `SELECT `+t.batchCols+` FROM `+t.batches+`
		WHERE account_id = $1 AND `+t.owner+` = $2 AND ($3 = '' OR status = $3) AND updated_at > $4
		AND ($5 = '' OR id < $5) ORDER BY id DESC LIMIT $6`,
		accountID, ownerID, string(f.Status), after, p.Cursor, p.limit()+1)
	if err != nil {
		return nil, false, fmt.Errorf("list %ses: %w", t.batchNoun, err)
	}
	return collect(rows, p, scan)
}

// batchVersion returns the version of the account's batch of kind t, of
// owner ownerID: what answers an unchanged poll. It comes from memory
// when the version cache holds it (versions.go), else from one indexed
// read, then kept.
func (db *DB) batchVersion(ctx context.Context, t batchTables, accountID, ownerID, batchID string) (int64, error) {
	k := versionKey{kind: t.kind, account: accountID, owner: ownerID, batch: batchID}
	v, ok, e := db.versions.get(k)
	if ok {
		return v, nil
	}
	db.versionReads.Add(1)
	v, err := db.readVersion(ctx, t.versionQuery, batchID, accountID, ownerID)
	if err != nil {
		db.versions.drop(k, e)
		return 0, rowErr(err, t.batchNoun, batchID, "select "+t.batchNoun+" version")
	}
	db.versions.fill(k, e, v)
	return v, nil
}

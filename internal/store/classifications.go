package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// Classifications, their batches and files. The batch rules are those of
// every kind of batch (filebatch.go): counters on the batch row, the
// terminal status decided by decideBatch exactly once.

const classificationCols = `id, account_id, name, description, threshold, categories, version, overrides_version, created_at, updated_at`

func scanClassification(row interface{ Scan(...any) error }) (docparse.Classification, error) {
	var c docparse.Classification
	var cats string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.Description, &c.Threshold, &cats, &c.Version, &c.OverridesVersion,
		&created, &updated); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(cats), &c.Categories); err != nil {
		return c, fmt.Errorf("decode categories of %s: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// InsertClassification stores a new classification, at version 1.
func (tx *Tx) InsertClassification(ctx context.Context, c docparse.Classification) error {
	cats, err := json.Marshal(c.Categories)
	if err != nil {
		return fmt.Errorf("encode categories: %w", err)
	}
	_, err = tx.x.ExecContext(ctx, `INSERT INTO classifications (`+classificationCols+`) VALUES ($1, $2, $3, $4, $5, $6, 1, 0, $7, $8)`,
		c.ID, c.AccountID, c.Name, c.Description, c.Threshold, string(cats), micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert classification: %w", err)
	}
	return nil
}

// UpdateClassification stores every mutable column of c and moves it to
// a new version, which it returns.
func (tx *Tx) UpdateClassification(ctx context.Context, c docparse.Classification) (int64, error) {
	cats, err := json.Marshal(c.Categories)
	if err != nil {
		return 0, fmt.Errorf("encode categories: %w", err)
	}
	var v int64
	err = tx.x.QueryRowContext(ctx, `UPDATE classifications SET name = $1, description = $2, threshold = $3, categories = $4,
		version = version + 1, updated_at = $5 WHERE id = $6 AND account_id = $7 RETURNING version`,
		c.Name, c.Description, c.Threshold, string(cats), micros(c.UpdatedAt), c.ID, c.AccountID).Scan(&v)
	if err := rowErr(err, "classification", c.ID, "update classification"); err != nil {
		return 0, err
	}
	return v, nil
}

// Classification returns the account's classification id.
func (c conn) Classification(ctx context.Context, accountID, id string) (docparse.Classification, error) {
	return c.classification(ctx, accountID, id, "")
}

// LockClassification returns the account's classification id and, on
// PostgreSQL, locks its row until the transaction ends: shared for the
// moves of its files (which then run side by side), exclusive for a
// delete. Every transaction that writes more than one row of a
// classification's batches takes this lock first, so that they never
// deadlock one another and a delete never runs beside the chaining of one
// of its batches. On SQLite the single writer already serialises them.
func (tx *Tx) LockClassification(ctx context.Context, accountID, id string, exclusive bool) (docparse.Classification, error) {
	mode := "FOR SHARE"
	if exclusive {
		mode = "FOR UPDATE"
	}
	return tx.classification(ctx, accountID, id, tx.engine.lock(mode))
}

// classification reads the account's classification id, with the row-lock
// clause lock.
func (c conn) classification(ctx context.Context, accountID, id, lock string) (docparse.Classification, error) {
	cl, err := scanClassification(c.x.QueryRowContext(ctx, `SELECT `+classificationCols+` FROM classifications
		WHERE id = $1 AND account_id = $2`+lock, id, accountID))
	return cl, rowErr(err, "classification", id, "select classification")
}

// ListClassifications lists the account's classifications, newest first.
func (db *DB) ListClassifications(ctx context.Context, accountID string, p Page) ([]docparse.Classification, bool, error) {
	return listOwned(ctx, db, "classifications", classificationCols, "", "classifications", scanClassification, accountID, p)
}

// ExtractionExists reports whether the account has the extraction id and,
// on PostgreSQL, holds a shared lock on its row until the transaction
// ends, so that a concurrent delete of the extraction waits for what this
// transaction adds to it (and then deletes that too).
func (tx *Tx) ExtractionExists(ctx context.Context, accountID, id string) (bool, error) {
	var x string
	err := tx.x.QueryRowContext(ctx, `SELECT id FROM extractions WHERE id = $1 AND account_id = $2`+tx.engine.lock("FOR SHARE"), id, accountID).Scan(&x)
	return optionalRow(err, "select extraction")
}

// DeleteClassification removes the classification with its batches and
// files and returns the blob keys that no row names any more (a chained
// extraction file keeps its blob), for the caller to delete once the
// transaction has committed.
func (tx *Tx) DeleteClassification(ctx context.Context, accountID, id string) ([]string, error) {
	if _, err := tx.LockClassification(ctx, accountID, id, true); err != nil {
		return nil, err
	}
	keys, err := queryStrings(ctx, tx.x, `DELETE FROM classification_files WHERE classification_id = $1 AND account_id = $2 RETURNING blob_key`, id, accountID)
	if err != nil {
		return nil, fmt.Errorf("delete classification files: %w", err)
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM classification_batches WHERE classification_id = $1 AND account_id = $2`, id, accountID); err != nil {
		return nil, fmt.Errorf("delete classification batches: %w", err)
	}
	tx.deletedBatches(classificationTables, accountID, id)
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM classifications WHERE id = $1 AND account_id = $2`, id, accountID); err != nil {
		return nil, fmt.Errorf("delete classification: %w", err)
	}
	return tx.unreferencedBlobs(ctx, keys)
}

// unreferencedBlobs returns the keys that no file of any batch, extraction
// or classification, names. Called after a delete in the same
// transaction, it keeps the blobs that a chained batch shares. Two deletes
// racing on PostgreSQL may each keep a shared blob (a leak, never a
// loss).
func (tx *Tx) unreferencedBlobs(ctx context.Context, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	list, arg := tx.engine.stringList(1, keys)
	free, err := queryStrings(ctx, tx.x, `SELECT DISTINCT k.v FROM `+list+`
		WHERE NOT EXISTS (SELECT 1 FROM files WHERE blob_key = k.v)
		AND NOT EXISTS (SELECT 1 FROM classification_files WHERE blob_key = k.v)`, arg)
	if err != nil {
		return nil, fmt.Errorf("select unreferenced blobs: %w", err)
	}
	unref := make(map[string]bool, len(free))
	for _, k := range free {
		unref[k] = true
	}
	// In the order of keys, each once.
	var out []string
	for _, k := range keys {
		if unref[k] {
			out = append(out, k)
			unref[k] = false
		}
	}
	return out, nil
}

// queryStrings runs a query of one text column and returns its values.
func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	return queryAll(ctx, q, scanString, query, args...)
}

// Batches.

// InsertClassificationBatch stores a new classification batch and its
// files, all queued. The caller inserts the files' jobs in the same
// transaction.
func (tx *Tx) InsertClassificationBatch(ctx context.Context, b docparse.ClassificationBatch, files []docparse.ClassificationFile) error {
	var extra columns
	extra.set("decided", false)
	cores := make([]docparse.FileCore, len(files))
	for i, f := range files {
		cores[i] = f.FileCore
	}
	return tx.insertBatch(ctx, classificationTables, b.BatchCore, b.ClassificationID, columns{}, cores, extra)
}

// cfileCols are the columns of a classification file, without its text.
const cfileCols = `id, account_id, classification_id, batch_id, position, file_name, kind, mime, size, page_count, blob_key, status,
	error_code, error_message, decided, category_id, category_name, confidence, reasoning,
	override_category_id, override_category_name, overridden_at, linked_batch_id, created_at, updated_at`

func scanClassificationFile(row interface{ Scan(...any) error }) (docparse.ClassificationFile, error) {
	var sf cfileScan
	if err := row.Scan(sf.dest()...); err != nil {
		return docparse.ClassificationFile{}, err
	}
	return sf.file(), nil
}

// cfileScan receives a row of cfileCols.
type cfileScan struct {
	f                                                        docparse.ClassificationFile
	ecode, emsg, catID, catName, reasoning, ovID, ovName, lb sql.NullString
	conf                                                     sql.NullFloat64
	ovAt                                                     sql.NullInt64
	created, updated                                         int64
}

func (s *cfileScan) dest() []any {
	f := &s.f
	return []any{&f.ID, &f.AccountID, &f.ClassificationID, &f.BatchID, &f.Position, &f.FileName, &f.Kind, &f.MIME, &f.Size,
		&f.PageCount, &f.BlobKey, &f.Status, &s.ecode, &s.emsg, &f.Decided, &s.catID, &s.catName, &s.conf, &s.reasoning,
		&s.ovID, &s.ovName, &s.ovAt, &s.lb, &s.created, &s.updated}
}

func (s *cfileScan) file() docparse.ClassificationFile {
	f := s.f
	if s.ecode.Valid {
		f.Error = &docparse.FileError{Code: s.ecode.String, Message: s.emsg.String}
	}
	f.Decision = docparse.Decision{CategoryID: s.catID.String, CategoryName: s.catName.String, Confidence: s.conf.Float64, Reasoning: s.reasoning.String}
	if s.ovID.Valid {
		f.Override = &docparse.Override{CategoryID: s.ovID.String, CategoryName: s.ovName.String, At: fromMicros(s.ovAt.Int64)}
	}
	f.LinkedBatchID = s.lb.String
	f.CreatedAt, f.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return f
}

// ClassificationBatchWithFiles is what the polling endpoint reads: the
// batch and its files in upload order, in one query (one snapshot: the
// counts agree with the files). A batch always holds at least one file.
func (db *DB) ClassificationBatchWithFiles(ctx context.Context, accountID, classificationID, batchID string) (docparse.ClassificationBatch, []docparse.ClassificationFile, error) {
	b, files, err := batchWithFiles(ctx, db, classificationTables, accountID, classificationID, batchID, prefixCols(cfileCols, "f."),
		func() ([]any, func() docparse.ClassificationFile) {
			var sf cfileScan
			return sf.dest(), sf.file
		})
	return b.classification(), files, err
}

// ListClassificationBatches lists a classification's batches, newest
// first.
func (db *DB) ListClassificationBatches(ctx context.Context, accountID, classificationID string, f BatchFilter, p Page) ([]docparse.ClassificationBatch, bool, error) {
	return listBatches(ctx, db, classificationTables, accountID, classificationID, f, p, scanClassificationBatch)
}

// ClassificationBatchVersion returns the version of the account's
// classification batch: the cheap read that answers an unchanged poll.
func (db *DB) ClassificationBatchVersion(ctx context.Context, accountID, classificationID, batchID string) (int64, error) {
	return db.batchVersion(ctx, classificationTables, accountID, classificationID, batchID)
}

// ClassificationFile returns one file of the account's classification
// batch.
func (db *DB) ClassificationFile(ctx context.Context, accountID, classificationID, batchID, fileID string) (docparse.ClassificationFile, error) {
	f, err := scanClassificationFile(db.read().QueryRowContext(ctx, `SELECT `+cfileCols+` FROM classification_files
		WHERE id = $1 AND account_id = $2 AND classification_id = $3 AND batch_id = $4`, fileID, accountID, classificationID, batchID))
	return f, rowErr(err, "file", fileID, "select classification file")
}

// ClassificationFileForWork returns a classification file for its worker,
// inside the transaction.
func (tx *Tx) ClassificationFileForWork(ctx context.Context, accountID, fileID string) (docparse.ClassificationFile, error) {
	f, err := scanClassificationFile(tx.x.QueryRowContext(ctx, `SELECT `+cfileCols+` FROM classification_files
		WHERE id = $1 AND account_id = $2`, fileID, accountID))
	return f, rowErr(err, "file", fileID, "select classification file")
}

// ClassificationBatchFiles returns every file of a classification batch
// in upload order, inside the transaction.
func (tx *Tx) ClassificationBatchFiles(ctx context.Context, accountID, batchID string) ([]docparse.ClassificationFile, error) {
	files, err := queryAll(ctx, tx.x, scanClassificationFile, `SELECT `+cfileCols+` FROM classification_files
		WHERE batch_id = $1 AND account_id = $2 ORDER BY position`, batchID, accountID)
	if err != nil {
		return nil, fmt.Errorf("select classification files: %w", err)
	}
	return files, nil
}

// ClassificationOutcome is what a classification file's move stores
// besides its status.
type ClassificationOutcome struct {
	// Decision, when not nil, is the classifier's; Text the start of the
	// document's text (at most docparse.MaxClassifiedText bytes).
	Decision *docparse.Decision
	Text     string
	Error    *docparse.FileError
}

// columns are what out stores beside the status: nothing until the
// classifier decided.
func (out ClassificationOutcome) columns() columns {
	var c columns
	d := out.Decision
	if d == nil {
		return c
	}
	c.set("decided", true)
	c.set("category_id", sql.NullString{String: d.CategoryID, Valid: d.CategoryID != ""})
	c.set("category_name", sql.NullString{String: d.CategoryName, Valid: d.CategoryID != ""})
	c.set("confidence", d.Confidence)
	c.set("reasoning", d.Reasoning)
	c.set("text", out.Text)
	return c
}

// MoveClassificationFile moves the account's classification file to
// status to, if docparse allows the move, and keeps its batch's counts,
// version and status in step, all in tx, as MoveFile does for extraction
// files (moveFile). The override of the file is never touched.
func (tx *Tx) MoveClassificationFile(ctx context.Context, accountID, fileID string, to docparse.FileStatus, out ClassificationOutcome, now time.Time) (ClassificationMove, error) {
	f, err := tx.ClassificationFileForWork(ctx, accountID, fileID)
	if err != nil || !f.Status.CanMove(to) {
		return ClassificationMove{File: f}, err
	}
	b, ended, err := tx.moveFile(ctx, classificationTables, accountID, fileID, f.BatchID, f.Status, to, out.Error, out.columns(), now)
	if err != nil {
		return ClassificationMove{}, err
	}
	f.Status, f.UpdatedAt = to, now
	if out.Error != nil {
		f.Error = out.Error
	}
	if out.Decision != nil {
		f.Decided, f.Decision = true, *out.Decision
	}
	return ClassificationMove{File: f, Batch: b.classification(), Moved: true, BatchEnded: ended}, nil
}

// SetOverride sets (o not nil) or clears (o nil) the override of the
// account's classification file, moves its batch to a new version (its
// poll changes) and its classification to a new overrides version (its
// model changes). The caller holds the classification's lock. It returns
// the file after the change.
func (tx *Tx) SetOverride(ctx context.Context, accountID, classificationID, batchID, fileID string, o *docparse.Override, now time.Time) (docparse.ClassificationFile, error) {
	var id, name sql.NullString
	var at sql.NullInt64
	if o != nil {
		id = sql.NullString{String: o.CategoryID, Valid: true}
		name = sql.NullString{String: o.CategoryName, Valid: true}
		at = sql.NullInt64{Int64: micros(o.At), Valid: true}
	}
	res, err := tx.x.ExecContext(ctx, `UPDATE classification_files SET override_category_id = $1, override_category_name = $2,
		overridden_at = $3, updated_at = $4 WHERE id = $5 AND account_id = $6 AND classification_id = $7 AND batch_id = $8`,
		id, name, at, micros(now), fileID, accountID, classificationID, batchID)
	if err := affectedErr(res, err, "file", fileID, "set override"); err != nil {
		return docparse.ClassificationFile{}, err
	}
	if err := tx.touchBatch(ctx, classificationTables, accountID, batchID, now); err != nil {
		return docparse.ClassificationFile{}, err
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE classifications SET overrides_version = overrides_version + 1
		WHERE id = $1 AND account_id = $2`, classificationID, accountID); err != nil {
		return docparse.ClassificationFile{}, fmt.Errorf("update overrides version: %w", err)
	}
	return tx.ClassificationFileForWork(ctx, accountID, fileID)
}

// OverrideExample is the text of a file a user put into a category by
// hand.
type OverrideExample struct {
	Text       string
	CategoryID string
}

// OverrideExamples returns up to limit overrides of the account's
// classification, newest first, with the text of their files: what the
// classifier learns from.
func (db *DB) OverrideExamples(ctx context.Context, accountID, classificationID string, limit int) ([]OverrideExample, error) {
	rows, err := db.read().QueryContext(ctx, `SELECT text, override_category_id FROM classification_files
		WHERE classification_id = $1 AND account_id = $2 AND override_category_id IS NOT NULL AND text IS NOT NULL
		ORDER BY overridden_at DESC LIMIT $3`, classificationID, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("select override examples: %w", err)
	}
	ex, _, err := collect(rows, Page{Limit: limit}, func(row interface{ Scan(...any) error }) (OverrideExample, error) {
		var e OverrideExample
		err := row.Scan(&e.Text, &e.CategoryID)
		return e, err
	})
	return ex, err
}

// SetLinkedBatch records that the account's classification files were
// submitted to the extraction batch linkedBatchID, and moves their
// classification batch to a new version.
func (tx *Tx) SetLinkedBatch(ctx context.Context, accountID, classificationBatchID string, fileIDs []string, linkedBatchID string, now time.Time) error {
	if len(fileIDs) == 0 {
		return nil
	}
	in, ids := tx.engine.inStrings("id", 5, fileIDs)
	if _, err := tx.x.ExecContext(ctx, `UPDATE classification_files SET linked_batch_id = $1, updated_at = $2
		WHERE account_id = $3 AND batch_id = $4 AND `+in, linkedBatchID, micros(now), accountID, classificationBatchID, ids); err != nil {
		return fmt.Errorf("set linked batch: %w", err)
	}
	return tx.touchBatch(ctx, classificationTables, accountID, classificationBatchID, now)
}

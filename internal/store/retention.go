package store

import (
	"context"
	"fmt"
	"time"
)

// Retention (--retention): batches of every kind that ended long enough
// ago are deleted whole, with their files, results and review items, in
// chunks of a bounded number of files, so that a first run on a large
// installation never holds one long transaction; webhook delivery
// attempts likewise.

// Expired is what one DeleteExpiredBatches deleted.
type Expired struct {
	Batches, Files int
	// BlobKeys are the stored documents of the deleted files that no
	// remaining file, of either kind, names. They are pending deletions
	// (PendingBlobDeletions) from the commit on: the caller deletes them
	// from the blob store once the transaction has committed, then
	// forgets them (BlobsDeleted). A crash in between, or a failed
	// delete, leaves them pending, never a file whose document is gone.
	BlobKeys []string
}

// DeleteExpiredBatches deletes, in tx, the batches that ended (completed_at)
// before before, oldest first, with their files: of the classification
// kind when classification is true, else extraction batches. It takes
// whole batches holding at most maxFiles files together, or the oldest
// alone when it holds more. A batch that has not ended
// is never deleted. Deleting a classification's overridden files moves
// its overrides version, so that its classifier forgets what it learnt
// from them. No batch left is Expired{} and no error.
func (tx *Tx) DeleteExpiredBatches(ctx context.Context, classification bool, before time.Time, maxFiles int) (Expired, error) {
	t := extractionTables
	if classification {
		t = classificationTables
	}
	var x Expired
	type ref struct{ id, account, owner string }
	// The running total of files, over the oldest batches, picks the
	// batches of this chunk (upto = file_count: the oldest); the inner
	// LIMIT bounds what it reads (each batch holds at least one file).
	refs, err := queryAll(ctx, tx.x, func(row interface{ Scan(...any) error }) (r ref, err error) {
		err = row.Scan(&r.id, &r.account, &r.owner)
		return r, err
	}, `SELECT id, account_id, owner FROM (
			SELECT id, account_id, owner, file_count, SUM(file_count) OVER (ORDER BY completed_at, id) AS upto FROM (
				SELECT id, account_id, `+t.owner+` AS owner, file_count, completed_at FROM `+t.batches+`
				WHERE completed_at < $1 ORDER BY completed_at, id LIMIT $2) o) w
		WHERE upto <= $2 OR upto = file_count`, micros(before), maxFiles)
	if err != nil {
		return x, fmt.Errorf("select expired %ses: %w", t.batchNoun, err)
	}
	if len(refs) == 0 {
		return x, nil
	}
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.id
	}
	if classification {
		in, arg := tx.engine.inStrings("batch_id", 1, ids)
		if _, err := tx.x.ExecContext(ctx, `UPDATE classifications SET overrides_version = overrides_version + 1
			WHERE id IN (SELECT classification_id FROM classification_files WHERE override_category_id IS NOT NULL AND `+in+`)`, arg); err != nil {
			return x, fmt.Errorf("update overrides versions: %w", err)
		}
	}
	in, arg := tx.engine.inStrings("batch_id", 1, ids)
	keys, err := queryStrings(ctx, tx.x, `DELETE FROM `+t.files+` WHERE `+in+` RETURNING blob_key`, arg)
	if err != nil {
		return x, fmt.Errorf("delete expired %ss: %w", t.fileNoun, err)
	}
	in, arg = tx.engine.inStrings("id", 1, ids)
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM `+t.batches+` WHERE `+in, arg); err != nil {
		return x, fmt.Errorf("delete expired %ses: %w", t.batchNoun, err)
	}
	// The version cache forgets the owners' batches: a poll of a deleted
	// batch reads the database, and finds nothing.
	seen := map[[2]string]bool{}
	for _, r := range refs {
		if k := [2]string{r.account, r.owner}; !seen[k] {
			seen[k] = true
			tx.deletedBatches(t, r.account, r.owner)
		}
	}
	x.Batches, x.Files = len(refs), len(keys)
	if x.BlobKeys, err = tx.unreferencedBlobs(ctx, keys); err != nil || len(x.BlobKeys) == 0 {
		return x, err
	}
	// WHERE: SQLite's parser needs one between a SELECT and ON CONFLICT.
	list, arg := tx.engine.stringList(1, x.BlobKeys)
	if _, err := tx.x.ExecContext(ctx, `INSERT INTO blob_deletions (blob_key) SELECT k.v FROM `+list+` WHERE 1 = 1
		ON CONFLICT DO NOTHING`, arg); err != nil {
		return x, fmt.Errorf("insert blob deletions: %w", err)
	}
	return x, nil
}

// PendingBlobDeletions lists up to limit pending deletions of stored
// documents (Expired.BlobKeys) whose keys sort after after, in key order:
// the documents a crash or a failed delete left behind.
func (db *DB) PendingBlobDeletions(ctx context.Context, after string, limit int) ([]string, error) {
	keys, err := queryStrings(ctx, db.read(), `SELECT blob_key FROM blob_deletions WHERE blob_key > $1 ORDER BY blob_key LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("select blob deletions: %w", err)
	}
	return keys, nil
}

// BlobsDeleted forgets the pending deletions of keys: the blob store has
// deleted them.
func (db *DB) BlobsDeleted(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	in, arg := db.engine.inStrings("blob_key", 1, keys)
	if _, err := db.w.ExecContext(ctx, `DELETE FROM blob_deletions WHERE `+in, arg); err != nil {
		return fmt.Errorf("delete blob deletions: %w", err)
	}
	return nil
}

// DeleteExpiredAttempts deletes up to limit webhook delivery attempts made
// before before, oldest first, and says how many it deleted.
func (db *DB) DeleteExpiredAttempts(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM delivery_attempts WHERE id IN (
		SELECT id FROM delivery_attempts WHERE created_at < $1 ORDER BY created_at LIMIT $2)`, micros(before), limit)
	if err != nil {
		return 0, fmt.Errorf("delete expired attempts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired attempts: %w", err)
	}
	return n, nil
}

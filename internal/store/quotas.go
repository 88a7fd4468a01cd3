package store

import (
	"context"
	"fmt"
)

// FilesOnDay returns how many files the account uploaded on day (days
// since 1970-01-01, UTC).
func (db *DB) FilesOnDay(ctx context.Context, accountID string, day int64) (int64, error) {
	var d, n int64
	err := db.read().QueryRowContext(ctx, `SELECT day, files FROM account_usage WHERE account_id = $1`, accountID).Scan(&d, &n)
	if found, err := optionalRow(err, "read usage"); !found || d < day {
		return 0, err
	}
	return n, nil
}

// StoredBytes returns the size of the account's stored documents, each
// counted once however many files (an extraction's, a classification's)
// refer to it.
func (c conn) StoredBytes(ctx context.Context, accountID string) (int64, error) {
	var n int64
	err := c.x.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM (
		SELECT blob_key, size FROM files WHERE account_id = $1
		UNION SELECT blob_key, size FROM classification_files WHERE account_id = $1) d`, accountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sum stored bytes: %w", err)
	}
	return n, nil
}

// AddFiles counts n files uploaded by the account on day (days since
// 1970-01-01, UTC) and returns the day's count with them. It locks the
// account's usage row until the transaction ends, so that one account's
// uploads commit one after the other on PostgreSQL too.
func (tx *Tx) AddFiles(ctx context.Context, accountID string, day, n int64) (int64, error) {
	var total int64
	err := tx.x.QueryRowContext(ctx, `INSERT INTO account_usage (account_id, day, files) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET
			files = CASE WHEN account_usage.day >= excluded.day THEN account_usage.files + excluded.files ELSE excluded.files END,
			day = CASE WHEN account_usage.day >= excluded.day THEN account_usage.day ELSE excluded.day END
		RETURNING files`, accountID, day, n).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("count uploaded files: %w", err)
	}
	return total, nil
}

// CountExtractions returns how many extractions the account holds.
func (tx *Tx) CountExtractions(ctx context.Context, accountID string) (int64, error) {
	var n int64
	if err := tx.x.QueryRowContext(ctx, `SELECT COUNT(*) FROM extractions WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count extractions: %w", err)
	}
	return n, nil
}

// CountClassifications returns how many classifications the account holds.
func (tx *Tx) CountClassifications(ctx context.Context, accountID string) (int64, error) {
	var n int64
	if err := tx.x.QueryRowContext(ctx, `SELECT COUNT(*) FROM classifications WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count classifications: %w", err)
	}
	return n, nil
}

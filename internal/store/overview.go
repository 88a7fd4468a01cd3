package store

import (
	"context"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// RecentBatch is an extraction batch of an account's recent ones, with its
// extraction's name.
type RecentBatch struct {
	docparse.Batch
	ExtractionName string
}

// RecentBatches returns the account's newest extraction batches, at most
// limit of them, newest first, whatever their extraction.
func (db *DB) RecentBatches(ctx context.Context, accountID string, limit int) ([]RecentBatch, error) {
	out, err := queryAll(ctx, db.read(), func(row interface{ Scan(...any) error }) (RecentBatch, error) {
		var r batchRow
		var rb RecentBatch
		err := row.Scan(append(r.dest(), &rb.ExtractionName)...)
		rb.Batch = r.extraction()
		return rb, err
	}, `SELECT `+extractionTables.batchColsB+`, e.name
		FROM batches b JOIN extractions e ON e.id = b.extraction_id AND e.account_id = b.account_id
		WHERE b.account_id = $1 ORDER BY b.id DESC LIMIT $2`, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("list recent batches: %w", err)
	}
	return out, nil
}

// Usage is what an account uploaded since a time: the documents of its
// extraction and classification batches that are still stored, and their
// pages.
type Usage struct {
	Files, Pages int64
}

// UsageSince returns the account's usage since t. Each uploaded document
// counts once, however many files refer to it (a document a
// classification passes on to an extraction); deleted ones no longer
// count.
func (db *DB) UsageSince(ctx context.Context, accountID string, t time.Time) (Usage, error) {
	var u Usage
	err := db.read().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(pages), 0) FROM (
		SELECT blob_key, MAX(page_count) AS pages FROM (
			SELECT blob_key, page_count FROM files WHERE account_id = $1 AND created_at >= $2
			UNION ALL
			SELECT blob_key, page_count FROM classification_files WHERE account_id = $1 AND created_at >= $2) f
		GROUP BY blob_key) u`,
		accountID, micros(t)).Scan(&u.Files, &u.Pages)
	if err != nil {
		return u, fmt.Errorf("read usage: %w", err)
	}
	return u, nil
}

// ReviewCount returns how many of the account's files wait for review.
func (db *DB) ReviewCount(ctx context.Context, accountID string) (int64, error) {
	var n int64
	err := db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM files
		WHERE account_id = $1 AND status = 'needs_review'`, accountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count review queue: %w", err)
	}
	return n, nil
}

package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/docparse/docparse/internal/docparse"
)

const extractionCols = `id, account_id, name, description, language, fields, options, review_threshold, created_at, updated_at`

func scanExtraction(row interface{ Scan(...any) error }) (docparse.Extraction, error) {
	var e docparse.Extraction
	var fields, options string
	var created, updated int64
	if err := row.Scan(&e.ID, &e.AccountID, &e.Name, &e.Description, &e.Language, &fields, &options, &e.ReviewThreshold, &created, &updated); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
		return e, fmt.Errorf("decode fields of %s: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(options), &e.Options); err != nil {
		return e, fmt.Errorf("decode options of %s: %w", e.ID, err)
	}
	e.CreatedAt = fromMicros(created)
	e.UpdatedAt = fromMicros(updated)
	return e, nil
}

func encodeSchema(e docparse.Extraction) (fields, options string, err error) {
	f, err := json.Marshal(e.Fields)
	if err != nil {
		return "", "", fmt.Errorf("encode fields: %w", err)
	}
	o, err := json.Marshal(e.Options)
	if err != nil {
		return "", "", fmt.Errorf("encode options: %w", err)
	}
	return string(f), string(o), nil
}

// InsertExtraction stores a new extraction.
func (tx *Tx) InsertExtraction(ctx context.Context, e docparse.Extraction) error {
	fields, options, err := encodeSchema(e)
	if err != nil {
		return err
	}
	_, err = tx.x.ExecContext(ctx, `INSERT INTO extractions (`+extractionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, e.AccountID, e.Name, e.Description, e.Language, fields, options, e.ReviewThreshold, micros(e.CreatedAt), micros(e.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert extraction: %w", err)
	}
	return nil
}

// UpdateExtraction stores every mutable column of e.
func (tx *Tx) UpdateExtraction(ctx context.Context, e docparse.Extraction) error {
	fields, options, err := encodeSchema(e)
	if err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `UPDATE extractions SET name = $1, description = $2, language = $3, fields = $4, options = $5,
		review_threshold = $6, updated_at = $7 WHERE id = $8 AND account_id = $9`,
		e.Name, e.Description, e.Language, fields, options, e.ReviewThreshold, micros(e.UpdatedAt), e.ID, e.AccountID)
	return affectedErr(res, err, "extraction", e.ID, "update extraction")
}

// Extraction returns the account's extraction id.
func (c conn) Extraction(ctx context.Context, accountID, id string) (docparse.Extraction, error) {
	e, err := scanExtraction(c.x.QueryRowContext(ctx, `SELECT `+extractionCols+` FROM extractions WHERE id = $1 AND account_id = $2`, id, accountID))
	return e, rowErr(err, "extraction", id, "select extraction")
}

// ListExtractions lists the account's extractions, newest first.
func (db *DB) ListExtractions(ctx context.Context, accountID string, p Page) ([]docparse.Extraction, bool, error) {
	return listOwned(ctx, db, "extractions", extractionCols, "", "extractions", scanExtraction, accountID, p)
}

// DeleteExtraction removes the extraction with its batches and files and
// returns the blob keys of its files that no other row names (a file
// chained from a classification shares its blob), for the caller to delete
// once the transaction has committed.
func (tx *Tx) DeleteExtraction(ctx context.Context, accountID, id string) ([]string, error) {
	keys, err := queryStrings(ctx, tx.x, `SELECT blob_key FROM files WHERE extraction_id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return nil, fmt.Errorf("select blobs: %w", err)
	}
	res, err := tx.x.ExecContext(ctx, `DELETE FROM extractions WHERE id = $1 AND account_id = $2`, id, accountID)
	if err := affectedErr(res, err, "extraction", id, "delete extraction"); err != nil {
		return nil, err
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM files WHERE extraction_id = $1 AND account_id = $2`, id, accountID); err != nil {
		return nil, fmt.Errorf("delete files: %w", err)
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM batches WHERE extraction_id = $1 AND account_id = $2`, id, accountID); err != nil {
		return nil, fmt.Errorf("delete batches: %w", err)
	}
	tx.deletedBatches(extractionTables, accountID, id)
	return tx.unreferencedBlobs(ctx, keys)
}

package store

import (
	"context"
	"fmt"
)

// FileRef names one file of an account.
type FileRef struct {
	AccountID, FileID string
}

// UnfinishedWithoutJob lists the files still queued or processing that
// no open River job of kind works: of the classification files when
// classification is true, else of the extraction files; in account and
// file order. A database copied from another (docparse migrate --to)
// holds such files: the jobs stayed in the source's queue. An open job
// is one River may still run (not completed, cancelled or discarded).
func (tx *Tx) UnfinishedWithoutJob(ctx context.Context, kind string, classification bool) ([]FileRef, error) {
	table := "files"
	if classification {
		table = "classification_files"
	}
	fileID := "json_extract(j.args, '$.file_id')"
	if tx.engine == Postgres {
		fileID = "j.args->>'file_id'"
	}
	refs, err := queryAll(ctx, tx.x, func(row interface{ Scan(...any) error }) (FileRef, error) {
		var r FileRef
		err := row.Scan(&r.AccountID, &r.FileID)
		return r, err
	}, `SELECT f.account_id, f.id FROM `+table+` f
		WHERE f.status IN ('queued', 'processing') AND NOT EXISTS (
			SELECT 1 FROM river_job j WHERE j.kind = $1 AND `+fileID+` = f.id
			AND j.state NOT IN ('completed', 'cancelled', 'discarded'))
		ORDER BY f.account_id, f.id`, kind)
	if err != nil {
		return nil, fmt.Errorf("list unfinished files: %w", err)
	}
	return refs, nil
}

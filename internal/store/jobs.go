package store

import (
	"context"
	"fmt"
)

// JobCount is how many of River's jobs of one kind are in one state.
type JobCount struct {
	Kind, State string
	N           int64
}

// JobCounts counts River's jobs that are not finished, by kind and state
// (available, running, retryable, scheduled): what is queued and what is
// being worked, for /metrics. Finished jobs (completed, cancelled,
// discarded), which River keeps for a while, are not counted. It reads
// River's table through the state index; callers that serve it to a
// scraper cache the answer.
func (db *DB) JobCounts(ctx context.Context) ([]JobCount, error) {
	counts, err := queryAll(ctx, db.r, func(row interface{ Scan(...any) error }) (c JobCount, err error) {
		err = row.Scan(&c.Kind, &c.State, &c.N)
		return c, err
	}, `SELECT kind, state, COUNT(*) FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'scheduled')
		GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return counts, nil
}

package pipeline

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/store"
)

// insertJobs inserts one account's file jobs on queue in tx, in the
// queue's fair order (store.Tx.InsertFair): River takes the backlogged
// accounts' jobs in turn, one each, instead of first in, first out, so an
// account's single file does not wait behind another account's hundreds.
// An account alone still has every worker: nothing is held back, only the
// order of due jobs changes.
func (s *Service) insertJobs(ctx context.Context, tx *store.Tx, queue, accountID string, jobs []river.InsertManyParams) error {
	return tx.InsertFair(ctx, queue, accountID, func() ([]int64, error) {
		res, err := s.river.InsertManyTx(ctx, tx.SQL(), jobs)
		if err != nil {
			return nil, fmt.Errorf("insert jobs: %w", err)
		}
		ids := make([]int64, len(res))
		for i, r := range res {
			ids[i] = r.Job.ID
		}
		return ids, nil
	})
}

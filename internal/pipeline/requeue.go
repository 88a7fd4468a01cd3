package pipeline

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/store"
)

// RequeueUnfinished inserts a file job for every file still queued or
// processing that has none, in each queue's fair order, and returns how
// many it inserted. A database copied from another installation (docparse
// migrate --to) needs it: its files' jobs stayed in the source's queue.
// A job of a file that has ended by the time it runs does nothing
// (fileJob.start), so a file that the source finishes later, and a later
// copy marks done, costs nothing.
func (s *Service) RequeueUnfinished(ctx context.Context) (int, error) {
	kinds := []struct {
		classification bool
		args           func(fileOf) fileArgs
	}{
		{false, func(f fileOf) fileArgs { return ProcessFileArgs{f} }},
		{true, func(f fileOf) fileArgs { return ClassifyFileArgs{f} }},
	}
	n := 0
	for _, k := range kinds {
		err := s.db.Tx(ctx, func(tx *store.Tx) error {
			kind := k.args(fileOf{})
			refs, err := tx.UnfinishedWithoutJob(ctx, kind.Kind(), k.classification)
			if err != nil {
				return err
			}
			for i := 0; i < len(refs); {
				// One account's files at a time, in its fair order.
				j := i
				var jobs []river.InsertManyParams
				for ; j < len(refs) && refs[j].AccountID == refs[i].AccountID; j++ {
					jobs = append(jobs, river.InsertManyParams{Args: k.args(fileOf{refs[j].AccountID, refs[j].FileID})})
				}
				if err := s.insertJobs(ctx, tx, kind.InsertOpts().Queue, refs[i].AccountID, jobs); err != nil {
					return err
				}
				i = j
			}
			n += len(refs)
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

package pipeline

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/store"
)

// Retention (Config.Retention, --retention): what is older than the
// retention is deleted by a daily job.
const (
	defaultRetentionInterval = 24 * time.Hour
	// retentionChunk bounds the files (and attempts) one transaction of
	// the job deletes.
	retentionChunk = 500
	// retentionSlice bounds how long one run of the job works before it
	// hands over to the next run (River's job timeout and rescue are
	// minutes away); it is cut shorter for a short --file-timeout.
	retentionSlice = time.Minute
)

// RetentionArgs is the daily retention job (Service.Retention). River's
// elected leader inserts one every Config.RetentionInterval and one at
// start, only when Config.Retention is set: however many nodes share the
// database, it runs on one.
type RetentionArgs struct{}

// Kind is River's name of the job.
func (RetentionArgs) Kind() string { return "retention" }

// InsertOpts puts the job on the maintenance queue. Two runs one after the
// other, or at once on two nodes, do no harm: each deletes what is left.
func (RetentionArgs) InsertOpts() river.InsertOpts { return maintenanceOpts }

// retentionJob runs the retention for one slice of time; when more is
// left it snoozes the job for no time, so that it runs again at once, in
// a new slice (a snooze is not a failed attempt).
func (s *Service) retentionJob(ctx context.Context) error {
	r, err := s.Retention(ctx)
	if err == nil && r.More {
		return river.JobSnooze(0)
	}
	return err
}

// RetentionResult is what one Service.Retention deleted.
type RetentionResult struct {
	Batches, Files, Blobs int
	Attempts              int64
	// More is true when the run stopped at its time slice with more
	// to delete.
	More bool
}

// Retention deletes, when Config.Retention is set, the batches of every
// kind, of every account, that ended (completed_at) more than the
// retention ago, whole: their files, results and review items, then
// the stored documents that no remaining file shares (a document a
// classification passed on to an extraction stays while either file
// does); and the webhook delivery attempts older than the retention. A
// batch that has not ended is never deleted. Events keep their 30 days
// (Cleanup).
//
// It works a chunk of at most retentionChunk files per transaction, and
// deletes a chunk's documents after its transaction commits, which
// records them as pending deletions: a crash between the two, or a blob
// store that fails a delete, leaves them pending, and each run begins
// with those (never a file whose document is gone). It stops after about
// retentionSlice with More set when more is left.
func (s *Service) Retention(ctx context.Context) (RetentionResult, error) {
	var r RetentionResult
	if s.cfg.Retention <= 0 {
		return r, nil
	}
	start := s.Now()
	before := start.Add(-s.cfg.Retention)
	slice := min(retentionSlice, s.cfg.FileTimeout/2)
	defer func() {
		if r.Batches > 0 || r.Attempts > 0 {
			s.log.Info("retention", "batches_deleted", r.Batches, "files_deleted", r.Files, "documents_deleted", r.Blobs,
				"attempts_deleted", r.Attempts, "more", r.More)
		}
	}()
	// What earlier runs left pending, each tried once.
	for after := ""; ; {
		keys, err := s.db.PendingBlobDeletions(ctx, after, retentionChunk)
		if err != nil {
			return r, err
		}
		if len(keys) == 0 {
			break
		}
		n, err := s.deletePendingBlobs(ctx, keys)
		r.Blobs += n
		if err != nil {
			return r, err
		}
		after = keys[len(keys)-1]
	}
	for _, classification := range []bool{false, true} {
		for {
			x, err := inTx(ctx, s.db, func(tx *store.Tx) (store.Expired, error) {
				return tx.DeleteExpiredBatches(ctx, classification, before, retentionChunk)
			})
			if err != nil {
				return r, err
			}
			n, err := s.deletePendingBlobs(ctx, x.BlobKeys)
			r.Batches, r.Files, r.Blobs = r.Batches+x.Batches, r.Files+x.Files, r.Blobs+n
			if err != nil {
				return r, err
			}
			if x.Batches == 0 {
				break
			}
			if s.Now().Sub(start) >= slice {
				r.More = true
				return r, nil
			}
		}
	}
	for {
		n, err := s.db.DeleteExpiredAttempts(ctx, before, retentionChunk)
		r.Attempts += n
		if err != nil || n < retentionChunk {
			return r, err
		}
		if s.Now().Sub(start) >= slice {
			r.More = true
			return r, nil
		}
	}
}

// deletePendingBlobs deletes the documents of keys, pending deletions,
// from the blob store, and forgets those it deleted; one whose delete
// failed stays pending for the next run. It says how many it deleted.
func (s *Service) deletePendingBlobs(ctx context.Context, keys []string) (int, error) {
	var done []string
	for _, k := range keys {
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.Warn("delete blob", "blob_key", k, "err", err)
			continue
		}
		done = append(done, k)
	}
	return len(done), s.db.BlobsDeleted(ctx, done)
}

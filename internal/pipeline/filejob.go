package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// A file job is the River job each file of a batch gets, one per file,
// inserted in the transaction that creates the batch: process_file for an
// extraction batch (process.go), classify_file for a classification batch
// (classify.go). Every kind runs through one worker, fileWorker: it waits
// for a slot of the account (takeSlot), moves the file to processing, does
// the kind's work outside any transaction, then stores the file's final
// status with the events it causes in one transaction and hands their
// deliveries to the dispatcher. A document's own problems fail the file
// for good; other errors go back to River to retry soon, and on the last
// attempt fail the file as internal_error, so that the batch always ends.
// A kind of batch writes only what its file's job does: a fileJob.

// fileArgs are the arguments of a file job: they name one file of an
// account (fileOf), and put the job on its kind's queue.
type fileArgs interface {
	river.JobArgs
	river.JobArgsWithInsertOpts
	file() (accountID, fileID string)
}

// fileOf is what the arguments of every kind of file job hold: the file
// of the account the job is for.
type fileOf struct {
	AccountID string `json:"account_id"`
	FileID    string `json:"file_id"`
}

func (a fileOf) file() (accountID, fileID string) { return a.AccountID, a.FileID }

// fileJob is what the job of a file does, for one kind of batch: W is
// what the work needs of the file, O what the file's final move stores.
type fileJob[W, O any] interface {
	// start moves the file to processing in tx and returns what work
	// needs; ok is false when the file is past processing (the job ran
	// before). docparse.ErrNotFound ends the job: the batch is gone.
	start(ctx context.Context, tx *store.Tx, accountID, fileID string) (w W, ok bool, err error)
	// work does the job, outside any transaction: the file's final status
	// and what to store; an error is transient.
	work(ctx context.Context, w W) (docparse.FileStatus, O, error)
	// failed is what a file that failed with e stores.
	failed(e *docparse.FileError) O
	// finish moves the file to its final status to, storing out, and
	// emits the events that causes, in tx.
	finish(ctx context.Context, tx *store.Tx, accountID, fileID string, to docparse.FileStatus, out O) ([]store.DeliveryTask, error)
}

// fileWorker runs the file jobs (args A) of one kind of batch.
type fileWorker[A fileArgs, W, O any] struct {
	river.WorkerDefaults[A]
	s    *Service
	noun string // the file, in logs
	job  fileJob[W, O]
}

// newFileWorker returns the worker of the file jobs with args A, which do
// job.
func newFileWorker[A fileArgs, W, O any](s *Service, noun string, job fileJob[W, O]) *fileWorker[A, W, O] {
	return &fileWorker[A, W, O]{s: s, noun: noun, job: job}
}

// NextRetry retries transient errors soon: a file's job is interactive
// work that a user is polling for.
func (w *fileWorker[A, W, O]) NextRetry(job *river.Job[A]) time.Time {
	return fileRetryAt(job.Attempt)
}

// fileRetryDelays are the waits before a file job's retries: short, since
// someone is polling for the file.
var fileRetryDelays = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}

// fileRetryAt is when a file job that failed its attempt-th try runs again.
func fileRetryAt(attempt int) time.Time {
	i := min(attempt-1, len(fileRetryDelays)-1)
	return time.Now().Add(fileRetryDelays[max(i, 0)])
}

// Work runs one file's job: see fileJob and the top of this file.
func (w *fileWorker[A, W, O]) Work(ctx context.Context, job *river.Job[A]) error {
	s := w.s
	accountID, fileID := job.Args.file()
	queue := job.Args.InsertOpts().Queue
	run, err := s.takeSlot(ctx, queue, job.JobRow, job.Args, accountID)
	if !run {
		noteYield(ctx)
		return err // given up to another account, inserted again
	}
	defer s.slots.put(slotKey(queue, accountID))
	var work W
	started := false
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		work, started, err = w.job.start(ctx, tx, accountID, fileID)
		return err
	})
	if errors.Is(err, docparse.ErrNotFound) {
		return nil // the batch was deleted
	}
	if err != nil {
		return w.retryOrFail(ctx, job, err)
	}
	if !started {
		return nil // already terminal: a repeated job
	}
	to, out, err := w.job.work(ctx, work)
	if err != nil {
		return w.retryOrFail(ctx, job, err)
	}
	return w.finish(ctx, job.Kind, accountID, fileID, to, out)
}

// retryOrFail returns err to River for another attempt, or, on the last
// attempt, fails the file with internal_error.
func (w *fileWorker[A, W, O]) retryOrFail(ctx context.Context, job *river.Job[A], err error) error {
	if job.Attempt < job.MaxAttempts {
		return err
	}
	accountID, fileID := job.Args.file()
	w.s.log.Error(w.noun+" failed after retries", "file_id", fileID, "attempts", job.Attempt, "err", err)
	out := w.job.failed(&docparse.FileError{Code: "internal_error", Message: "processing failed after several attempts"})
	if ferr := w.finish(ctx, job.Kind, accountID, fileID, docparse.FileFailed, out); ferr != nil {
		return ferr
	}
	return river.JobCancel(err)
}

// finish stores a file's final status with the events it causes, in one
// transaction, then hands their deliveries to the dispatcher. A file gone
// meanwhile (its batch deleted) is not an error. kind is the job's, for
// the count of files finished.
func (w *fileWorker[A, W, O]) finish(ctx context.Context, kind, accountID, fileID string, to docparse.FileStatus, out O) error {
	var tasks []store.DeliveryTask
	err := w.s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		tasks, err = w.job.finish(ctx, tx, accountID, fileID, to, out)
		return err
	})
	if errors.Is(err, docparse.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	w.s.metrics.fileDone(kind, string(to))
	w.s.dispatch.Enqueue(tasks)
	return nil
}

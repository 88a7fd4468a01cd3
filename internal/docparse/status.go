package docparse

// FileStatus is the status of one file of a batch.
type FileStatus string

// File statuses, API.md "Statuses": queued -> processing -> processed |
// needs_review | failed.
const (
	FileQueued      FileStatus = "queued"
	FileProcessing  FileStatus = "processing"
	FileProcessed   FileStatus = "processed"
	FileNeedsReview FileStatus = "needs_review"
	FileFailed      FileStatus = "failed"
)

// Terminal reports whether a file in status s is done.
func (s FileStatus) Terminal() bool {
	return s == FileProcessed || s == FileNeedsReview || s == FileFailed
}

// Valid reports whether s is a known file status.
func (s FileStatus) Valid() bool {
	switch s {
	case FileQueued, FileProcessing, FileProcessed, FileNeedsReview, FileFailed:
		return true
	}
	return false
}

// CanMove reports whether a worker may move a file from s to next. A file
// that is processing may be claimed again (a job cut off by a crash runs
// again); terminal statuses never change through CanMove. The one move out
// of a terminal status is a reviewer's, see CanConfirm.
func (s FileStatus) CanMove(next FileStatus) bool {
	switch s {
	case FileQueued:
		return next == FileProcessing || next == FileFailed
	case FileProcessing:
		return next == FileProcessing || next.Terminal()
	}
	return false
}

// CanConfirm reports whether a reviewer may confirm a file in status s,
// moving it to processed with a corrected result: only a needs_review file
// may be confirmed, and only once. It is kept apart from CanMove so that a
// worker's move (a job run twice) can never pass for a review.
func (s FileStatus) CanConfirm() bool { return s == FileNeedsReview }

// BatchStatus is the status of a batch.
type BatchStatus string

// Batch statuses: queued -> processing -> processed | partial | failed.
// A batch never ends in needs_review.
const (
	BatchQueued     BatchStatus = "queued"
	BatchProcessing BatchStatus = "processing"
	BatchProcessed  BatchStatus = "processed"
	BatchPartial    BatchStatus = "partial"
	BatchFailed     BatchStatus = "failed"
)

// Terminal reports whether a batch in status s is done; a terminal status
// never changes again.
func (s BatchStatus) Terminal() bool {
	return s == BatchProcessed || s == BatchPartial || s == BatchFailed
}

// Valid reports whether s is a known batch status.
func (s BatchStatus) Valid() bool {
	switch s {
	case BatchQueued, BatchProcessing, BatchProcessed, BatchPartial, BatchFailed:
		return true
	}
	return false
}

// Counts is the number of files of a batch in each status.
type Counts struct {
	Queued      int `json:"queued"`
	Processing  int `json:"processing"`
	Processed   int `json:"processed"`
	NeedsReview int `json:"needs_review"`
	Failed      int `json:"failed"`
}

// Total is the number of files counted.
func (c Counts) Total() int {
	return c.Queued + c.Processing + c.Processed + c.NeedsReview + c.Failed
}

// BatchStatusFor derives a batch's status from its file counts: queued
// until a file starts, processing while any file is not terminal, then
// processed (no file failed), partial (some failed) or failed (all failed).
func BatchStatusFor(c Counts) BatchStatus {
	switch {
	case c.Total() == 0:
		return BatchQueued
	case c.Queued == c.Total():
		return BatchQueued
	case c.Queued+c.Processing > 0:
		return BatchProcessing
	case c.Failed == 0:
		return BatchProcessed
	case c.Failed == c.Total():
		return BatchFailed
	default:
		return BatchPartial
	}
}

package pipeline

import (
	"context"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// Quotas bound what each account may hold and do; 0 leaves a quota off.
// They apply to every account alike.
type Quotas struct {
	// StoredBytes bounds the bytes of an account's stored documents (a
	// document a classification passes to an extraction counts once). An
	// upload that would pass it is refused whole (docparse.QuotaError,
	// answered 413); deleting extractions or classifications frees space.
	StoredBytes int64
	// FilesPerDay bounds the files an account uploads to extraction and
	// classification batches per UTC day; the files a classification
	// passes on to its linked extractions do not count. An upload that
	// would pass it is refused whole (docparse.QuotaError, answered 429
	// with Retry-After until 00:00 UTC). Deleting files does not give the
	// day's count back.
	FilesPerDay int64
	// Extractions bounds the extractions an account holds, and apart from
	// them its classifications (docparse.ErrLimit, answered 409).
	Extractions int64
}

// DefaultQuotas are the quotas of `docparse serve` when none is set:
// far above what one user's work needs, low enough that one account
// cannot fill the disk or the queue by itself without an operator
// deciding so.
var DefaultQuotas = Quotas{StoredBytes: 50 << 30, FilesPerDay: 10000, Extractions: 1000}

// day returns the UTC day of t (days since 1970-01-01) and how long until
// the next one starts.
func day(t time.Time) (int64, time.Duration) {
	t = t.UTC()
	d := t.Unix() / 86400
	return d, time.Unix((d+1)*86400, 0).Sub(t)
}

// uploadBudget is what an upload may still bring under the quotas, read
// when it starts; the commit checks again under the account's lock.
type uploadBudget struct {
	files int64 // files left today; -1: no quota
	bytes int64 // bytes left to store; -1: no quota
	// usedFiles and usedBytes are what the account had, for the error.
	usedFiles, usedBytes int64
}

// budget reads the account's usage and refuses an upload at once (before
// its body is read) when a quota is already used up.
func (s *Service) budget(ctx context.Context, accountID string) (uploadBudget, error) {
	q, now := s.cfg.Quotas, s.Now()
	b := uploadBudget{files: -1, bytes: -1}
	if q.FilesPerDay > 0 {
		d, left := day(now)
		n, err := s.db.FilesOnDay(ctx, accountID, d)
		if err != nil {
			return b, err
		}
		if n >= q.FilesPerDay {
			return b, &docparse.QuotaError{Quota: docparse.QuotaFilesPerDay, Limit: q.FilesPerDay, Used: n, RetryAfter: left}
		}
		b.files, b.usedFiles = q.FilesPerDay-n, n
	}
	if q.StoredBytes > 0 {
		n, err := s.db.StoredBytes(ctx, accountID)
		if err != nil {
			return b, err
		}
		if n >= q.StoredBytes {
			return b, &docparse.QuotaError{Quota: docparse.QuotaStoredBytes, Limit: q.StoredBytes, Used: n}
		}
		b.bytes, b.usedBytes = q.StoredBytes-n, n
	}
	return b, nil
}

// checkQuotas counts an upload of files (of bytes in all) in its commit
// transaction and refuses it (docparse.QuotaError, the transaction rolls
// back) when it would take the account past a quota. The usage row it
// writes first serializes one account's commits, so the stored bytes it
// reads next include every upload committed before.
func (s *Service) checkQuotas(ctx context.Context, tx *store.Tx, accountID string, files int, bytes int64) error {
	q := s.cfg.Quotas
	d, left := day(s.Now())
	total, err := tx.AddFiles(ctx, accountID, d, int64(files))
	if err != nil {
		return err
	}
	if q.FilesPerDay > 0 && total > q.FilesPerDay {
		return &docparse.QuotaError{Quota: docparse.QuotaFilesPerDay, Limit: q.FilesPerDay, Used: total - int64(files),
			Adding: int64(files), RetryAfter: left}
	}
	if q.StoredBytes > 0 {
		stored, err := tx.StoredBytes(ctx, accountID)
		if err != nil {
			return err
		}
		if stored+bytes > q.StoredBytes {
			return &docparse.QuotaError{Quota: docparse.QuotaStoredBytes, Limit: q.StoredBytes, Used: stored, Adding: bytes}
		}
	}
	return nil
}

// insertCounted stores v, one more of what (extractions,
// classifications) of the account, with insert, refusing it (checkCount)
// when the account already holds limit of them; count counts them, and
// is called only when there is a limit.
func insertCounted[T any](ctx context.Context, accountID, what string, limit int64,
	count func(ctx context.Context, accountID string) (int64, error), insert func(ctx context.Context, v T) error, v T) (T, error) {
	var zero T
	if limit > 0 {
		n, err := count(ctx, accountID)
		if err != nil {
			return zero, err
		}
		if err := checkCount(what, n, limit); err != nil {
			return zero, err
		}
	}
	if err := insert(ctx, v); err != nil {
		return zero, err
	}
	return v, nil
}

// checkCount refuses to create one more of what (extractions,
// classifications) when the account holds n and the quota is limit.
func checkCount(what string, n, limit int64) error {
	if limit > 0 && n >= limit {
		return &docparse.LimitError{What: what, Max: limit, Remedy: "delete one"}
	}
	return nil
}

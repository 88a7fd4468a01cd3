package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/store"
)

// receiver streams the files of an upload to the blob store, within the
// limits, sniffing each and counting its pages; Upload (extraction
// batches) and ClassificationUpload (classification batches) share it and
// differ only in what their Commit creates. Not safe for concurrent use.
type receiver struct {
	s          *Service
	accountID  string
	batchID    string
	filePrefix string
	files      []docparse.FileCore // as Add stored them: ID to BlobKey set
	closed     bool
	// budget is what the quotas leave this upload; bytes what its files
	// hold so far.
	budget uploadBudget
	bytes  int64
}

// Upload is an extraction batch being received. Add streams each file to
// the blob store; Commit creates the batch, its files and their jobs in
// one transaction; Abort (or a failed Commit) deletes what was stored. Not
// safe for concurrent use.
type Upload struct {
	*receiver
	ext docparse.Extraction
}

// uploadOverhead is what a multipart upload body may carry beyond its
// files' bytes (boundaries, part headers, the name part).
const uploadOverhead = 1 << 20

// MaxUploadBytes bounds the body of one upload request: MaxFiles files of
// MaxFileSize bytes each, plus the multipart framing around them.
func (c Config) MaxUploadBytes() int64 { return int64(c.MaxFiles)*c.MaxFileSize + uploadOverhead }

// NewUpload starts an upload to the account's extraction.
func (s *Service) NewUpload(ctx context.Context, accountID, extractionID string) (*Upload, error) {
	return newUploadOf(ctx, s, accountID, docparse.PrefixBatch, docparse.PrefixFile,
		func() (docparse.Extraction, error) { return s.db.Extraction(ctx, accountID, extractionID) },
		func(r *receiver, e docparse.Extraction) *Upload { return &Upload{receiver: r, ext: e} })
}

// newUploadOf starts an upload (newReceiver) to the parent (extraction,
// classification) that parent reads, and makes it with upload.
func newUploadOf[P, U any](ctx context.Context, s *Service, accountID, batchPrefix, filePrefix string,
	parent func() (P, error), upload func(*receiver, P) *U) (*U, error) {
	p, err := parent()
	if err != nil {
		return nil, err
	}
	r, err := s.newReceiver(ctx, accountID, batchPrefix, filePrefix)
	if err != nil {
		return nil, err
	}
	return upload(r, p), nil
}

// newReceiver starts an upload, refusing it at once with a
// docparse.QuotaError when the account has used up a quota.
func (s *Service) newReceiver(ctx context.Context, accountID, batchPrefix, filePrefix string) (*receiver, error) {
	b, err := s.budget(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return &receiver{s: s, accountID: accountID, batchID: s.ids.New(batchPrefix), filePrefix: filePrefix, budget: b}, nil
}

// MaxFileNameBytes is the longest file name an upload may give.
const MaxFileNameBytes = 255

// CleanFileName returns the name a file is stored under: the last element
// of a path (browsers and curl may send "C:\dir\a.pdf" or "dir/a.pdf"),
// trimmed. Names with control characters, empty names and names longer than
// 255 bytes are refused.
func CleanFileName(name string) (string, error) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	switch {
	case !utf8.ValidString(name):
		return "", errors.New("is not valid UTF-8")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", errors.New("contains control characters")
	case name == "" || name == "." || name == "..":
		return "", errors.New("is empty")
	case len(name) > MaxFileNameBytes:
		return "", fmt.Errorf("is %d bytes long; a file name may be at most %d bytes", len(name), MaxFileNameBytes)
	}
	return name, nil
}

// Add stores one file of the upload. It refuses a file over the size
// limit and a file past the count limit with docparse.ErrTooLarge, and a
// file that would take the account past its quota of files per day or of
// stored bytes with a docparse.QuotaError; a file whose content is
// unsupported or unreadable is accepted and fails later with a reason
// code.
func (u *receiver) Add(ctx context.Context, fileName string, r io.Reader) error {
	if u.closed {
		return errors.New("upload already committed or aborted")
	}
	cfg := u.s.cfg
	if len(u.files) >= cfg.MaxFiles {
		return fmt.Errorf("a batch holds at most %d files: %w", cfg.MaxFiles, docparse.ErrTooLarge)
	}
	if u.budget.files >= 0 && int64(len(u.files)) >= u.budget.files {
		_, left := day(u.s.Now())
		return &docparse.QuotaError{Quota: docparse.QuotaFilesPerDay, Limit: cfg.Quotas.FilesPerDay, Used: u.budget.usedFiles,
			Adding: int64(len(u.files)) + 1, RetryAfter: left}
	}
	limit, quotaBound := cfg.MaxFileSize, false
	if u.budget.bytes >= 0 && u.budget.bytes-u.bytes < limit {
		limit, quotaBound = u.budget.bytes-u.bytes, true
	}
	name, err := CleanFileName(fileName)
	if err != nil {
		v := &docparse.ValidationError{}
		v.Add(fmt.Sprintf("files[%d].filename", len(u.files)), docparse.Quote(fileName)+" "+err.Error())
		return v
	}
	f := docparse.FileCore{ID: u.s.ids.New(u.filePrefix), Position: len(u.files), FileName: name}
	f.BlobKey = u.accountID + "/" + u.batchID + "/" + f.ID
	head := make([]byte, extract.HeadLen)
	size, n, err := u.s.blobs.Put(ctx, f.BlobKey, r, limit, head)
	if errors.Is(err, blob.ErrTooLarge) && quotaBound {
		return &docparse.QuotaError{Quota: docparse.QuotaStoredBytes, Limit: cfg.Quotas.StoredBytes, Used: u.budget.usedBytes,
			Adding: u.bytes + limit + 1}
	}
	if errors.Is(err, blob.ErrTooLarge) {
		return fmt.Errorf("file %q is larger than %d bytes: %w", name, cfg.MaxFileSize, docparse.ErrTooLarge)
	}
	if err != nil {
		return fmt.Errorf("store %q: %w", name, err)
	}
	f.Size = size
	u.bytes += size
	// Track the blob before anything else can fail, so Abort removes it.
	u.files = append(u.files, f)
	fp := &u.files[len(u.files)-1]
	kind, mime := extract.Sniff(head[:n], name)
	fp.Kind, fp.MIME = string(kind), mime
	if size > 0 && kind != extract.KindUnknown {
		path, release, err := u.s.blobs.Local(ctx, f.BlobKey)
		if err != nil {
			return err
		}
		pages, err := u.s.engine.Pages(ctx, path, kind)
		release()
		if err != nil {
			if _, ok := extract.AsError(err); !ok {
				return fmt.Errorf("count pages of %q: %w", name, err)
			}
			pages = 0 // unreadable: the file fails on its own when processed
		}
		fp.PageCount = pages
	}
	return nil
}

// Files returns how many files were added.
func (u *receiver) Files() int { return len(u.files) }

// Commit creates the batch with its files and one job per file, in one
// transaction, the jobs in the queue's fair order; it refuses with a
// docparse.QuotaError an upload that would take the account past a quota
// (checkQuotas). within, when not nil, runs last in that transaction with
// the batch and files Commit returns: what it writes (the stored answer
// of an Idempotency-Key) commits with the batch, and its error rolls the
// batch back. On error the stored files are deleted.
func (u *Upload) Commit(ctx context.Context, name string, within func(tx *store.Tx, b docparse.Batch, files []docparse.File) error) (docparse.Batch, []docparse.File, error) {
	return commitOf(ctx, u.receiver, name, within, batchCommit[docparse.Batch, docparse.File]{
		batch: func(b docparse.BatchCore) docparse.Batch {
			return docparse.Batch{BatchCore: b, ExtractionID: u.ext.ID, Schema: docparse.Schema{Language: u.ext.Language, Fields: u.ext.Fields,
				Options: u.ext.Options, ReviewThreshold: u.ext.ReviewThreshold}}
		},
		file:   func(f docparse.FileCore) docparse.File { return docparse.File{FileCore: f, ExtractionID: u.ext.ID} },
		job:    func(fileID string) fileArgs { return ProcessFileArgs{fileOf{u.accountID, fileID}} },
		owner:  func(tx *store.Tx) error { return found(tx.Extraction(ctx, u.accountID, u.ext.ID)) },
		insert: (*store.Tx).InsertBatch,
	})
}

// batchCommit is what the Commit of one kind of upload, whose batch is a
// B and its files F, makes of the upload and writes in the commit's
// transaction (commitOf).
type batchCommit[B, F any] struct {
	// batch and file are the upload's batch and each of its files as the
	// kind's.
	batch func(docparse.BatchCore) B
	file  func(docparse.FileCore) F
	// job is the job of the file fileID; its InsertOpts name the queue.
	job func(fileID string) fileArgs
	// owner checks that the batch's extraction or classification is
	// still there: it may have been deleted while the files streamed.
	owner func(tx *store.Tx) error
	// insert stores the batch and its files.
	insert func(tx *store.Tx, ctx context.Context, b B, files []F) error
}

// found is the error of a read whose value the caller does not need.
func found[T any](_ T, err error) error { return err }

// commitOf creates the upload's batch, named name, as c says, in one
// transaction: the owner's check, the quotas (checkQuotas), the batch and
// its files, one job per file in the queue's fair order, and last within
// when not nil, on the batch and files it returns. On error the stored
// files are deleted.
func commitOf[B, F any](ctx context.Context, u *receiver, name string, within func(tx *store.Tx, b B, files []F) error, c batchCommit[B, F]) (B, []F, error) {
	var zero B
	if err := u.ready(); err != nil {
		return zero, nil, err
	}
	core, cores := u.queued(name)
	b := c.batch(core)
	files := make([]F, len(cores))
	jobs := make([]river.InsertManyParams, len(cores))
	queue := ""
	for i, f := range cores {
		files[i] = c.file(f)
		args := c.job(f.ID)
		jobs[i] = river.InsertManyParams{Args: args}
		queue = args.InsertOpts().Queue
	}
	err := u.s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := c.owner(tx); err != nil {
			return err
		}
		if err := u.s.checkQuotas(ctx, tx, u.accountID, len(cores), u.bytes); err != nil {
			return err
		}
		if err := c.insert(tx, ctx, b, files); err != nil {
			return err
		}
		if err := u.s.insertJobs(ctx, tx, queue, u.accountID, jobs); err != nil {
			return err
		}
		if within != nil {
			return within(tx, b, files)
		}
		return nil
	})
	if err != nil {
		u.Abort()
		return zero, nil, err
	}
	u.closed = true
	return b, files, nil
}

// ready refuses an upload already committed or aborted, and refuses (and
// aborts) one without files.
func (u *receiver) ready() error {
	if u.closed {
		return errors.New("upload already committed or aborted")
	}
	if len(u.files) > 0 {
		return nil
	}
	u.Abort()
	v := &docparse.ValidationError{}
	v.Add("files", "at least one file is required (multipart part named \"files\")")
	return v
}

// queued is the upload's batch, named name, and its files as every kind
// of batch creates them: queued, at version 1, now.
func (u *receiver) queued(name string) (docparse.BatchCore, []docparse.FileCore) {
	now := u.s.Now()
	b := docparse.BatchCore{ID: u.batchID, AccountID: u.accountID, Name: name, Status: docparse.BatchQueued, FileCount: len(u.files),
		Counts: docparse.Counts{Queued: len(u.files)}, CreatedAt: now, UpdatedAt: now, Version: 1}
	files := make([]docparse.FileCore, len(u.files))
	for i, f := range u.files {
		f.AccountID, f.BatchID, f.Status = u.accountID, b.ID, docparse.FileQueued
		f.CreatedAt, f.UpdatedAt = now, now
		files[i] = f
		b.PageCount += f.PageCount
	}
	return b, files
}

// abortTimeout bounds the deletion of an aborted upload's files.
const abortTimeout = time.Minute

// Abort deletes every file stored so far. Safe to call more than once and
// after a failed Commit.
func (u *receiver) Abort() {
	if u.closed {
		return
	}
	u.closed = true
	// Abort runs after a failure, often of the request's own context: the
	// deletion gets a context of its own, bounded.
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	for _, f := range u.files {
		if err := u.s.blobs.Delete(ctx, f.BlobKey); err != nil {
			u.s.log.Warn("delete aborted upload", "blob_key", f.BlobKey, "err", err)
		}
	}
	// The upload's folder, created for its first file (even one cut off
	// before it was stored), goes too.
	if f, ok := u.s.blobs.(blob.Folders); ok {
		if err := f.RemoveEmptyDir(u.accountID + "/" + u.batchID); err != nil {
			u.s.log.Warn("delete aborted upload folder", "batch_id", u.batchID, "err", err)
		}
	}
}

// CommitBatch commits the upload as Commit does with nothing more in its
// transaction, and returns the new batch's ID and its count of files.
func (u *Upload) CommitBatch(ctx context.Context, name string) (string, int, error) {
	b, _, err := u.Commit(ctx, name, nil)
	return b.ID, b.FileCount, err
}

// ClassificationUpload is a classification batch being received, with
// the same limits, streaming and sniffing as Upload.
type ClassificationUpload struct {
	*receiver
	cls docparse.Classification
}

// NewClassificationUpload starts an upload to the account's
// classification.
func (s *Service) NewClassificationUpload(ctx context.Context, accountID, classificationID string) (*ClassificationUpload, error) {
	return newUploadOf(ctx, s, accountID, docparse.PrefixClassificationBatch, docparse.PrefixClassificationFile,
		func() (docparse.Classification, error) { return s.db.Classification(ctx, accountID, classificationID) },
		func(r *receiver, c docparse.Classification) *ClassificationUpload {
			return &ClassificationUpload{receiver: r, cls: c}
		})
}

// Commit creates the classification batch with its files and one
// classify_file job per file, in one transaction; within is as for
// Upload.Commit. On error the stored files are deleted.
func (u *ClassificationUpload) Commit(ctx context.Context, name string, within func(tx *store.Tx, b docparse.ClassificationBatch, files []docparse.ClassificationFile) error) (docparse.ClassificationBatch, []docparse.ClassificationFile, error) {
	return commitOf(ctx, u.receiver, name, within, batchCommit[docparse.ClassificationBatch, docparse.ClassificationFile]{
		batch: func(b docparse.BatchCore) docparse.ClassificationBatch {
			return docparse.ClassificationBatch{BatchCore: b, ClassificationID: u.cls.ID}
		},
		file: func(f docparse.FileCore) docparse.ClassificationFile {
			return docparse.ClassificationFile{FileCore: f, ClassificationID: u.cls.ID}
		},
		job:    func(fileID string) fileArgs { return ClassifyFileArgs{fileOf{u.accountID, fileID}} },
		owner:  func(tx *store.Tx) error { return found(tx.Classification(ctx, u.accountID, u.cls.ID)) },
		insert: (*store.Tx).InsertClassificationBatch,
	})
}

// CommitBatch commits the upload as Commit does with nothing more in its
// transaction, and returns the new batch's ID and its count of files.
func (u *ClassificationUpload) CommitBatch(ctx context.Context, name string) (string, int, error) {
	b, _, err := u.Commit(ctx, name, nil)
	return b.ID, b.FileCount, err
}

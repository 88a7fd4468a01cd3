package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// fileBatch is a batch of files of one kind, for the tests every kind
// passes.
type fileBatch struct {
	files []string
	// move moves file i to status to in tx as its worker does, with a
	// document failure when fail.
	move func(ctx context.Context, tx *store.Tx, i int, to docparse.FileStatus, fail bool) (moved, ended bool, err error)
	// poll reads the batch as the polling endpoint does, for accountID.
	poll func(ctx context.Context, accountID string) (docparse.BatchStatus, docparse.Counts, *time.Time, int, error)
	// check checks what the kind stores of file i once every file ended.
	check func(t *testing.T, i int)
	// version reads the batch's version as the polling endpoint does,
	// through node (a DB on the same database), for accountID.
	version func(ctx context.Context, node *store.DB, accountID string) (int64, error)
	// deleteOwner deletes the batch's extraction or classification in tx.
	deleteOwner func(ctx context.Context, tx *store.Tx) error
}

// batchKinds makes a batch of n files of each kind.
var batchKinds = []struct {
	name     string
	newBatch func(t *testing.T, db *store.DB, acct docparse.Account, n int) fileBatch
}{
	{"extraction", func(t *testing.T, db *store.DB, acct docparse.Account, n int) fileBatch {
		b, files := newBatch(t, db, acct, n)
		fb := fileBatch{check: func(*testing.T, int) {}}
		for _, f := range files {
			fb.files = append(fb.files, f.ID)
		}
		fb.move = func(ctx context.Context, tx *store.Tx, i int, to docparse.FileStatus, fail bool) (bool, bool, error) {
			var out store.FileOutcome
			if fail {
				out.Error = &docparse.FileError{Code: "corrupt_document", Message: "bad"}
			}
			m, err := tx.MoveFile(ctx, acct.ID, files[i].ID, to, out, time.Now())
			return m.Moved, m.BatchEnded, err
		}
		fb.poll = func(ctx context.Context, accountID string) (docparse.BatchStatus, docparse.Counts, *time.Time, int, error) {
			got, files, err := db.BatchWithFiles(ctx, accountID, b.ExtractionID, b.ID)
			return got.Status, got.Counts, got.CompletedAt, len(files), err
		}
		fb.version = func(ctx context.Context, node *store.DB, accountID string) (int64, error) {
			return node.BatchVersion(ctx, accountID, b.ExtractionID, b.ID)
		}
		fb.deleteOwner = func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.DeleteExtraction(ctx, acct.ID, b.ExtractionID)
			return err
		}
		return fb
	}},
	{"classification", func(t *testing.T, db *store.DB, acct docparse.Account, n int) fileBatch {
		c, b, files := newClassificationBatch(t, db, acct, n)
		fb := fileBatch{}
		for _, f := range files {
			fb.files = append(fb.files, f.ID)
		}
		decision := func(i int) docparse.Decision {
			return docparse.Decision{CategoryID: c.Categories[i%2].ID, CategoryName: c.Categories[i%2].Name, Confidence: 0.9, Reasoning: "because"}
		}
		// Each move holds the classification's shared lock, as the worker's.
		fb.move = func(ctx context.Context, tx *store.Tx, i int, to docparse.FileStatus, fail bool) (bool, bool, error) {
			if _, err := tx.LockClassification(ctx, acct.ID, c.ID, false); err != nil {
				return false, false, err
			}
			out := store.ClassificationOutcome{}
			switch {
			case fail:
				out.Error = &docparse.FileError{Code: "corrupt_document", Message: "bad"}
			case to.Terminal():
				d := decision(i)
				out.Decision, out.Text = &d, "text"
			}
			m, err := tx.MoveClassificationFile(ctx, acct.ID, files[i].ID, to, out, time.Now())
			return m.Moved, m.BatchEnded, err
		}
		fb.poll = func(ctx context.Context, accountID string) (docparse.BatchStatus, docparse.Counts, *time.Time, int, error) {
			got, files, err := db.ClassificationBatchWithFiles(ctx, accountID, c.ID, b.ID)
			return got.Status, got.Counts, got.CompletedAt, len(files), err
		}
		fb.version = func(ctx context.Context, node *store.DB, accountID string) (int64, error) {
			return node.ClassificationBatchVersion(ctx, accountID, c.ID, b.ID)
		}
		fb.deleteOwner = func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.DeleteClassification(ctx, acct.ID, c.ID)
			return err
		}
		fb.check = func(t *testing.T, i int) {
			f, err := db.ClassificationFile(context.Background(), acct.ID, c.ID, b.ID, files[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := f.Result(); !ok || d != decision(i) {
				t.Errorf("file %d result = %+v %v, want %+v", i, d, ok, decision(i))
			}
			other := storetest.NewAccount(t, db, "other2")
			if _, err := db.ClassificationFile(context.Background(), other.ID, c.ID, b.ID, files[i].ID); !errors.Is(err, docparse.ErrNotFound) {
				t.Errorf("other account reads file: %v", err)
			}
		}
		return fb
	}},
}

// TestBatchEndsOnce finishes every file of a batch of each kind from its
// own goroutine and checks that exactly one move ends the batch, with the
// right status and counts; that a terminal file never moves again; and
// that another account sees nothing.
func TestBatchEndsOnce(t *testing.T) {
	t.Parallel()
	for _, kind := range batchKinds {
		t.Run(kind.name, func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				acct := storetest.NewAccount(t, db, "a")
				const n = 12
				b := kind.newBatch(t, db, acct, n)
				var mu sync.Mutex
				ended := 0
				var wg sync.WaitGroup
				for i := range b.files {
					wg.Add(1)
					go func() {
						defer wg.Done()
						to, fail := docparse.FileProcessed, i%4 == 0
						if fail {
							to = docparse.FileFailed
						}
						for _, st := range []docparse.FileStatus{docparse.FileProcessing, to} {
							for {
								var end bool
								err := db.Tx(ctx, func(tx *store.Tx) (err error) {
									_, end, err = b.move(ctx, tx, i, st, fail)
									return err
								})
								if errors.Is(err, docparse.ErrConflict) {
									continue
								}
								if err != nil {
									t.Error(err)
									return
								}
								if end {
									mu.Lock()
									ended++
									mu.Unlock()
								}
								break
							}
						}
					}()
				}
				wg.Wait()
				if ended != 1 {
					t.Fatalf("batch ended %d times, want 1", ended)
				}
				status, counts, completed, files, err := b.poll(ctx, acct.ID)
				if err != nil {
					t.Fatal(err)
				}
				if want := (docparse.Counts{Processed: 9, Failed: 3}); counts != want || status != docparse.BatchPartial || completed == nil || files != n {
					t.Fatalf("batch = %s %+v completed %v files %d, want partial %+v", status, counts, completed, files, want)
				}
				b.check(t, 1)
				var moved bool
				err = db.Tx(ctx, func(tx *store.Tx) (err error) {
					moved, _, err = b.move(ctx, tx, 1, docparse.FileFailed, false)
					return err
				})
				if err != nil || moved {
					t.Fatalf("moving a processed file: moved %v err %v", moved, err)
				}
				other := storetest.NewAccount(t, db, "other")
				if _, _, _, _, err := b.poll(ctx, other.ID); !errors.Is(err, docparse.ErrNotFound) {
					t.Fatalf("other account reads batch: %v", err)
				}
			})
		})
	}
}

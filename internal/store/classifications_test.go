package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

func newClassificationBatch(t *testing.T, db *store.DB, acct docparse.Account, n int) (docparse.Classification, docparse.ClassificationBatch, []docparse.ClassificationFile) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	c := docparse.Classification{ID: ids.New(docparse.PrefixClassification), AccountID: acct.ID, Name: "mail", Threshold: 0.5,
		Categories: []docparse.Category{{ID: ids.New(docparse.PrefixCategory), Name: "Invoices"}, {ID: ids.New(docparse.PrefixCategory), Name: "Letters"}},
		CreatedAt:  now, UpdatedAt: now}
	b := docparse.ClassificationBatch{ID: ids.New(docparse.PrefixClassificationBatch), AccountID: acct.ID, ClassificationID: c.ID, CreatedAt: now}
	var files []docparse.ClassificationFile
	for i := range n {
		files = append(files, docparse.ClassificationFile{ID: ids.New(docparse.PrefixClassificationFile), Position: i,
			FileName: fmt.Sprintf("f%d.txt", i), Kind: "text", MIME: "text/plain", PageCount: 1, BlobKey: fmt.Sprintf("k/%d", i)})
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertClassification(ctx, c); err != nil {
			return err
		}
		return tx.InsertClassificationBatch(ctx, b, files)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, b, files
}

// TestClassificationBatchEndsOnce finishes every file of a classification
// batch from its own goroutine, each move holding the classification's
// shared lock as the worker does, and checks that exactly one move ends
// the batch, with the right status and counts.
func TestClassificationBatchEndsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, engine)
		acct := newAccount(t, db, "a")
		const n = 12
		c, b, files := newClassificationBatch(t, db, acct, n)
		var mu sync.Mutex
		ended := 0
		var wg sync.WaitGroup
		for i, f := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := docparse.FileProcessed
				out := store.ClassificationOutcome{Decision: &docparse.Decision{CategoryID: c.Categories[i%2].ID,
					CategoryName: c.Categories[i%2].Name, Confidence: 0.9, Reasoning: "because"}, Text: "text"}
				if i%4 == 0 {
					to = docparse.FileFailed
					out = store.ClassificationOutcome{Error: &docparse.FileError{Code: "corrupt_document", Message: "bad"}}
				}
				for _, st := range []docparse.FileStatus{docparse.FileProcessing, to} {
					for {
						var m store.ClassificationMove
						err := db.Tx(ctx, func(tx *store.Tx) (err error) {
							if _, err := tx.LockClassification(ctx, acct.ID, c.ID, false); err != nil {
								return err
							}
							m, err = tx.MoveClassificationFile(ctx, acct.ID, f.ID, st, out, time.Now())
							return err
						})
						if errors.Is(err, docparse.ErrConflict) {
							continue
						}
						if err != nil {
							t.Error(err)
							return
						}
						if m.BatchEnded {
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
		got, gotFiles, err := db.ClassificationBatchWithFiles(ctx, acct.ID, c.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (docparse.Counts{Processed: 9, Failed: 3}); got.Counts != want || got.Status != docparse.BatchPartial || got.CompletedAt == nil || len(gotFiles) != n {
			t.Fatalf("batch = %s %+v completed %v files %d, want partial %+v", got.Status, got.Counts, got.CompletedAt, len(gotFiles), want)
		}
		if d, ok := gotFiles[1].Result(); !ok || d.CategoryID != c.Categories[1].ID || d.Confidence != 0.9 {
			t.Errorf("file 1 result = %+v %v", d, ok)
		}
		// A terminal file never moves again.
		var m store.ClassificationMove
		err = db.Tx(ctx, func(tx *store.Tx) (err error) {
			m, err = tx.MoveClassificationFile(ctx, acct.ID, files[1].ID, docparse.FileFailed, store.ClassificationOutcome{}, time.Now())
			return err
		})
		if err != nil || m.Moved {
			t.Fatalf("moving a processed file: moved %v err %v", m.Moved, err)
		}
		// Another account sees nothing.
		other := newAccount(t, db, "other")
		if _, _, err := db.ClassificationBatchWithFiles(ctx, other.ID, c.ID, b.ID); !errors.Is(err, docparse.ErrNotFound) {
			t.Fatalf("other account reads batch: %v", err)
		}
		if _, err := db.ClassificationFile(ctx, other.ID, c.ID, b.ID, files[1].ID); !errors.Is(err, docparse.ErrNotFound) {
			t.Fatalf("other account reads file: %v", err)
		}
	})
}

// TestOverrideSticky: an override set before the file is processed
// survives the classifier's decision (and a job run again); clearing it
// shows the decision; overrides become the classification's examples and
// move its overrides version.
func TestOverrideSticky(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, engine)
		acct := newAccount(t, db, "a")
		c, b, files := newClassificationBatch(t, db, acct, 2)
		letters := c.Categories[1]
		f := files[0]
		set := func(o *docparse.Override) docparse.ClassificationFile {
			t.Helper()
			var got docparse.ClassificationFile
			err := db.Tx(ctx, func(tx *store.Tx) (err error) {
				got, err = tx.SetOverride(ctx, acct.ID, c.ID, b.ID, f.ID, o, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		move := func(to docparse.FileStatus, out store.ClassificationOutcome) {
			t.Helper()
			err := db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.MoveClassificationFile(ctx, acct.ID, f.ID, to, out, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		before, _, _ := db.ClassificationBatchWithFiles(ctx, acct.ID, c.ID, b.ID)
		set(&docparse.Override{CategoryID: letters.ID, CategoryName: letters.Name, At: time.Now()})
		decision := docparse.Decision{CategoryID: c.Categories[0].ID, CategoryName: "Invoices", Confidence: 0.8, Reasoning: "matched 'invoice'"}
		move(docparse.FileProcessing, store.ClassificationOutcome{})
		move(docparse.FileProcessing, store.ClassificationOutcome{}) // a job run again
		move(docparse.FileProcessed, store.ClassificationOutcome{Decision: &decision, Text: "the memo"})
		got, err := db.ClassificationFile(ctx, acct.ID, c.ID, b.ID, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := got.Result()
		if got.Override == nil || res.CategoryID != letters.ID || res.Confidence != 1 || !got.Decided || got.Decision != decision {
			t.Fatalf("after processing: override %+v result %+v decision %+v", got.Override, res, got.Decision)
		}
		after, _, _ := db.ClassificationBatchWithFiles(ctx, acct.ID, c.ID, b.ID)
		if after.Version <= before.Version {
			t.Errorf("batch version %d -> %d", before.Version, after.Version)
		}
		ex, err := db.OverrideExamples(ctx, acct.ID, c.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]store.OverrideExample{{Text: "the memo", CategoryID: letters.ID}}, ex); diff != "" {
			t.Errorf("examples (-want +got):\n%s", diff)
		}
		if other, _ := db.OverrideExamples(ctx, newAccount(t, db, "other").ID, c.ID, 10); len(other) != 0 {
			t.Errorf("another account's examples: %v", other)
		}
		cls, _ := db.Classification(ctx, acct.ID, c.ID)
		if cls.OverridesVersion != 1 {
			t.Errorf("overrides version = %d, want 1", cls.OverridesVersion)
		}
		cleared := set(nil)
		if res, _ := cleared.Result(); cleared.Override != nil || res != decision {
			t.Errorf("after clearing: %+v", res)
		}
		if ex, _ := db.OverrideExamples(ctx, acct.ID, c.ID, 10); len(ex) != 0 {
			t.Errorf("examples after clearing: %v", ex)
		}
		// Unknown file, other account: not found.
		err = db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.SetOverride(ctx, acct.ID, c.ID, b.ID, "cfile_nope", nil, time.Now())
			return err
		})
		if !errors.Is(err, docparse.ErrNotFound) {
			t.Errorf("unknown file: %v", err)
		}
	})
}

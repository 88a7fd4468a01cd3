package store_test

import (
	"context"
	"errors"
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
	core, cores := newUpload(acct, docparse.PrefixClassificationBatch, docparse.PrefixClassificationFile, n, now)
	b := docparse.ClassificationBatch{BatchCore: core, ClassificationID: c.ID}
	files := make([]docparse.ClassificationFile, n)
	for i, f := range cores {
		files[i] = docparse.ClassificationFile{FileCore: f}
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

// TestOverrideSticky: an override set before the file is processed
// survives the classifier's decision (and a job run again); clearing it
// shows the decision; overrides become the classification's examples and
// move its overrides version.
func TestOverrideSticky(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := storetest.NewAccount(t, db, "a")
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
		if other, _ := db.OverrideExamples(ctx, storetest.NewAccount(t, db, "other").ID, c.ID, 10); len(other) != 0 {
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

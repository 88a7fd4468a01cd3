package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// retained is a batch of either kind made for the retention tests.
type retained struct {
	name, id string
	// owner is the batch's classification ("" for an extraction batch).
	owner string
	// exists reads the batch as its polling endpoint does: false when it
	// is not found.
	exists func() bool
}

// retainedBatch stores a batch of acct, of kind classification, whose
// files hold the blob keys keys, and ends it at ended (every file
// processed) unless ended is zero (it stays queued). With override, its
// first file (of a classification) is put into a category by hand.
func retainedBatch(t *testing.T, db *store.DB, acct docparse.Account, name string, classification bool, keys []string,
	ended time.Time, override bool) retained {
	t.Helper()
	ctx := context.Background()
	r := retained{name: name}
	var move func(tx *store.Tx, fileID string, to docparse.FileStatus) error
	if classification {
		c, b, files := newClassificationBatch(t, db, acct, len(keys))
		r.id, r.owner = b.ID, c.ID
		setKeys(t, db, "classification_files", b.ID, keys)
		move = func(tx *store.Tx, fileID string, to docparse.FileStatus) error {
			if _, err := tx.LockClassification(ctx, acct.ID, c.ID, false); err != nil {
				return err
			}
			var out store.ClassificationOutcome
			if to.Terminal() {
				out.Decision = &docparse.Decision{CategoryID: c.Categories[0].ID, CategoryName: c.Categories[0].Name, Confidence: 0.9}
				out.Text = "a letter"
			}
			_, err := tx.MoveClassificationFile(ctx, acct.ID, fileID, to, out, ended)
			return err
		}
		r.exists = func() bool {
			_, _, err := db.ClassificationBatchWithFiles(ctx, acct.ID, c.ID, b.ID)
			return found(t, err)
		}
		if override {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				if _, err := tx.LockClassification(ctx, acct.ID, c.ID, true); err != nil {
					return err
				}
				_, err := tx.SetOverride(ctx, acct.ID, c.ID, b.ID, files[0].ID,
					&docparse.Override{CategoryID: c.Categories[1].ID, CategoryName: c.Categories[1].Name, At: ended}, ended)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	} else {
		b, _ := newBatch(t, db, acct, len(keys))
		r.id = b.ID
		setKeys(t, db, "files", b.ID, keys)
		move = func(tx *store.Tx, fileID string, to docparse.FileStatus) error {
			_, err := tx.MoveFile(ctx, acct.ID, fileID, to, store.FileOutcome{Result: []byte(`{"total":1}`)}, ended)
			return err
		}
		r.exists = func() bool {
			_, _, err := db.BatchWithFiles(ctx, acct.ID, b.ExtractionID, b.ID)
			return found(t, err)
		}
	}
	if ended.IsZero() {
		return r
	}
	table := map[bool]string{false: "files", true: "classification_files"}[classification]
	var fileIDs []string
	rows, err := db.Writer().QueryContext(ctx, `SELECT id FROM `+table+` WHERE batch_id = $1 ORDER BY position`, r.id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		fileIDs = append(fileIDs, id)
	}
	rows.Close()
	for _, id := range fileIDs {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := move(tx, id, docparse.FileProcessing); err != nil {
				return err
			}
			return move(tx, id, docparse.FileProcessed)
		})
		if err != nil {
			t.Fatalf("end %s: %v", name, err)
		}
	}
	return r
}

// setKeys gives the files of a batch, in upload order, the blob keys keys.
func setKeys(t *testing.T, db *store.DB, table, batchID string, keys []string) {
	t.Helper()
	for i, k := range keys {
		if _, err := db.Writer().ExecContext(context.Background(), `UPDATE `+table+` SET blob_key = $1 WHERE batch_id = $2 AND position = $3`,
			k, batchID, i); err != nil {
			t.Fatal(err)
		}
	}
}

func found(t *testing.T, err error) bool {
	t.Helper()
	if err != nil && !errors.Is(err, docparse.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// TestDeleteExpiredBatches: the batches of both kinds, of every account,
// that ended before the cutoff are deleted whole, oldest first, in chunks
// of at most the files asked for (or one larger batch alone); younger and
// unfinished batches stay; a blob key is handed back for deletion only
// once no remaining file of either kind names it; deleting an overridden
// classification file moves its classification's overrides version.
func TestDeleteExpiredBatches(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := storetest.NewAccount(t, db, "a"), storetest.NewAccount(t, db, "b")
		now := time.Now().UTC().Truncate(time.Microsecond)
		cutoff := now.Add(-7 * 24 * time.Hour)
		old, older, young := cutoff.Add(-time.Hour), cutoff.Add(-48*time.Hour), cutoff.Add(time.Hour)
		keys := func(prefix string, n int) []string {
			k := make([]string, n)
			for i := range k {
				k[i] = fmt.Sprintf("%s/%d", prefix, i)
			}
			return k
		}
		var gone, kept []retained
		add := func(to *[]retained, r retained) { *to = append(*to, r) }
		// Extraction batches of two files, one of four (more than a chunk
		// of 3 alone), and one sharing a document with a young batch.
		for i := range 3 {
			add(&gone, retainedBatch(t, db, a, fmt.Sprintf("old %d", i), false, keys(fmt.Sprintf("a/old%d", i), 2), older.Add(time.Duration(i)*time.Minute), false))
		}
		add(&gone, retainedBatch(t, db, a, "old of four", false, keys("a/four", 4), old, false))
		add(&gone, retainedBatch(t, db, a, "old sharing", false, []string{"a/shared", "a/alone"}, old, false))
		add(&kept, retainedBatch(t, db, a, "young sharing", false, []string{"a/shared"}, young, false))
		add(&kept, retainedBatch(t, db, a, "unfinished", false, keys("a/unfinished", 2), time.Time{}, false))
		// Another account's, by their own age.
		add(&gone, retainedBatch(t, db, b, "b old", false, keys("b/old", 1), old, false))
		add(&kept, retainedBatch(t, db, b, "b young", false, keys("b/young", 1), young, false))
		// Classification batches: an old one whose document an extraction
		// still holds (a chained file), one with an override, a young one.
		add(&gone, retainedBatch(t, db, a, "old classified", true, []string{"a/chained", "a/letter"}, old, false))
		add(&kept, retainedBatch(t, db, a, "young chained", false, []string{"a/chained"}, young, false))
		overridden := retainedBatch(t, db, b, "b overridden", true, keys("b/overridden", 2), old, true)
		add(&gone, overridden)
		cls := overridden.owner
		add(&kept, retainedBatch(t, db, b, "b young classified", true, keys("b/ycls", 1), young, false))
		add(&kept, retainedBatch(t, db, b, "b unfinished classified", true, keys("b/ucls", 1), time.Time{}, false))
		before, err := db.Classification(ctx, b.ID, cls)
		if err != nil {
			t.Fatal(err)
		}

		const maxFiles = 3
		var freed []string
		var files int
		for _, classification := range []bool{false, true} {
			for chunk := 0; ; chunk++ {
				var x store.Expired
				err := db.Tx(ctx, func(tx *store.Tx) (err error) {
					x, err = tx.DeleteExpiredBatches(ctx, classification, cutoff, maxFiles)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if x.Batches == 0 {
					break
				}
				if x.Files > maxFiles && x.Batches != 1 {
					t.Errorf("chunk %d deleted %d files of %d batches, want at most %d or one batch", chunk, x.Files, x.Batches, maxFiles)
				}
				if chunk > 10 {
					t.Fatal("more than 10 chunks")
				}
				files += x.Files
				freed = append(freed, x.BlobKeys...)
			}
		}
		for _, r := range gone {
			if r.exists() {
				t.Errorf("%s ended before the cutoff and is still there", r.name)
			}
		}
		for _, r := range kept {
			if !r.exists() {
				t.Errorf("%s is gone", r.name)
			}
		}
		if files != 3*2+4+2+1+2+2 {
			t.Errorf("deleted %d files, want 17", files)
		}
		slices.Sort(freed)
		want := append(append(append(keys("a/old0", 2), keys("a/old1", 2)...), keys("a/old2", 2)...), keys("a/four", 4)...)
		want = append(want, "a/alone", "a/letter", "b/old/0")
		want = append(want, keys("b/overridden", 2)...)
		slices.Sort(want)
		if diff := cmp.Diff(want, freed); diff != "" {
			t.Errorf("blob keys to delete (-want +got):\n%s", diff)
		}
		after, err := db.Classification(ctx, b.ID, cls)
		if err != nil {
			t.Fatal(err)
		}
		if after.OverridesVersion <= before.OverridesVersion {
			t.Errorf("overrides version %d after its overridden file was deleted, was %d", after.OverridesVersion, before.OverridesVersion)
		}

		// Once the young batches age too, the shared documents go with the
		// last file naming them.
		var x store.Expired
		err = db.Tx(ctx, func(tx *store.Tx) (err error) {
			x, err = tx.DeleteExpiredBatches(ctx, false, young.Add(time.Second), 100)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(x.BlobKeys)
		if diff := cmp.Diff([]string{"a/chained", "a/shared", "b/young/0"}, x.BlobKeys); diff != "" {
			t.Errorf("blob keys of the aged batches (-want +got):\n%s", diff)
		}
		if x.Batches != 3 {
			t.Errorf("deleted %d batches, want the 3 young extraction batches", x.Batches)
		}

		// Every key handed back is a pending deletion until forgotten.
		all := slices.Sorted(slices.Values(append(freed, x.BlobKeys...)))
		var pending []string
		for after := ""; ; {
			page, err := db.PendingBlobDeletions(ctx, after, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			pending, after = append(pending, page...), page[len(page)-1]
		}
		if diff := cmp.Diff(all, pending); diff != "" {
			t.Errorf("pending deletions (-want +got):\n%s", diff)
		}
		if err := db.BlobsDeleted(ctx, all[1:]); err != nil {
			t.Fatal(err)
		}
		if left, err := db.PendingBlobDeletions(ctx, "", 100); err != nil || !slices.Equal(left, all[:1]) {
			t.Errorf("pending after BlobsDeleted = %v, %v; want %v", left, err, all[:1])
		}
	})
}

// TestDeleteExpiredAttempts: webhook attempts made before the cutoff are
// deleted, oldest first, at most limit at a time; later ones stay.
func TestDeleteExpiredAttempts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := storetest.NewAccount(t, db, "a")
		cutoff := time.Now().Add(-24 * time.Hour)
		for i, at := range []time.Time{cutoff.Add(-2 * time.Hour), cutoff.Add(-time.Hour), cutoff.Add(time.Hour)} {
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO delivery_attempts (id, account_id, endpoint_id, event_id, event_type,
				attempt_number, latency_ms, request_headers, created_at) VALUES ($1, $2, 'ep_1', 'evt_1', 'file.processed', 1, 1, '{}', $3)`,
				fmt.Sprintf("att_%d", i), a.ID, at.UnixMicro()); err != nil {
				t.Fatal(err)
			}
		}
		for i, want := range []int64{1, 1, 0} {
			n, err := db.DeleteExpiredAttempts(ctx, cutoff, 1)
			if err != nil || n != want {
				t.Fatalf("DeleteExpiredAttempts #%d = %d, %v, want %d", i+1, n, err, want)
			}
		}
		var left []string
		rows, err := db.Writer().QueryContext(ctx, `SELECT id FROM delivery_attempts`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			left = append(left, id)
		}
		if diff := cmp.Diff([]string{"att_2"}, left); diff != "" {
			t.Errorf("attempts left (-want +got):\n%s", diff)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

var ids = docparse.NewIDs(time.Now)

// newUpload is a batch of n one-page text files of the account, as an
// upload makes every kind of batch; the caller adds its owner.
func newUpload(acct docparse.Account, batchPrefix, filePrefix string, n int, now time.Time) (docparse.BatchCore, []docparse.FileCore) {
	files := make([]docparse.FileCore, n)
	for i := range files {
		files[i] = docparse.FileCore{ID: ids.New(filePrefix), Position: i, FileName: fmt.Sprintf("f%d.txt", i), Kind: "text", MIME: "text/plain",
			PageCount: 1, BlobKey: fmt.Sprintf("k/%d", i)}
	}
	return docparse.BatchCore{ID: ids.New(batchPrefix), AccountID: acct.ID, CreatedAt: now}, files
}

func newBatch(t *testing.T, db *store.DB, acct docparse.Account, n int) (docparse.Batch, []docparse.File) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	e := docparse.Extraction{ID: ids.New(docparse.PrefixExtraction), AccountID: acct.ID, Name: "x", Language: "English",
		Fields: []docparse.Field{{Key: "total", Type: docparse.TypeNumber}}, ReviewThreshold: 0.7, CreatedAt: now, UpdatedAt: now}
	core, cores := newUpload(acct, docparse.PrefixBatch, docparse.PrefixFile, n, now)
	b := docparse.Batch{BatchCore: core, ExtractionID: e.ID}
	files := make([]docparse.File, n)
	for i, f := range cores {
		files[i] = docparse.File{FileCore: f}
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertExtraction(ctx, e); err != nil {
			return err
		}
		return tx.InsertBatch(ctx, b, files)
	})
	if err != nil {
		t.Fatal(err)
	}
	return b, files
}

func TestAPIKeysLimitAndScope(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := storetest.NewAccount(t, db, "a")
		b := storetest.NewAccount(t, db, "b")
		if again := storetest.NewAccount(t, db, "a"); again.ID != a.ID {
			t.Fatalf("EnsureAccount twice gave %s and %s", a.ID, again.ID)
		}
		var first string
		for i := range store.MaxActiveKeys + 1 {
			k := docparse.APIKey{ID: ids.New(docparse.PrefixAPIKey), AccountID: a.ID, Name: "k", Last4: "abcd", CreatedAt: time.Now()}
			err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertAPIKey(ctx, k, fmt.Sprintf("hash-%d", i)) })
			if i < store.MaxActiveKeys && err != nil {
				t.Fatalf("key %d: %v", i, err)
			}
			if i == store.MaxActiveKeys && !errors.Is(err, docparse.ErrLimit) {
				t.Fatalf("key %d: err = %v, want ErrLimit", i, err)
			}
			if i == 0 {
				first = k.ID
			}
		}
		if err := db.RevokeAPIKey(ctx, b.ID, first, time.Now()); !errors.Is(err, docparse.ErrNotFound) {
			t.Fatalf("revoke from other account: %v, want ErrNotFound", err)
		}
		if err := db.RevokeAPIKey(ctx, a.ID, first, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.APIKeyByHash(ctx, "hash-0"); !errors.Is(err, docparse.ErrNotFound) {
			t.Fatalf("revoked key still found: %v", err)
		}
		if _, err := db.APIKeyByHash(ctx, "hash-1"); err != nil {
			t.Fatalf("active key: %v", err)
		}
		keys, more, err := db.ListAPIKeys(ctx, a.ID, store.Page{Limit: 2})
		if err != nil || len(keys) != 2 || !more {
			t.Fatalf("ListAPIKeys page 1 = %d keys, more %v, err %v", len(keys), more, err)
		}
		rest, more, err := db.ListAPIKeys(ctx, a.ID, store.Page{Limit: 10, Cursor: keys[1].ID})
		if err != nil || len(rest) != 2 || more {
			t.Fatalf("ListAPIKeys page 2 = %d keys, more %v, err %v", len(rest), more, err)
		}
	})
}

// TestMoveFileAgain: a job run again after a crash moves its file from
// processing to processing; the counts stay right.
func TestMoveFileAgain(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := storetest.NewAccount(t, db, "a")
		b, files := newBatch(t, db, acct, 2)
		for _, to := range []docparse.FileStatus{docparse.FileProcessing, docparse.FileProcessing, docparse.FileNeedsReview} {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				m, err := tx.MoveFile(ctx, acct.ID, files[0].ID, to, store.FileOutcome{}, time.Now())
				if err == nil && !m.Moved {
					t.Errorf("move to %s did not move", to)
				}
				return err
			})
			if err != nil {
				t.Fatalf("move to %s: %v", to, err)
			}
		}
		got, _, err := db.BatchWithFiles(ctx, acct.ID, b.ExtractionID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (docparse.Counts{Queued: 1, NeedsReview: 1}); got.Counts != want || got.Status != docparse.BatchProcessing {
			t.Fatalf("batch = %s %+v, want processing %+v", got.Status, got.Counts, want)
		}
	})
}

func TestPurge(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := storetest.NewAccount(t, db, "a")
		old := time.Now().Add(-48 * time.Hour)
		if s, err := claim(ctx, db, acct.ID, "k", "/v1/x", old, 201); err != nil || s != nil {
			t.Fatalf("claim: %v %v", s, err)
		}
		ev := docparse.Event{ID: ids.New(docparse.PrefixEvent), AccountID: acct.ID, Type: "file.processed", Payload: []byte("{}"), CreatedAt: old.Add(-31 * 24 * time.Hour)}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertEvent(ctx, &ev, func() string { return ids.New("dlv_") }, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PurgeIdempotencyKeys(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.PurgeEvents(ctx, time.Now().Add(-30*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Event(ctx, acct.ID, ev.ID); !errors.Is(err, docparse.ErrNotFound) {
			t.Errorf("event older than 30 days still there: %v", err)
		}
		// The purged key is free: a claim dated just after the first one (so
		// that the claim's own expiry would keep the row) owns it.
		if s, err := claim(ctx, db, acct.ID, "k", "/v1/y", old.Add(time.Minute), 201); err != nil || s != nil {
			t.Errorf("claim after purge: %v %v", s, err)
		}
	})
}

// TestBatchExtractionIDs: the extraction of each of the account's batches,
// and nothing of another account's or of a batch that does not exist.
func TestBatchExtractionIDs(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		a, b := storetest.NewAccount(t, db, "a"), storetest.NewAccount(t, db, "b")
		b1, _ := newBatch(t, db, a, 1)
		b2, _ := newBatch(t, db, a, 1)
		other, _ := newBatch(t, db, b, 1)
		got, err := db.BatchExtractionIDs(context.Background(), a.ID, []string{b1.ID, b2.ID, other.ID, "btc_missing"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{b1.ID: b1.ExtractionID, b2.ID: b2.ExtractionID}
		if len(got) != len(want) || got[b1.ID] != want[b1.ID] || got[b2.ID] != want[b2.ID] {
			t.Errorf("BatchExtractionIDs = %v, want %v", got, want)
		}
		if got, err := db.BatchExtractionIDs(context.Background(), a.ID, nil); err != nil || len(got) != 0 {
			t.Errorf("BatchExtractionIDs(nil) = %v, %v", got, err)
		}
	})
}

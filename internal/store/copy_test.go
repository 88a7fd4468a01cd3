package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// TestCopyMirrors copies a SQLite database to PostgreSQL in chunks of two
// rows, then changes the source (a key revoked, a key added, a session
// deleted) and copies again: the second copy inserts, updates and
// deletes just that, and the sums of both sides agree each time. Keys of
// mixed case check that both engines order them alike (bytewise).
func TestCopyMirrors(t *testing.T) {
	t.Parallel()
	storetest.NeedPostgres(t)
	ctx := context.Background()
	src, dst := storetest.Open(t, store.SQLite), storetest.Open(t, store.Postgres)
	now := time.Now().UTC().Truncate(time.Microsecond)
	var acct docparse.Account
	err := src.Tx(ctx, func(tx *store.Tx) (err error) {
		if acct, err = tx.EnsureAccount(ctx, "acct_1", "acme", now); err != nil {
			return err
		}
		for _, id := range []string{"key_B", "key_a", "key_C", "key_d", "key_E"} {
			if err := tx.InsertAPIKey(ctx, docparse.APIKey{ID: id, AccountID: acct.ID, Name: id, Last4: "abcd", CreatedAt: now}, "hash-"+id); err != nil {
				return err
			}
		}
		// Idempotency keys: a primary key of two columns, chosen by
		// clients (any text).
		for _, k := range []string{"Zeta", "alpha", "Beta-1", "beta_2", "ü-key"} {
			if _, err := tx.ClaimIdempotencyKey(ctx, acct.ID, k, "POST", "/v1/extractions", now); err != nil {
				return err
			}
		}
		return tx.InsertUser(ctx, docparse.User{ID: "usr_1", AccountID: acct.ID, Email: "a@example.com", CreatedAt: now}, "x")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ses_1", "ses_2"} {
		if err := src.InsertSession(ctx, docparse.Session{ID: id, UserID: "usr_1", AccountID: acct.ID, CSRFToken: "t", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	copyAll := func() map[string]store.CopyProgress {
		t.Helper()
		snap, err := src.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		done := map[string]store.CopyProgress{}
		want, err := snap.Copy(ctx, dst, store.CopyOptions{ChunkRows: 2, Progress: func(p store.CopyProgress) {
			if p.Done {
				done[p.Table] = p
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		have, err := dst.TableSums(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(have, want) {
			t.Errorf("sums differ after the copy:\nsource      %v\ndestination %v", want, have)
		}
		return done
	}
	first := copyAll()
	for _, table := range []string{"api_keys", "idempotency_keys"} {
		if p := first[table]; p.Rows != 5 || p.Inserted != 5 {
			t.Errorf("first copy of %s: %+v, want 5 rows inserted", table, p)
		}
	}

	if err := src.RevokeAPIKey(ctx, acct.ID, "key_a", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	err = src.Tx(ctx, func(tx *store.Tx) error {
		return tx.InsertAPIKey(ctx, docparse.APIKey{ID: "key_F", AccountID: acct.ID, Name: "F", Last4: "abcd", CreatedAt: now}, "hash-key_F")
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.DeleteSession(ctx, acct.ID, "ses_1"); err != nil {
		t.Fatal(err)
	}
	err = src.Tx(ctx, func(tx *store.Tx) error {
		return tx.CompleteIdempotencyKey(ctx, acct.ID, "beta_2", 201, []byte(`{}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	second := copyAll()
	if p := second["api_keys"]; p.Rows != 6 || p.Inserted != 1 || p.Updated != 1 || p.Deleted != 0 {
		t.Errorf("second copy of api_keys: %+v, want 6 rows, 1 inserted, 1 updated", p)
	}
	if p := second["sessions"]; p.Rows != 1 || p.Inserted != 0 || p.Deleted != 1 {
		t.Errorf("second copy of sessions: %+v, want 1 row, 1 deleted", p)
	}
	if p := second["idempotency_keys"]; p.Rows != 5 || p.Inserted != 0 || p.Updated != 1 {
		t.Errorf("second copy of idempotency_keys: %+v, want 5 rows, 1 updated", p)
	}
	if p := second["accounts"]; p.Inserted+p.Updated+p.Deleted != 0 {
		t.Errorf("second copy of accounts: %+v, want nothing done", p)
	}

	// Purged at the source: deleted by their key of two columns.
	if err := src.PurgeIdempotencyKeys(ctx, now.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p := copyAll()["idempotency_keys"]; p.Rows != 0 || p.Deleted != 5 {
		t.Errorf("third copy of idempotency_keys: %+v, want 0 rows, 5 deleted", p)
	}

	// A destination that holds another installation's account is refused
	// before anything is written.
	other := storetest.Open(t, store.SQLite)
	err = other.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.EnsureAccount(ctx, "acct_2", "other", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := other.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	_, err = snap.Copy(ctx, dst, store.CopyOptions{})
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) || conflict.Table != "accounts" || conflict.Key != "acct_1" {
		t.Errorf("copy of another installation = %v, want a conflict on accounts row acct_1", err)
	}
	if sums, _ := dst.TableSums(ctx); sums[0].Rows != 1 {
		t.Errorf("destination has %d accounts after the refused copy, want 1", sums[0].Rows)
	}
}

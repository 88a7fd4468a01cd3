package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// claim claims key in a transaction of its own and, when it owns it,
// stores status as the answer in the same transaction.
func claim(ctx context.Context, db *store.DB, accountID, key, path string, now time.Time, status int) (stored *store.StoredResponse, err error) {
	err = db.Tx(ctx, func(tx *store.Tx) error {
		stored, err = tx.ClaimIdempotencyKey(ctx, accountID, key, "POST", path, now)
		if err != nil || stored != nil {
			return err
		}
		return tx.CompleteIdempotencyKey(ctx, accountID, key, status, []byte(`{"n":1}`))
	})
	return stored, err
}

// TestIdempotencyClaimInTx: a claim lives and dies with the transaction
// that made it; a claim committed without an answer (an older version's
// crash) is taken over; concurrent claims of one key have one owner.
func TestIdempotencyClaimInTx(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := storetest.NewAccount(t, db, "a")
		now := time.Now()

		// A transaction that claims, creates and then fails (a crash
		// before the answer is stored) leaves no claim.
		injected := errors.New("injected failure after the creation")
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if s, err := tx.ClaimIdempotencyKey(ctx, acct.ID, "k1", "POST", "/v1/x", now); err != nil || s != nil {
				t.Fatalf("claim: %v %v", s, err)
			}
			if _, err := tx.EnsureAccount(ctx, ids.New("acct_"), "created", now); err != nil {
				return err
			}
			return injected
		})
		if !errors.Is(err, injected) {
			t.Fatalf("tx = %v, want the injected failure", err)
		}
		if s, err := db.IdempotentAnswer(ctx, acct.ID, "k1", now); err != nil || s != nil {
			t.Fatalf("answer after a failed tx = %+v, %v; want none", s, err)
		}
		if _, err := db.AccountByName(ctx, "created"); err == nil {
			t.Fatal("the failed tx's creation was committed")
		}
		// The key is free: the retry owns it and stores its answer.
		if s, err := claim(ctx, db, acct.ID, "k1", "/v1/x", now, 201); err != nil || s != nil {
			t.Fatalf("retry claim = %+v, %v; want the key", s, err)
		}
		s, err := db.IdempotentAnswer(ctx, acct.ID, "k1", now)
		if err != nil || s == nil || s.StatusCode != 201 || string(s.Body) != `{"n":1}` || s.Path != "/v1/x" {
			t.Fatalf("stored answer = %+v, %v", s, err)
		}
		if s, err := claim(ctx, db, acct.ID, "k1", "/v1/x", now, 201); err != nil || s == nil || s.StatusCode != 201 {
			t.Fatalf("second claim = %+v, %v; want the stored answer", s, err)
		}
		// Expired answers are not answered.
		if s, err := db.IdempotentAnswer(ctx, acct.ID, "k1", now.Add(store.IdempotencyTTL+time.Minute)); err != nil || s != nil {
			t.Fatalf("answer after 24 h = %+v, %v", s, err)
		}

		// A claim an older version committed without its answer.
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, key, method, path, status_code, body, created_at)
			VALUES ($1, 'stuck', 'POST', '/v1/old', 0, '', $2)`, acct.ID, now.Add(-time.Hour).UnixMicro()); err != nil {
			t.Fatal(err)
		}
		if s, err := db.IdempotentAnswer(ctx, acct.ID, "stuck", now); err != nil || s != nil {
			t.Fatalf("answer of a leftover claim = %+v, %v; want none", s, err)
		}
		if s, err := claim(ctx, db, acct.ID, "stuck", "/v1/x", now, 202); err != nil || s != nil {
			t.Fatalf("claim over a leftover = %+v, %v; want the key", s, err)
		}
		if s, err := db.IdempotentAnswer(ctx, acct.ID, "stuck", now); err != nil || s == nil || s.StatusCode != 202 || s.Path != "/v1/x" {
			t.Fatalf("answer after the takeover = %+v, %v", s, err)
		}

		// Eight concurrent claims of one key: one owner, seven answers.
		var wg sync.WaitGroup
		var mu sync.Mutex
		owners, replays := 0, 0
		for range 8 {
			wg.Go(func() {
				s, err := claim(ctx, db, acct.ID, "k2", "/v1/x", now, 201)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("concurrent claim: %v", err)
				case s == nil:
					owners++
				case s.StatusCode == 201:
					replays++
				default:
					t.Errorf("concurrent claim saw %+v", s)
				}
			})
		}
		wg.Wait()
		if owners != 1 || replays != 7 {
			t.Fatalf("concurrent claims: %d owners, %d replays; want 1 and 7", owners, replays)
		}
	})
}

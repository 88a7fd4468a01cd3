package store

import (
	"context"
	"fmt"
	"time"
)

// IdempotencyTTL is how long a stored answer replays.
const IdempotencyTTL = 24 * time.Hour

// StoredResponse is the answer stored under an Idempotency-Key.
type StoredResponse struct {
	Method, Path string
	StatusCode   int // 0 while the first request is in flight
	Body         []byte
}

// ClaimIdempotencyKey claims key for a request of the account. It returns
// (nil, nil) when the caller owns the key and must run the request, or the
// stored answer of an earlier request with that key (StatusCode 0 while
// that request is still in flight). Answers older than IdempotencyTTL are
// forgotten.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, accountID, key, method, path string, now time.Time) (stored *StoredResponse, err error) {
	err = db.Tx(ctx, func(tx *Tx) error {
		stored, err = tx.ClaimIdempotencyKey(ctx, accountID, key, method, path, now)
		return err
	})
	return stored, err
}

// ClaimIdempotencyKey is DB.ClaimIdempotencyKey inside tx: a request that
// creates, claims and stores its answer in one transaction, so that the
// claim never outlives a failed or interrupted request, and a concurrent
// request with the same key waits for the answer (PostgreSQL blocks on
// the uncommitted claim, SQLite on the writer).
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, accountID, key, method, path string, now time.Time) (*StoredResponse, error) {
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created_at < $3`,
		accountID, key, micros(now.Add(-IdempotencyTTL))); err != nil {
		return nil, fmt.Errorf("expire idempotency key: %w", err)
	}
	res, err := tx.x.ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, key, method, path, status_code, body, created_at)
		VALUES ($1, $2, $3, $4, 0, '', $5) ON CONFLICT (account_id, key) DO NOTHING`, accountID, key, method, path, micros(now))
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	var s StoredResponse
	var body string
	if err := tx.x.QueryRowContext(ctx, `SELECT method, path, status_code, body FROM idempotency_keys WHERE account_id = $1 AND key = $2`,
		accountID, key).Scan(&s.Method, &s.Path, &s.StatusCode, &body); err != nil {
		return nil, fmt.Errorf("select idempotency key: %w", err)
	}
	s.Body = []byte(body)
	return &s, nil
}

// CompleteIdempotencyKey stores the answer of the request that claimed key
// in tx.
func (tx *Tx) CompleteIdempotencyKey(ctx context.Context, accountID, key string, status int, body []byte) error {
	_, err := tx.x.ExecContext(ctx, `UPDATE idempotency_keys SET status_code = $1, body = $2 WHERE account_id = $3 AND key = $4`,
		status, string(body), accountID, key)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// CompleteIdempotencyKey stores the answer of the request that claimed key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, accountID, key string, status int, body []byte) error {
	_, err := db.w.ExecContext(ctx, `UPDATE idempotency_keys SET status_code = $1, body = $2 WHERE account_id = $3 AND key = $4`,
		status, string(body), accountID, key)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claim whose request failed without an
// answer worth replaying, so that a retry runs again.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, accountID, key string) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status_code = 0`, accountID, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys deletes answers older than IdempotencyTTL.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, now time.Time) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, micros(now.Add(-IdempotencyTTL)))
	if err != nil {
		return fmt.Errorf("purge idempotency keys: %w", err)
	}
	return nil
}

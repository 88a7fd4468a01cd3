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
	StatusCode   int
	Body         []byte
}

// An Idempotency-Key is claimed, and its answer stored, inside the
// transaction that writes what the request creates (Tx.ClaimIdempotencyKey,
// then Tx.CompleteIdempotencyKey): the claim, the creation and the answer
// commit together or not at all, so no claim outlives a failed or
// interrupted request. Rows with status_code 0 are claims that an older
// version committed apart from their answer; a crash could leave them
// behind, so they are taken over as if absent.

// IdempotentAnswer returns the answer stored under key for the account,
// or nil when there is none (or none younger than IdempotencyTTL at now).
// It claims nothing: a caller that finds nil claims the key in the
// transaction that creates.
func (db *DB) IdempotentAnswer(ctx context.Context, accountID, key string, now time.Time) (*StoredResponse, error) {
	var s StoredResponse
	var body string
	err := db.read().QueryRowContext(ctx, `SELECT method, path, status_code, body FROM idempotency_keys
		WHERE account_id = $1 AND key = $2 AND status_code <> 0 AND created_at >= $3`,
		accountID, key, micros(now.Add(-IdempotencyTTL))).Scan(&s.Method, &s.Path, &s.StatusCode, &body)
	if found, err := optionalRow(err, "select idempotency key"); !found {
		return nil, err
	}
	s.Body = []byte(body)
	return &s, nil
}

// ClaimIdempotencyKey claims key for a request of the account inside tx.
// It returns (nil, nil) when the caller owns the key and must run the
// request, then store its answer with CompleteIdempotencyKey in the same
// tx; or the answer stored by an earlier request with that key. Answers
// older than IdempotencyTTL are forgotten. A concurrent request with the
// same key waits for tx to end (PostgreSQL blocks on the uncommitted
// claim, SQLite on the writer) and then finds its answer, or the key free
// if tx rolled back.
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, accountID, key, method, path string, now time.Time) (*StoredResponse, error) {
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created_at < $3`,
		accountID, key, micros(now.Add(-IdempotencyTTL))); err != nil {
		return nil, fmt.Errorf("expire idempotency key: %w", err)
	}
	res, err := tx.x.ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, key, method, path, status_code, body, created_at)
		VALUES ($1, $2, $3, $4, 0, '', $5)
		ON CONFLICT (account_id, key) DO UPDATE SET method = excluded.method, path = excluded.path, created_at = excluded.created_at
		WHERE idempotency_keys.status_code = 0`, accountID, key, method, path, micros(now))
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

// PurgeIdempotencyKeys deletes answers older than IdempotencyTTL.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, now time.Time) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, micros(now.Add(-IdempotencyTTL)))
	if err != nil {
		return fmt.Errorf("purge idempotency keys: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// EnsureAccount returns the account named name, creating it with id newID
// when there is none.
func (tx *Tx) EnsureAccount(ctx context.Context, newID, name string, now time.Time) (docparse.Account, error) {
	_, err := tx.x.ExecContext(ctx, `INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, newID, name, micros(now))
	if err != nil {
		return docparse.Account{}, fmt.Errorf("insert account: %w", err)
	}
	var a docparse.Account
	var created int64
	err = tx.x.QueryRowContext(ctx, `SELECT id, name, created_at FROM accounts WHERE name = $1`, name).Scan(&a.ID, &a.Name, &created)
	if err != nil {
		return docparse.Account{}, fmt.Errorf("select account: %w", err)
	}
	a.CreatedAt = fromMicros(created)
	return a, nil
}

// AccountByName returns the account named name.
func (db *DB) AccountByName(ctx context.Context, name string) (docparse.Account, error) {
	var a docparse.Account
	var created int64
	err := db.read().QueryRowContext(ctx, `SELECT id, name, created_at FROM accounts WHERE name = $1`, name).Scan(&a.ID, &a.Name, &created)
	if err := rowErr(err, "account", strconv.Quote(name), "select account"); err != nil {
		return a, err
	}
	a.CreatedAt = fromMicros(created)
	return a, nil
}

// MaxActiveKeys is the most active API keys an account may hold.
const MaxActiveKeys = 5

// InsertAPIKey stores a key's hash, refusing with docparse.ErrLimit when
// the account already holds MaxActiveKeys active keys.
func (tx *Tx) InsertAPIKey(ctx context.Context, k docparse.APIKey, hash string) error {
	var n int
	if err := tx.x.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL`, k.AccountID).Scan(&n); err != nil {
		return fmt.Errorf("count api keys: %w", err)
	}
	if n >= MaxActiveKeys {
		return &docparse.LimitError{What: "active API keys", Max: MaxActiveKeys, Remedy: "revoke one"}
	}
	_, err := tx.x.ExecContext(ctx, `INSERT INTO api_keys (id, account_id, name, key_hash, last4, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, k.AccountID, k.Name, hash, k.Last4, micros(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert api key: %w", err)
	}
	return nil
}

const apiKeyCols = `id, account_id, name, last4, created_at, last_used_at, revoked_at`

func scanAPIKey(row interface{ Scan(...any) error }) (docparse.APIKey, error) {
	var k docparse.APIKey
	var created int64
	var used, revoked sql.NullInt64
	if err := row.Scan(&k.ID, &k.AccountID, &k.Name, &k.Last4, &created, &used, &revoked); err != nil {
		return k, err
	}
	k.CreatedAt = fromMicros(created)
	k.LastUsedAt = nullTime(used)
	k.RevokedAt = nullTime(revoked)
	return k, nil
}

// APIKeyByHash returns the active key with this hash, or ErrNotFound.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (docparse.APIKey, error) {
	k, err := scanAPIKey(db.read().QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, hash))
	found, err := optionalRow(err, "select api key")
	if err == nil && !found {
		err = docparse.ErrNotFound
	}
	return k, err
}

// TouchAPIKey records that a key was used at now.
func (db *DB) TouchAPIKey(ctx context.Context, id string, now time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, micros(now), id)
	if err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// ListAPIKeys lists the account's active keys, newest first.
func (db *DB) ListAPIKeys(ctx context.Context, accountID string, p Page) ([]docparse.APIKey, bool, error) {
	return listOwned(ctx, db, "api_keys", apiKeyCols, "revoked_at IS NULL AND ", "api keys", scanAPIKey, accountID, p)
}

// PurgeRevokedKeys deletes the API keys revoked before before, of every
// account, and says how many. Active keys are never touched.
func (db *DB) PurgeRevokedKeys(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM api_keys WHERE revoked_at IS NOT NULL AND revoked_at < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("purge revoked api keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RevokeAPIKey revokes the account's key id at now. Revoking a key that is
// already revoked or belongs to another account is ErrNotFound.
func (db *DB) RevokeAPIKey(ctx context.Context, accountID, id string, now time.Time) error {
	res, err := db.w.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL`,
		micros(now), id, accountID)
	return affectedErr(res, err, "api key", id, "revoke api key")
}

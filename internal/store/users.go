package store

import (
	"context"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// InsertUser stores a dashboard user with its password hash, refusing with
// docparse.ErrConflict when the email is taken (by any account).
func (tx *Tx) InsertUser(ctx context.Context, u docparse.User, passwordHash string) error {
	res, err := tx.x.ExecContext(ctx, `INSERT INTO users (id, account_id, email, password_hash, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING`,
		u.ID, u.AccountID, u.Email, passwordHash, micros(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("a user with email %q already exists: %w", u.Email, docparse.ErrConflict)
	}
	return nil
}

// UserByEmail returns the user with this email and its password hash, or
// docparse.ErrNotFound. It is the sign-in lookup, which is what finds the
// account, so it is the one query here that takes no account.
func (db *DB) UserByEmail(ctx context.Context, email string) (docparse.User, string, error) {
	var u docparse.User
	var hash string
	var created int64
	err := db.read().QueryRowContext(ctx, `SELECT id, account_id, email, password_hash, created_at FROM users WHERE email = $1`, email).
		Scan(&u.ID, &u.AccountID, &u.Email, &hash, &created)
	if err := rowErr(err, "user", "", "select user"); err != nil {
		return u, "", err
	}
	u.CreatedAt = fromMicros(created)
	return u, hash, nil
}

// ListUsers lists the account's dashboard users, oldest first.
func (db *DB) ListUsers(ctx context.Context, accountID string) ([]docparse.User, error) {
	us, err := queryAll(ctx, db.read(), func(row interface{ Scan(...any) error }) (docparse.User, error) {
		var u docparse.User
		var created int64
		err := row.Scan(&u.ID, &u.AccountID, &u.Email, &created)
		u.CreatedAt = fromMicros(created)
		return u, err
	}, `SELECT id, account_id, email, created_at FROM users WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// InsertSession stores a dashboard session and deletes the sessions that
// expired before s was created.
func (db *DB) InsertSession(ctx context.Context, s docparse.Session) error {
	return db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.x.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, micros(s.CreatedAt)); err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		_, err := tx.x.ExecContext(ctx, `INSERT INTO sessions (id, user_id, account_id, csrf_token, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			s.ID, s.UserID, s.AccountID, s.CSRFToken, micros(s.CreatedAt), micros(s.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return nil
	})
}

// SessionByID returns the session with this id (the hash of its token)
// that has not expired at now, or docparse.ErrNotFound. Like UserByEmail it
// is what finds the account, so it takes none.
func (db *DB) SessionByID(ctx context.Context, id string, now time.Time) (docparse.Session, error) {
	var s docparse.Session
	var created, expires int64
	err := db.read().QueryRowContext(ctx, `SELECT s.id, s.user_id, s.account_id, u.email, s.csrf_token, s.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id AND u.account_id = s.account_id
		WHERE s.id = $1 AND s.expires_at > $2`, id, micros(now)).
		Scan(&s.ID, &s.UserID, &s.AccountID, &s.Email, &s.CSRFToken, &created, &expires)
	if err := rowErr(err, "session", "", "select session"); err != nil {
		return s, err
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return s, nil
}

// DeleteSession ends the account's session id. Deleting a session that is
// gone already is not an error.
func (db *DB) DeleteSession(ctx context.Context, accountID, id string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND account_id = $2`, id, accountID); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

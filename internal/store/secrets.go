package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/secretbox"
)

// errNoSecretKey is the error of storing or reading a secret without a key.
var errNoSecretKey = errors.New("no secret key configured (store.Options.Secrets): webhook secrets cannot be stored or read")

// The additional data a sealed secret is bound to: its column and row.
func endpointSecretAAD(id string) string     { return "webhook_endpoints.secret/" + id }
func endpointPrevSecretAAD(id string) string { return "webhook_endpoints.prev_secret/" + id }

// sealEndpointSecrets replaces e's secrets by their sealed form.
func sealEndpointSecrets(box *secretbox.Box, e *docparse.Endpoint) error {
	if box == nil {
		return errNoSecretKey
	}
	var err error
	if e.Secret, err = box.Seal(e.Secret, endpointSecretAAD(e.ID)); err != nil {
		return err
	}
	if e.PrevSecret != "" {
		if e.PrevSecret, err = box.Seal(e.PrevSecret, endpointPrevSecretAAD(e.ID)); err != nil {
			return err
		}
	}
	return nil
}

// openEndpointSecrets replaces e's sealed secrets by their plaintext. A
// value that is not sealed is plaintext an older version wrote (Migrate
// seals those) and is taken as it is.
func openEndpointSecrets(box *secretbox.Box, e *docparse.Endpoint) error {
	open := func(v, aad string) (string, error) {
		if v == "" || !secretbox.Sealed(v) {
			return v, nil
		}
		if box == nil {
			return "", errNoSecretKey
		}
		p, err := box.Open(v, aad)
		if err != nil {
			return "", fmt.Errorf("webhook endpoint %s: %w", e.ID, err)
		}
		return p, nil
	}
	var err error
	if e.Secret, err = open(e.Secret, endpointSecretAAD(e.ID)); err != nil {
		return err
	}
	e.PrevSecret, err = open(e.PrevSecret, endpointPrevSecretAAD(e.ID))
	return err
}

// SecretsStatus counts the stored secrets: in plaintext (from before
// encryption at rest) and sealed, by key id.
type SecretsStatus struct {
	Plaintext int
	ByKey     map[string]int
}

// Secrets counts the stored secrets by how they are stored.
func (db *DB) Secrets(ctx context.Context) (SecretsStatus, error) {
	st := SecretsStatus{ByKey: map[string]int{}}
	rows, err := db.w.QueryContext(ctx, `SELECT secret, COALESCE(prev_secret, '') FROM webhook_endpoints`)
	if err != nil {
		return st, fmt.Errorf("select secrets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cur, prev string
		if err := rows.Scan(&cur, &prev); err != nil {
			return st, fmt.Errorf("scan secrets: %w", err)
		}
		for _, v := range []string{cur, prev} {
			switch {
			case v == "":
			case !secretbox.Sealed(v):
				st.Plaintext++
			default:
				id, _, err := secretbox.Parse(v)
				if err != nil {
					id = "malformed"
				}
				st.ByKey[id]++
			}
		}
	}
	return st, rows.Err()
}

// CheckSecretKeys fails, naming the key ids (never a key), when a stored
// secret is sealed under a key the configured ones do not include: a
// process started with the wrong DOCPARSE_SECRET_KEY, or a lost key file,
// must say so at start rather than fail every delivery.
func (db *DB) CheckSecretKeys(ctx context.Context) error {
	if db.box == nil {
		return errNoSecretKey
	}
	st, err := db.Secrets(ctx)
	if err != nil {
		return err
	}
	var unknown []string
	for id, n := range st.ByKey {
		if !db.box.Has(id) {
			unknown = append(unknown, fmt.Sprintf("%s (%d)", id, n))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("stored webhook secrets are sealed under key %s, but the configured key is %s: "+
		"set %s to the key they were sealed with (every node the same), restore the data directory's %s, "+
		"or finish an interrupted docparse secrets rotate", strings.Join(unknown, ", "), db.box.PrimaryID(),
		secretbox.EnvKey, secretbox.KeyFileName)
}

// sealPlaintextSecrets seals the secrets an older version stored in
// plaintext (the upgrade to encryption at rest) and returns how many rows
// it sealed.
func (db *DB) sealPlaintextSecrets(ctx context.Context) (int, error) {
	return db.reseal(ctx, func(v string) bool { return v != "" && !secretbox.Sealed(v) })
}

// CompactSecrets rewrites the storage of the tables that held secrets, so
// that no old copy of one survives in freed space: on SQLite VACUUM (the
// whole file; it needs as much free disk as the database) and a WAL
// checkpoint that truncates the WAL; on PostgreSQL VACUUM FULL of
// webhook_endpoints and idempotency_keys (each locked while it is
// rewritten). Migrate runs it once on the upgrade to sealed secrets;
// docparse secrets rotate after sealing under a new key. From then on
// SQLite zeroes deleted and overwritten cells itself (secure_delete).
func (db *DB) CompactSecrets(ctx context.Context) error {
	stmts := []string{`VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`}
	if db.engine == Postgres {
		stmts = []string{`VACUUM FULL webhook_endpoints`, `VACUUM FULL idempotency_keys`}
	}
	for _, q := range stmts {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("compact secrets: %s: %w", q, err)
		}
	}
	return nil
}

// ResealSecrets seals again, under the primary key, every stored secret
// that is sealed under another key or stored in plaintext, and returns how
// many it sealed. It opens the old values with the box's previous keys.
// Each batch of rows commits on its own, so it is resumable: run again
// after an interruption, it seals what is left.
func (db *DB) ResealSecrets(ctx context.Context) (int, error) {
	if db.box == nil {
		return 0, errNoSecretKey
	}
	primary := db.box.PrimaryID()
	return db.reseal(ctx, func(v string) bool {
		if v == "" {
			return false
		}
		id, _, err := secretbox.Parse(v)
		return err != nil || id != primary
	})
}

// reseal seals again every secret for which stale reports true, in batches
// of 100 rows by id, each in its own transaction. A row changed meanwhile
// (a rotation) is left as the change wrote it.
func (db *DB) reseal(ctx context.Context, stale func(string) bool) (int, error) {
	if db.box == nil {
		return 0, errNoSecretKey
	}
	total, cursor := 0, ""
	for {
		var last string
		var batch int
		err := db.Tx(ctx, func(tx *Tx) error {
			rows, err := tx.x.QueryContext(ctx, `SELECT id, secret, prev_secret FROM webhook_endpoints WHERE id > $1 ORDER BY id LIMIT 100`, cursor)
			if err != nil {
				return fmt.Errorf("select secrets: %w", err)
			}
			type row struct {
				id, cur string
				prev    sql.NullString
			}
			var todo []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.cur, &r.prev); err != nil {
					rows.Close()
					return fmt.Errorf("scan secrets: %w", err)
				}
				last = r.id
				batch++
				if stale(r.cur) || stale(r.prev.String) {
					todo = append(todo, r)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("select secrets: %w", err)
			}
			for _, r := range todo {
				e := docparse.Endpoint{ID: r.id, Secret: r.cur, PrevSecret: r.prev.String}
				if err := openEndpointSecrets(db.box, &e); err != nil {
					return err
				}
				if err := sealEndpointSecrets(db.box, &e); err != nil {
					return err
				}
				res, err := tx.x.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $1, prev_secret = $2
					WHERE id = $3 AND secret = $4 AND COALESCE(prev_secret, '') = $5`,
					e.Secret, nullString(e.PrevSecret), r.id, r.cur, r.prev.String)
				if err != nil {
					return fmt.Errorf("reseal secret of %s: %w", r.id, err)
				}
				if n, _ := res.RowsAffected(); n == 1 {
					total++
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		if batch < 100 {
			return total, nil
		}
		cursor = last
	}
}

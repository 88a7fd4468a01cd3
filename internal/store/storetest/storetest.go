// Package storetest opens real databases for tests: a fresh SQLite file,
// and a fresh PostgreSQL schema when a server is reachable.
//
// PostgreSQL is found at TEST_DATABASE_URL, or at
// postgres://127.0.0.1:5432/test?sslmode=disable when that is unset. When
// CI=true a missing PostgreSQL fails the test instead of leaving it out:
// CI must run every test on both engines.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/secretbox"
	"github.com/docparse/docparse/internal/store"
)

// DefaultPostgresURL is tried when TEST_DATABASE_URL is unset.
const DefaultPostgresURL = "postgres://127.0.0.1:5432/test?sslmode=disable"

var (
	pgOnce sync.Once
	pgURL  string
	pgErr  error
)

// PostgresURL returns the base URL of the test PostgreSQL server, or "" when
// none answers (and the test may run on SQLite alone).
func PostgresURL(t testing.TB) string {
	pgOnce.Do(func() {
		u := os.Getenv("TEST_DATABASE_URL")
		if u == "" {
			u = DefaultPostgresURL
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			pgErr = err
			return
		}
		conn.Close(ctx)
		pgURL = u
	})
	if pgURL == "" && os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but PostgreSQL is not reachable: %v", pgErr)
	}
	return pgURL
}

// NeedPostgres skips a test that runs only on PostgreSQL when it is not
// reachable (with CI=true, PostgresURL fails the test instead).
func NeedPostgres(t testing.TB) {
	t.Helper()
	if PostgresURL(t) == "" {
		t.Skip("no PostgreSQL")
	}
}

// Engines lists the engines a test should run on.
func Engines(t testing.TB) []store.Engine {
	if PostgresURL(t) != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	return []store.Engine{store.SQLite}
}

// Each runs fn as a subtest per engine.
func Each(t *testing.T, fn func(t *testing.T, engine store.Engine)) {
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// EachDB runs fn in parallel on a fresh, migrated database of each
// engine (Open), as a parallel subtest per engine; t runs in parallel
// too. The database's engine is db.Engine().
func EachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Parallel()
	Each(t, func(t *testing.T, engine store.Engine) {
		t.Parallel()
		fn(t, Open(t, engine))
	})
}

// URL returns a DATABASE_URL for a fresh, empty database of engine, removed
// when the test ends: a new SQLite file, or a new PostgreSQL schema reached
// through search_path.
func URL(t testing.TB, engine store.Engine) string {
	t.Helper()
	if engine == store.SQLite {
		return "sqlite:" + t.TempDir() + "/docparse.db"
	}
	base := PostgresURL(t)
	if base == "" {
		t.Fatal("PostgreSQL not available")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect postgres: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// A test database need not survive a crash of the server: commits
	// return without waiting for the WAL to reach the disk. What a
	// transaction sees and locks is unchanged.
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// NewBox returns a secret box under a new random key.
func NewBox(t testing.TB) *secretbox.Box {
	t.Helper()
	return secretbox.New(NewKey(t))
}

// NewKey returns a new random key.
func NewKey(t testing.TB) *secretbox.Key {
	t.Helper()
	text, err := secretbox.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := secretbox.ParseKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Open returns a migrated *store.DB on a fresh database of engine, closed
// when the test ends.
func Open(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, URL(t, engine), "", store.Options{Secrets: NewBox(t)})
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}

// ids mints the ids of the rows NewAccount inserts.
var ids = docparse.NewIDs(time.Now)

// NewAccount returns the account called name in db, created if needed.
func NewAccount(t testing.TB, db *store.DB, name string) docparse.Account {
	t.Helper()
	var a docparse.Account
	err := db.Tx(context.Background(), func(tx *store.Tx) (err error) {
		a, err = tx.EnsureAccount(context.Background(), ids.New(docparse.PrefixAccount), name, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Package store is the only package that speaks SQL. One *DB serves SQLite
// (the default, embedded, pure Go) and PostgreSQL (DATABASE_URL) with the
// same queries: placeholders are $N, times are Unix microseconds, JSON is
// TEXT. Every query that reads account data takes the account id.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/docparse/docparse/internal/secretbox"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the database of docparse. Safe for concurrent use.
//
// On SQLite, writes go through a pool of one connection (SQLite allows one
// writer; River's SQLite driver wants the same) and reads through a pool of
// several connections, which WAL mode lets run beside the writer. On
// PostgreSQL both are the same pool.
type DB struct {
	// conn runs the queries DB shares with Tx on r; on SQLite through
	// prepared statements.
	conn
	w *sql.DB
	r *sql.DB
	// listen is a pgx pool for River's LISTEN connection (PostgreSQL only).
	listen *pgxpool.Pool
	cache  *stmtCache
	// wcache prepares the statements of runBatch on the writer (SQLite).
	wcache *stmtCache
	// pgx is the pool under w on PostgreSQL, for runBatch's pipelined
	// writes, which skip database/sql's layer.
	pgx *pgxpool.Pool
	// versions caches batch versions for polls (versions.go). On
	// PostgreSQL, listener keeps it fresh (listener.go) and channel is
	// where transactions notify their changes; on SQLite listener is nil
	// and channel empty.
	versions *versionCache
	listener *listener
	channel  string
	// versionReads counts the batch versions read from the database.
	versionReads atomic.Int64
}

// Options tune Open.
type Options struct {
	// MaxConns bounds the connections of the read pool (SQLite) or of the
	// pool (PostgreSQL). Default 16.
	MaxConns int
	// Secrets seals the secrets the store must read back (webhook
	// endpoint secrets, AES-256-GCM). Without it endpoints can be neither
	// stored nor read.
	Secrets *secretbox.Box
}

// Open opens the database named by databaseURL, or, when it is empty, the
// SQLite file docparse.db in dataDir (created if needed). It does not
// migrate; call Migrate.
func Open(ctx context.Context, databaseURL, dataDir string, opts Options) (*DB, error) {
	if opts.MaxConns <= 0 {
		opts.MaxConns = 16
	}
	if databaseURL == "" || strings.HasPrefix(databaseURL, "sqlite:") || strings.HasPrefix(databaseURL, "file:") {
		path := filepath.Join(dataDir, "docparse.db")
		if databaseURL != "" {
			path = strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "file:")
			path = strings.TrimPrefix(path, "//")
		}
		db, err := openSQLite(ctx, path, opts)
		if db != nil {
			db.box = opts.Secrets
		}
		return db, err
	}
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		db, err := openPostgres(ctx, databaseURL, opts)
		if db != nil {
			db.box = opts.Secrets
		}
		return db, err
	}
	return nil, fmt.Errorf("open database: unsupported DATABASE_URL scheme (want postgres:// or sqlite:)")
}

func openSQLite(ctx context.Context, path string, opts Options) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// secure_delete(FAST) zeroes deleted and overwritten row content where
	// that costs no extra I/O, so a replaced secret (or a plaintext one
	// sealed on upgrade) does not linger in free space of its page.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(ON)&_pragma=secure_delete(FAST)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(ON)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(opts.MaxConns)
	r.SetMaxIdleConns(opts.MaxConns)
	r.SetConnMaxIdleTime(0)
	cache := newStmtCache(r)
	return &DB{conn: conn{x: cache, engine: SQLite}, w: w, r: r, cache: cache, wcache: newStmtCache(w),
		versions: newVersionCache(true, maxVersionEntries)}, nil
}

func openPostgres(ctx context.Context, databaseURL string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	cfg.MaxConns = int32(opts.MaxConns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// database/sql holds a pgx connection for each of its open ones: keep
	// a few of the pool's connections free for runBatch, which uses the
	// pool directly.
	db := stdlib.OpenDBFromPool(pool)
	db.SetMaxOpenConns(max(opts.MaxConns-4, 1))
	db.SetMaxIdleConns(max(opts.MaxConns-4, 1))

	lcfg := cfg.Copy()
	lcfg.MaxConns = 1
	lcfg.MinConns = 0
	listen, err := pgxpool.NewWithConfig(ctx, lcfg)
	if err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("open postgres listener pool: %w", err)
	}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		listen.Close()
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("open postgres: current schema: %w", err)
	}
	versions := newVersionCache(false, maxVersionEntries)
	lc := cfg.ConnConfig.Copy()
	lc.RuntimeParams["application_name"] = "docparse-versions"
	// pgx caches prepared statements per connection itself.
	return &DB{conn: conn{x: db, engine: Postgres}, w: db, r: db, listen: listen, pgx: pool,
		versions: versions, channel: versionChannel(schema),
		listener: &listener{cfg: lc, channel: versionChannel(schema), cache: versions}}, nil
}

// Engine reports which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// Writer returns the pool that takes writes; River runs on it.
func (db *DB) Writer() *sql.DB { return db.w }

// ListenerPool returns the pgx pool for River's listener on PostgreSQL,
// nil on SQLite.
func (db *DB) ListenerPool() *pgxpool.Pool { return db.listen }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return err
	}
	return db.w.PingContext(ctx)
}

// Close closes every pool. Call it after the workers have stopped.
func (db *DB) Close() error {
	db.StopListener()
	var errs []error
	if db.cache != nil {
		db.cache.close()
		db.wcache.close()
	}
	if db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	if db.listen != nil {
		db.listen.Close()
	}
	if db.pgx != nil {
		db.pgx.Close()
	}
	return errors.Join(errs...)
}

// migrationLockKey is the PostgreSQL advisory lock that nodes migrate
// under (WithMigrationLock).
const migrationLockKey = 7220417

// WithMigrationLock runs fn, the migrations, under a lock that nodes
// starting together on one PostgreSQL database take in turn: the first
// applies what is missing and the others find it applied. Without it two
// nodes create the same table or function at once and one fails to start.
// SQLite is one process's: fn just runs.
func (db *DB) WithMigrationLock(ctx context.Context, fn func() error) error {
	if db.engine != Postgres {
		return fn()
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer func() {
		// A session lock outlives a failed statement; released here, or
		// with the connection when this cannot run.
		uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, migrationLockKey); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return fn()
}

// Migrate applies every migration of docparse's own tables that is not yet
// applied, each in its own transaction. River's tables are migrated by the
// pipeline package with River's migrator.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS docparse_migrations (
		version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: create table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	applied := map[string]bool{}
	for _, name := range names {
		version := strings.TrimSuffix(filepath.Base(name), ".sql")
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", version, err)
		}
		err = db.Tx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.x.QueryRowContext(ctx, `SELECT COUNT(*) FROM docparse_migrations WHERE version = $1`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitSQL(string(body)) {
				if _, err := tx.x.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%.60s: %w", stmt, err)
				}
			}
			_, err := tx.x.ExecContext(ctx, `INSERT INTO docparse_migrations (version, applied_at) VALUES ($1, $2)`, version, time.Now().UnixMicro())
			applied[version] = err == nil
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", version, err)
		}
	}
	if db.box != nil {
		// Seal what an older version stored in plaintext, and refuse to
		// start under a key that cannot open what is stored.
		sealed, err := db.sealPlaintextSecrets(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		// The upgrade to sealed secrets: old row versions and freed
		// space may still hold plaintext secrets (rotated ones, purged
		// idempotent answers with API keys); rewrite them away, once.
		if sealed > 0 || (applied["0008_secrets_at_rest"] && !applied["0001_core"]) {
			if err := db.CompactSecrets(ctx); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
		if err := db.CheckSecretKeys(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Migrated reports whether every migration has been applied (readiness).
func (db *DB) Migrated(ctx context.Context) (bool, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return false, err
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM docparse_migrations`).Scan(&n); err != nil {
		return false, err
	}
	return n >= len(names), nil
}

// splitSQL splits a migration file into statements on semicolons at line
// ends, dropping comment lines.
func splitSQL(s string) []string {
	var stmts []string
	var cur strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") || t == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			stmts = append(stmts, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		stmts = append(stmts, cur.String())
	}
	return stmts
}

// querier is what both a pool and a transaction offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn is what DB and Tx share: where their queries run (a DB's read
// pool, a Tx's transaction), the engine and the secret box. The query
// methods that both offer are conn's, written once.
type conn struct {
	x      querier
	engine Engine
	// box seals and opens the secrets stored in columns (webhook endpoint
	// secrets); nil refuses to store or read them.
	box *secretbox.Box
}

// Tx is a write transaction. It offers conn's query methods, as DB does,
// run inside the transaction.
type Tx struct {
	conn
	tx *sql.Tx
	// changed lists the batch changes of the transaction, for the
	// version cache (versions.go).
	changed []versionChange
}

// SQL returns the underlying transaction, for River's InsertTx.
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise. fn must not do network I/O or parse documents:
// on SQLite the transaction holds the only writer.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{conn: conn{x: sqlTx, engine: db.engine, box: db.box}, tx: sqlTx}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if len(tx.changed) > 0 {
		// Batches changed: other nodes hear of it once this commits; this
		// node's polls of them read the database from before the commit
		// until the cache has what it committed (versions.go).
		if db.channel != "" {
			if err := tx.notifyChanges(ctx, db.channel); err != nil {
				_ = sqlTx.Rollback()
				return err
			}
		}
		db.versions.begin(tx.changed)
	}
	err = sqlTx.Commit()
	if len(tx.changed) > 0 {
		db.versions.end(tx.changed, err == nil)
	}
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read returns the querier for reads outside a transaction.
func (db *DB) read() querier { return db.x }

// readVersion reads one BIGINT column of one row, for the polling
// endpoint's version reads, its hottest query: on PostgreSQL straight on
// the pgx pool, skipping database/sql's layer. No row is sql.ErrNoRows on
// both engines.
func (db *DB) readVersion(ctx context.Context, q string, args ...any) (int64, error) {
	var v int64
	if db.pgx == nil {
		err := db.read().QueryRowContext(ctx, q, args...).Scan(&v)
		return v, err
	}
	err := db.pgx.QueryRow(ctx, q, args...).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		err = sql.ErrNoRows
	}
	return v, err
}

// micros converts a time to the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullTime converts a nullable stored time.
func nullTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

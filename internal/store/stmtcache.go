package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statements a stmtCache keeps; queries past it
// (built with variable IN lists, say) run unprepared.
const maxCachedStmts = 256

// stmtCache runs queries through statements prepared once per pool.
// SQLite's driver parses and plans SQL on every call otherwise, which is
// most of the cost of a small read; database/sql keeps each statement
// prepared on every connection that ran it. Safe for concurrent use.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement of q, or nil when it cannot be
// cached.
func (c *stmtCache) stmt(ctx context.Context, q string) *sql.Stmt {
	c.mu.RLock()
	st := c.stmts[q]
	n := len(c.stmts)
	c.mu.RUnlock()
	if st != nil || n >= maxCachedStmts {
		return st
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // the unprepared call reports the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.stmts[q]; old != nil {
		st.Close()
		return old
	}
	c.stmts[q] = st
	return st
}

func (c *stmtCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, q, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, q, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, q, args...)
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// execBatch is a list of statements that return nothing, run in one
// transaction by runBatch: pipelined in one round trip on PostgreSQL,
// through prepared statements on SQLite.
type execBatch struct {
	stmts []batchStmt
}

type batchStmt struct {
	q    string
	args []any
}

// add queues a statement. It never fails; its error result keeps the call
// sites shaped like ExecContext.
func (b *execBatch) add(q string, args ...any) error {
	b.stmts = append(b.stmts, batchStmt{q: q, args: args})
	return nil
}

// runBatch runs b in one transaction.
func (db *DB) runBatch(ctx context.Context, b execBatch) error {
	if len(b.stmts) == 0 {
		return nil
	}
	if db.pgx != nil {
		return pgx.BeginFunc(ctx, db.pgx, func(tx pgx.Tx) error {
			pb := &pgx.Batch{}
			for _, s := range b.stmts {
				pb.Queue(s.q, s.args...)
			}
			if err := tx.SendBatch(ctx, pb).Close(); err != nil {
				return fmt.Errorf("run batch: %w", err)
			}
			return nil
		})
	}
	// Prepare before the transaction: on SQLite it holds the only writer
	// connection, which preparing would wait for.
	for _, s := range b.stmts {
		db.wcache.stmt(ctx, s.q)
	}
	return db.Tx(ctx, func(tx *Tx) error {
		for _, s := range b.stmts {
			var err error
			if st := db.wcache.stmt(ctx, s.q); st != nil {
				_, err = tx.tx.StmtContext(ctx, st).ExecContext(ctx, s.args...)
			} else {
				_, err = tx.x.ExecContext(ctx, s.q, s.args...)
			}
			if err != nil {
				return fmt.Errorf("run batch: %.60s: %w", s.q, err)
			}
		}
		return nil
	})
}

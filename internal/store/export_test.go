package store

import (
	"context"
	"sync"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// StringList exposes Engine.stringList to the tests of package store_test.
func StringList(e Engine, n int, vals []string) (string, any) { return e.stringList(n, vals) }

// StringPairs exposes Engine.stringPairs to the tests of package store_test.
func StringPairs(e Engine, n int, as, bs []string) (string, any, any) {
	return e.stringPairs(n, as, bs)
}

// RecoverDeliveriesPaged is RecoverDeliveries with pages of page events.
func (tx *Tx) RecoverDeliveriesPaged(ctx context.Context, ep docparse.Endpoint, since, now time.Time, newID func() string, page int) (int, error) {
	return tx.recoverDeliveries(ctx, ep, since, now, newID, page)
}

// ListenerPID returns the backend of db's version listener, 0 when it has
// no connection.
func (db *DB) ListenerPID() uint32 {
	if db.listener == nil {
		return 0
	}
	return db.listener.pid.Load()
}

// HoldReconnects makes db's version listener, once started, wait before
// every connection attempt but the first until release is called. Call it
// before StartListener.
func (db *DB) HoldReconnects() (release func()) {
	gate := make(chan struct{})
	db.listener.beforeConnect = func(ctx context.Context) error {
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { close(gate) }) }
}

package store

import (
	"context"
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

package main

import (
	"context"
	"sync"
	"testing"

	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// TestNodesMigrateTogether opens one fresh PostgreSQL database from three
// nodes at once, as a cluster started together does: each applies
// docparse's and River's migrations under the migration lock, so every
// node starts (without it two create the same table or function and one
// fails).
func TestNodesMigrateTogether(t *testing.T) {
	t.Parallel()
	if storetest.PostgresURL(t) == "" {
		t.Skip("no PostgreSQL")
	}
	url := storetest.URL(t, store.Postgres)
	c, box, logger := serveConfig(t, getenvFrom(map[string]string{"DOCPARSE_DATA_DIR": t.TempDir(), "DATABASE_URL": url, "DOCPARSE_SECRET_KEY": testSecretKey(t)}))
	const nodes = 3
	start := make(chan struct{})
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			<-start
			db, err := openDBWith(context.Background(), c, box, logger)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
}

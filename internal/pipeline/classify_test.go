package pipeline

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// TestModelCache: the files of a batch, classified at once, share one
// build of the model; a new version (PATCH) or overrides version (an
// override) builds a new one.
func TestModelCache(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := docparse.NewIDs(time.Now)
		acct := storetest.NewAccount(t, db, "a")
		c := docparse.Classification{ID: ids.New(docparse.PrefixClassification), AccountID: acct.ID, Name: "mail", Threshold: 0.5, Version: 1,
			Categories: []docparse.Category{{ID: "cat_a", Name: "Invoices", Keywords: []string{"invoice"}}, {ID: "cat_b", Name: "Letters", Keywords: []string{"dear"}}}}
		mc := newModelCache()
		var wg sync.WaitGroup
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := mc.get(ctx, db, c)
				if err != nil || m == nil {
					t.Errorf("get: %v %v", m, err)
					return
				}
				if d := m.Classify("Invoice No 7", 0); d.CategoryID != "cat_a" {
					t.Errorf("Classify(invoice) = %+v", d)
				}
			}()
		}
		wg.Wait()
		steps := []struct {
			change func()
			builds int
		}{
			{func() {}, 1},
			{func() { c.Version++ }, 2},
			{func() { c.OverridesVersion++ }, 3},
			{func() {}, 3},
			{func() { mc.forget(c.ID) }, 4},
		}
		for i, s := range steps {
			s.change()
			if _, err := mc.get(ctx, db, c); err != nil {
				t.Fatal(err)
			}
			if mc.builds != s.builds {
				t.Errorf("step %d: %d builds, want %d", i, mc.builds, s.builds)
			}
		}
	})
}

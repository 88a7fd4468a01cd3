package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// Deleting an extraction reads its files through the index on (account_id,
// extraction_id), not through every file of the account.
func TestFilesByExtractionIndex(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		conn, err := db.Writer().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		const q = `SELECT blob_key FROM files WHERE extraction_id = 'ext_1' AND account_id = 'acc_1'`
		explain := "EXPLAIN QUERY PLAN " + q
		if db.Engine() == store.Postgres {
			// The tables are empty: without this the planner reads them whole.
			if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
				t.Fatal(err)
			}
			explain = "EXPLAIN " + q
		}
		rows, err := conn.QueryContext(ctx, explain)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var plan strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case string:
					plan.WriteString(v + " ")
				case []byte:
					plan.WriteString(string(v) + " ")
				}
			}
			plan.WriteString("\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan.String(), "files_account_extraction") {
			t.Errorf("plan of %s:\n%s\nwant the files_account_extraction index", q, plan.String())
		}
	})
}

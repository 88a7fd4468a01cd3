package store_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// A list passed as one parameter comes back whole, whatever it holds.
func TestStringList(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		for _, want := range [][]string{nil, {"a"}, {"a", "b,c", `d'e"f`, "a", "", "ü €"}} {
			list, arg := store.StringList(db.Engine(), 1, want)
			var got []string
			for _, row := range textRows(t, db.Writer(), `SELECT k.v FROM `+list, arg) {
				got = append(got, row[0])
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %q, want %q", list, got, want)
			}
		}
	})
}

// Two lists passed as two parameters come back as their pairs.
func TestStringPairs(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		for _, want := range [][2][]string{{nil, nil}, {{"a"}, {"1"}}, {{"a", "b,c", `d'e"f`, "a", ""}, {"1", "", "ü €", "2", "3"}}} {
			pairs, argA, argB := store.StringPairs(db.Engine(), 1, want[0], want[1])
			var got, wantPairs [][2]string
			for _, row := range textRows(t, db.Writer(), `SELECT k.a, k.b FROM `+pairs, argA, argB) {
				got = append(got, [2]string{row[0], row[1]})
			}
			for i := range want[0] {
				wantPairs = append(wantPairs, [2]string{want[0][i], want[1][i]})
			}
			byPair := func(x, y [2]string) int { return strings.Compare(x[0]+"\x00"+x[1], y[0]+"\x00"+y[1]) }
			slices.SortFunc(got, byPair)
			slices.SortFunc(wantPairs, byPair)
			if !slices.Equal(got, wantPairs) {
				t.Errorf("%s: got %q, want %q", pairs, got, wantPairs)
			}
		}
	})
}

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
		var plan strings.Builder
		for _, row := range textRows(t, conn, explain) {
			plan.WriteString(strings.Join(row, " ") + "\n")
		}
		if !strings.Contains(plan.String(), "files_account_extraction") {
			t.Errorf("plan of %s:\n%s\nwant the files_account_extraction index", q, plan.String())
		}
	})
}

// textRows runs q on x and returns its rows, each column as text (NULL as
// "").
func textRows(t *testing.T, x interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}, q string, args ...any) [][]string {
	t.Helper()
	rows, err := x.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

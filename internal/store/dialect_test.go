package store_test

import (
	"context"
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
			rows, err := db.Writer().QueryContext(context.Background(), `SELECT k.v FROM `+list, arg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				got = append(got, s)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatal(err)
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
			rows, err := db.Writer().QueryContext(context.Background(), `SELECT k.a, k.b FROM `+pairs, argA, argB)
			if err != nil {
				t.Fatal(err)
			}
			var got, wantPairs [][2]string
			for rows.Next() {
				var p [2]string
				if err := rows.Scan(&p[0], &p[1]); err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatal(err)
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

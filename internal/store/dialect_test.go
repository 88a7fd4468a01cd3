package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// A list passed as one parameter comes back whole, whatever it holds.
func TestStringList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		db := storetest.Open(t, engine)
		for _, want := range [][]string{nil, {"a"}, {"a", "b,c", `d'e"f`, "a", "", "ü €"}} {
			list, arg := store.StringList(engine, 1, want)
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

package store

import (
	"encoding/json"
	"fmt"
)

// The SQL that differs between the engines, beside the locks (FOR UPDATE
// and FOR SHARE exist on PostgreSQL only; SQLite's single writer already
// serialises writes) and River's times (fairness.go).

// stringList returns a table expression of one text column, v, that
// holds the strings of a list passed as the single parameter $n, and the
// argument to pass there: unnest of a text[] on PostgreSQL, json_each of
// a JSON array on SQLite. The statement's text does not depend on the
// list's length, so it is one prepared statement whatever the length.
func (e Engine) stringList(n int, vals []string) (string, any) {
	if vals == nil {
		vals = []string{}
	}
	if e == Postgres {
		return fmt.Sprintf("unnest($%d::text[]) AS k(v)", n), vals
	}
	b, _ := json.Marshal(vals) // strings always marshal
	return fmt.Sprintf("(SELECT value AS v FROM json_each($%d)) AS k", n), string(b)
}

// inStrings returns "col IN (...)" over the strings of vals, passed as
// the single parameter $n (see stringList), and the argument.
func (e Engine) inStrings(col string, n int, vals []string) (string, any) {
	list, arg := e.stringList(n, vals)
	return col + " IN (SELECT k.v FROM " + list + ")", arg
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// The SQL that differs between the engines: row locks, lists passed as
// one parameter and River's times; and rowErr and optionalRow, which read
// the error of a one-row statement the same way on both.

// lock returns the row-lock clause (FOR UPDATE, FOR SHARE, FOR UPDATE
// SKIP LOCKED), with a space before it, on PostgreSQL, and nothing on
// SQLite, where the single writer already serialises writes.
func (e Engine) lock(clause string) string {
	if e == Postgres {
		return " " + clause
	}
	return ""
}

// stringList returns a table expression of one text column, v, that
// holds the strings of a list passed as the single parameter $n, and the
// argument to pass there: unnest of a text[] on PostgreSQL, json_each of
// a JSON array on SQLite. The statement's text does not depend on the
// list's length, so it is one prepared statement whatever the length.
func (e Engine) stringList(n int, vals []string) (string, any) {
	if e == Postgres {
		return fmt.Sprintf("unnest($%d::text[]) AS k(v)", n), e.listArg(vals)
	}
	return fmt.Sprintf("(SELECT value AS v FROM json_each($%d)) AS k", n), e.listArg(vals)
}

// stringPairs returns a table expression of two text columns, a and b,
// that holds the pairs (as[i], bs[i]) of two lists of one length passed
// as the parameters $n and $n+1, and the two arguments: unnest of two
// text[] on PostgreSQL; on SQLite json_each of the first JSON array, each
// element with the element of the second at its index (json_extract, in
// linear time: a join of two json_each on their index is quadratic). Like
// stringList, one statement text whatever the length.
func (e Engine) stringPairs(n int, as, bs []string) (string, any, any) {
	if e == Postgres {
		return fmt.Sprintf("unnest($%d::text[], $%d::text[]) AS k(a, b)", n, n+1), e.listArg(as), e.listArg(bs)
	}
	return fmt.Sprintf("(SELECT x.value AS a, json_extract($%d, '$[' || x.key || ']') AS b FROM json_each($%d) x) AS k", n+1, n),
		e.listArg(as), e.listArg(bs)
}

// listArg is a list of strings as one parameter: a text[] on
// PostgreSQL, a JSON array on SQLite.
func (e Engine) listArg(vals []string) any {
	if vals == nil {
		vals = []string{}
	}
	if e == Postgres {
		return vals
	}
	b, _ := json.Marshal(vals) // strings always marshal
	return string(b)
}

// inStrings returns "col IN (...)" over the strings of vals, passed as
// the single parameter $n (see stringList), and the argument.
func (e Engine) inStrings(col string, n int, vals []string) (string, any) {
	list, arg := e.stringList(n, vals)
	return col + " IN (SELECT k.v FROM " + list + ")", arg
}

// affectedErr interprets the result of a write of one object's row, an
// UPDATE or DELETE by id: an error is wrapped with what the statement did,
// no row written is a *docparse.NotFoundError for the object of kind with
// id.
func affectedErr(res sql.Result, err error, kind, id, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return docparse.NotFound(kind, id)
	}
	return nil
}

// rowErr interprets the error of a read or write of one row: no row is a
// *docparse.NotFoundError for the object of kind with id, another error
// is wrapped with what the statement did. nil stays nil.
func rowErr(err error, kind, id, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return docparse.NotFound(kind, id)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// optionalRow interprets the error of a read of one row that may be
// missing without being an error: found reports whether the row was
// there; another error is wrapped with what the statement did.
func optionalRow(err error, what string) (found bool, _ error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("%s: %w", what, err)
}

// riverTimeRow reads one nullable River time, the one column of the one
// row that the query q answers (false for no row or NULL).
func (e Engine) riverTimeRow(ctx context.Context, x querier, q string, args ...any) (time.Time, bool, error) {
	if e == Postgres {
		var t sql.NullTime
		if _, err := optionalRow(x.QueryRowContext(ctx, q, args...).Scan(&t), "read river time"); err != nil {
			return time.Time{}, false, err
		}
		return t.Time.UTC(), t.Valid, nil
	}
	// The SQLite driver answers a column declared timestamp as a
	// time.Time and an expression over it (MAX) as text.
	var v any
	if _, err := optionalRow(x.QueryRowContext(ctx, q, args...).Scan(&v), "read river time"); err != nil {
		return time.Time{}, false, err
	}
	switch v := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return v.UTC(), true, nil
	case string, []byte:
		t, err := time.Parse(riverSQLiteTime, fmt.Sprintf("%s", v))
		if err != nil {
			return time.Time{}, false, fmt.Errorf("parse river time %q: %w", v, err)
		}
		return t, true, nil
	default:
		return time.Time{}, false, fmt.Errorf("river time of type %T", v)
	}
}

// riverSQLiteTime is how River's SQLite driver writes times.
const riverSQLiteTime = "2006-01-02 15:04:05.000"

// riverTime is t as River's driver keeps it: a timestamptz on PostgreSQL,
// text in riverSQLiteTime on SQLite (compared as text there).
func (e Engine) riverTime(t time.Time) any {
	if e == Postgres {
		return t.UTC()
	}
	return t.UTC().Round(time.Millisecond).Format(riverSQLiteTime)
}

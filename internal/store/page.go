package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Page selects one page of a list ordered by id, newest first: at most
// Limit items with ids below Cursor (all when Cursor is empty).
type Page struct {
	Limit  int
	Cursor string
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return 20
	}
	return p.Limit
}

// listOwned lists one page of the account's rows of table, newest first,
// reading cols with scan; and, when it is not empty, only the rows where
// also ("cond AND "). noun names the rows in errors.
func listOwned[T any](ctx context.Context, db *DB, table, cols, also, noun string, scan func(interface{ Scan(...any) error }) (T, error),
	accountID string, p Page) ([]T, bool, error) {
	rows, err := db.read().QueryContext(ctx, `SELECT `+cols+` FROM `+table+`
		WHERE account_id = $1 AND `+also+`($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3`, accountID, p.Cursor, p.limit()+1)
	if err != nil {
		return nil, false, fmt.Errorf("list %s: %w", noun, err)
	}
	return collect(rows, p, scan)
}

// collect scans rows into a page, reporting whether more items follow.
func collect[T any](rows *sql.Rows, p Page, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, bool, error) {
	out, err := scanAll(rows, scan)
	if err != nil {
		return nil, false, err
	}
	more := len(out) > p.limit()
	if more {
		out = out[:p.limit()]
	}
	return out, more, nil
}

// queryAll runs query on q and scans every row of its answer with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scan)
}

// scanAll scans every row of rows with scan, and closes rows.
func scanAll[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rows: %w", err)
	}
	return out, nil
}

// scanString scans a row of one text column.
func scanString(row interface{ Scan(...any) error }) (s string, err error) {
	err = row.Scan(&s)
	return s, err
}

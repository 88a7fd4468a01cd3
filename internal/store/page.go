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
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, false, fmt.Errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("rows: %w", err)
	}
	more := len(out) > p.limit()
	if more {
		out = out[:p.limit()]
	}
	return out, more, nil
}

package store

import (
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

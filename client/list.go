package client

import (
	"context"
	"iter"
	"net/url"
	"strconv"

	"github.com/docparse/docparse/wire"
)

// Page is one page of a list: newest first (the events feed: oldest
// first). Pass NextCursor as ListParams.Cursor to get the next page while
// HasMore is true. It is wire.Page, the list envelope the server sends.
type Page[T any] = wire.Page[T]

// ListParams selects a page. Limit is 1-100 (0: the server's default,
// 20); the iterators ask for 100 when it is 0. Cursor is the NextCursor of
// the previous page, opaque.
type ListParams struct {
	Limit  int
	Cursor string
}

func (p ListParams) values() url.Values {
	q := url.Values{}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	return q
}

// iterLimit is the page size the iterators ask for by default: the most
// the API gives, so that iterating costs the fewest requests.
const iterLimit = 100

// all iterates over every item of a list from cursor on, page by page, in
// pages of p.Limit or else size. It stops at the first error, which it
// yields with a zero item.
func all[T any](ctx context.Context, p ListParams, size int, page func(context.Context, ListParams) (*Page[T], error)) iter.Seq2[T, error] {
	if p.Limit == 0 {
		p.Limit = size
	}
	return func(yield func(T, error) bool) {
		for {
			pg, err := page(ctx, p)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range pg.Data {
				if !yield(it, nil) {
					return
				}
			}
			if !pg.HasMore || pg.NextCursor == "" || pg.NextCursor == p.Cursor {
				return
			}
			p.Cursor = pg.NextCursor
		}
	}
}

// allBatches iterates over ownerID's batches, newest first, page by
// page: page reads one page of them (ListBatchesPage or
// ListClassificationBatchesPage), with p's filters on every page.
func allBatches[B any](ctx context.Context, c *Client, ownerID string, p BatchListParams, page func(*Client, context.Context, string, BatchListParams) (*Page[B], error)) iter.Seq2[B, error] {
	return all(ctx, p.ListParams, c.pageSize, func(ctx context.Context, lp ListParams) (*Page[B], error) {
		p.ListParams = lp
		return page(c, ctx, ownerID, p)
	})
}

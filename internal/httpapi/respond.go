package httpapi

import (
	"context"
	"net/http"

	"github.com/docparse/docparse/internal/store"
)

// The shapes of answer that every resource gives the same way. Each
// takes what a store or service call returns and answers it, or returns
// the call's error for the adapter to map.

// one answers 200 with {name: view(v)}, the answer about one object.
// Call it with a (value, error) call: one(w, "extraction", view)(s.db.Extraction(...)).
func one[T, V any](w http.ResponseWriter, name string, view func(T) V) func(v T, err error) error {
	return func(v T, err error) error {
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{name: view(v)})
		return nil
	}
}

// created is the answer 201 {name: view(v)} of a create, for once.tx.
func created[T, V any](name string, view func(T) V) func(v T, err error) (answer, error) {
	return func(v T, err error) (answer, error) {
		if err != nil {
			return answer{}, err
		}
		return answer{Status: http.StatusCreated, Body: map[string]any{name: view(v)}}, nil
	}
}

// noContent answers 204 unless err.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// createFromJSON serves a create whose body is an In: decoded, then
// created in the transaction of createsOnce (once per Idempotency-Key,
// refusals kept too).
func createFromJSON[In any](s *Server, w http.ResponseWriter, r *http.Request,
	create func(ctx context.Context, tx *store.Tx, in In) (answer, error)) error {
	return s.createsOnce(w, r, true, func(o *once) error {
		var in In
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		return o.tx(func(ctx context.Context, tx *store.Tx) (answer, error) { return create(ctx, tx, in) })
	})
}

// listOf answers the page the request asks for (see page) of a list of
// the account's objects: fetch reads the page, id names an object for
// the next cursor, view shows one.
func listOf[T, V any](w http.ResponseWriter, r *http.Request, idPrefix string,
	fetch func(ctx context.Context, acct string, p store.Page) ([]T, bool, error), id func(T) string, view func(T) V) error {
	p, err := page(r, idPrefix)
	if err != nil {
		return err
	}
	items, more, err := fetch(r.Context(), account(r), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(items, more, id, view))
	return nil
}

// listBatchesOf answers a page of the batches of the parent (extraction
// or classification) named by the path value param, filtered as
// batchFilter reads: exists fails with the parent's not-found error when
// the account has no such parent (404, not an empty list); fetch reads
// the page.
func listBatchesOf[B, V any](w http.ResponseWriter, r *http.Request, idPrefix, param string,
	exists func(ctx context.Context, acct, id string) error,
	fetch func(ctx context.Context, acct, parentID string, f store.BatchFilter, p store.Page) ([]B, bool, error),
	id func(B) string, view func(B) V) error {
	parentID := r.PathValue(param)
	return listOf(w, r, idPrefix, func(ctx context.Context, acct string, p store.Page) ([]B, bool, error) {
		f, err := batchFilter(r)
		if err != nil {
			return nil, false, err
		}
		if err := exists(ctx, acct, parentID); err != nil {
			return nil, false, err
		}
		return fetch(ctx, acct, parentID, f, p)
	}, id, view)
}

// pollBatchOf is the polling endpoint of the batches of a parent named
// by the path value param (see poll): version reads the batch's version,
// read the whole batch with its files, answered as view shows them;
// seen is the version of a batch read whole.
func pollBatchOf[B, F, V any](s *Server, w http.ResponseWriter, r *http.Request, param string,
	version func(ctx context.Context, acct, parentID, batchID string) (int64, error),
	read func(ctx context.Context, acct, parentID, batchID string) (B, []F, error),
	view func(B, []F) V, seen func(B) int64) error {
	ctx, acct := r.Context(), account(r)
	parentID, batchID := r.PathValue(param), r.PathValue("batch_id")
	v, err := version(ctx, acct, parentID, batchID)
	if err != nil {
		return err
	}
	return s.poll(w, r, batchID, v, func() (any, int64, error) {
		b, files, err := read(ctx, acct, parentID, batchID)
		if err != nil {
			return nil, 0, err
		}
		return view(b, files), seen(b), nil
	})
}

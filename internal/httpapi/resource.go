package httpapi

import (
	"context"
	"net/http"

	"github.com/docparse/docparse/internal/store"
)

// resource is one kind of the account's things that the API creates,
// lists, reads, patches and deletes alike (the extractions, the
// classifications): the kind is data, its five handlers are written once.
// T is what is stored and V its answer; In is the body of a create or a
// patch, and P the pipeline's input it gives.
type resource[T, V, P any, In interface{ input() P }] struct {
	s      *Server
	name   string // the answer's key; the path value is name + "_id"
	prefix string // of the IDs, for the list's cursor
	view   func(T) V
	id     func(T) string
	list   func(ctx context.Context, accountID string, p store.Page) ([]T, bool, error)
	get    func(ctx context.Context, accountID, id string) (T, error)
	create func(ctx context.Context, tx *store.Tx, accountID string, in P) (T, error)
	update func(ctx context.Context, accountID, id string, in P) (T, error)
	remove func(ctx context.Context, accountID, id string) error
}

// serveCreate creates one from the body, once per Idempotency-Key
// (createFromJSON): 201 with it.
func (k resource[T, V, P, In]) serveCreate(w http.ResponseWriter, r *http.Request) error {
	return createFromJSON(k.s, w, r, func(ctx context.Context, tx *store.Tx, in In) (answer, error) {
		return created(k.name, k.view)(k.create(ctx, tx, account(r), in.input()))
	})
}

// serveList answers a page of the account's, newest first (listOf).
func (k resource[T, V, P, In]) serveList(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, k.prefix, k.list, k.id, k.view)
}

// serveGet answers the one the path names.
func (k resource[T, V, P, In]) serveGet(w http.ResponseWriter, r *http.Request) error {
	return one(w, k.name, k.view)(k.get(r.Context(), account(r), r.PathValue(k.name+"_id")))
}

// serveUpdate patches the one the path names with the body.
func (k resource[T, V, P, In]) serveUpdate(w http.ResponseWriter, r *http.Request) error {
	var in In
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return one(w, k.name, k.view)(k.update(r.Context(), account(r), r.PathValue(k.name+"_id"), in.input()))
}

// serveDelete deletes the one the path names: 204.
func (k resource[T, V, P, In]) serveDelete(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, k.remove(r.Context(), account(r), r.PathValue(k.name+"_id")))
}

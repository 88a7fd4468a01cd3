package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/wire"
)

// page reads ?limit= (1-100, default 20) and ?cursor= (opaque: the
// base64url of the last id of the previous page).
func page(r *http.Request, idPrefix string) (store.Page, error) {
	p := store.Page{Limit: 20}
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return p, errorf(http.StatusBadRequest, "invalid_request", "limit must be an integer from 1 to 100, not %s", docparse.Quote(v))
		}
		p.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || !strings.HasPrefix(string(b), idPrefix) {
			return p, errorf(http.StatusBadRequest, "invalid_cursor", "cursor %s is not a cursor of this list", docparse.Quote(v))
		}
		p.Cursor = string(b)
	}
	return p, nil
}

func cursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

// list builds a list body from one page of items.
func list[T, V any](items []T, more bool, id func(T) string, view func(T) V) wire.Page[V] {
	out := wire.Page[V]{Data: make([]V, 0, len(items)), HasMore: more}
	for _, it := range items {
		out.Data = append(out.Data, view(it))
	}
	if more && len(items) > 0 {
		out.NextCursor = cursor(id(items[len(items)-1]))
	}
	return out
}

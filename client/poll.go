package client

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// What one round of a poller does.

const (
	// updatedOverlap is how far before the newest updated_at seen the
	// next list of changed batches starts. A batch's updated_at is the
	// server's clock when a change began, and the change is visible only
	// once its transaction commits: the overlap covers that delay and
	// small clock differences between server processes.
	updatedOverlap = 3 * time.Second
	// revalidateEvery: every so many rounds, one watched batch is also
	// read directly (round-robin, with If-None-Match), so that a change
	// the list missed for any reason is still seen eventually.
	revalidateEvery = 5
	// directUnseen is how many newly watched batches are read directly;
	// more are found by listing the owner's newest batches.
	directUnseen = 2
	// requestTimeout bounds one request of a poller: an answer that never
	// comes (a half-open connection, a stuck proxy) is a network error,
	// retried with backoff, not a wait stuck for good.
	requestTimeout = 30 * time.Second
)

// round is one poll: learn what changed, report progress, read and
// deliver the batches that ended.
func (p *poller[B, R]) round(ctx context.Context) error {
	p.rounds++
	ids := p.watched()
	for id := range p.states {
		if !ids[id] {
			delete(p.states, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if len(ids) == 1 {
		// One batch: the polling endpoint with If-None-Match is as cheap
		// as a list, and answers 304 while nothing changes.
		for id := range ids {
			return p.refresh(ctx, id)
		}
	}
	if err := p.discover(ctx, ids); err != nil {
		return err
	}
	if err := p.finish(ctx, ids); err != nil {
		return err
	}
	if p.rounds%revalidateEvery == 0 {
		return p.revalidate(ctx, ids)
	}
	return nil
}

// discover learns the current state of the watched batches that changed.
func (p *poller[B, R]) discover(ctx context.Context, ids map[string]bool) error {
	var unseen []string
	for id := range ids {
		if p.states[id] == nil {
			unseen = append(unseen, id)
		}
	}
	if p.maxSeen.IsZero() || len(unseen) > directUnseen {
		return p.scan(ctx, ids)
	}
	lp := BatchListParams{UpdatedAfter: p.maxSeen.Add(-updatedOverlap), ListParams: ListParams{Limit: iterLimit}}
	for {
		pg, err := p.list(ctx, lp)
		if err != nil {
			return err
		}
		for _, b := range pg.Data {
			p.observe(b, ids, "")
		}
		if !pg.HasMore || pg.NextCursor == "" {
			break
		}
		lp.Cursor = pg.NextCursor
	}
	for _, id := range unseen {
		if err := p.refresh(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// scan lists the owner's batches, newest first, until every watched batch
// has been seen; a watched batch missing from the whole list is read
// directly (and is then most likely a 404 for its waiters).
func (p *poller[B, R]) scan(ctx context.Context, ids map[string]bool) error {
	missing := make(map[string]bool, len(ids))
	for id := range ids {
		missing[id] = true
	}
	lp := BatchListParams{ListParams: ListParams{Limit: iterLimit}}
	for len(missing) > 0 {
		pg, err := p.list(ctx, lp)
		if err != nil {
			return err
		}
		for _, b := range pg.Data {
			p.observe(b, ids, "")
			delete(missing, p.kind.head(b).id)
		}
		if !pg.HasMore || pg.NextCursor == "" {
			break
		}
		lp.Cursor = pg.NextCursor
	}
	for id := range missing {
		if err := p.refresh(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// observe records a batch as seen and reports it to its waiters when it
// changed. etag is the batch's ETag when it was read directly.
func (p *poller[B, R]) observe(b B, ids map[string]bool, etag string) {
	h := p.kind.head(b)
	if h.updatedAt.After(p.maxSeen) {
		p.maxSeen = h.updatedAt
	}
	if !ids[h.id] {
		return
	}
	st := p.states[h.id]
	if st == nil {
		st = &batchState{}
		p.states[h.id] = st
	} else if st.head.updatedAt.Equal(h.updatedAt) && st.head.sameProgress(h) {
		return
	}
	st.head = h
	if etag != "" {
		st.etag = etag
	}
	p.update(h.id, b)
}

// finish reads every watched batch that ended, with its files, and
// delivers it.
func (p *poller[B, R]) finish(ctx context.Context, ids map[string]bool) error {
	for id := range ids {
		st := p.states[id]
		if st == nil || !st.head.ended || !p.isWatched(id) {
			continue
		}
		res, _, err := p.get(ctx, id, "")
		if err != nil {
			if IsNotFound(err) {
				p.deliver(id, nil, err)
				continue
			}
			return err
		}
		p.deliver(id, res, nil)
	}
	return nil
}

// revalidate reads one watched batch directly, in turn.
func (p *poller[B, R]) revalidate(ctx context.Context, ids map[string]bool) error {
	var order []string
	for id := range ids {
		if p.isWatched(id) {
			order = append(order, id)
		}
	}
	if len(order) == 0 {
		return nil
	}
	slices.Sort(order) // a stable order makes the round-robin real

	p.next %= len(order)
	id := order[p.next]
	p.next++
	return p.refresh(ctx, id)
}

// refresh reads one batch directly with If-None-Match and delivers it when
// it ended. A 404 fails its waiters only.
func (p *poller[B, R]) refresh(ctx context.Context, id string) error {
	etag := ""
	if st := p.states[id]; st != nil {
		etag = st.etag
	}
	res, newTag, err := p.get(ctx, id, etag)
	if err != nil {
		if IsNotFound(err) {
			p.deliver(id, nil, err)
			return nil
		}
		return err
	}
	if res == nil { // 304: unchanged
		return nil
	}
	b := p.kind.batch(res)
	p.observe(b, map[string]bool{id: true}, newTag)
	if p.kind.head(b).ended {
		p.deliver(id, res, nil)
	}
	return nil
}

// get reads a batch with its files, paced. It returns nil and no error
// for a 304.
func (p *poller[B, R]) get(ctx context.Context, id, etag string) (*R, string, error) {
	if err := p.c.pace.wait(ctx); err != nil {
		return nil, "", err
	}
	var h http.Header
	if etag != "" {
		h = http.Header{"If-None-Match": []string{etag}}
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	resp, err := p.c.send(ctx, request{method: http.MethodGet, path: p.kind.batchesPath(p.ownerID, id), header: h})
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, etag, nil
	}
	var out R
	if err := decodeBody(resp, &out); err != nil {
		return nil, "", fmt.Errorf("docparse: decode %s %s: %w", p.kind.noun, id, err)
	}
	return &out, resp.Header.Get("ETag"), nil
}

// list reads one page of the owner's batches, paced.
func (p *poller[B, R]) list(ctx context.Context, lp BatchListParams) (*Page[B], error) {
	if err := p.c.pace.wait(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	return p.kind.list(p.c, ctx, p.ownerID, lp)
}

package client

import (
	"context"
	"fmt"
	"time"
)

// Polling intervals of [Client.WaitForBatch] and
// [Client.WaitForClassificationBatch]. The API asks clients to poll every
// 2-5 s; an interval outside that range is clamped to it.
const (
	DefaultPollInterval = 3 * time.Second
	MinPollInterval     = 2 * time.Second
	MaxPollInterval     = 5 * time.Second
)

// WaitOptions tune [Client.WaitForBatch] and
// [Client.WaitForClassificationBatch].
type WaitOptions struct {
	// Interval between polls; 0 means the Client's (WithPollInterval,
	// default 3 s). It is clamped to [2 s, 5 s]. Waits on one extraction
	// (or one classification) share one poller, which polls at the
	// shortest interval among them.
	Interval time.Duration
	// OnProgress, when set, is called on the caller's goroutine with the
	// batch each time its status or counts are seen to change, first
	// when the batch is first seen, last with the final batch before
	// WaitForBatch returns.
	OnProgress func(Batch)
	// OnProgressClassification is OnProgress for
	// [Client.WaitForClassificationBatch].
	OnProgressClassification func(ClassificationBatch)
}

// WaitForBatch waits until a batch ends (processed, partial or failed) and
// returns it with its files; a failed batch is a result, not an error. It
// returns ctx's error, wrapped, when ctx ends first, and an *Error when the
// API refuses (404 for an unknown batch, 401 for a revoked key).
//
// Every WaitForBatch on one Client shares one poller per extraction, so a
// hundred concurrent waits cost about what one does. Each interval the
// poller makes one request: GET of the batch with If-None-Match when it
// watches one batch, otherwise one list of the extraction's batches
// updated since the newest change it has seen (minus a few seconds of
// overlap; a further page only when more than 100 changed). Status and
// counts come from that list; a batch is read in full (with its files)
// only once, when it has ended. Every fifth round one watched batch is
// also read directly, in turn, as a safety net. New batches are found
// with one list of the newest batches (one GET each when at most two are
// new). The poller stops when its last wait returns.
//
// All of a Client's pollers together send at most 5 requests per second
// (WithPollRate), half of docparse's default per-key limit, and pause for
// a second when a response shows the key's bucket nearly empty, so the
// application's own calls keep their share. A 429 pauses them for its
// Retry-After; network errors, requests unanswered after 30 s and 5xx back
// off exponentially with jitter, up to 30 s, without failing the wait:
// bound the wait with ctx.
func (c *Client) WaitForBatch(ctx context.Context, extractionID, batchID string, o WaitOptions) (*BatchResult, error) {
	return wait(ctx, c, extractionBatches, extractionID, batchID, o.Interval, o.OnProgress)
}

// WaitForClassificationBatch waits until a classification batch ends
// (processed, partial or failed) and returns it with its files; a failed
// batch is a result, not an error. It returns ctx's error, wrapped, when
// ctx ends first, and an *Error when the API refuses. It waits exactly as
// [Client.WaitForBatch] does: waits on one classification share one
// poller, with the same intervals, If-None-Match, lists of changed
// batches, pacing and backoff, and within the same budget of requests.
// o.OnProgressClassification, when set, is called with the batch each
// time its status or counts are seen to change.
func (c *Client) WaitForClassificationBatch(ctx context.Context, classificationID, batchID string, o WaitOptions) (*ClassificationBatchResult, error) {
	return wait(ctx, c, classificationBatches, classificationID, batchID, o.Interval, o.OnProgressClassification)
}

// wait is both waits: it joins the poller of ownerID's batches of kind k,
// reports progress on the caller's goroutine, and returns what the poller
// delivers for batchID, or ctx's error.
func wait[B, R any](ctx context.Context, c *Client, k *batchKind[B, R], ownerID, batchID string, interval time.Duration, progress func(B)) (*R, error) {
	if ownerID == "" || batchID == "" {
		return nil, fmt.Errorf("docparse: wait for %s: empty %s or batch id", k.noun, k.owner)
	}
	w := &waiter[B, R]{batchID: batchID, interval: c.clamp(interval), updates: make(chan B, 1), done: make(chan waitResult[R], 1)}
	w.join(c, k, ownerID)
	defer w.leave()
	var last *batchHead
	report := func(b B) {
		h := k.head(b)
		if progress == nil || (last != nil && last.sameProgress(h)) {
			return
		}
		last = &h
		progress(b)
	}
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("docparse: wait for %s %s: %w", k.noun, batchID, ctx.Err())
		case b := <-w.updates:
			report(b)
		case r := <-w.done:
			if r.err != nil {
				return nil, r.err
			}
			select {
			case b := <-w.updates:
				report(b)
			default:
			}
			report(k.batch(r.res))
			return r.res, nil
		}
	}
}

// clamp returns the poll interval for a wait that asked for d.
func (c *Client) clamp(d time.Duration) time.Duration {
	if d == 0 {
		d = c.interval
	}
	return min(max(d, c.minInterval), MaxPollInterval)
}

package client

import (
	"context"
	"slices"
	"time"
)

// batchKind is what the waits need to know of one kind of batch: whose
// batches they are and how to read a batch's progress. The poller is the
// same for both kinds; B is the batch as listed, R the batch with its
// files.
type batchKind[B, R any] struct {
	owner string // "extraction": the batches' owner, in errors; its collection is owner+"s"
	noun  string // "batch": the batch, in errors
	list  func(c *Client, ctx context.Context, ownerID string, p BatchListParams) (*Page[B], error)
	head  func(B) batchHead
	batch func(*R) B
	clone func(*R) *R // a copy for one waiter, with its own slice of files
}

var (
	extractionBatches = &batchKind[Batch, BatchResult]{owner: "extraction", noun: "batch",
		list: (*Client).ListBatchesPage, head: extractionHead, clone: cloneBatch,
		batch: func(r *BatchResult) Batch { return r.Batch }}
	classificationBatches = &batchKind[ClassificationBatch, ClassificationBatchResult]{owner: "classification", noun: "classification batch",
		list: (*Client).ListClassificationBatchesPage, head: classificationHead, clone: cloneClassificationBatch,
		batch: func(r *ClassificationBatchResult) ClassificationBatch { return r.Batch }}
)

func extractionHead(b Batch) batchHead {
	return batchHead{id: b.ID, status: b.Status, ended: b.Terminal(), counts: b.Counts, updatedAt: b.UpdatedAt}
}

func classificationHead(b ClassificationBatch) batchHead {
	return batchHead{id: b.ID, status: b.Status, ended: b.Terminal(), counts: b.Counts, updatedAt: b.UpdatedAt}
}

// cloneBatch and cloneClassificationBatch give each waiter its own copy.
func cloneBatch(r *BatchResult) *BatchResult {
	out := *r
	out.Files = slices.Clone(r.Files)
	return &out
}

func cloneClassificationBatch(r *ClassificationBatchResult) *ClassificationBatchResult {
	out := *r
	out.Files = slices.Clone(r.Files)
	return &out
}

// batchesPath is the path of ownerID's batches, or with more segments of
// something under them.
func (k *batchKind[B, R]) batchesPath(ownerID string, more ...string) string {
	return path(append([]string{k.owner + "s", ownerID, "batches"}, more...)...)
}

// batchHead is what the poller follows of a batch: enough to tell that it
// changed and that it ended.
type batchHead struct {
	id        string
	status    string
	ended     bool // the status is terminal
	counts    Counts
	updatedAt time.Time
}

// sameProgress reports whether h shows what o showed: the same status and
// counts. Progress is reported only when they change.
func (h batchHead) sameProgress(o batchHead) bool {
	return h.status == o.status && h.counts == o.counts
}

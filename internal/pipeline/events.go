package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/wire"
)

// EventTypes lists every event type an endpoint may subscribe to.
var EventTypes = []string{
	wire.EventExtractionCompleted, wire.EventExtractionFailed, wire.EventFileProcessed, wire.EventFileNeedsReview, wire.EventFileFailed,
	wire.EventClassificationCompleted, wire.EventFileClassified, wire.EventEndpointTest,
}

// KnownEventType reports whether t is an event type of API.md.
func KnownEventType(t string) bool { return slices.Contains(EventTypes, t) }

// eventBody is the exact JSON every delivery of an event sends.
type eventBody struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

// emit appends an event to the feed and queues its deliveries inside tx
// (the outbox): the event exists if and only if the change that caused it
// commits. It returns the deliveries to hand to the dispatcher after the
// commit.
func (s *Service) emit(ctx context.Context, tx *store.Tx, accountID, typ string, data any) ([]store.DeliveryTask, error) {
	now := s.Now()
	payload, err := json.Marshal(eventBody{Type: typ, Timestamp: now.Format(time.RFC3339Nano), Data: data})
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	ev := docparse.Event{ID: s.ids.New(docparse.PrefixEvent), AccountID: accountID, Type: typ, Payload: payload, CreatedAt: now}
	return tx.InsertEvent(ctx, &ev, func() string { return s.ids.New(prefixDelivery) }, now.Add(s.dispatch.lease()))
}

const prefixDelivery = "dlv_"

// moveEvents emits what a file's move m causes, the same way for every
// kind of batch: when the move made the file terminal (ended), the file's
// own event (file); then, when the move also ended the batch, the batch's
// event (batch), once per batch.
func moveEvents[F, B any](ctx context.Context, s *Service, tx *store.Tx, accountID string, m store.FileMove[F, B], ended bool,
	file func(F) (typ string, data any), batch func(B) (typ string, data any, err error)) ([]store.DeliveryTask, error) {
	if !m.Moved || !ended {
		return nil, nil
	}
	typ, data := file(m.File)
	tasks, err := s.emit(ctx, tx, accountID, typ, data)
	if err != nil || !m.BatchEnded {
		return tasks, err
	}
	typ, data, err = batch(m.Batch)
	if err != nil {
		return nil, err
	}
	more, err := s.emit(ctx, tx, accountID, typ, data)
	return append(tasks, more...), err
}

// fileEvents emits the events an extraction file's move causes
// (moveEvents): file.processed, file.needs_review or file.failed when the
// file ends, then extraction.completed or extraction.failed when the move
// ended the batch.
func (s *Service) fileEvents(ctx context.Context, tx *store.Tx, m store.Move) ([]store.DeliveryTask, error) {
	return moveEvents(ctx, s, tx, m.File.AccountID, m, m.File.Status.Terminal(), func(f docparse.File) (string, any) {
		return fileEvent(f)
	}, func(b docparse.Batch) (string, any, error) {
		files, err := tx.BatchFileSummaries(ctx, b.AccountID, b.ID)
		if err != nil {
			return "", nil, err
		}
		typ, data := batchEvent(b, files)
		return typ, data, nil
	})
}

// fileEvent is the event of an extraction file that ended.
func fileEvent(f docparse.File) (string, wire.FileEventData) {
	typ := map[docparse.FileStatus]string{docparse.FileProcessed: wire.EventFileProcessed,
		docparse.FileNeedsReview: wire.EventFileNeedsReview, docparse.FileFailed: wire.EventFileFailed}[f.Status]
	return typ, wire.FileEventData{ExtractionID: f.ExtractionID, BatchID: f.BatchID, File: wire.EventFile{ID: f.ID, FileName: f.FileName,
		PageCount: f.PageCount, Status: string(f.Status), Error: (*wire.FileError)(f.Error)}}
}

// batchEvent is the event of an ended extraction batch. Its files carry
// no error: the batch's own error says that every file failed.
func batchEvent(b docparse.Batch, files []docparse.File) (string, wire.BatchEventData) {
	data := wire.BatchEventData{ExtractionID: b.ExtractionID, BatchID: b.ID, Status: string(b.Status), FileCount: b.FileCount,
		PageCount: b.PageCount, Counts: wire.Counts(b.Counts), Files: make([]wire.BatchFile, len(files))}
	for i, x := range files {
		data.Files[i] = wire.BatchFile{ID: x.ID, FileName: x.FileName, Status: string(x.Status), PageCount: x.PageCount}
	}
	if b.Status == docparse.BatchFailed {
		data.Error = &wire.FileError{Code: "all_files_failed", Message: "every file of the batch failed"}
		return wire.EventExtractionFailed, data
	}
	return wire.EventExtractionCompleted, data
}

// ViewClassifiedFile is a classification file in the data of
// file.classified and classification.completed: its result (the override
// when there is one), null category when unclassified or failed.
func ViewClassifiedFile(f docparse.ClassificationFile) wire.ClassifiedFile {
	out := wire.ClassifiedFile{ID: f.ID, FileName: f.FileName, Status: string(f.Status), PageCount: f.PageCount, Overridden: f.Override != nil,
		Error: (*wire.FileError)(f.Error)}
	if d, ok := f.Result(); ok {
		if d.CategoryID != "" {
			out.CategoryID, out.CategoryName = &d.CategoryID, &d.CategoryName
		}
		out.Confidence = &d.Confidence
	}
	if f.LinkedBatchID != "" {
		out.LinkedBatchID = &f.LinkedBatchID
	}
	return out
}

// classificationEvents emits what a classification file's move causes
// (moveEvents): file.classified when the file ends (processed or failed);
// and when the move ended the batch, the chained extraction batches, then
// classification.completed, once per batch, naming the batches the files
// went to.
func (s *Service) classificationEvents(ctx context.Context, tx *store.Tx, c docparse.Classification, m store.ClassificationMove) ([]store.DeliveryTask, error) {
	return moveEvents(ctx, s, tx, m.File.AccountID, m, m.File.Status.Terminal(), func(f docparse.ClassificationFile) (string, any) {
		return wire.EventFileClassified, wire.FileClassifiedEventData{ClassificationID: f.ClassificationID, BatchID: f.BatchID, File: ViewClassifiedFile(f)}
	}, func(b docparse.ClassificationBatch) (string, any, error) {
		if err := s.chainBatch(ctx, tx, c, b); err != nil {
			return "", nil, err
		}
		files, err := tx.ClassificationBatchFiles(ctx, b.AccountID, b.ID)
		if err != nil {
			return "", nil, err
		}
		return wire.EventClassificationCompleted, classificationBatchEvent(b, files), nil
	})
}

// classificationBatchEvent is the data of classification.completed.
func classificationBatchEvent(b docparse.ClassificationBatch, files []docparse.ClassificationFile) wire.ClassificationEventData {
	data := wire.ClassificationEventData{ClassificationID: b.ClassificationID, BatchID: b.ID, Status: string(b.Status),
		FileCount: b.FileCount, PageCount: b.PageCount, Counts: wire.Counts(b.Counts), Files: make([]wire.ClassifiedFile, len(files))}
	for i, x := range files {
		data.Files[i] = ViewClassifiedFile(x)
	}
	return data
}

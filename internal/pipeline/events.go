package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// Event types of API.md.
const (
	EventExtractionCompleted     = "extraction.completed"
	EventExtractionFailed        = "extraction.failed"
	EventFileProcessed           = "file.processed"
	EventFileNeedsReview         = "file.needs_review"
	EventFileFailed              = "file.failed"
	EventClassificationCompleted = "classification.completed"
	EventFileClassified          = "file.classified"
	EventEndpointTest            = "endpoint.test"
)

// EventTypes lists every event type an endpoint may subscribe to.
var EventTypes = []string{
	EventExtractionCompleted, EventExtractionFailed, EventFileProcessed, EventFileNeedsReview, EventFileFailed,
	EventClassificationCompleted, EventFileClassified, EventEndpointTest,
}

// KnownEventType reports whether t is an event type of API.md.
func KnownEventType(t string) bool {
	for _, x := range EventTypes {
		if x == t {
			return true
		}
	}
	return false
}

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

type fileEventFile struct {
	ID        string              `json:"id"`
	FileName  string              `json:"file_name"`
	PageCount int                 `json:"page_count"`
	Status    docparse.FileStatus `json:"status"`
	Error     *docparse.FileError `json:"error,omitempty"`
}

type fileEventData struct {
	ExtractionID string        `json:"extraction_id"`
	BatchID      string        `json:"batch_id"`
	File         fileEventFile `json:"file"`
}

type batchEventFile struct {
	ID        string              `json:"id"`
	FileName  string              `json:"file_name"`
	Status    docparse.FileStatus `json:"status"`
	PageCount int                 `json:"page_count"`
}

// endedBatch is what the event of an ended batch says of the batch, for
// every kind; its fields stand in the event's data where it is embedded.
type endedBatch struct {
	BatchID   string               `json:"batch_id"`
	Status    docparse.BatchStatus `json:"status"`
	FileCount int                  `json:"file_count"`
	PageCount int                  `json:"page_count"`
	Counts    docparse.Counts      `json:"counts"`
}

type batchEventData struct {
	ExtractionID string `json:"extraction_id"`
	endedBatch
	Files []batchEventFile    `json:"files"`
	Error *docparse.FileError `json:"error,omitempty"`
}

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
		typ := map[docparse.FileStatus]string{docparse.FileProcessed: EventFileProcessed,
			docparse.FileNeedsReview: EventFileNeedsReview, docparse.FileFailed: EventFileFailed}[f.Status]
		return typ, fileEventData{ExtractionID: f.ExtractionID, BatchID: f.BatchID,
			File: fileEventFile{ID: f.ID, FileName: f.FileName, PageCount: f.PageCount, Status: f.Status, Error: f.Error}}
	}, func(b docparse.Batch) (string, any, error) {
		files, err := tx.BatchFileSummaries(ctx, b.AccountID, b.ID)
		if err != nil {
			return "", nil, err
		}
		data := batchEventData{ExtractionID: b.ExtractionID, endedBatch: endedBatch{BatchID: b.ID, Status: b.Status,
			FileCount: b.FileCount, PageCount: b.PageCount, Counts: b.Counts}, Files: make([]batchEventFile, len(files))}
		for i, x := range files {
			data.Files[i] = batchEventFile{ID: x.ID, FileName: x.FileName, Status: x.Status, PageCount: x.PageCount}
		}
		if b.Status == docparse.BatchFailed {
			data.Error = &docparse.FileError{Code: "all_files_failed", Message: "every file of the batch failed"}
			return EventExtractionFailed, data, nil
		}
		return EventExtractionCompleted, data, nil
	})
}

// classifiedFile is a classification file in the data of file.classified
// and classification.completed: its result (the override when there is
// one), null category when unclassified or failed.
type classifiedFile struct {
	ID            string              `json:"id"`
	FileName      string              `json:"file_name"`
	Status        docparse.FileStatus `json:"status"`
	PageCount     int                 `json:"page_count"`
	CategoryID    *string             `json:"category_id"`
	CategoryName  *string             `json:"category_name"`
	Confidence    *float64            `json:"confidence"`
	Overridden    bool                `json:"overridden"`
	LinkedBatchID *string             `json:"linked_batch_id,omitempty"`
	Error         *docparse.FileError `json:"error,omitempty"`
}

func viewClassifiedFile(f docparse.ClassificationFile) classifiedFile {
	out := classifiedFile{ID: f.ID, FileName: f.FileName, Status: f.Status, PageCount: f.PageCount, Overridden: f.Override != nil, Error: f.Error}
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

type fileClassifiedData struct {
	ClassificationID string         `json:"classification_id"`
	BatchID          string         `json:"batch_id"`
	File             classifiedFile `json:"file"`
}

type classificationCompletedData struct {
	ClassificationID string `json:"classification_id"`
	endedBatch
	Files []classifiedFile `json:"files"`
}

// classificationEvents emits what a classification file's move causes
// (moveEvents): file.classified when the file ends (processed or failed);
// and when the move ended the batch, the chained extraction batches, then
// classification.completed, once per batch, naming the batches the files
// went to.
func (s *Service) classificationEvents(ctx context.Context, tx *store.Tx, c docparse.Classification, m store.ClassificationMove) ([]store.DeliveryTask, error) {
	return moveEvents(ctx, s, tx, m.File.AccountID, m, m.File.Status.Terminal(), func(f docparse.ClassificationFile) (string, any) {
		return EventFileClassified, fileClassifiedData{ClassificationID: f.ClassificationID, BatchID: f.BatchID, File: viewClassifiedFile(f)}
	}, func(b docparse.ClassificationBatch) (string, any, error) {
		if err := s.chainBatch(ctx, tx, c, b); err != nil {
			return "", nil, err
		}
		files, err := tx.ClassificationBatchFiles(ctx, b.AccountID, b.ID)
		if err != nil {
			return "", nil, err
		}
		data := classificationCompletedData{ClassificationID: b.ClassificationID, endedBatch: endedBatch{BatchID: b.ID, Status: b.Status,
			FileCount: b.FileCount, PageCount: b.PageCount, Counts: b.Counts}, Files: make([]classifiedFile, len(files))}
		for i, x := range files {
			data.Files[i] = viewClassifiedFile(x)
		}
		return EventClassificationCompleted, data, nil
	})
}

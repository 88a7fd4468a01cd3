package pipeline

import (
	"context"
	"sync"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/classify"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/store"
)

// ClassifyFileArgs is the job that classifies one file of a
// classification batch. One is inserted per file, in the transaction that
// creates the batch.
type ClassifyFileArgs struct{ fileOf }

// Kind is River's name of the job.
func (ClassifyFileArgs) Kind() string { return "classify_file" }

// InsertOpts puts the job on the classify queue.
func (ClassifyFileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueClassify}
}

// classifyJob is what the job of a classification file does (fileJob):
// read the file's text and classify it with the classification's model.
// Each move of the file holds its classification's shared lock (see
// store.Tx.LockClassification); the move that ends the batch also submits
// the batch's files to the extractions linked to their categories, in the
// same transaction (classificationEvents).
type classifyJob struct{ s *Service }

// classifyWork is what classifying a file needs.
type classifyWork struct {
	c docparse.Classification
	f docparse.ClassificationFile
}

func (j classifyJob) start(ctx context.Context, tx *store.Tx, accountID, fileID string) (classifyWork, bool, error) {
	c, m, err := j.move(ctx, tx, accountID, fileID, docparse.FileProcessing, store.ClassificationOutcome{})
	return classifyWork{c: c, f: m.File}, m.Moved, err
}

func (j classifyJob) work(ctx context.Context, w classifyWork) (docparse.FileStatus, store.ClassificationOutcome, error) {
	return j.s.classifyFile(ctx, w.c, w.f)
}

func (classifyJob) failed(e *docparse.FileError) store.ClassificationOutcome {
	return store.ClassificationOutcome{Error: e}
}

func (j classifyJob) finish(ctx context.Context, tx *store.Tx, accountID, fileID string, to docparse.FileStatus, out store.ClassificationOutcome) ([]store.DeliveryTask, error) {
	c, m, err := j.move(ctx, tx, accountID, fileID, to, out)
	if err != nil {
		return nil, err
	}
	return j.s.classificationEvents(ctx, tx, c, m)
}

// move moves the account's classification file to status to, storing
// out, holding its classification's shared lock, in tx.
func (j classifyJob) move(ctx context.Context, tx *store.Tx, accountID, fileID string, to docparse.FileStatus, out store.ClassificationOutcome) (docparse.Classification, store.ClassificationMove, error) {
	f, err := tx.ClassificationFileForWork(ctx, accountID, fileID)
	if err != nil {
		return docparse.Classification{}, store.ClassificationMove{}, err
	}
	c, err := tx.LockClassification(ctx, accountID, f.ClassificationID, false)
	if err != nil {
		return c, store.ClassificationMove{}, err
	}
	m, err := tx.MoveClassificationFile(ctx, accountID, fileID, to, out, j.s.Now())
	return c, m, err
}

// classifyFile reads a stored file and classifies its text with the
// classification's model. It returns the file's final status and what to
// store; an error is transient.
func (s *Service) classifyFile(ctx context.Context, c docparse.Classification, f docparse.ClassificationFile) (docparse.FileStatus, store.ClassificationOutcome, error) {
	doc, ferr, err := s.readDocument(ctx, f.ID, f.Size, f.Kind, f.BlobKey, extract.ExtractOptions{})
	if err != nil {
		return "", store.ClassificationOutcome{}, err
	}
	if ferr != nil {
		return docparse.FileFailed, store.ClassificationOutcome{Error: ferr}, nil
	}
	model, err := s.models.get(ctx, s.db, c)
	if err != nil {
		return "", store.ClassificationOutcome{}, err
	}
	text := doc.Text()
	d := model.Classify(text, c.Threshold)
	return docparse.FileProcessed, store.ClassificationOutcome{
		Decision: &docparse.Decision{CategoryID: d.CategoryID, CategoryName: d.CategoryName, Confidence: d.Confidence, Reasoning: d.Reasoning},
		Text:     truncateUTF8(text, docparse.MaxClassifiedText),
	}, nil
}

// truncateUTF8 returns at most n bytes of s, cut at a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// chainBatch submits the files of a classification batch that ended to
// the extractions linked to their categories (the override's when there
// is one): one new extraction batch per extraction, whose files name the
// same stored documents (nothing is copied), with one process_file job per
// file, all in tx. Each file records the batch it went to. A linked
// extraction that no longer exists is skipped.
func (s *Service) chainBatch(ctx context.Context, tx *store.Tx, c docparse.Classification, b docparse.ClassificationBatch) error {
	files, err := tx.ClassificationBatchFiles(ctx, b.AccountID, b.ID)
	if err != nil {
		return err
	}
	var order []string
	byExt := map[string][]docparse.ClassificationFile{}
	for _, f := range files {
		d, ok := f.Result()
		if f.Status != docparse.FileProcessed || !ok || d.CategoryID == "" || f.LinkedBatchID != "" {
			continue
		}
		cat, ok := c.Category(d.CategoryID)
		if !ok || cat.LinkedExtractionID == "" {
			continue
		}
		if _, seen := byExt[cat.LinkedExtractionID]; !seen {
			order = append(order, cat.LinkedExtractionID)
		}
		byExt[cat.LinkedExtractionID] = append(byExt[cat.LinkedExtractionID], f)
	}
	now := s.Now()
	for _, extID := range order {
		ok, err := tx.ExtractionExists(ctx, b.AccountID, extID)
		if err != nil {
			return err
		}
		if !ok {
			s.log.Warn("linked extraction gone", "classification_id", c.ID, "batch_id", b.ID, "extraction_id", extID)
			continue
		}
		e, err := tx.Extraction(ctx, b.AccountID, extID)
		if err != nil {
			return err
		}
		cfiles := byExt[extID]
		eb := docparse.Batch{BatchCore: docparse.BatchCore{ID: s.ids.New(docparse.PrefixBatch), AccountID: b.AccountID,
			Name: "classification batch " + b.ID, Status: docparse.BatchQueued, FileCount: len(cfiles), CreatedAt: now, UpdatedAt: now, Version: 1},
			ExtractionID: extID,
			Schema:       docparse.Schema{Language: e.Language, Fields: e.Fields, Options: e.Options, ReviewThreshold: e.ReviewThreshold}}
		efiles := make([]docparse.File, len(cfiles))
		jobs := make([]river.InsertManyParams, len(cfiles))
		ids := make([]string, len(cfiles))
		for i, f := range cfiles {
			efiles[i] = docparse.File{FileCore: docparse.FileCore{ID: s.ids.New(docparse.PrefixFile), Position: i, FileName: f.FileName,
				Kind: f.Kind, MIME: f.MIME, Size: f.Size, PageCount: f.PageCount, BlobKey: f.BlobKey}}
			eb.PageCount += f.PageCount
			jobs[i] = river.InsertManyParams{Args: ProcessFileArgs{fileOf{b.AccountID, efiles[i].ID}}}
			ids[i] = f.ID
		}
		if err := tx.InsertBatch(ctx, eb, efiles); err != nil {
			return err
		}
		if err := s.insertJobs(ctx, tx, QueueExtract, b.AccountID, jobs); err != nil {
			return err
		}
		if err := tx.SetLinkedBatch(ctx, b.AccountID, b.ID, ids, eb.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// maxExamples bounds the overrides a model learns from: the newest. With
// texts of at most docparse.MaxClassifiedText, a build reads at most about
// 20 MB.
const maxExamples = 300

// modelCache keeps one classifier model per classification, for the
// version and overrides version it was built from: a batch of 30 files
// builds it once, and a PATCH or an override (which move those versions)
// makes the next file build a new one. Concurrent gets of a missing model
// wait for one build. Safe for concurrent use.
type modelCache struct {
	mu      sync.Mutex
	entries map[string]*modelEntry // by classification id
	builds  int                    // models built, for tests
}

type modelEntry struct {
	version, overrides int64
	ready              chan struct{} // closed once model or err is set
	model              *classify.Model
	err                error
}

// maxCachedModels bounds the cache; past it an arbitrary model is dropped.
const maxCachedModels = 256

func newModelCache() *modelCache { return &modelCache{entries: map[string]*modelEntry{}} }

// get returns the model of c as c's versions say it is, building it from
// c's categories and its newest overrides when needed.
func (mc *modelCache) get(ctx context.Context, db *store.DB, c docparse.Classification) (*classify.Model, error) {
	mc.mu.Lock()
	e := mc.entries[c.ID]
	if e == nil || e.version != c.Version || e.overrides != c.OverridesVersion {
		if len(mc.entries) >= maxCachedModels {
			for id := range mc.entries {
				delete(mc.entries, id)
				break
			}
		}
		e = &modelEntry{version: c.Version, overrides: c.OverridesVersion, ready: make(chan struct{})}
		mc.entries[c.ID] = e
		mc.builds++
		mc.mu.Unlock()
		e.model, e.err = buildModel(ctx, db, c)
		close(e.ready)
		if e.err != nil {
			mc.mu.Lock()
			if mc.entries[c.ID] == e {
				delete(mc.entries, c.ID)
			}
			mc.mu.Unlock()
		}
		return e.model, e.err
	}
	mc.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return e.model, e.err
}

// forget drops the model of a deleted classification.
func (mc *modelCache) forget(id string) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	delete(mc.entries, id)
}

// buildModel builds the model of c from its categories and the newest
// overrides that name one of them (an override of a category removed
// since teaches nothing).
func buildModel(ctx context.Context, db *store.DB, c docparse.Classification) (*classify.Model, error) {
	ex, err := db.OverrideExamples(ctx, c.AccountID, c.ID, maxExamples)
	if err != nil {
		return nil, err
	}
	cats := make([]classify.Category, len(c.Categories))
	for i, x := range c.Categories {
		cats[i] = classify.Category{ID: x.ID, Name: x.Name, Description: x.Description, Keywords: x.Keywords}
	}
	examples := make([]classify.Example, 0, len(ex))
	for _, x := range ex {
		if _, ok := c.Category(x.CategoryID); ok {
			examples = append(examples, classify.Example{Text: x.Text, CategoryID: x.CategoryID})
		}
	}
	return classify.NewModel(cats, examples), nil
}

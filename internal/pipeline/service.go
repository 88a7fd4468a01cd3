// Package pipeline holds docparse's use cases: each changes state and
// enqueues the work it causes in one transaction. It owns the River client,
// the job arguments and the workers.
//
// Where things are: extractions.go and classifications.go (create, update,
// delete, overrides); upload.go (streamed uploads of both kinds of batch);
// filejob.go (the one worker of the job each file of a batch gets),
// process.go (job process_file: what extracting one file does) and
// classify.go (job classify_file: what classifying one file does;
// chaining to linked extractions; the classifier model cache); events.go
// (events and their deliveries, in the transaction of the change);
// dispatch.go (webhook delivery); fair.go (fair order of file jobs across
// accounts, and the spare slot); quota.go (per-account quotas).
package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/store"
)

// Config tunes the pipeline.
type Config struct {
	// Work makes this process run jobs; false only inserts them.
	Work bool
	// Workers is how many files are extracted at once, and how many are
	// classified at once, for one account; one more slot of each is kept
	// for other accounts' files (see fair.go).
	Workers int
	// FileTimeout bounds the extraction of one file.
	FileTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken to
	// be cut off by a crash and run again.
	RescueAfter time.Duration
	// MaxAttempts bounds the runs of one job (transient errors).
	MaxAttempts int
	// MaxFiles and MaxFileSize bound one upload.
	MaxFiles    int
	MaxFileSize int64
	// Quotas bound what each account may hold and upload; the zero value
	// is no quota.
	Quotas Quotas
	// Webhooks tunes webhook delivery.
	Webhooks DispatchConfig
	// RevokedKeyRetention is how long a revoked API key is kept (for the
	// record) before the periodic cleanup deletes it; default 30 days.
	RevokedKeyRetention time.Duration
	// CleanupInterval is how often the cleanup runs (see CleanupArgs);
	// default an hour.
	CleanupInterval time.Duration
	// Retention is how long after its batch ended a document, its result
	// and its webhook attempts are kept (Service.Retention); 0 keeps them
	// until deleted.
	Retention time.Duration
	// RetentionInterval is how often the retention job runs when
	// Retention is set; default a day.
	RetentionInterval time.Duration
	// Metrics is where the pipeline registers its metrics (metrics.go),
	// served by GET /metrics; nil gives the service a set of its own
	// (Service.Metrics).
	Metrics *metrics.Set
}

// Defaults fills unset fields of c.
func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.FileTimeout <= 0 {
		c.FileTimeout = 2 * time.Minute
	}
	if c.RescueAfter <= c.FileTimeout+jobTimeoutMargin {
		c.RescueAfter = c.FileTimeout + 2*time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.MaxFiles <= 0 {
		c.MaxFiles = 30
	}
	if c.RevokedKeyRetention <= 0 {
		c.RevokedKeyRetention = defaultRevokedKeyRetention
	}
	if c.CleanupInterval <= 0 {
		c.CleanupInterval = defaultCleanupInterval
	}
	if c.RetentionInterval <= 0 {
		c.RetentionInterval = defaultRetentionInterval
	}
	if c.MaxFileSize <= 0 {
		c.MaxFileSize = 25 << 20
	}
	if c.Metrics == nil {
		c.Metrics = metrics.NewSet()
	}
	return c
}

// Service runs docparse's use cases. Safe for concurrent use.
type Service struct {
	db     *store.DB
	blobs  blob.Store
	engine *extract.Engine
	ids    *docparse.IDs
	now    func() time.Time
	log    *slog.Logger
	cfg    Config
	river  *river.Client[*sql.Tx]
	// metrics records jobs, files, OCR pages (in cfg.Metrics).
	metrics pipelineMetrics

	dispatch    *Dispatcher
	dispatchCfg DispatchConfig
	models      *modelCache
	slots       *slots
	// stopping is closed when Stop begins: jobs waiting for a slot give
	// it up at once rather than hold up the shutdown.
	stopping chan struct{}
	stopOnce sync.Once
}

// New builds a Service. now is the clock; engine extracts documents. Call
// Start to run workers and Stop to stop them.
func New(db *store.DB, blobs blob.Store, engine *extract.Engine, cfg Config, now func() time.Time, logger *slog.Logger) (*Service, error) {
	cfg = cfg.withDefaults()
	s := &Service{db: db, blobs: blobs, engine: engine, ids: docparse.NewIDs(now), now: now, log: logger, cfg: cfg,
		metrics: pipelineMetrics{cfg.Metrics}, models: newModelCache(), slots: newSlots(), stopping: make(chan struct{})}
	webhooks := cfg.Webhooks
	webhooks.Metrics = cfg.Metrics
	s.dispatchCfg = webhooks.withDefaults()
	jobs := &jobGauges{db: db, now: now, log: logger,
		kinds: []string{ProcessFileArgs{}.Kind(), ClassifyFileArgs{}.Kind(), CleanupArgs{}.Kind(), RetentionArgs{}.Kind()}}
	cfg.Metrics.RegisterMetricsWriter(jobs.write)
	s.dispatch = NewDispatcher(db, s.ids, s.dispatchCfg, now, logger)
	var workers *river.Workers
	if cfg.Work {
		workers = river.NewWorkers()
		river.AddWorker(workers, newFileWorker[ProcessFileArgs](s, "file", extractJob{s}))
		river.AddWorker(workers, newFileWorker[ClassifyFileArgs](s, "classification file", classifyJob{s}))
		s.addMaintenanceWorkers(workers)
	}
	client, err := newRiverClient(db, cfg, workers, s.observeJobs(), logger)
	if err != nil {
		return nil, err
	}
	s.river = client
	return s, nil
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Start starts the listener that keeps the batch versions polls read
// fresh from every node's commits (PostgreSQL; store.DB.StartListener),
// the webhook dispatcher and the workers (when Config.Work), and returns
// at once. They run until Stop, or until ctx ends: that stops them at
// once, cutting off running jobs and deliveries (both run again later),
// so a caller that wants a graceful stop calls Stop before it cancels ctx.
func (s *Service) Start(ctx context.Context) error {
	if err := s.db.StartListener(ctx, s.log); err != nil {
		return err
	}
	s.dispatch.Start(ctx)
	if !s.cfg.Work {
		return nil
	}
	if err := s.river.Start(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for running ones until ctx ends, then
// cancels what still runs (their jobs run again later); then it stops the
// dispatcher the same way (deliveries cut off are sent again later), and
// the version listener (polls then read versions from the database).
func (s *Service) Stop(ctx context.Context) error {
	defer s.db.StopListener()
	s.stopOnce.Do(func() { close(s.stopping) })
	var err error
	if s.cfg.Work {
		err = s.river.Stop(ctx)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = s.river.StopAndCancel(cctx)
			cancel()
		}
	}
	s.dispatch.Stop(ctx)
	return err
}

// Metrics returns the set the service's metrics are in (Config.Metrics),
// for GET /metrics to serve and other parts to add theirs to.
func (s *Service) Metrics() *metrics.Set { return s.cfg.Metrics }

// Dispatcher returns the webhook dispatcher.
func (s *Service) Dispatcher() *Dispatcher { return s.dispatch }

// IDs returns the service's id generator.
func (s *Service) IDs() *docparse.IDs { return s.ids }

// Now returns the service clock's time, in UTC, to the microsecond: what
// the database keeps, so an object answers the same times when created and
// when read back.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// HashKey is how API keys are stored: they carry 190 bits of entropy, so a
// plain SHA-256 is enough (no stretching needed).
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// inTx runs f in a transaction of its own and returns what f returned,
// with f's error or else the commit's.
func inTx[T any](ctx context.Context, db *store.DB, f func(tx *store.Tx) (T, error)) (T, error) {
	var v T
	err := db.Tx(ctx, func(tx *store.Tx) (err error) {
		v, err = f(tx)
		return err
	})
	return v, err
}

package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/docparse/docparse/internal/store"
)

// Queues: file extraction jobs (process_file) and file classification
// jobs (classify_file), each with Config.Workers workers per account and
// one spare for other accounts (fair.go), so that a large extraction
// backlog never starves classifications nor the reverse.
const (
	QueueExtract  = "extract"
	QueueClassify = "classify"
)

// riverDriver returns River's driver for db: its SQLite driver on the
// single-writer pool, or its database/sql driver with a pgx listener on
// PostgreSQL, so that one *sql.Tx carries docparse's rows and River's jobs.
func riverDriver(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Engine() == store.SQLite {
		return riversqlite.New(db.Writer())
	}
	return riverdatabasesql.NewWithPgxListener(db.Writer(), db.ListenerPool())
}

// MigrateRiver applies River's migrations to db.
func MigrateRiver(ctx context.Context, db *store.DB, logger *slog.Logger) error {
	m, err := rivermigrate.New(riverDriver(db), &rivermigrate.Config{Logger: quiet(logger)})
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	return nil
}

// quiet returns a logger for River that keeps warnings and errors only:
// River logs every fetch at info.
func quiet(logger *slog.Logger) *slog.Logger {
	return slog.New(levelHandler{min: slog.LevelWarn, Handler: logger.Handler()})
}

type levelHandler struct {
	min slog.Level
	slog.Handler
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return levelHandler{min: h.min, Handler: h.Handler.WithAttrs(a)}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{min: h.min, Handler: h.Handler.WithGroup(name)}
}

// newRiverClient builds the River client. With workers == nil it only
// inserts jobs (a process that serves the API without working).
// observe wraps every job run (metrics.go).
func newRiverClient(db *store.DB, cfg Config, workers *river.Workers, observe rivertype.WorkerMiddleware, logger *slog.Logger) (*river.Client[*sql.Tx], error) {
	rc := &river.Config{
		Logger:               quiet(logger),
		JobTimeout:           cfg.FileTimeout + jobTimeoutMargin,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          cfg.MaxAttempts,
		FetchCooldown:        20 * time.Millisecond,
		FetchPollInterval:    250 * time.Millisecond,
	}
	if db.Engine() == store.Postgres {
		rc.FetchPollInterval = time.Second
	}
	if workers != nil {
		rc.Workers = workers
		// One spare slot per queue for other accounts (fair.go).
		rc.Queues = map[string]river.QueueConfig{QueueExtract: {MaxWorkers: cfg.Workers + 1}, QueueClassify: {MaxWorkers: cfg.Workers + 1},
			QueueMaintenance: {MaxWorkers: 1}}
		rc.PeriodicJobs = periodicJobs(cfg)
		rc.Middleware = []rivertype.Middleware{observe}
	}
	client, err := river.NewClient(riverDriver(db), rc)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return client, nil
}

// jobTimeoutMargin is how much longer River lets a job run than the file
// timeout: the worker stores the file's failure after its own timeout.
const jobTimeoutMargin = 5 * time.Second

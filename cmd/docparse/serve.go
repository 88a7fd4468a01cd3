package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/dashboard"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/httpapi"
	"github.com/docparse/docparse/internal/logbuf"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/secretbox"
	"github.com/docparse/docparse/internal/store"
)

// loadConfig parses the serve flags of args.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs, envErr := serveFlagSet(name, &c, getenv, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, errUsage
		}
		return c, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "docparse %s: unexpected argument %q\n", name, fs.Arg(0))
		return c, errUsage
	}
	if err := errors.Join(envErr, c.validate()); err != nil {
		return c, fmt.Errorf("%w: %w", errConfig, err)
	}
	return c, nil
}

// serveFlagSet is the flag set of command name (as in "docparse NAME")
// holding the serve flags, which fill c; so every command that works on
// the database finds it as serve does. envErr reports the DOCPARSE_*
// variables that do not parse.
func serveFlagSet(name string, c *config, getenv func(string) string, stderr io.Writer) (fs *flag.FlagSet, envErr error) {
	fs = flag.NewFlagSet("docparse "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	envErr = serveFlags(fs, c, getenv)
	if name != "serve" {
		fs.Usage = adminUsage(fs, "usage: docparse "+name+" [flags]\n")
	}
	return fs, envErr
}

// parseAdminFlags parses args with fs, a serveFlagSet whose variables
// gave envErr: bad flags are errUsage (fs has said why), bad variables a
// config error.
func parseAdminFlags(fs *flag.FlagSet, args []string, envErr error) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if envErr != nil {
		return fmt.Errorf("%w: %w", errConfig, envErr)
	}
	return nil
}

func newLogger(w io.Writer, level string) *slog.Logger { return slog.New(jsonHandler(w, level)) }

// jsonHandler writes JSON lines to w at level and above (a valid
// --log-level; anything else is info).
func jsonHandler(w io.Writer, level string) slog.Handler {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})
}

// isPostgres reports whether c names a PostgreSQL database.
func (c config) isPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// loadSecrets returns the box of the secret key of c: DOCPARSE_SECRET_KEY
// (required on PostgreSQL), or on SQLite the key file in the data
// directory, created when missing. It logs where the key came from and its
// id, never the key.
func loadSecrets(c config, getenv func(string) string, logger *slog.Logger) (*secretbox.Box, error) {
	box, src, err := secretbox.Load(getenv, c.DataDir, c.isPostgres())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	switch {
	case src.Env:
		logger.Info("secret key from "+secretbox.EnvKey, "key_id", box.PrimaryID())
	case src.Created:
		logger.Warn("created the secret key file: back it up with the database; without it webhook secrets cannot be read",
			"path", src.File, "key_id", box.PrimaryID())
	default:
		logger.Info("secret key from file", "path", src.File, "key_id", box.PrimaryID())
	}
	return box, nil
}

// openDB opens and migrates the database of c (docparse's and River's
// tables), with the secret key of c (see loadSecrets).
func openDB(ctx context.Context, c config, getenv func(string) string, logger *slog.Logger) (*store.DB, error) {
	box, err := loadSecrets(c, getenv, logger)
	if err != nil {
		return nil, err
	}
	return openDBWith(ctx, c, box, logger)
}

// openDBWith opens and migrates the database of c with box.
func openDBWith(ctx context.Context, c config, box *secretbox.Box, logger *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, c.DatabaseURL, c.DataDir, store.Options{Secrets: box})
	if err != nil {
		return nil, err
	}
	// Nodes starting together migrate one after the other.
	err = db.WithMigrationLock(ctx, func() error {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
		return pipeline.MigrateRiver(ctx, db, logger)
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// logDelay is how long the server's log lines may wait in memory before
// they are written out together (logbuf): a crash loses at most the info
// lines of the last logDelay; warnings and errors are written at once.
const logDelay = 100 * time.Millisecond

// openConfigured loads the config of server command name from args
// (loadConfig; usage errors go to stderr) and opens its database (openDB),
// logging to logs at the configured level, warnings and errors flushed at
// once. The caller closes db, then logs.
func openConfigured(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, logs *logbuf.Writer) (config, *slog.Logger, *store.DB, error) {
	c, err := loadConfig(name, args, getenv, stderr)
	if err != nil {
		return c, nil, nil, err
	}
	logger := slog.New(logbuf.FlushAt(jsonHandler(logs, c.LogLevel), logs, slog.LevelWarn))
	db, err := openDB(ctx, c, getenv, logger)
	if err != nil {
		return c, nil, nil, err
	}
	return c, logger, db, nil
}

// openAdmin opens the database of c and a pipeline over it with neither
// blob store nor extraction engine, logging nothing: what the commands
// that manage accounts, keys and users need. The caller closes db.
func openAdmin(ctx context.Context, c config, getenv func(string) string) (*store.DB, *pipeline.Service, error) {
	logger := newLogger(io.Discard, "error")
	db, err := openDB(ctx, c, getenv, logger)
	if err != nil {
		return nil, nil, err
	}
	svc, err := pipeline.New(db, nil, nil, pipeline.Config{}, time.Now, logger)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, svc, nil
}

// serve runs the API and the workers until ctx ends, then shuts down in
// order: HTTP (in-flight requests finish), workers (running jobs get the
// grace period, then are cancelled and run again later), the database.
func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	// The log, the access log's line per request above all, is written
	// in batches (logDelay); everything is written by the time serve
	// returns.
	logs := logbuf.New(stderr, logDelay)
	defer logs.Close()
	c, logger, db, err := openConfigured(ctx, "serve", args, getenv, stderr, logs)
	if err != nil {
		return err
	}
	defer db.Close()
	blobs, err := blob.OpenURL(ctx, c.blobURL(), c.DataDir, getenv)
	if err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	// One PDF reader more than an account may use (it runs at most
	// --workers files at once, pipeline/fair.go), so that another account's
	// file in the spare slot, and the page counting of uploads, need not
	// wait for a flooding account's long OCR; as many as --memory-limit
	// gives room for (planMemory).
	plan := planMemory(c.MemoryLimit, c.Workers+1)
	if plan.GoLimit > 0 {
		// Process-wide; put back on return for callers that go on (tests).
		prev := debug.SetMemoryLimit(plan.GoLimit)
		defer debug.SetMemoryLimit(prev)
	}
	logger.Info(plan.String(), "memory_limit", c.MemoryLimit, "pdf_readers", plan.PDFReaders,
		"pdf_reader_mb", plan.PDFReadMB, "go_memory_limit", plan.GoLimit, "ocr_memory", plan.OCRBytes)
	engine, err := extract.NewEngine(extract.Config{
		Workers: plan.PDFReaders, MemoryLimitMB: plan.PDFReadMB, OCRMemory: plan.OCRBytes,
		Timeout: c.FileTimeout, CacheDir: filepath.Join(c.DataDir, "cache", "pdfium"),
		OCRModels: c.OCRModels,
	})
	if err != nil {
		return fmt.Errorf("start extraction engine: %w", err)
	}
	defer engine.Close()
	// Compiling PDFium's WebAssembly takes a few hundred MB of heap that is
	// garbage once done; give it back to the OS rather than keep it
	// resident for the life of the process.
	debug.FreeOSMemory()
	svc, err := pipeline.New(db, blobs, engine, pipeline.Config{
		Work: c.Work, Workers: c.Workers, FileTimeout: c.FileTimeout, RescueAfter: c.RescueAfter,
		MaxFiles: c.MaxFiles, MaxFileSize: c.MaxFileSize, RevokedKeyRetention: c.RevokedKeyRetention, Retention: c.Retention,
		Quotas: pipeline.Quotas{StoredBytes: c.QuotaStoredBytes, FilesPerDay: c.QuotaFilesPerDay, Extractions: c.QuotaExtractions},
		Webhooks: pipeline.DispatchConfig{
			AllowPrivate: c.AllowPrivateWebhooks, Timeout: c.WebhookTimeout, Lease: c.WebhookLease,
			UserAgent: "docparse-webhooks/" + version,
		},
	}, time.Now, logger)
	if err != nil {
		return err
	}
	limits := ratelimit.New(ratelimit.Config{Rate: c.RateLimit, Burst: c.RateBurst, KeysPerHour: c.KeysPerHour}, time.Now)
	dash := dashboard.New(db, svc, limits, logger)
	dash.TrustProxies(c.TrustedProxies)
	api := httpapi.New(db, svc, httpapi.Config{Limits: limits,
		Body:      ratelimit.BodyConfig{MinRate: c.BodyMinRate, Grace: c.BodyGrace, Timeout: c.BodyTimeout},
		Dashboard: dash}, logger)

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Workers and the dispatcher run under a context of their own, not
	// ctx: the signal that ends ctx must first stop HTTP and then give
	// running jobs and deliveries the grace (svc.Stop); work cancels what
	// is left after that.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	if err := svc.Start(work); err != nil {
		ln.Close()
		return err
	}
	if langs, err := engine.OCRLanguages(); err != nil {
		logger.Warn("OCR unavailable: scanned documents and images will fail with ocr_unavailable", "reason", err.Error())
	} else {
		logger.Info("OCR ready", "languages", strings.Join(langs, ","))
	}
	if c.OCRModels != "" {
		logger.Info("OCR models ready: images in English are read by them", "ocr_models", c.OCRModels)
	}
	logger.Info("listening on http://"+ln.Addr().String(), "addr", ln.Addr().String(), "engine", string(db.Engine()),
		"data_dir", c.DataDir, "blob_url", c.blobURL(), "workers", c.Workers, "work", c.Work, "retention", c.Retention.String())

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		stopWorkers(svc, c.ShutdownGrace, logger)
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down: http")
	hctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	if err := srv.Shutdown(hctx); err != nil {
		logger.Warn("http shutdown", "err", err)
	}
	cancel()
	stopWorkers(svc, c.ShutdownGrace, logger)
	logger.Info("shutting down: database")
	return nil
}

// stopWorkers stops the workers and then the webhook dispatcher of svc
// within grace: running jobs and deliveries in flight may finish until it
// ends, then are cut off (and run or are sent again later, here or on
// another node).
func stopWorkers(svc *pipeline.Service, grace time.Duration, logger *slog.Logger) {
	logger.Info("shutting down: workers and webhook deliveries", "grace", grace.String())
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := svc.Stop(ctx); err != nil {
		logger.Warn("worker shutdown", "err", err)
	}
}

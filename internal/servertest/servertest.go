// Package servertest starts the real docparse stack in-process for tests:
// a fresh database (SQLite or PostgreSQL), a blob directory, River workers,
// the webhook dispatcher and the JSON API with the dashboard mounted at
// /dashboard/, as `docparse serve` runs them, behind an httptest.Server. It is
// what the public client's end-to-end tests drive; nothing in it is faked.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/dashboard"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/httpapi"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// Options tune a test server. The zero value is docparse's defaults on
// SQLite: 10 requests/s per account, burst 20, 20 new keys per hour.
type Options struct {
	// Engine is the database engine; default store.SQLite. Each sets it.
	Engine store.Engine
	// Parallel: Each runs the engines' subtests in parallel.
	Parallel bool
	// RateLimit is the sustained requests per second per account; 0 means the
	// default, 10. NoRateLimit turns limiting off.
	RateLimit   float64
	RateBurst   int // default 20
	NoRateLimit bool
	// KeysPerHour is how many API keys an account may create per hour
	// through the API or the dashboard; 0 means the default, 20.
	KeysPerHour int
	// FileTimeout bounds the extraction of one file; default 30 s.
	FileTimeout time.Duration
	// NoWorkers runs no extraction workers: uploaded batches stay queued
	// for as long as the test runs.
	NoWorkers bool
	// MaxFiles and MaxFileSize bound one upload; 0 means docparse's
	// defaults (30 files of 25 MB).
	MaxFiles    int
	MaxFileSize int64
	// Body bounds how slowly a request body may arrive; zero fields take
	// docparse's defaults (10 KB/s after 20 s, whole within 1 h).
	Body ratelimit.BodyConfig
	// TrustedProxies are passed to the dashboard (--trusted-proxies).
	TrustedProxies []netip.Prefix
	// CleanupInterval is how often the periodic cleanup runs; 0 means
	// docparse's default (an hour).
	CleanupInterval time.Duration
	// Workers is how many files are extracted (and classified) at once;
	// default 4.
	Workers int
	// HoldWorkers builds the workers but starts them only when the test
	// calls Server.StartWorkers: uploads made before stay queued.
	HoldWorkers bool
	// Quotas are the per-account quotas; the zero value is none (not
	// docparse serve's defaults).
	Quotas pipeline.Quotas
	// Retention is --retention (0: off); RetentionInterval how often its
	// job runs (0: docparse's default, a day).
	Retention         time.Duration
	RetentionInterval time.Duration
	// Blobs is where uploaded documents are stored; default a directory
	// of the test (Server.BlobDir).
	Blobs blob.Store
	// Now is the pipeline's clock (what batches, files and attempts are
	// stamped with, and what the cleanup and retention compare with);
	// default time.Now. River and the rate limits keep the real clock.
	Now func() time.Time
}

// Server is a running docparse. It stops when the test ends: HTTP first,
// then the workers, then the database.
type Server struct {
	// URL is the API's base URL, without /v1 (for example
	// http://127.0.0.1:41234).
	URL string
	// Service and DB are the server's own, for tests that must look behind
	// the API.
	Service *pipeline.Service
	DB      *store.DB
	// Blobs is where uploaded documents are stored: Options.Blobs, or a
	// directory, BlobDir ("" with Options.Blobs).
	Blobs   blob.Store
	BlobDir string

	t       testing.TB
	started bool
}

var (
	engineOnce sync.Once
	engine     *extract.Engine
	engineErr  error
)

// sharedEngine starts PDFium once per test process: starting its
// WebAssembly runtime is the slow part, and every server of the process
// may share it.
func sharedEngine(t testing.TB) *extract.Engine {
	engineOnce.Do(func() { engine, engineErr = extract.NewEngine(extract.Config{Workers: 2}) })
	if engineErr != nil {
		t.Fatalf("start extract engine: %v", engineErr)
	}
	return engine
}

// Each runs fn as a subtest per engine the tests run on
// (storetest.Engines), each with a server started with o on that engine.
func Each(t *testing.T, o Options, fn func(t *testing.T, srv *Server)) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		if o.Parallel {
			t.Parallel()
		}
		o := o
		o.Engine = engine
		fn(t, Start(t, o))
	})
}

// Start starts a docparse server for the test t. It fails the test when
// any part does not start.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	ctx := context.Background()
	if o.Engine == "" {
		o.Engine = store.SQLite
	}
	if o.RateLimit == 0 {
		o.RateLimit = 10
	}
	if o.NoRateLimit {
		o.RateLimit = 0
	}
	if o.RateBurst == 0 {
		o.RateBurst = 20
	}
	if o.KeysPerHour == 0 {
		o.KeysPerHour = 20
	}
	if o.FileTimeout == 0 {
		o.FileTimeout = 30 * time.Second
	}
	if o.Workers == 0 {
		o.Workers = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// Cleanups run last-registered first: the database is registered
	// first by storetest.Open, so it closes after the workers and HTTP.
	db := storetest.Open(t, o.Engine)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if err := pipeline.MigrateRiver(ctx, db, logger); err != nil {
		t.Fatalf("migrate river: %v", err)
	}
	blobs, blobDir := o.Blobs, ""
	if blobs == nil {
		blobDir = filepath.Join(t.TempDir(), "blobs")
		local, err := blob.NewLocal(blobDir)
		if err != nil {
			t.Fatalf("blob store: %v", err)
		}
		blobs = local
	}
	svc, err := pipeline.New(db, blobs, sharedEngine(t), pipeline.Config{
		Work: !o.NoWorkers, Workers: o.Workers, FileTimeout: o.FileTimeout, MaxFiles: o.MaxFiles, MaxFileSize: o.MaxFileSize,
		Webhooks:        pipeline.DispatchConfig{AllowPrivate: true},
		CleanupInterval: o.CleanupInterval,
		Quotas:          o.Quotas,
		Retention:       o.Retention, RetentionInterval: o.RetentionInterval,
	}, o.Now, logger)
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	s := &Server{Service: svc, DB: db, Blobs: blobs, BlobDir: blobDir, t: t}
	t.Cleanup(func() {
		if !s.started {
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Stop(sctx)
	})
	if !o.HoldWorkers {
		s.StartWorkers()
	}
	limits := ratelimit.New(ratelimit.Config{Rate: o.RateLimit, Burst: o.RateBurst, KeysPerHour: o.KeysPerHour}, time.Now)
	dash := dashboard.New(db, svc, limits, logger)
	dash.TrustProxies(o.TrustedProxies)
	api := httpapi.New(db, svc, httpapi.Config{Limits: limits, Body: o.Body,
		Dashboard: dash}, logger)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// StartWorkers starts the workers and the webhook dispatcher of a server
// started with HoldWorkers (Start calls it otherwise). Call it once.
func (s *Server) StartWorkers() {
	s.t.Helper()
	if err := s.Service.Start(context.Background()); err != nil {
		s.t.Fatalf("start pipeline: %v", err)
	}
	s.started = true
}

// Key creates the account named account if needed and returns a new API
// key of it. An account holds at most 5 active keys.
func (s *Server) Key(account string) string {
	s.t.Helper()
	_, secret, err := s.Service.CreateAccountKey(context.Background(), account, "servertest")
	if err != nil {
		s.t.Fatalf("create key for %s: %v", account, err)
	}
	return secret
}

// User creates the account named account if needed and a dashboard user
// of it with this email and password (at least 10 characters).
func (s *Server) User(account, email, password string) {
	s.t.Helper()
	if _, err := s.Service.CreateUser(context.Background(), account, email, password); err != nil {
		s.t.Fatalf("create user %s for %s: %v", email, account, err)
	}
}

// Eventually calls cond until it returns true and reports whether it did
// within timeout. It is how tests wait for work done in the background: on
// the condition itself, checked every 20 ms, never a fixed sleep. cond runs
// on the caller's goroutine, so it may call t.Fatal there.
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
}

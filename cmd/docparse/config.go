package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/dashboard"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/ratelimit"
)

// config is the whole configuration of `docparse serve`, loaded once from
// flags and their DOCPARSE_* environment twins (flags win).
type config struct {
	Addr                 string
	DataDir              string
	DatabaseURL          string
	BlobURL              string // "": file://<DataDir>/blobs (blobURL)
	RateLimit            float64
	RateBurst            int
	KeysPerHour          int
	BodyMinRate          int64
	BodyGrace            time.Duration
	BodyTimeout          time.Duration
	AllowPrivateWebhooks bool
	Workers              int
	MemoryLimit          int64 // bytes; 0: none (see memoryPlan)
	Work                 bool
	FileTimeout          time.Duration
	RescueAfter          time.Duration
	MaxFiles             int
	MaxFileSize          int64
	ShutdownGrace        time.Duration
	LogLevel             string
	WebhookTimeout       time.Duration
	WebhookLease         time.Duration
	TrustedProxies       []netip.Prefix
	RevokedKeyRetention  time.Duration
	Retention            time.Duration // 0: off (parseRetention)
	QuotaStoredBytes     int64
	QuotaFilesPerDay     int64
	QuotaExtractions     int64
	OCRModels            string
}

// envName is the environment twin of a flag: --rate-limit is
// DOCPARSE_RATE_LIMIT.
func envName(flagName string) string {
	return "DOCPARSE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// serveFlags defines the flags of serve on fs, with defaults taken from
// the environment. It reports environment values that do not parse.
func serveFlags(fs *flag.FlagSet, c *config, getenv func(string) string) error {
	str := func(p *string, name, def, usage string) {
		if v := getenv(envName(name)); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+envName(name)+")")
	}
	str(&c.Addr, "addr", "127.0.0.1:8080", "listen address; :0 picks a free port")
	str(&c.DataDir, "data-dir", "./data", "where the SQLite database and uploaded documents live")
	dbDefault := getenv("DATABASE_URL")
	str(&c.DatabaseURL, "database-url", dbDefault, "postgres://... to use PostgreSQL; empty for SQLite in --data-dir (env DATABASE_URL too)")
	str(&c.BlobURL, "blob-url", "", "where uploaded documents live: file://PATH, or s3://BUCKET?endpoint=http://HOST:PORT&region=REGION&use_path_style=true with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (no endpoint: AWS); default file://<data-dir>/blobs")
	str(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	str(&c.OCRModels, "ocr-models", "", "directory of OCR models (scripts/ocr-models.sh lays one out) that read images instead of Tesseract; empty for Tesseract")
	fs.Func("rate-limit", "requests per second per account (its API keys and dashboard sessions together), 0 turns limiting off (default 10) (env "+envName("rate-limit")+")", floatSetter(&c.RateLimit))
	fs.Func("rate-burst", "burst of requests per account (default 20) (env "+envName("rate-burst")+")", intSetter(&c.RateBurst))
	fs.Func("keys-per-hour", "API keys an account may create per hour (API and dashboard), 0 turns the limit off (default 20) (env "+envName("keys-per-hour")+")", intSetter(&c.KeysPerHour))
	fs.Func("body-min-rate", "bytes per second a request body (an upload) must keep after --body-grace, or it is cut off with 408 (default 10240) (env "+envName("body-min-rate")+")", int64Setter(&c.BodyMinRate))
	fs.Func("body-grace", "how long a request body may arrive slower than --body-min-rate at first (default 20s) (env "+envName("body-grace")+")", durationSetter(&c.BodyGrace))
	fs.Func("body-timeout", "longest a request body may take to arrive whole (default 1h) (env "+envName("body-timeout")+")", durationSetter(&c.BodyTimeout))
	fs.Func("workers", "files extracted at once for one account by this process (and as many classified); one more slot takes other accounts' files at once (default 4) (env "+envName("workers")+")", intSetter(&c.Workers))
	fs.Func("memory-limit", "memory the server may use, PDF readers, Go heap and OCR processes together, as 1GiB, 768MiB or 0 (off); fewer PDFs are read at once when it is small (default 1GiB) (env "+envName("memory-limit")+")", bytesSetter(&c.MemoryLimit))
	fs.BoolFunc("work", "run workers in this process (default true) (env "+envName("work")+")", boolSetter(&c.Work))
	fs.BoolFunc("allow-private-webhooks", "allow webhook deliveries to loopback and private addresses (env "+envName("allow-private-webhooks")+")", boolSetter(&c.AllowPrivateWebhooks))
	fs.Func("file-timeout", "time limit for extracting one file (default 2m) (env "+envName("file-timeout")+")", durationSetter(&c.FileTimeout))
	fs.Func("rescue-after", "re-run a job still running after this long, as cut off by a crash (default file-timeout+2m) (env "+envName("rescue-after")+")", durationSetter(&c.RescueAfter))
	fs.Func("max-files", "most files in one batch (default 30) (env "+envName("max-files")+")", intSetter(&c.MaxFiles))
	fs.Func("max-file-size", "largest file in bytes (default 26214400, 25 MB) (env "+envName("max-file-size")+")", int64Setter(&c.MaxFileSize))
	fs.Func("quota-stored-bytes", "bytes of documents one account may store; an upload past it is refused with 413, 0 turns the quota off (default 53687091200, 50 GiB) (env "+envName("quota-stored-bytes")+")", int64Setter(&c.QuotaStoredBytes))
	fs.Func("quota-files-per-day", "files one account may upload per UTC day; an upload past it is refused with 429 and Retry-After, 0 turns the quota off (default 10000) (env "+envName("quota-files-per-day")+")", int64Setter(&c.QuotaFilesPerDay))
	fs.Func("quota-extractions", "extractions one account may hold, and classifications apart; one more is refused with 409, 0 turns the quota off (default 1000) (env "+envName("quota-extractions")+")", int64Setter(&c.QuotaExtractions))
	fs.Func("shutdown-grace", "how long running jobs may finish at shutdown (default 30s) (env "+envName("shutdown-grace")+")", durationSetter(&c.ShutdownGrace))
	fs.Func("webhook-timeout", "time limit of one webhook delivery attempt (default 15s) (env "+envName("webhook-timeout")+")", durationSetter(&c.WebhookTimeout))
	fs.Func("webhook-lease", "how long a delivery taken by a process is kept from others; after a crash it is sent again when this ends (default 1m, at least webhook-timeout+5s) (env "+envName("webhook-lease")+")", durationSetter(&c.WebhookLease))
	fs.Func("revoked-key-retention", "how long a revoked API key is kept before the hourly cleanup deletes it (default 720h, 30 days) (env "+envName("revoked-key-retention")+")", durationSetter(&c.RevokedKeyRetention))
	fs.Func("retention", "how long after its batch ended a document, its result and its webhook attempts are kept: a daily job deletes older batches whole (their API answers 404), as 30d, 720h or off (default off) (env "+envName("retention")+")", setter(&c.Retention, parseRetention, "not a duration such as 30d, 720h or off"))
	fs.Func("trusted-proxies", "comma-separated CIDR ranges or addresses of reverse proxies whose X-Forwarded-Proto: https makes dashboard cookies Secure (default none) (env "+envName("trusted-proxies")+")", func(s string) error {
		p, err := dashboard.ParseTrustedProxies(s)
		c.TrustedProxies = p
		return err
	})
	// Defaults, then environment twins of the Func flags.
	c.RateLimit, c.RateBurst, c.KeysPerHour, c.Workers, c.Work = 10, 20, 20, 4, true
	c.FileTimeout, c.MaxFiles, c.MaxFileSize, c.ShutdownGrace = 2*time.Minute, 30, 25<<20, 30*time.Second
	c.WebhookTimeout, c.WebhookLease = 15*time.Second, time.Minute
	c.BodyMinRate, c.BodyGrace, c.BodyTimeout = ratelimit.DefaultBodyMinRate, ratelimit.DefaultBodyGrace, ratelimit.DefaultBodyTimeout
	c.RevokedKeyRetention = 30 * 24 * time.Hour
	q := pipeline.DefaultQuotas
	c.QuotaStoredBytes, c.QuotaFilesPerDay, c.QuotaExtractions = q.StoredBytes, q.FilesPerDay, q.Extractions
	c.MemoryLimit = defaultMemoryLimit
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", envName(f.Name), v, err))
			}
		}
	})
	return errors.Join(errs...)
}

// setter sets *p to a flag's text read by parse; a text parse refuses
// is the error bad.
func setter[T any](p *T, parse func(string) (T, error), bad string) func(string) error {
	return func(s string) error {
		v, err := parse(s)
		if err != nil {
			return errors.New(bad)
		}
		*p = v
		return nil
	}
}

func floatSetter(p *float64) func(string) error {
	return setter(p, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }, "not a number")
}

func intSetter(p *int) func(string) error { return setter(p, strconv.Atoi, "not an integer") }

func int64Setter(p *int64) func(string) error {
	return setter(p, func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }, "not an integer")
}

func boolSetter(p *bool) func(string) error { return setter(p, strconv.ParseBool, "not true or false") }

// parseRetention reads --retention: off (or 0), a whole number of days
// such as 30d, or a Go duration such as 720h.
func parseRetention(s string) (time.Duration, error) {
	if s == "off" || s == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 32)
		return time.Duration(n) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

func durationSetter(p *time.Duration) func(string) error {
	return setter(p, time.ParseDuration, "not a duration such as 30s or 2m")
}

// blobURL is where c keeps uploaded documents: --blob-url, or the blobs
// folder of the data directory.
func (c *config) blobURL() string {
	if c.BlobURL != "" {
		return c.BlobURL
	}
	return "file://" + filepath.ToSlash(filepath.Join(c.DataDir, "blobs"))
}

// validate reports every problem of c at once.
func (c *config) validate() error {
	var errs []error
	bad := func(name string, v any, why string) {
		errs = append(errs, fmt.Errorf("--%s=%v: %s", name, v, why))
	}
	if c.Addr == "" {
		bad("addr", c.Addr, "must not be empty")
	}
	if c.BlobURL != "" {
		if _, err := blob.ParseURL(c.BlobURL); err != nil {
			bad("blob-url", c.BlobURL, err.Error())
		}
	}
	if c.RateLimit < 0 {
		bad("rate-limit", c.RateLimit, "must be 0 (off) or more")
	}
	if c.KeysPerHour < 0 {
		bad("keys-per-hour", c.KeysPerHour, "must be 0 (off) or more")
	}
	if c.BodyMinRate < 1 {
		bad("body-min-rate", c.BodyMinRate, "must be at least 1")
	}
	if c.BodyGrace < time.Second {
		bad("body-grace", c.BodyGrace, "must be at least 1s")
	}
	if c.BodyTimeout < c.BodyGrace {
		bad("body-timeout", c.BodyTimeout, "must be at least --body-grace")
	}
	if c.RateBurst < 1 {
		bad("rate-burst", c.RateBurst, "must be at least 1")
	}
	if c.Workers < 1 || c.Workers > 256 {
		bad("workers", c.Workers, "must be from 1 to 256")
	}
	if c.MemoryLimit != 0 && c.MemoryLimit < minMemoryLimit {
		bad("memory-limit", formatBytes(c.MemoryLimit), "must be 0 (off) or at least 256MiB")
	}
	if c.FileTimeout < time.Second {
		bad("file-timeout", c.FileTimeout, "must be at least 1s")
	}
	if c.RescueAfter != 0 && c.RescueAfter <= c.FileTimeout+5*time.Second {
		bad("rescue-after", c.RescueAfter, "must be more than 5s longer than --file-timeout")
	}
	if c.RevokedKeyRetention < time.Hour {
		bad("revoked-key-retention", c.RevokedKeyRetention, "must be at least 1h")
	}
	if c.Retention != 0 && c.Retention < time.Hour {
		bad("retention", c.Retention, "must be off (0) or at least 1h")
	}
	if c.MaxFiles < 1 {
		bad("max-files", c.MaxFiles, "must be at least 1")
	}
	if c.MaxFileSize < 1 {
		bad("max-file-size", c.MaxFileSize, "must be at least 1")
	}
	for _, q := range []struct {
		name string
		v    int64
	}{{"quota-stored-bytes", c.QuotaStoredBytes}, {"quota-files-per-day", c.QuotaFilesPerDay}, {"quota-extractions", c.QuotaExtractions}} {
		if q.v < 0 {
			bad(q.name, q.v, "must be 0 (off) or more")
		}
	}
	if c.ShutdownGrace < 0 {
		bad("shutdown-grace", c.ShutdownGrace, "must not be negative")
	}
	if c.WebhookTimeout < 100*time.Millisecond || c.WebhookTimeout > 5*time.Minute {
		bad("webhook-timeout", c.WebhookTimeout, "must be from 100ms to 5m")
	}
	if c.WebhookLease < c.WebhookTimeout+5*time.Second {
		bad("webhook-lease", c.WebhookLease, "must be at least --webhook-timeout plus 5s")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", c.LogLevel, "must be debug, info, warn or error")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		bad("database-url", "(hidden)", "must start with postgres:// or sqlite:")
	}
	return errors.Join(errs...)
}

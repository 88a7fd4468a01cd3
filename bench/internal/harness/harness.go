// Package harness runs a built docparse binary for the benchmark programs
// under bench/: it builds the binary, makes a fresh SQLite data directory
// or PostgreSQL schema, creates an API key, starts `docparse serve` on a
// free loopback port and stops it again. It uses the standard library only
// and talks to 127.0.0.1 only.
package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/docparse/docparse/internal/secretbox"
)

// ModuleRoot returns the directory of the go.mod that the current
// directory belongs to (the docparse repository when run with go run
// ./bench/...).
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside a Go module; run from the docparse repository or pass -bin")
	}
	return filepath.Dir(mod), nil
}

// Build compiles ./cmd/docparse of the module that the current directory
// belongs to into dir and returns the binary's path. It is an ordinary
// build (no race detector, no extra flags), as a user would run it.
func Build(ctx context.Context, dir string) (string, error) {
	root, err := ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "docparse")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/docparse")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/docparse: %w\n%s", err, out)
	}
	return bin, nil
}

// Database is where one benchmark run keeps its data: a fresh SQLite data
// directory, and for PostgreSQL a fresh schema in the local test database.
type Database struct {
	Engine  string // "sqlite" or "postgres"
	DataDir string // always set: blobs live here on both engines
	URL     string // DATABASE_URL; empty for SQLite
	// Env holds more variables for the commands run on it (Start,
	// CreateKey), as KEY=VALUE: a blob store's credentials, say.
	Env      []string
	schema   string
	database string // a database of its own (NewPostgresDatabase)
	// secretKey is DOCPARSE_SECRET_KEY for PostgreSQL (SQLite uses the
	// key file in DataDir).
	secretKey string
}

// PostgresBase is the local PostgreSQL database the benchmarks use.
const PostgresBase = "postgres://127.0.0.1:5432/test?sslmode=disable"

// NewDatabase makes a fresh data directory under parent and, for engine
// "postgres", a fresh schema named after label. Close removes both.
func NewDatabase(ctx context.Context, engine, parent, label string) (*Database, error) {
	dir, err := os.MkdirTemp(parent, "data-"+engine+"-")
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	db := &Database{Engine: engine, DataDir: dir}
	switch engine {
	case "sqlite":
		return db, nil
	case "postgres":
		db.schema = fmt.Sprintf("bench_%s_%d_%d", label, os.Getpid(), time.Now().Unix())
		if err := psql(ctx, "create schema "+db.schema); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		db.URL = PostgresBase + "&search_path=" + db.schema
		if db.secretKey, err = secretbox.GenerateKey(); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}
	os.RemoveAll(dir)
	return nil, fmt.Errorf("unknown engine %q (want sqlite or postgres)", engine)
}

// NewPostgresDatabase makes a fresh data directory under parent and a
// fresh PostgreSQL database of its own, named after label, on the local
// server: its pg_stat_database row counts only what docparse does in it.
// Close removes both.
func NewPostgresDatabase(ctx context.Context, parent, label string) (*Database, error) {
	dir, err := os.MkdirTemp(parent, "data-postgres-")
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	db := &Database{Engine: "postgres", DataDir: dir, database: fmt.Sprintf("bench_%s_%d_%d", label, os.Getpid(), time.Now().Unix())}
	if err := psql(ctx, "create database "+db.database); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	db.URL = "postgres://127.0.0.1:5432/" + db.database + "?sslmode=disable"
	if db.secretKey, err = secretbox.GenerateKey(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Name is the PostgreSQL database's name ("test" for a schema of
// NewDatabase), empty on SQLite.
func (db *Database) Name() string {
	switch {
	case db.database != "":
		return db.database
	case db.schema != "":
		return "test"
	}
	return ""
}

// Close drops the PostgreSQL schema or database, if any, and removes the
// data directory. Call it after the server has stopped.
func (db *Database) Close() error {
	var errs []error
	if db.schema != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, psql(ctx, "drop schema "+db.schema+" cascade"))
		cancel()
	}
	if db.database != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, psql(ctx, "drop database "+db.database+" with (force)"))
		cancel()
	}
	errs = append(errs, os.RemoveAll(db.DataDir))
	return errors.Join(errs...)
}

func psql(ctx context.Context, stmt string) error {
	cmd := exec.CommandContext(ctx, "psql", "-h", "127.0.0.1", "-d", "test", "-v", "ON_ERROR_STOP=1", "-q", "-c", stmt)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("psql %q: %w\n%s", stmt, err, out)
	}
	return nil
}

// env returns this process's environment without docparse's own
// variables, plus DATABASE_URL for db, so that nothing set in the
// caller's shell changes a run.
func (db *Database) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DATABASE_URL=") || strings.HasPrefix(kv, "DOCPARSE_") {
			continue
		}
		env = append(env, kv)
	}
	if db.URL != "" {
		env = append(env, "DATABASE_URL="+db.URL)
	}
	if db.secretKey != "" {
		env = append(env, secretbox.EnvKey+"="+db.secretKey)
	}
	return append(env, db.Env...)
}

// Command is bin with args, run with db's environment (and nothing of
// docparse's from the caller's).
func (db *Database) Command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = db.env()
	return cmd
}

// CreateKey runs `docparse keys create` against db and returns the key.
func CreateKey(ctx context.Context, bin string, db *Database, account string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, "keys", "create", "--account", account, "--name", "bench", "--data-dir", db.DataDir)
	cmd.Env = db.env()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("docparse keys create: %w: %s", err, stderr.String())
	}
	key := strings.TrimSpace(string(out))
	if !strings.HasPrefix(key, "dp_live_") || strings.Contains(key, "\n") {
		return "", fmt.Errorf("docparse keys create printed %q, want one dp_live_ key", out)
	}
	return key, nil
}

// CreateUser runs `docparse users create` against db: a dashboard user
// of account who signs in with email and password.
func CreateUser(ctx context.Context, bin string, db *Database, account, email, password string) error {
	cmd := exec.CommandContext(ctx, bin, "users", "create", "--account", account, "--email", email, "--data-dir", db.DataDir)
	cmd.Env = db.env()
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docparse users create: %w: %s", err, out)
	}
	return nil
}

// Server is a running `docparse serve`.
type Server struct {
	URL  string // http://127.0.0.1:PORT
	PID  int
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // Wait's error, set before done closes
}

// Start runs `docparse serve --addr 127.0.0.1:0 --data-dir DIR args...`
// and returns once it logs "listening on http://...". Its log lines (JSON,
// one per request) go to logw, which must be safe to write from another
// goroutine; nil discards them. The caller must Stop it.
func Start(ctx context.Context, bin string, db *Database, logw io.Writer, args ...string) (*Server, error) {
	if logw == nil {
		logw = io.Discard
	}
	addr := "127.0.0.1:0"
	quiet := logsAboveInfo(args)
	if quiet {
		// "listening on" is logged at info: pick the port here and wait
		// for /healthz instead.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr = ln.Addr().String()
		ln.Close()
	}
	argv := append([]string{"serve", "--addr", addr, "--data-dir", db.DataDir}, args...)
	// Not CommandContext: the caller stops the server with Stop (SIGTERM,
	// orderly shutdown), not with a kill when ctx ends.
	cmd := exec.Command(bin, argv...)
	cmd.Env = db.env()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start docparse serve: %w", err)
	}
	s := &Server{PID: cmd.Process.Pid, cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	var lines []string // what it logged before listening, for errors
	go func() {
		// The log is drained to the end so that the server never blocks on
		// a full pipe.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		listening := false
		for sc.Scan() {
			line := sc.Text()
			if !listening {
				if i := strings.Index(line, "listening on http://"); i >= 0 {
					rest := line[i+len("listening on "):]
					if j := strings.IndexAny(rest, `" `); j >= 0 {
						rest = rest[:j]
					}
					listening = true
					found <- rest
				} else if len(lines) < 50 {
					lines = append(lines, line)
				}
			}
			fmt.Fprintln(logw, line)
		}
		_, _ = io.Copy(io.Discard, stderr)
		s.err = cmd.Wait()
		close(s.done)
	}()
	if quiet {
		go waitHealthy(ctx, "http://"+addr, s.done, found)
	}
	timer := time.NewTimer(2 * time.Minute)
	defer timer.Stop()
	select {
	case s.URL = <-found:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("docparse serve exited before listening: %v\n%s", s.err, strings.Join(lines, "\n"))
	case <-timer.C:
	case <-ctx.Done():
	}
	s.Stop()
	return nil, fmt.Errorf("docparse serve did not log \"listening on\" in time\n%s", strings.Join(lines, "\n"))
}

// logsAboveInfo reports whether serve flags args set a log level that
// hides info lines.
func logsAboveInfo(args []string) bool {
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--log-level=")
		if !ok && a == "--log-level" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if ok && (v == "warn" || v == "error") {
			return true
		}
	}
	return false
}

// waitHealthy polls base/healthz every 50 ms and sends base to found once
// it answers 200, unless the process ends or ctx is done first.
func waitHealthy(ctx context.Context, base string, done <-chan struct{}, found chan<- string) {
	client := &http.Client{Timeout: time.Second}
	for {
		if resp, err := client.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				select {
				case found <- base:
				default:
				}
				return
			}
		}
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop sends SIGTERM and waits up to 40 s for the orderly shutdown, then
// kills the process. It returns the process's exit error, if any.
func (s *Server) Stop() error {
	select {
	case <-s.done:
		return s.err
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.err
	case <-time.After(40 * time.Second):
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	return fmt.Errorf("docparse serve did not stop within 40 s of SIGTERM; killed")
}

// Exited reports whether the server process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Main is a bench program's main: it runs run with the program's
// arguments and a context that SIGINT and SIGTERM cancel, and on an error
// prints "name: error" and exits 1.
func Main(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The PostgreSQL side of the version cache (versions.go): a transaction
// that changes batches sends the changes with pg_notify (delivered only
// once it commits, in commit order), and every node LISTENs on one
// connection of its own and applies what it hears to its cache.

// versionChannel is the channel of the version notices of the docparse
// tables in schema: installations in different schemas of one database
// (and the tests, which each take a schema) do not hear one another.
func versionChannel(schema string) string {
	const prefix = "docparse_versions"
	if schema == "" || schema == "public" {
		return prefix
	}
	ch := prefix + "_" + schema
	if len(ch) > 63 { // PostgreSQL's longest identifier
		sum := sha256.Sum256([]byte(schema))
		ch = prefix + "_" + hex.EncodeToString(sum[:12])
	}
	return ch
}

// maxNoticePayload keeps a notice under PostgreSQL's 8000-byte limit.
const maxNoticePayload = 7000

// encodeChanges writes changes as notice payloads of at most
// maxNoticePayload bytes, one change a line: "kind:account:owner:batch:version",
// with batch empty and version 0 for the delete of an owner's batches.
func encodeChanges(changes []versionChange) []string {
	var out []string
	var b strings.Builder
	for _, ch := range changes {
		line := string(ch.key.kind) + ":" + ch.key.account + ":" + ch.key.owner + ":" + ch.key.batch + ":" +
			strconv.FormatInt(ch.version, 10)
		if b.Len() > 0 && b.Len()+1+len(line) > maxNoticePayload {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// decodeChanges reads a payload of encodeChanges.
func decodeChanges(payload string) ([]versionChange, error) {
	var out []versionChange
	for _, line := range strings.Split(payload, "\n") {
		f := strings.Split(line, ":")
		if len(f) != 5 || len(f[0]) != 1 || (f[0][0] != extractionTables.kind && f[0][0] != classificationTables.kind) ||
			f[1] == "" || f[2] == "" {
			return nil, fmt.Errorf("version notice %q: want kind:account:owner:batch:version", line)
		}
		v, err := strconv.ParseInt(f[4], 10, 64)
		if err != nil || v < 0 || (f[3] == "") != (v == 0) {
			return nil, fmt.Errorf("version notice %q: bad version", line)
		}
		out = append(out, versionChange{key: versionKey{kind: f[0][0], account: f[1], owner: f[2], batch: f[3]}, version: v})
	}
	return out, nil
}

// notifyChanges sends the changes of tx to every node's listener; they
// arrive when tx commits, and not at all if it rolls back.
func (tx *Tx) notifyChanges(ctx context.Context, channel string) error {
	for _, p := range encodeChanges(tx.changed) {
		if _, err := tx.x.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, p); err != nil {
			return fmt.Errorf("notify batch versions: %w", err)
		}
	}
	return nil
}

// Timing of the listener. A silently dead connection (no error, no
// notice) is found by the ping within listenPing+listenPingTimeout.
const (
	listenPing        = 10 * time.Second
	listenPingTimeout = 5 * time.Second
	listenRetryMin    = 100 * time.Millisecond
	listenRetryMax    = 5 * time.Second
)

// listener keeps one node's version cache fresh on PostgreSQL: one
// connection of its own LISTENs on the channel of the node's schema.
// When it (re)connects it empties the cache, since changes may have been
// missed, and only then makes the cache live again; while it has no
// connection the cache is not live and polls read the database.
type listener struct {
	cfg     *pgx.ConnConfig
	channel string
	cache   *versionCache

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}

	// pid is the backend of the current connection, 0 when none (tests).
	pid atomic.Uint32
	// beforeConnect, when set (tests), runs before every connection
	// attempt but the first; an error ends the attempt.
	beforeConnect func(ctx context.Context) error
}

// StartListener starts, on PostgreSQL, the goroutine that keeps this
// node's batch-version cache fresh from every node's commits, until ctx
// ends or StopListener (or Close) is called; until it listens, and
// whenever it lost its connection, polls read versions from the database.
// On SQLite it does nothing: the cache is fed by this process's own
// commits. It returns at once; an error means it was already started.
func (db *DB) StartListener(ctx context.Context, logger *slog.Logger) error {
	l := db.listener
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done != nil {
		return errors.New("start version listener: already started")
	}
	ctx, l.cancel = context.WithCancel(ctx)
	l.done = make(chan struct{})
	go l.run(ctx, logger, l.done)
	return nil
}

// StopListener stops the listener started by StartListener and waits for
// it; the cache is no longer live. It may be called more than once, and
// without StartListener; the listener may be started again after.
func (db *DB) StopListener() {
	l := db.listener
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done == nil {
		return
	}
	l.cancel()
	<-l.done
	l.cancel, l.done = nil, nil
}

// VersionReads returns how many batch versions this DB read from the
// database for polls since it was opened (the version cache missed).
func (db *DB) VersionReads() int64 { return db.versionReads.Load() }

// Listening reports whether this DB answers polls from its version cache:
// always on SQLite; on PostgreSQL while its listener listens.
func (db *DB) Listening() bool { return db.versions.isLive() }

func (l *listener) run(ctx context.Context, logger *slog.Logger, done chan struct{}) {
	defer close(done)
	defer l.cache.setLive(false)
	retry := listenRetryMin
	for first := true; ; first = false {
		if !first && l.beforeConnect != nil {
			if err := l.beforeConnect(ctx); err != nil {
				return
			}
		}
		listened, err := l.listen(ctx)
		l.cache.setLive(false)
		l.pid.Store(0)
		if ctx.Err() != nil {
			return
		}
		if listened {
			retry = listenRetryMin
		}
		logger.Warn("batch version listener: polls read the database until it reconnects",
			"err", err.Error(), "retry_in", retry.String())
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		retry = min(2*retry, listenRetryMax)
	}
}

// listen connects, listens and applies notices until the connection
// fails or ctx ends. listened reports whether it got as far as listening.
func (l *listener) listen(ctx context.Context) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		conn.Close(cctx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	l.pid.Store(conn.PgConn().PID())
	// Listening from here on: every commit from now on will be heard.
	// What was committed before is read again by the next poll of each
	// batch, as setLive empties the cache.
	l.cache.setLive(true)
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPing)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if n != nil {
			l.applyNotice(n.Payload)
		}
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			pctx, cancel := context.WithTimeout(ctx, listenPingTimeout)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for notification: %w", err)
		}
	}
}

// applyNotice applies a notice to the cache. A notice it cannot read
// (another version of docparse sharing the database) may name a change
// it cannot apply: it empties the cache rather than keep what may be
// stale.
func (l *listener) applyNotice(payload string) {
	changes, err := decodeChanges(payload)
	if err != nil {
		l.cache.reset()
		return
	}
	l.cache.apply(changes)
}

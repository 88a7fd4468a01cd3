package store_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// listen starts node's version listener (a no-op on SQLite) and waits
// until it listens.
func listen(t *testing.T, node *store.DB) {
	t.Helper()
	if err := node.StartListener(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(node.StopListener)
	waitFor(t, "listener listens", node.Listening)
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// moveFile moves file i of b to status to, in a transaction of its own
// on node.
func moveFile(t *testing.T, node *store.DB, b fileBatch, i int, to docparse.FileStatus) {
	t.Helper()
	ctx := context.Background()
	err := node.Tx(ctx, func(tx *store.Tx) error {
		moved, _, err := b.move(ctx, tx, i, to, false)
		if err == nil && !moved {
			err = errors.New("file did not move")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPollVersionFromMemory: a poll of an unchanged batch reads no
// database; a poll after a commit that changed it sees the change at
// once; another account's poll, and a poll of a deleted batch, are 404
// every time (read, never answered from memory).
func TestPollVersionFromMemory(t *testing.T) {
	t.Parallel()
	for _, kind := range batchKinds {
		t.Run(kind.name, func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				listen(t, db)
				acct := storetest.NewAccount(t, db, "a")
				other := storetest.NewAccount(t, db, "b")
				b := kind.newBatch(t, db, acct, 2)
				version := func() int64 {
					t.Helper()
					v, err := b.version(ctx, db, acct.ID)
					if err != nil {
						t.Fatal(err)
					}
					return v
				}

				v1 := version()
				reads := db.VersionReads()
				for range 3 {
					if v := version(); v != v1 {
						t.Fatalf("unchanged batch: version %d, want %d", v, v1)
					}
				}
				if got := db.VersionReads(); got != reads {
					t.Fatalf("3 polls of an unchanged batch read the database %d times, want 0", got-reads)
				}

				moveFile(t, db, b, 0, docparse.FileProcessing)
				v2 := version()
				if v2 <= v1 {
					t.Fatalf("poll after the commit: version %d, want > %d", v2, v1)
				}
				reads = db.VersionReads()
				if v := version(); v != v2 || db.VersionReads() != reads {
					t.Fatalf("poll after the change: version %d with %d reads, want %d from memory", v, db.VersionReads()-reads, v2)
				}

				for range 2 {
					reads = db.VersionReads()
					if _, err := b.version(ctx, db, other.ID); !errors.Is(err, docparse.ErrNotFound) {
						t.Fatalf("other account's poll: %v, want not found", err)
					}
					if db.VersionReads() != reads+1 {
						t.Fatalf("other account's poll read the database %d times, want 1", db.VersionReads()-reads)
					}
				}
				if v := version(); v != v2 {
					t.Fatalf("after the other account's polls: version %d, want %d", v, v2)
				}

				if err := db.Tx(ctx, func(tx *store.Tx) error { return b.deleteOwner(ctx, tx) }); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if v, err := b.version(ctx, db, acct.ID); !errors.Is(err, docparse.ErrNotFound) {
						t.Fatalf("poll of a deleted batch: version %d, %v; want not found", v, err)
					}
				}
			})
		})
	}
}

// TestPollVersionAcrossNodes runs two nodes (two DBs) on one PostgreSQL
// database: a commit on node A is seen at once by A's polls and, within
// the notice's delivery, by B's, which read no database for it; while
// B's listener is cut off (pg_terminate_backend) B's polls read the
// database, and a change made meanwhile is seen once it reconnected (the
// cache was emptied); a delete on A is a 404 on B; B never answers
// another account from memory.
func TestPollVersionAcrossNodes(t *testing.T) {
	t.Parallel()
	storetest.NeedPostgres(t)
	for _, kind := range batchKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := storetest.URL(t, store.Postgres)
			open := func() *store.DB {
				db, err := store.Open(ctx, url, "", store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			a, b := open(), open()
			if err := a.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			release := b.HoldReconnects()
			defer release()
			listen(t, a)
			listen(t, b)

			acct := storetest.NewAccount(t, a, "a")
			other := storetest.NewAccount(t, a, "b")
			batch := kind.newBatch(t, a, acct, 3)
			version := func(node *store.DB) int64 {
				t.Helper()
				v, err := batch.version(ctx, node, acct.ID)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			v1 := version(b)
			version(a)

			moveFile(t, a, batch, 0, docparse.FileProcessing)
			v2 := version(a)
			if v2 <= v1 {
				t.Fatalf("node A's poll after its commit: version %d, want > %d", v2, v1)
			}
			reads := b.VersionReads()
			waitFor(t, "node B sees node A's commit", func() bool { return version(b) == v2 })
			if b.VersionReads() != reads {
				t.Fatalf("node B read the database %d times to see the change, want 0 (notified)", b.VersionReads()-reads)
			}
			if _, err := batch.version(ctx, b, other.ID); !errors.Is(err, docparse.ErrNotFound) {
				t.Fatalf("other account's poll on node B: %v, want not found", err)
			}

			// Cut node B's listener off; it waits to reconnect until release.
			pid := b.ListenerPID()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var ok bool
			if err := conn.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&ok); err != nil || !ok {
				t.Fatalf("terminate listener backend %d: %v %v", pid, ok, err)
			}
			waitFor(t, "node B's listener notices it is cut off", func() bool { return !b.Listening() })
			moveFile(t, a, batch, 1, docparse.FileProcessing)
			v3 := version(a)
			reads = b.VersionReads()
			if v := version(b); v != v3 || b.VersionReads() != reads+1 {
				t.Fatalf("node B's poll while cut off: version %d with %d reads, want %d read from the database", v, b.VersionReads()-reads, v3)
			}
			release()
			waitFor(t, "node B's listener reconnects", b.Listening)
			if pid2 := b.ListenerPID(); pid2 == pid || pid2 == 0 {
				t.Fatalf("listener backend after reconnecting = %d, was %d", pid2, pid)
			}
			if v := version(b); v != v3 {
				t.Fatalf("node B's poll after reconnecting: version %d, want %d (changed while cut off)", v, v3)
			}
			moveFile(t, a, batch, 2, docparse.FileProcessing)
			v4 := version(a)
			waitFor(t, "node B sees node A's commit after reconnecting", func() bool { return version(b) == v4 })

			if err := a.Tx(ctx, func(tx *store.Tx) error { return batch.deleteOwner(ctx, tx) }); err != nil {
				t.Fatal(err)
			}
			if _, err := batch.version(ctx, a, acct.ID); !errors.Is(err, docparse.ErrNotFound) {
				t.Fatalf("node A's poll of its deleted batch: %v, want not found", err)
			}
			waitFor(t, "node B sees the delete", func() bool {
				_, err := batch.version(ctx, b, acct.ID)
				if err != nil && !errors.Is(err, docparse.ErrNotFound) {
					t.Fatal(err)
				}
				return err != nil
			})
		})
	}
}

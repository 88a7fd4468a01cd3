package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
)

// TestPeriodicCleanup: River's periodic cleanup job deletes the keys
// revoked more than 30 days ago, and only those, the events older than 30
// days and the idempotent answers past their day, and removes empty batch
// and account folders an hour old, leaving folders with files and fresh
// empty ones.
func TestPeriodicCleanup(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true, CleanupInterval: 300 * time.Millisecond}, func(t *testing.T, srv *servertest.Server) {
		ctx := context.Background()
		acct := func() string {
			srv.Key("acme")
			a, err := srv.DB.AccountByName(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}()
		newKey := func() string {
			k, _, err := srv.Service.CreateAccountKey(ctx, "acme", "k")
			if err != nil {
				t.Fatal(err)
			}
			return k.ID
		}
		oldRevoked, recentRevoked, active := newKey(), newKey(), newKey()
		now := time.Now()
		if err := srv.DB.RevokeAPIKey(ctx, acct, oldRevoked, now.Add(-31*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := srv.DB.RevokeAPIKey(ctx, acct, recentRevoked, now.Add(-29*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		exists := func(id string) bool {
			var n int
			if err := srv.DB.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE id = $1`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 1
		}

		old := now.Add(-2 * time.Hour)
		mkdir := func(rel string, mtime time.Time, file bool) string {
			p := filepath.Join(srv.BlobDir, rel)
			if err := os.MkdirAll(p, 0o700); err != nil {
				t.Fatal(err)
			}
			if file {
				if err := os.WriteFile(filepath.Join(p, "file_1"), []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
			return p
		}
		emptyOld := mkdir("acc_a/btc_empty", old, false)
		full := mkdir("acc_a/btc_full", old, true)
		emptyNew := mkdir("acc_a/btc_new", now, false)
		goneAcct := mkdir("acc_b/btc_empty", old, false)
		if err := os.Chtimes(filepath.Dir(goneAcct), old, old); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Dir(emptyOld), old, old); err != nil {
			t.Fatal(err)
		}

		// Events and idempotent answers, one past its time and one not.
		micros := func(t time.Time) int64 { return t.UnixMicro() }
		for i, at := range []time.Time{now.Add(-31 * 24 * time.Hour), now.Add(-29 * 24 * time.Hour)} {
			if _, err := srv.DB.Writer().ExecContext(ctx, `INSERT INTO events (seq, id, account_id, type, payload, created_at) VALUES ($1, $2, $3, 'extraction.completed', '{}', $4)`,
				-1-i, []string{"evt_old", "evt_recent"}[i], acct, micros(at)); err != nil {
				t.Fatal(err)
			}
		}
		for i, at := range []time.Time{now.Add(-store.IdempotencyTTL - time.Hour), now.Add(-time.Hour)} {
			if _, err := srv.DB.Writer().ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, key, method, path, status_code, body, created_at) VALUES ($1, $2, 'POST', '/v1/extractions', 200, '{}', $3)`,
				acct, []string{"idem_old", "idem_recent"}[i], micros(at)); err != nil {
				t.Fatal(err)
			}
		}
		// Endpoints failing every delivery, one for longer than
		// store.DisableAfter, one not yet.
		failing := func(since time.Duration) string {
			url := "https://hooks.example.com/" + since.String()
			e, err := srv.Service.CreateEndpoint(ctx, acct, pipeline.EndpointInput{URL: &url})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.DB.Writer().ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = $1 WHERE id = $2`,
				micros(now.Add(-since)), e.ID); err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		failedLong, failedRecently := failing(store.DisableAfter+time.Hour), failing(store.DisableAfter-time.Hour)
		enabled := func(id string) bool {
			e, err := srv.DB.Endpoint(ctx, acct, id)
			if err != nil {
				t.Fatal(err)
			}
			return e.Enabled
		}
		count := func(query, id string) int {
			var n int
			if err := srv.DB.Writer().QueryRowContext(ctx, query, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		event := func(id string) bool { return count(`SELECT COUNT(*) FROM events WHERE id = $1`, id) == 1 }
		answer := func(key string) bool { return count(`SELECT COUNT(*) FROM idempotency_keys WHERE key = $1`, key) == 1 }

		cleaned := servertest.Eventually(30*time.Second, func() bool {
			return !exists(oldRevoked) && !dirExists(emptyOld) && !dirExists(filepath.Dir(goneAcct)) && !event("evt_old") && !answer("idem_old") &&
				!enabled(failedLong)
		})
		if !cleaned {
			t.Fatalf("after 30s: old revoked key there %v, old empty batch folder there %v, empty account folder there %v, old event there %v, old idempotent answer there %v, endpoint failing for 73 h enabled %v",
				exists(oldRevoked), dirExists(emptyOld), dirExists(filepath.Dir(goneAcct)), event("evt_old"), answer("idem_old"), enabled(failedLong))
		}
		if !enabled(failedRecently) {
			t.Error("cleanup disabled an endpoint failing for 71 h")
		}
		if !event("evt_recent") || !answer("idem_recent") {
			t.Errorf("cleanup deleted what it must keep: a 29-day-old event there %v, an hour-old idempotent answer there %v", event("evt_recent"), answer("idem_recent"))
		}
		if !exists(recentRevoked) || !exists(active) {
			t.Errorf("cleanup deleted a key it must keep: recently revoked there %v, active there %v", exists(recentRevoked), exists(active))
		}
		for _, p := range []string{full, emptyNew, filepath.Join(full, "file_1")} {
			if !dirExists(p) {
				t.Errorf("cleanup removed %s", p)
			}
		}
		// The active key still signs in.
		if keys, _, err := srv.DB.ListAPIKeys(ctx, acct, store.Page{Limit: 10}); err != nil || len(keys) != 2 {
			t.Errorf("active keys after cleanup: %d, %v (want the servertest key and one more)", len(keys), err)
		}
	})
}

func dirExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

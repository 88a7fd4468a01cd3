package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/secretbox"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// eachEngine runs test in parallel on every engine, with the URL of a
// fresh database of it.
func eachEngine(t *testing.T, test func(t *testing.T, engine store.Engine, url string)) {
	t.Helper()
	t.Parallel()
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		t.Parallel()
		test(t, engine, storetest.URL(t, engine))
	})
}

// openWith opens and migrates the database at url under box.
func openWith(t *testing.T, url string, box *secretbox.Box) (*store.DB, error) {
	t.Helper()
	db, err := store.Open(context.Background(), url, "", store.Options{Secrets: box, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	t.Cleanup(func() { db.Close() })
	return db, nil
}

// rawSecrets reads the stored columns as they are.
func rawSecrets(t *testing.T, db *store.DB, id string) (cur, prev string) {
	t.Helper()
	if err := db.Writer().QueryRowContext(context.Background(), `SELECT secret, COALESCE(prev_secret, '') FROM webhook_endpoints WHERE id = $1`, id).
		Scan(&cur, &prev); err != nil {
		t.Fatal(err)
	}
	return cur, prev
}

const (
	testSecret     = "whsec_Y3VycmVudC1zZWNyZXQtb2YtdGhlLWVuZHBvaW50LSE="
	testPrevSecret = "whsec_cHJldmlvdXMtc2VjcmV0LW9mLXRoZS1lbmRwb2ludCE="
)

func insertEndpoint(t *testing.T, db *store.DB, acct docparse.Account) docparse.Endpoint {
	t.Helper()
	now := time.Now().UTC()
	exp := now.Add(time.Hour)
	e := docparse.Endpoint{ID: ids.New(docparse.PrefixEndpoint), AccountID: acct.ID, URL: "https://example.com/hook", Enabled: true,
		EventTypes: []string{}, Secret: testSecret, PrevSecret: testPrevSecret, PrevSecretExpiresAt: &exp, CreatedAt: now, UpdatedAt: now}
	if err := db.Tx(context.Background(), func(tx *store.Tx) error { return tx.InsertEndpoint(context.Background(), e) }); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEndpointSecretsSealedAtRest(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine store.Engine, url string) {
		ctx := context.Background()
		k1, k2 := storetest.NewKey(t), storetest.NewKey(t)
		db, err := openWith(t, url, secretbox.New(k1))
		if err != nil {
			t.Fatal(err)
		}
		acct := storetest.NewAccount(t, db, "acme")
		e := insertEndpoint(t, db, acct)

		// Stored sealed under k1, read back in the clear.
		cur, prev := rawSecrets(t, db, e.ID)
		for _, v := range []string{cur, prev} {
			if !strings.HasPrefix(v, secretbox.Prefix+k1.ID()+":") || strings.Contains(v, "whsec_") {
				t.Fatalf("stored %q: want sealed under %s", v, k1.ID())
			}
		}
		got, err := db.Endpoint(ctx, acct.ID, e.ID)
		if err != nil || got.Secret != testSecret || got.PrevSecret != testPrevSecret {
			t.Fatalf("Endpoint = %q %q, %v", got.Secret, got.PrevSecret, err)
		}
		list, _, err := db.ListEndpoints(ctx, acct.ID, store.Page{})
		if err != nil || len(list) != 1 || list[0].Secret != testSecret {
			t.Fatalf("ListEndpoints = %+v, %v", list, err)
		}

		// A sealed value moved to another row does not open there.
		e2 := insertEndpoint(t, db, acct)
		if _, err := db.Writer().ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $1 WHERE id = $2`, cur, e2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Endpoint(ctx, acct.ID, e2.ID); err == nil || !strings.Contains(err.Error(), "authentication failed") {
			t.Fatalf("Endpoint with a moved secret: %v", err)
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.DeleteEndpoint(ctx, acct.ID, e2.ID) }); err != nil {
			t.Fatal(err)
		}

		// The wrong key: refused at start, naming both key ids.
		_, err = openWith(t, url, secretbox.New(k2))
		if err == nil || !strings.Contains(err.Error(), k1.ID()) || !strings.Contains(err.Error(), k2.ID()) ||
			!strings.Contains(err.Error(), "DOCPARSE_SECRET_KEY") {
			t.Fatalf("open under the wrong key: %v", err)
		}
		// And a read under it is a clear error too.
		wrong, _ := store.Open(ctx, url, "", store.Options{Secrets: secretbox.New(k2), MaxConns: 2})
		defer wrong.Close()
		if _, err := wrong.Endpoint(ctx, acct.ID, e.ID); !errors.Is(err, secretbox.ErrUnknownKey) {
			t.Fatalf("read under the wrong key: %v, want ErrUnknownKey", err)
		}

		// Rotation: k2 primary, k1 previous; every value sealed again under
		// k2; then k2 alone reads them; a second run has nothing to do.
		rot, err := openWith(t, url, secretbox.New(k2, k1))
		if err != nil {
			t.Fatal(err)
		}
		n, err := rot.ResealSecrets(ctx)
		if err != nil || n != 1 {
			t.Fatalf("ResealSecrets = %d, %v; want 1 row", n, err)
		}
		if n, err := rot.ResealSecrets(ctx); err != nil || n != 0 {
			t.Fatalf("second ResealSecrets = %d, %v; want 0", n, err)
		}
		st, err := rot.Secrets(ctx)
		if err != nil || st.Plaintext != 0 || st.ByKey[k2.ID()] != 2 || len(st.ByKey) != 1 {
			t.Fatalf("after rotation: %+v, %v", st, err)
		}
		after, err := openWith(t, url, secretbox.New(k2))
		if err != nil {
			t.Fatal(err)
		}
		got, err = after.Endpoint(ctx, acct.ID, e.ID)
		if err != nil || got.Secret != testSecret || got.PrevSecret != testPrevSecret {
			t.Fatalf("after rotation Endpoint = %q %q, %v", got.Secret, got.PrevSecret, err)
		}
		if _, err := openWith(t, url, secretbox.New(k1)); err == nil || !strings.Contains(err.Error(), k2.ID()) {
			t.Fatalf("open under the retired key: %v", err)
		}
	})
}

// An upgrade: plaintext secrets written by an older version are sealed by
// Migrate, and read back the same.
func TestPlaintextSecretsSealedOnMigrate(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine store.Engine, url string) {
		ctx := context.Background()
		k := storetest.NewKey(t)
		db, err := openWith(t, url, secretbox.New(k))
		if err != nil {
			t.Fatal(err)
		}
		acct := storetest.NewAccount(t, db, "acme")
		e := insertEndpoint(t, db, acct)
		// What an older version stored.
		if _, err := db.Writer().ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $1, prev_secret = $2 WHERE id = $3`,
			testSecret, testPrevSecret, e.ID); err != nil {
			t.Fatal(err)
		}
		// And what it left in freed space: an API key in a stored answer,
		// purged after its day, without secure_delete (the writer pool
		// is one connection, so the pragma holds for these statements).
		if engine == store.SQLite {
			for _, q := range []string{`PRAGMA secure_delete = OFF`,
				`INSERT INTO idempotency_keys (account_id, key, method, path, status_code, body, created_at)
				VALUES ('` + acct.ID + `', 'old', 'POST', '/v1/api_keys', 201, '{"key":"` + testAPIKey + `"}', 1)`,
				// A stored answer that stays keeps the page in use.
				`INSERT INTO idempotency_keys (account_id, key, method, path, status_code, body, created_at)
				VALUES ('` + acct.ID + `', 'stays', 'POST', '/v1/extractions', 201, '{}', 1)`,
				`DELETE FROM idempotency_keys WHERE key = 'old'`, `PRAGMA wal_checkpoint(TRUNCATE)`, `PRAGMA secure_delete = FAST`} {
				if _, err := db.Writer().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			if !dirHolds(t, sqliteDir(url), testAPIKey) {
				t.Fatal("setup: the purged answer left no trace, the test would prove nothing")
			}
		}
		// And a stored idempotent answer holding the secret, which the
		// migration 0008 deletes (run again here).
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, key, method, path, status_code, body, created_at)
			VALUES ($1, 'ep-1', 'POST', '/v1/webhook_endpoints', 201, $2, $3)`, acct.ID, `{"secret":"`+testSecret+`"}`, time.Now().UnixMicro()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Writer().ExecContext(ctx, `DELETE FROM docparse_migrations WHERE version = '0008_secrets_at_rest'`); err != nil {
			t.Fatal(err)
		}
		if st, _ := db.Secrets(ctx); st.Plaintext != 2 {
			t.Fatalf("setup: %+v", st)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		cur, prev := rawSecrets(t, db, e.ID)
		if !secretbox.Sealed(cur) || !secretbox.Sealed(prev) {
			t.Fatalf("after Migrate stored %q %q, want sealed", cur, prev)
		}
		var n int
		if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys WHERE path <> '/v1/extractions'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d stored answers of the secret routes left (%v), want 0", n, err)
		}
		got, err := db.Endpoint(ctx, acct.ID, e.ID)
		if err != nil || got.Secret != testSecret || got.PrevSecret != testPrevSecret {
			t.Fatalf("Endpoint = %q %q, %v", got.Secret, got.PrevSecret, err)
		}
		if engine != store.SQLite {
			return
		}
		// No plaintext is left in the files: not the sealed secrets, not
		// the deleted answer, not the API key in freed space.
		for _, s := range []string{testSecret, strings.TrimPrefix(testSecret, "whsec_"), testPrevSecret,
			strings.TrimPrefix(testPrevSecret, "whsec_"), testAPIKey} {
			if dirHolds(t, sqliteDir(url), s) {
				t.Errorf("a database file still holds %.12s... after the upgrade", s)
			}
		}
	})
}

const testAPIKey = "dp_live_0123456789abcdefghijABCDEFGHIJ"

func sqliteDir(url string) string {
	p := strings.TrimPrefix(url, "sqlite:")
	return p[:strings.LastIndex(p, "/")]
}

// dirHolds reports whether a file in dir holds s.
func dirHolds(t *testing.T, dir, s string) bool {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("no database files in %s: %v", dir, err)
	}
	found := false
	for _, f := range files {
		b, err := os.ReadFile(dir + "/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		found = found || bytes.Contains(b, []byte(s))
	}
	return found
}

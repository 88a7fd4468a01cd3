package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/docparse/docparse/internal/store"
)

// storedAnswers returns every stored Idempotency-Key answer.
func storedAnswers(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), `SELECT key, status_code, body FROM idempotency_keys`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var key, body string
		var status int
		if err := rows.Scan(&key, &status, &body); err != nil {
			t.Fatal(err)
		}
		b.WriteString(key + " " + body + "\n")
	}
	return b.String()
}

// TestSecretRoutesIdempotency: the routes that answer a secret store their
// answer without it, a failed request leaves no claim behind, and
// concurrent requests with one key create one thing.
func TestSecretRoutesIdempotency(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {

		// The account holds 1 key; 4 more reach the limit of 5.
		var secrets []string
		for range 4 {
			r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "k"})
			if r.status != 201 {
				t.Fatalf("create key: %d %s", r.status, r.body)
			}
			secrets = append(secrets, r.json(t)["key"].(string))
		}
		// Over the limit with a key: 409, and no claim is left behind...
		r := e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "sixth"}, "Idempotency-Key", "k-6")
		if r.status != 409 {
			t.Fatalf("sixth key: %d %s", r.status, r.body)
		}
		if s := storedAnswers(t, e.db); strings.Contains(s, "k-6") {
			t.Fatalf("a failed request left its claim: %s", s)
		}
		// ...so once a key is revoked the same Idempotency-Key creates one.
		list := e.doJSON("GET", "/v1/api_keys", nil).json(t)["data"].([]any)
		e.mustDelete("/v1/api_keys/" + list[0].(map[string]any)["id"].(string))
		r = e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "sixth"}, "Idempotency-Key", "k-6")
		first := r.json(t)
		if r.status != 201 || r.header.Get("Idempotent-Replayed") != "" || !strings.HasPrefix(first["key"].(string), "dp_live_") {
			t.Fatalf("retry after revoke: %d %s", r.status, r.body)
		}
		secrets = append(secrets, first["key"].(string))
		r = e.doJSON("POST", "/v1/api_keys", map[string]any{"name": "sixth"}, "Idempotency-Key", "k-6")
		again := r.json(t)
		if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" || again["key"] != nil ||
			again["api_key"].(map[string]any)["id"] != first["api_key"].(map[string]any)["id"] {
			t.Fatalf("replay: %d %s", r.status, r.body)
		}

		// Eight concurrent creations with one key: one endpoint, one
		// secret shown, seven replays.
		var wg sync.WaitGroup
		answers := make([]map[string]any, 8)
		codes := make([]int, 8)
		for i := range answers {
			wg.Go(func() {
				r := e.doJSON("POST", "/v1/webhook_endpoints", map[string]any{"url": "https://example.com/hook"}, "Idempotency-Key", "ep")
				codes[i] = r.status
				_ = json.Unmarshal(r.body, &answers[i])
			})
		}
		wg.Wait()
		shown, ids := 0, map[string]bool{}
		for i, a := range answers {
			if codes[i] != 201 {
				t.Fatalf("concurrent create %d: %d", i, codes[i])
			}
			if s, ok := a["secret"].(string); ok {
				shown++
				secrets = append(secrets, s)
			}
			ids[a["webhook_endpoint"].(map[string]any)["id"].(string)] = true
		}
		if shown != 1 || len(ids) != 1 {
			t.Fatalf("concurrent creations showed %d secrets for %d endpoints, want 1 and 1", shown, len(ids))
		}
		if n := len(e.doJSON("GET", "/v1/webhook_endpoints", nil).json(t)["data"].([]any)); n != 1 {
			t.Fatalf("%d endpoints, want 1", n)
		}
		var epID string
		for id := range ids {
			epID = id
		}
		r = e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/rotate_secret", map[string]any{"grace_period_seconds": 60}, "Idempotency-Key", "rot")
		if r.status != 200 {
			t.Fatalf("rotate: %d %s", r.status, r.body)
		}
		secrets = append(secrets, r.json(t)["secret"].(string))
		r = e.doJSON("POST", "/v1/webhook_endpoints/"+epID+"/rotate_secret", map[string]any{"grace_period_seconds": 60}, "Idempotency-Key", "rot")
		if r.status != 200 || r.header.Get("Idempotent-Replayed") != "true" || string(r.body) != "{\"secret\":null}\n" {
			t.Fatalf("replayed rotation: %d %q", r.status, r.body)
		}
		// The replay did not rotate again: the endpoint still has the
		// secret the first rotation answered.
		ep, err := e.db.Endpoint(context.Background(), accountOf(t, e), epID)
		if err != nil || ep.Secret != secrets[len(secrets)-1] {
			t.Fatalf("after the replayed rotation the secret changed (%v)", err)
		}

		stored := storedAnswers(t, e.db)
		for _, key := range []string{"k-6", "ep", "rot"} {
			if !strings.Contains(stored, key+" {") {
				t.Errorf("no stored answer for %s:\n%s", key, stored)
			}
		}
		for _, s := range secrets {
			if strings.Contains(stored, s) {
				t.Errorf("a stored answer holds a secret:\n%s", stored)
			}
		}
	})
}

package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/store"
)

// idempotent replays the stored answer of an earlier POST with the same
// Idempotency-Key (24 h), so that a retried create creates nothing. A
// request whose answer is a 5xx, 408 or 429 is forgotten and may be
// retried.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if err := checkIdempotencyKey(key); err != nil {
			s.writeError(w, r, err)
			return
		}
		acct := account(r)
		stored, err := s.db.ClaimIdempotencyKey(r.Context(), acct, key, r.Method, r.URL.Path, s.svc.Now())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if stored != nil {
			switch {
			case stored.Method != r.Method || stored.Path != r.URL.Path:
				s.writeError(w, r, errorf(http.StatusUnprocessableEntity, "idempotency_key_reused",
					"Idempotency-Key %q was used for %s %s; use a new key for a different request", key, stored.Method, stored.Path))
			case stored.StatusCode == 0:
				s.writeError(w, r, errorf(http.StatusConflict, "idempotency_key_in_use",
					"a request with Idempotency-Key %q is still in progress; retry when it has finished", key))
			default:
				writeStored(w, stored)
			}
			return
		}
		rec := &recorder{ResponseWriter: w}
		defer func() {
			// Store the answer even if the client went away meanwhile.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
			defer cancel()
			// 408 (a body too slow) and 429 (a limit) are about this try,
			// not the request: a retry with the key must get a fresh answer.
			if rec.status == 0 || rec.status >= 500 || rec.status == 499 ||
				rec.status == http.StatusRequestTimeout || rec.status == http.StatusTooManyRequests {
				if err := s.db.ReleaseIdempotencyKey(ctx, acct, key); err != nil {
					s.log.Warn("release idempotency key", "request_id", requestID(r.Context()), "err", err)
				}
				return
			}
			if err := s.db.CompleteIdempotencyKey(ctx, acct, key, rec.status, rec.body.Bytes()); err != nil {
				s.log.Warn("complete idempotency key", "request_id", requestID(r.Context()), "err", err)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

func checkIdempotencyKey(key string) error {
	if len(key) > 255 {
		return errorf(http.StatusBadRequest, "invalid_request", "Idempotency-Key must be at most 255 characters")
	}
	return nil
}

// writeStored replays a stored answer.
func writeStored(w http.ResponseWriter, stored *store.StoredResponse) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(stored.StatusCode)
	w.Write(stored.Body)
}

// secretAnswer is the answer of a request that creates a secret: Body,
// with the secret, is sent now; Replay, without it, is what a replay of
// the request's Idempotency-Key answers. The secret is never stored.
type secretAnswer struct {
	Status       int
	Body, Replay any
}

// createsSecret runs a request that creates a secret (an API key, a
// webhook endpoint, a new endpoint secret). With an Idempotency-Key, the
// claim of the key, what create writes and the stored answer (without the
// secret) commit in one transaction: a request that fails or is cut off
// leaves nothing behind, and a retry runs again; once committed, a retry
// replays the answer without the secret.
func (s *Server) createsSecret(w http.ResponseWriter, r *http.Request, create func(ctx context.Context, tx *store.Tx) (secretAnswer, error)) error {
	key := r.Header.Get("Idempotency-Key")
	if err := checkIdempotencyKey(key); err != nil {
		return err
	}
	ctx, acct := r.Context(), account(r)
	var ans secretAnswer
	var stored *store.StoredResponse
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		if key != "" {
			st, err := tx.ClaimIdempotencyKey(ctx, acct, key, r.Method, r.URL.Path, s.svc.Now())
			if err != nil {
				return err
			}
			if st != nil {
				stored = st
				return nil
			}
		}
		a, err := create(ctx, tx)
		if err != nil {
			return err
		}
		ans = a
		if key == "" {
			return nil
		}
		b, err := json.Marshal(a.Replay)
		if err != nil {
			return fmt.Errorf("encode stored answer: %w", err)
		}
		return tx.CompleteIdempotencyKey(ctx, acct, key, a.Status, append(b, '\n'))
	})
	if err != nil {
		return err
	}
	if stored != nil {
		switch {
		case stored.Method != r.Method || stored.Path != r.URL.Path:
			return errorf(http.StatusUnprocessableEntity, "idempotency_key_reused",
				"Idempotency-Key %q was used for %s %s; use a new key for a different request", key, stored.Method, stored.Path)
		case stored.StatusCode == 0:
			return errorf(http.StatusConflict, "idempotency_key_in_use",
				"a request with Idempotency-Key %q is still in progress; retry when it has finished", key)
		}
		writeStored(w, stored)
		return nil
	}
	writeJSON(w, ans.Status, ans.Body)
	return nil
}

// recorder passes a response through and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

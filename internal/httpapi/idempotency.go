package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"time"
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
		if len(key) > 255 {
			s.writeError(w, r, errorf(http.StatusBadRequest, "invalid_request", "Idempotency-Key must be at most 255 characters"))
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
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(stored.StatusCode)
				w.Write(stored.Body)
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

package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/store"
)

// Idempotency-Key (API.md): a POST that creates something and carries a
// key claims the key, writes what it creates and stores its answer in one
// transaction, so that a request that fails or is cut off (a crash
// included) leaves neither a claim nor a creation behind, and a retry
// runs again; once committed, a retry within 24 h replays the answer and
// creates nothing. A concurrent request with the same key waits for the
// first one's transaction and replays its answer; a concurrent upload is
// received whole, then discarded. Answers that were stored replay before
// the request's body is read.

// answer is what a creating request answers: Status and Body now; Replay,
// when not nil, is stored in Body's place (the answer without its secret).
type answer struct {
	Status       int
	Body, Replay any
}

// once is the Idempotency-Key of one creating request; Key is empty
// without one. The route's transaction calls claim then complete, or
// commit (both at once).
type once struct {
	s      *Server
	r      *http.Request
	Key    string
	ans    answer
	stored *store.StoredResponse // an earlier request's answer, to replay
}

// errReplay rolls back the transaction of a request whose key turned out
// to hold an earlier request's answer.
var errReplay = errors.New("idempotency key already answered")

// claim claims o's key in tx. When an earlier request's answer is stored
// under it, claim returns errReplay: the caller returns it, so that tx
// rolls back what it wrote, and createsOnce replays that answer.
func (o *once) claim(ctx context.Context, tx *store.Tx) error {
	if o.Key == "" {
		return nil
	}
	st, err := tx.ClaimIdempotencyKey(ctx, account(o.r), o.Key, o.r.Method, o.r.URL.Path, o.s.svc.Now())
	if err != nil {
		return err
	}
	if st != nil {
		o.stored = st
		return errReplay
	}
	return nil
}

// complete records a as the request's answer and, with a key, stores it
// (its Replay when set) in tx, which claimed the key.
func (o *once) complete(ctx context.Context, tx *store.Tx, a answer) error {
	o.ans = a
	if o.Key == "" {
		return nil
	}
	v := a.Replay
	if v == nil {
		v = a.Body
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode stored answer: %w", err)
	}
	return tx.CompleteIdempotencyKey(ctx, account(o.r), o.Key, a.Status, append(b, '\n'))
}

// commit claims the key and stores a in tx, after the request's writes:
// for an upload, whose files stream before its transaction begins.
func (o *once) commit(ctx context.Context, tx *store.Tx, a answer) error {
	if err := o.claim(ctx, tx); err != nil {
		return err
	}
	return o.complete(ctx, tx, a)
}

// createsOnce runs a request that creates something with its
// Idempotency-Key. run writes through one transaction that calls o.claim
// and o.complete (or o.commit) and returns its error; createsOnce answers
// what o.complete recorded, or replays an earlier answer. With
// storeRefusals, a refusal (a 4xx other than 408 and 429, which are about
// this try, not the request) is stored and replayed too; without, a
// refused request leaves nothing behind and may be retried with its key.
func (s *Server) createsOnce(w http.ResponseWriter, r *http.Request, storeRefusals bool, run func(o *once) error) error {
	o := &once{s: s, r: r, Key: r.Header.Get("Idempotency-Key")}
	if len(o.Key) > 255 {
		return errorf(http.StatusBadRequest, "invalid_request", "Idempotency-Key must be at most 255 characters")
	}
	if o.Key != "" {
		st, err := s.db.IdempotentAnswer(r.Context(), account(r), o.Key, s.svc.Now())
		if err != nil {
			return err
		}
		if st != nil {
			return o.replay(w, st)
		}
	}
	err := run(o)
	switch {
	case o.stored != nil:
		return o.replay(w, o.stored)
	case err != nil && o.Key != "" && storeRefusals:
		return s.storeRefusal(w, o, err)
	case err != nil:
		return err
	}
	writeJSON(w, o.ans.Status, o.ans.Body)
	return nil
}

// replay answers an earlier request's stored answer, or 422 when that
// request was another route's.
func (o *once) replay(w http.ResponseWriter, st *store.StoredResponse) error {
	if st.Method != o.r.Method || st.Path != o.r.URL.Path {
		return errorf(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"Idempotency-Key %q was used for %s %s; use a new key for a different request", o.Key, st.Method, st.Path)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(st.StatusCode)
	w.Write(st.Body)
	return nil
}

// storeRefusal answers err and, when it refuses the request (4xx but 408
// and 429), stores that answer under o's key first, in one transaction
// with the claim. A key answered meanwhile (a concurrent request) replays
// that answer instead.
func (s *Server) storeRefusal(w http.ResponseWriter, o *once, err error) error {
	rec := &bufferWriter{header: http.Header{}}
	s.writeError(rec, o.r, err) // logs an internal error, once
	if rec.status >= 400 && rec.status < 500 && rec.status != http.StatusRequestTimeout && rec.status != http.StatusTooManyRequests {
		// Stored even if the client went away meanwhile.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(o.r.Context()), 5*time.Second)
		defer cancel()
		err := s.db.Tx(ctx, func(tx *store.Tx) error {
			if err := o.claim(ctx, tx); err != nil {
				return err
			}
			return tx.CompleteIdempotencyKey(ctx, account(o.r), o.Key, rec.status, rec.body.Bytes())
		})
		if o.stored != nil {
			return o.replay(w, o.stored)
		}
		if err != nil {
			s.log.Warn("store the answer of a refused request", "request_id", requestID(o.r.Context()), "err", err)
		}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
	return nil
}

// bufferWriter is a ResponseWriter that keeps the answer.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferWriter) Header() http.Header { return w.header }

func (w *bufferWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *bufferWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// tx runs a creation that fits in one transaction: it claims the key,
// then create writes through tx, then the answer is stored; a concurrent
// request with the key waits for tx rather than creates.
func (o *once) tx(create func(ctx context.Context, tx *store.Tx) (answer, error)) error {
	ctx := o.r.Context()
	return o.s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := o.claim(ctx, tx); err != nil {
			return err
		}
		a, err := create(ctx, tx)
		if err != nil {
			return err
		}
		return o.complete(ctx, tx, a)
	})
}

// createsSecret runs a request that creates a secret (an API key, a
// webhook endpoint, a new endpoint secret) with createsOnce: create writes
// through tx; the answer stored is its Replay, without the secret, which
// is never stored. A refused request stores nothing.
func (s *Server) createsSecret(w http.ResponseWriter, r *http.Request, create func(ctx context.Context, tx *store.Tx) (answer, error)) error {
	return s.createsOnce(w, r, false, func(o *once) error { return o.tx(create) })
}

package client

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks headers of a delivery. Header lookups are
// case-insensitive.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// WebhookTolerance is how far webhook-timestamp may be from the
// receiver's clock, either way, before a delivery is refused as a replay.
const WebhookTolerance = 5 * time.Minute

// MaxWebhookBody is the largest delivery body [WebhookHandler] reads.
const MaxWebhookBody = 1 << 20

// Errors of [Verify]; compare with errors.Is. The first two mean a
// malformed request (WebhookHandler answers 400), the next three a
// request that is not authentic or is replayed (401).
var (
	ErrMissingHeaders      = errors.New("docparse: missing webhook-id, webhook-timestamp or webhook-signature header")
	ErrInvalidTimestamp    = errors.New("docparse: webhook-timestamp is not a Unix time in seconds")
	ErrTimestampTooOld     = errors.New("docparse: webhook-timestamp is too old")
	ErrTimestampTooNew     = errors.New("docparse: webhook-timestamp is too far in the future")
	ErrNoMatchingSignature = errors.New("docparse: no matching webhook signature")
	// ErrInvalidSecret: the secret is not (whsec_ followed by) standard
	// base64. The error never contains the secret.
	ErrInvalidSecret = errors.New("docparse: webhook secret is not valid base64")
)

// Verify checks a webhook delivery against the endpoint's secret by the
// Standard Webhooks scheme, at the current time: see [VerifyAt].
func Verify(secret string, h http.Header, body []byte) error {
	return VerifyAt(secret, h, body, time.Now())
}

// VerifyAt checks a delivery at time now: webhook-id, webhook-timestamp and
// webhook-signature are present; the timestamp is within
// [WebhookTolerance] of now, either way; and at least one "v1,<base64>"
// entry of the space-separated signature header equals base64
// HMAC-SHA256(key, id + "." + timestamp + "." + body), compared in
// constant time (entries of other versions are ignored; several entries
// arrive during a secret rotation's grace period). key is the base64
// decoding of secret, with or without its "whsec_" prefix. body must be
// the exact bytes received.
func VerifyAt(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp), h.Get(HeaderWebhookSignature)
	if id == "" || ts == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrInvalidTimestamp
	}
	t := time.Unix(unix, 0)
	if now.Sub(t) > WebhookTolerance {
		return ErrTimestampTooOld
	}
	if t.Sub(now) > WebhookTolerance {
		return ErrTimestampTooNew
	}
	key, err := webhookKey(secret)
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, entry := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoMatchingSignature
}

// webhookKey decodes a secret, with or without "whsec_".
func webhookKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, ErrInvalidSecret
	}
	return key, nil
}

// WebhookHandler returns an http.Handler that receives docparse's webhook
// deliveries: it reads the body (at most [MaxWebhookBody]; more is a 413),
// verifies it with secret, decodes the event and calls fn with it, with
// the request's context.
//
// Answers: 400 when the webhook headers are missing or malformed or the
// verified body is not an event; 401 when no signature matches or the
// timestamp is outside the tolerance; 405 for a method other than POST;
// 204 when fn returns nil; 500 when fn returns an error, which makes
// docparse deliver the event again later (so fn may return an error for a
// transient failure, and must be idempotent). Delivery is at least once:
// dedupe on ev.ID, the webhook-id, which is the same on every attempt.
// An invalid secret answers 500 to every delivery.
func WebhookHandler(secret string, fn func(ctx context.Context, ev *Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		if err := Verify(secret, r.Header, body); err != nil {
			http.Error(w, strings.TrimPrefix(err.Error(), "docparse: "), verifyStatus(err))
			return
		}
		ev, err := decodeEvent(r.Header.Get(HeaderWebhookID), body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := fn(r.Context(), ev); err != nil {
			http.Error(w, "the receiver failed to handle the event", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// verifyStatus maps a Verify error to the answer of WebhookHandler.
func verifyStatus(err error) int {
	switch {
	case errors.Is(err, ErrMissingHeaders), errors.Is(err, ErrInvalidTimestamp):
		return http.StatusBadRequest
	case errors.Is(err, ErrInvalidSecret):
		return http.StatusInternalServerError
	}
	return http.StatusUnauthorized
}

// ParseEvent verifies a delivery with [Verify] and decodes its event, for
// receivers that do not use [WebhookHandler].
func ParseEvent(secret string, h http.Header, body []byte) (*Event, error) {
	if err := Verify(secret, h, body); err != nil {
		return nil, err
	}
	return decodeEvent(h.Get(HeaderWebhookID), body)
}

// decodeEvent decodes a delivery body, {"type", "timestamp", "data"}.
func decodeEvent(id string, body []byte) (*Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	if ev.Type == "" {
		return nil, errors.New("decode event: no type")
	}
	ev.ID = id
	return &ev, nil
}

// DecodeData decodes the event's data into v.
func (ev *Event) DecodeData(v any) error {
	if err := json.Unmarshal(ev.Data, v); err != nil {
		return fmt.Errorf("decode data of %s event %s: %w", ev.Type, ev.ID, err)
	}
	return nil
}

// BatchEvent returns the data of an extraction.completed or
// extraction.failed event; other types are an error.
func (ev *Event) BatchEvent() (*BatchEventData, error) {
	return eventData[BatchEventData](ev, "an extraction batch event", EventExtractionCompleted, EventExtractionFailed)
}

// FileEvent returns the data of a file.processed, file.needs_review or
// file.failed event; other types are an error.
func (ev *Event) FileEvent() (*FileEventData, error) {
	return eventData[FileEventData](ev, "a file event", EventFileProcessed, EventFileNeedsReview, EventFileFailed)
}

// eventData decodes the data of ev, whose type must be one of types; an
// event of another type is an error saying that it is not what.
func eventData[T any](ev *Event, what string, types ...string) (*T, error) {
	if !slices.Contains(types, ev.Type) {
		return nil, fmt.Errorf("event %s is %s, not %s", ev.ID, ev.Type, what)
	}
	var d T
	if err := ev.DecodeData(&d); err != nil {
		return nil, err
	}
	return &d, nil
}

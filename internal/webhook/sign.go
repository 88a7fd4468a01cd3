package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of a Standard Webhooks delivery. Header lookups are
// case-insensitive, so net/http's canonical forms ("Webhook-Id") are the
// same headers on the wire.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret [NewSecret] makes. [Sign] and [Verify]
// accept secrets with or without it.
const SecretPrefix = "whsec_"

// Tolerance is how far a webhook-timestamp may be from the verifier's clock,
// in either direction, before [Verify] rejects the message as a replay.
const Tolerance = 5 * time.Minute

// secretBytes is the size of the random key behind a secret.
const secretBytes = 32

// Errors returned by [Verify]. Each is returned as is (compare with
// errors.Is), so a receiver can log why a message was refused.
var (
	// ErrMissingHeaders: webhook-id, webhook-timestamp or webhook-signature
	// is absent or empty.
	ErrMissingHeaders = errors.New("missing webhook-id, webhook-timestamp or webhook-signature header")
	// ErrInvalidTimestamp: webhook-timestamp is not a Unix time in seconds.
	ErrInvalidTimestamp = errors.New("webhook-timestamp is not a Unix time in seconds")
	// ErrTimestampTooOld: the message was signed more than Tolerance ago.
	ErrTimestampTooOld = errors.New("webhook-timestamp is too old")
	// ErrTimestampTooNew: the message claims to be signed more than
	// Tolerance in the future.
	ErrTimestampTooNew = errors.New("webhook-timestamp is too far in the future")
	// ErrNoMatchingSignature: no v1 entry of webhook-signature matches the
	// secret, id, timestamp and body.
	ErrNoMatchingSignature = errors.New("no matching webhook signature")
)

// NewSecret returns a new endpoint secret: "whsec_" followed by 32 random
// bytes in standard, padded base64. The error is from the system's random
// source and is practically never non-nil.
func NewSecret() (string, error) {
	var key [secretBytes]byte
	if _, err := rand.Read(key[:]); err != nil {
		return "", fmt.Errorf("new webhook secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key[:]), nil
}

// decodeSecret returns the HMAC key of secret: the standard base64 after the
// optional "whsec_" prefix. The error never contains the secret.
func decodeSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return nil, fmt.Errorf("decode webhook secret: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("decode webhook secret: secret is empty")
	}
	return key, nil
}

// mac returns HMAC-SHA256(key, msgID + "." + unixSeconds + "." + body).
func mac(key []byte, msgID string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	var scratch [24]byte
	h.Write([]byte(msgID))
	h.Write(strconv.AppendInt(append(scratch[:0], '.'), unix, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// appendSignature appends "v1," + base64(mac) to dst.
func appendSignature(dst []byte, key []byte, msgID string, unix int64, body []byte) []byte {
	dst = append(dst, "v1,"...)
	return base64.StdEncoding.AppendEncode(dst, mac(key, msgID, unix, body))
}

// Sign returns the Standard Webhooks v1 signature of one message:
// "v1," + base64(HMAC-SHA256(key, msgID + "." + ts.Unix() + "." + body)),
// where key is the base64-decoded secret after the optional "whsec_"
// prefix. ts is truncated to whole seconds, as it is sent in
// webhook-timestamp. It fails only for a secret that is not valid base64 or
// is empty; the error does not contain the secret.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return string(appendSignature(make([]byte, 0, 48), key, msgID, ts.Unix(), body)), nil
}

// SignatureHeader returns the value of webhook-signature for one message:
// the v1 signature under each secret, in order, separated by single spaces.
// During a rotation grace period the endpoint has two active secrets, and a
// receiver that knows either one accepts the message. It fails for an empty
// list or for any invalid secret.
func SignatureHeader(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", errors.New("sign webhook: no secret")
	}
	buf := make([]byte, 0, 48*len(secrets))
	for i, s := range secrets {
		key, err := decodeSecret(s)
		if err != nil {
			return "", fmt.Errorf("sign webhook with secret %d: %w", i, err)
		}
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = appendSignature(buf, key, msgID, ts.Unix(), body)
	}
	return string(buf), nil
}

// Verify checks a received message the way a Standard Webhooks receiver
// must: the three headers are present, webhook-timestamp is within
// [Tolerance] of now in either direction, and at least one v1 entry of the
// space-separated webhook-signature matches (compared in constant time;
// entries of other versions are ignored). body must be the exact bytes
// received. The secret may carry the "whsec_" prefix or not.
//
// It returns nil, one of the sentinel errors above, or an error about an
// invalid secret.
func Verify(secret string, header http.Header, body []byte, now time.Time) error {
	msgID := header.Get(HeaderID)
	tsText := header.Get(HeaderTimestamp)
	sigs := header.Get(HeaderSignature)
	if msgID == "" || tsText == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrInvalidTimestamp
	}
	ts := time.Unix(unix, 0)
	if now.Sub(ts) > Tolerance {
		return ErrTimestampTooOld
	}
	if ts.Sub(now) > Tolerance {
		return ErrTimestampTooNew
	}
	key, err := decodeSecret(secret)
	if err != nil {
		return err
	}
	want := appendSignature(nil, key, msgID, unix, body)
	for _, got := range strings.Fields(sigs) {
		if !strings.HasPrefix(got, "v1,") {
			continue
		}
		if hmac.Equal([]byte(got), want) {
			return nil
		}
	}
	return ErrNoMatchingSignature
}

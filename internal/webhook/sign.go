package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
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

// SecretPrefix starts every secret [NewSecret] makes. [Sign] and
// [SignatureHeader] accept secrets with or without it.
const SecretPrefix = "whsec_"

// secretBytes is the size of the random key behind a secret.
const secretBytes = 32

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

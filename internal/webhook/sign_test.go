package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/docparse/docparse/internal/webhook"
)

// The test vector published with the Standard Webhooks specification.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	ts := time.Unix(specTimestamp, 0)
	for _, secret := range []string{specSecret, strings.TrimPrefix(specSecret, "whsec_")} {
		got, err := webhook.Sign(secret, specMsgID, ts, []byte(specBody))
		if err != nil {
			t.Fatalf("Sign(%q): %v", secret, err)
		}
		if got != specSignature {
			t.Errorf("Sign(%q) = %q, want %q", secret, got, specSignature)
		}
	}
	// Sub-second parts are not signed: the header carries whole seconds.
	got, err := webhook.Sign(specSecret, specMsgID, ts.Add(999*time.Millisecond), []byte(specBody))
	if err != nil || got != specSignature {
		t.Errorf("Sign with 999ms more = %q, %v; want %q", got, err, specSignature)
	}
}

func TestSignInvalidSecret(t *testing.T) {
	for _, secret := range []string{"", "whsec_", "whsec_not base64!!", "whsec_abc"} {
		_, err := webhook.Sign(secret, specMsgID, time.Unix(specTimestamp, 0), []byte(specBody))
		if err == nil {
			t.Errorf("Sign(%q) succeeded, want an error", secret)
			continue
		}
		if secret != "" && secret != "whsec_" && strings.Contains(err.Error(), strings.TrimPrefix(secret, "whsec_")) {
			t.Errorf("Sign(%q) error %q contains the secret", secret, err)
		}
	}
}

func TestNewSecret(t *testing.T) {
	a := mustSecret(t)
	b := mustSecret(t)
	if a == b {
		t.Errorf("two NewSecret calls both returned %q", a)
	}
	for _, s := range []string{a, b} {
		rest, ok := strings.CutPrefix(s, "whsec_")
		if !ok {
			t.Fatalf("NewSecret() = %q, want the whsec_ prefix", s)
		}
		key, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			t.Fatalf("NewSecret() = %q: not base64: %v", s, err)
		}
		if len(key) != 32 {
			t.Errorf("NewSecret() key is %d bytes, want 32", len(key))
		}
		if _, err := webhook.Sign(s, "evt_1", time.Unix(1, 0), nil); err != nil {
			t.Errorf("Sign with NewSecret() = %q: %v", s, err)
		}
	}
}

// mustSecret returns a new secret.
func mustSecret(t *testing.T) string {
	t.Helper()
	s, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// otherSigned returns a new secret and its signature of the spec's
// message at ts.
func otherSigned(t *testing.T, ts time.Time) (secret, sig string) {
	t.Helper()
	secret = mustSecret(t)
	sig, err := webhook.Sign(secret, specMsgID, ts, []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	return secret, sig
}

func TestSignatureHeader(t *testing.T) {
	ts := time.Unix(specTimestamp, 0)
	other, otherSig := otherSigned(t, ts)

	got, err := webhook.SignatureHeader([]string{specSecret}, specMsgID, ts, []byte(specBody))
	if err != nil || got != specSignature {
		t.Errorf("SignatureHeader(one secret) = %q, %v; want %q", got, err, specSignature)
	}
	got, err = webhook.SignatureHeader([]string{other, specSecret}, specMsgID, ts, []byte(specBody))
	if want := otherSig + " " + specSignature; err != nil || got != want {
		t.Errorf("SignatureHeader(two secrets) = %q, %v; want %q", got, err, want)
	}
	if _, err := webhook.SignatureHeader(nil, specMsgID, ts, []byte(specBody)); err == nil {
		t.Error("SignatureHeader(no secrets) succeeded, want an error")
	}
	if _, err := webhook.SignatureHeader([]string{specSecret, "whsec_%%%"}, specMsgID, ts, []byte(specBody)); err == nil {
		t.Error("SignatureHeader(with an invalid secret) succeeded, want an error")
	}
}

func signedHeader(t *testing.T, sig, msgID string, ts int64) http.Header {
	t.Helper()
	h := http.Header{}
	h.Set(webhook.HeaderID, msgID)
	h.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(webhook.HeaderSignature, sig)
	return h
}

func TestVerify(t *testing.T) {
	now := time.Unix(specTimestamp, 0)
	other, otherSig := otherSigned(t, now)
	without := func(name string) http.Header {
		h := signedHeader(t, specSignature, specMsgID, specTimestamp)
		h.Del(name)
		return h
	}
	tests := []struct {
		name   string
		secret string
		header http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"valid", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now, nil},
		{"secret without prefix", strings.TrimPrefix(specSecret, "whsec_"), signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now, nil},
		{"second of two signatures", specSecret, signedHeader(t, otherSig+" "+specSignature, specMsgID, specTimestamp), specBody, now, nil},
		{"first of two signatures", other, signedHeader(t, otherSig+" "+specSignature, specMsgID, specTimestamp), specBody, now, nil},
		{"extra spaces and other versions", specSecret, signedHeader(t, "v2,abc  "+specSignature+" ", specMsgID, specTimestamp), specBody, now, nil},
		{"4m59s old", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now.Add(4*time.Minute + 59*time.Second), nil},
		{"5m old", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now.Add(5 * time.Minute), nil},
		{"5m in the future", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now.Add(-5 * time.Minute), nil},
		{"5m1s old", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now.Add(5*time.Minute + time.Second), webhook.ErrTimestampTooOld},
		{"5m1s in the future", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now.Add(-5*time.Minute - time.Second), webhook.ErrTimestampTooNew},
		{"tampered body", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp), `{"test": 2432232315}`, now, webhook.ErrNoMatchingSignature},
		{"other id", specSecret, signedHeader(t, specSignature, "msg_other", specTimestamp), specBody, now, webhook.ErrNoMatchingSignature},
		{"other timestamp", specSecret, signedHeader(t, specSignature, specMsgID, specTimestamp+1), specBody, now, webhook.ErrNoMatchingSignature},
		{"wrong secret", other, signedHeader(t, specSignature, specMsgID, specTimestamp), specBody, now, webhook.ErrNoMatchingSignature},
		{"signature without version", specSecret, signedHeader(t, strings.TrimPrefix(specSignature, "v1,"), specMsgID, specTimestamp), specBody, now, webhook.ErrNoMatchingSignature},
		{"signature as v2", specSecret, signedHeader(t, "v2,"+strings.TrimPrefix(specSignature, "v1,"), specMsgID, specTimestamp), specBody, now, webhook.ErrNoMatchingSignature},
		{"no id", specSecret, without(webhook.HeaderID), specBody, now, webhook.ErrMissingHeaders},
		{"no timestamp", specSecret, without(webhook.HeaderTimestamp), specBody, now, webhook.ErrMissingHeaders},
		{"no signature", specSecret, without(webhook.HeaderSignature), specBody, now, webhook.ErrMissingHeaders},
		{"timestamp 1970", specSecret, signedHeader(t, specSignature, specMsgID, 0), specBody, now, webhook.ErrTimestampTooOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.Verify(tt.secret, tt.header, []byte(tt.body), tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Verify() = %v, want %v", err, tt.want)
			}
		})
	}

	h := signedHeader(t, specSignature, specMsgID, specTimestamp)
	h.Set(webhook.HeaderTimestamp, "1614265330.5")
	if err := webhook.Verify(specSecret, h, []byte(specBody), now); !errors.Is(err, webhook.ErrInvalidTimestamp) {
		t.Errorf("Verify(fractional timestamp) = %v, want %v", err, webhook.ErrInvalidTimestamp)
	}
	if err := webhook.Verify("whsec_%%%", signedHeader(t, specSignature, specMsgID, specTimestamp), []byte(specBody), now); err == nil {
		t.Error("Verify(invalid secret) = nil, want an error")
	}
}

// The reference implementation must accept what we send: the library is
// an independent verifier (it reads the real clock, so these messages are
// signed now).
func TestStandardWebhooksLibraryVerifiesOurSignatures(t *testing.T) {
	oldSecret := mustSecret(t)
	newSecret := mustSecret(t)
	ts := time.Now()
	body := []byte(`{"type":"endpoint.test","timestamp":"2026-05-24T10:00:00Z","data":{"message":"hello"}}`)
	const msgID = "evt_01JABCDEFGHJKMNPQRSTVWXYZ0"

	one, err := webhook.SignatureHeader([]string{newSecret}, msgID, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	two, err := webhook.SignatureHeader([]string{oldSecret, newSecret}, msgID, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		verifier  string // secret the receiver knows
		signature string
		body      []byte
		wantErr   error
	}{
		{"one signature", newSecret, one, body, nil},
		{"grace period, receiver knows the old secret", oldSecret, two, body, nil},
		{"grace period, receiver knows the new secret", newSecret, two, body, nil},
		{"old secret after rotation", oldSecret, one, body, standardwebhooks.ErrNoMatchingSignature},
		{"tampered body", newSecret, one, []byte(strings.Replace(string(body), "endpoint.test", "endpoint.tesT", 1)), standardwebhooks.ErrNoMatchingSignature},
		{"tampered body, two signatures", oldSecret, two, []byte(strings.Replace(string(body), "hello", "hellO", 1)), standardwebhooks.ErrNoMatchingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wh, err := standardwebhooks.NewWebhook(tt.verifier)
			if err != nil {
				t.Fatal(err)
			}
			h := signedHeader(t, tt.signature, msgID, ts.Unix())
			err = wh.Verify(tt.body, h)
			if tt.wantErr == nil && err != nil {
				t.Errorf("library Verify() = %v, want nil", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("library Verify() = %v, want %v", err, tt.wantErr)
			}
			// Our own verifier agrees with the library.
			ours := webhook.Verify(tt.verifier, h, tt.body, ts)
			if (ours == nil) != (err == nil) {
				t.Errorf("Verify() = %v, library says %v", ours, err)
			}
		})
	}
}

// And the other way round: what the library signs, Verify accepts.
func TestVerifyLibrarySignatures(t *testing.T) {
	secret := mustSecret(t)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1_780_000_000, 0)
	body := []byte(`{"a":1}`)
	sig, err := wh.Sign("evt_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := webhook.Sign(secret, "evt_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	if ours != sig {
		t.Errorf("Sign() = %q, library signs %q", ours, sig)
	}
	if err := webhook.Verify(secret, signedHeader(t, sig, "evt_1", ts.Unix()), body, ts); err != nil {
		t.Errorf("Verify(library signature) = %v", err)
	}
}

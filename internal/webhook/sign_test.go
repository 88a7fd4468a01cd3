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
		})
	}
}

// And the other way round: what the library signs, Sign signs alike (the
// SDK's tests check that its verifier accepts the library's signatures).
func TestSignAgreesWithLibrary(t *testing.T) {
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
}

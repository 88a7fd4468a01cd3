package client_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/docparse/docparse/client"
)

// The Standard Webhooks specification's published test vector.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func vectorHeader(sig string, ts int64) http.Header {
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	return h
}

// vectorHeaderWith is the vector's header with one header set to value,
// or left out when value is "".
func vectorHeaderWith(name, value string) http.Header {
	h := vectorHeader(vectorSig, vectorTS)
	if value == "" {
		h.Del(name)
	} else {
		h.Set(name, value)
	}
	return h
}

// sign signs like a sender, for cases the vector does not cover.
func sign(secret, id string, ts int64, body string) string {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	at := time.Unix(vectorTS, 0)
	otherSecret := "whsec_" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name   string
		secret string
		header http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"spec vector", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at, nil},
		{"secret without whsec_", strings.TrimPrefix(vectorSecret, "whsec_"), vectorHeader(vectorSig, vectorTS), vectorBody, at, nil},
		{"tampered body", vectorSecret, vectorHeader(vectorSig, vectorTS), `{"test": 2432232315}`, at, client.ErrNoMatchingSignature},
		{"wrong secret", otherSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at, client.ErrNoMatchingSignature},
		{"6 minutes old", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(6 * time.Minute), client.ErrTimestampTooOld},
		{"6 minutes in the future", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(-6 * time.Minute), client.ErrTimestampTooNew},
		{"4 minutes old", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(4 * time.Minute), nil},
		{"4 minutes in the future", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(-4 * time.Minute), nil},
		{"5 minutes old", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(5 * time.Minute), nil},
		{"5 minutes in the future", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(-5 * time.Minute), nil},
		{"5m1s old", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(5*time.Minute + time.Second), client.ErrTimestampTooOld},
		{"5m1s in the future", vectorSecret, vectorHeader(vectorSig, vectorTS), vectorBody, at.Add(-5*time.Minute - time.Second), client.ErrTimestampTooNew},
		{"timestamp 1970", vectorSecret, vectorHeader(vectorSig, 0), vectorBody, at, client.ErrTimestampTooOld},
		{"extra spaces and other versions", vectorSecret, vectorHeader("v2,abc  "+vectorSig+" ", vectorTS), vectorBody, at, nil},
		{"signature without version", vectorSecret, vectorHeader(strings.TrimPrefix(vectorSig, "v1,"), vectorTS), vectorBody, at, client.ErrNoMatchingSignature},
		{"two signatures, second matches", vectorSecret,
			vectorHeader(sign(otherSecret, vectorID, vectorTS, vectorBody)+" "+vectorSig, vectorTS), vectorBody, at, nil},
		{"two signatures, first matches", otherSecret,
			vectorHeader(sign(otherSecret, vectorID, vectorTS, vectorBody)+" "+vectorSig, vectorTS), vectorBody, at, nil},
		{"two signatures, none matches", vectorSecret,
			vectorHeader(sign(otherSecret, vectorID, vectorTS, vectorBody)+" v1,bm9wZQ==", vectorTS), vectorBody, at, client.ErrNoMatchingSignature},
		{"other versions ignored", vectorSecret, vectorHeader("v2,"+strings.TrimPrefix(vectorSig, "v1,"), vectorTS), vectorBody, at, client.ErrNoMatchingSignature},
		{"signature of another id", vectorSecret, vectorHeaderWith("webhook-id", "msg_other"), vectorBody, at, client.ErrNoMatchingSignature},
		{"signature of another timestamp", vectorSecret, vectorHeader(vectorSig, vectorTS+1), vectorBody, at, client.ErrNoMatchingSignature},
		{"missing signature", vectorSecret, vectorHeaderWith("webhook-signature", ""), vectorBody, at, client.ErrMissingHeaders},
		{"missing id", vectorSecret, vectorHeaderWith("webhook-id", ""), vectorBody, at, client.ErrMissingHeaders},
		{"timestamp not a number", vectorSecret, vectorHeaderWith("webhook-timestamp", "yesterday"), vectorBody, at, client.ErrInvalidTimestamp},
		{"fractional timestamp", vectorSecret, vectorHeaderWith("webhook-timestamp", "1614265330.5"), vectorBody, at, client.ErrInvalidTimestamp},
		{"missing timestamp", vectorSecret, vectorHeaderWith("webhook-timestamp", ""), vectorBody, at, client.ErrMissingHeaders},
		{"invalid secret", "whsec_%%%", vectorHeader(vectorSig, vectorTS), vectorBody, at, client.ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := client.VerifyAt(tt.secret, tt.header, []byte(tt.body), tt.now); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestVerifyReferenceLibrary: what the Standard Webhooks reference library
// signs, Verify accepts, with the current clock.
func TestVerifyReferenceLibrary(t *testing.T) {
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	body := []byte(`{"type":"endpoint.test","timestamp":"2026-05-24T10:00:00Z","data":{"message":"hi"}}`)
	sig, err := wh.Sign("evt_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "evt_1")
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sig)
	if err := client.Verify(secret, h, body); err != nil {
		t.Errorf("Verify of a reference signature = %v", err)
	}
	// And the reference library accepts the specification's vector, which
	// Verify accepts too (TestVerify): both sides read the scheme alike.
	ref, _ := standardwebhooks.NewWebhook(vectorSecret)
	if _, err := ref.Sign(vectorID, time.Unix(vectorTS, 0), []byte(vectorBody)); err != nil {
		t.Fatal(err)
	}
	if got, _ := ref.Sign(vectorID, time.Unix(vectorTS, 0), []byte(vectorBody)); got != vectorSig {
		t.Errorf("reference Sign = %s, want the vector's %s", got, vectorSig)
	}
}

func TestWebhookHandler(t *testing.T) {
	secret := "whsec_" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{42}, 32))
	now := time.Now().Unix()
	body := `{"type":"file.processed","timestamp":"2026-05-24T10:00:00.123Z","data":{"extraction_id":"ext_1","batch_id":"btc_1","file":{"id":"file_1","file_name":"a.pdf","page_count":2,"status":"processed"}}}`
	signed := func(body string, ts int64) http.Header {
		h := http.Header{}
		h.Set("webhook-id", "evt_1")
		h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
		h.Set("webhook-signature", sign(secret, "evt_1", ts, body))
		return h
	}
	tests := []struct {
		name    string
		method  string
		header  http.Header
		body    string
		failing bool // fn returns an error
		status  int
		called  bool
	}{
		{"valid", "POST", signed(body, now), body, false, http.StatusNoContent, true},
		{"handler fails", "POST", signed(body, now), body, true, http.StatusInternalServerError, true},
		{"missing headers", "POST", http.Header{}, body, false, http.StatusBadRequest, false},
		{"malformed timestamp", "POST", func() http.Header { h := signed(body, now); h.Set("webhook-timestamp", "x"); return h }(), body, false, http.StatusBadRequest, false},
		{"bad signature", "POST", signed(body, now), strings.Replace(body, "a.pdf", "b.pdf", 1), false, http.StatusUnauthorized, false},
		{"too old", "POST", signed(body, now-360), body, false, http.StatusUnauthorized, false},
		{"too new", "POST", signed(body, now+360), body, false, http.StatusUnauthorized, false},
		{"not an event", "POST", signed(`[1, 2]`, now), `[1, 2]`, false, http.StatusBadRequest, false},
		{"too large", "POST", signed(body, now), strings.Repeat(" ", client.MaxWebhookBody+1), false, http.StatusRequestEntityTooLarge, false},
		{"GET", "GET", signed(body, now), body, false, http.StatusMethodNotAllowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *client.Event
			h := client.WebhookHandler(secret, func(ctx context.Context, ev *client.Event) error {
				got = ev
				if tt.failing {
					return errors.New("database down")
				}
				return nil
			})
			req := httptest.NewRequest(tt.method, "/hook", strings.NewReader(tt.body))
			req.Header = tt.header
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status = %d (%s), want %d", rec.Code, rec.Body, tt.status)
			}
			if (got != nil) != tt.called {
				t.Fatalf("handler called = %v, want %v", got != nil, tt.called)
			}
			if got == nil {
				return
			}
			fe, err := got.FileEvent()
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != "evt_1" || got.Type != client.EventFileProcessed || fe.File.FileName != "a.pdf" || fe.BatchID != "btc_1" ||
				!got.Timestamp.Equal(time.Date(2026, 5, 24, 10, 0, 0, 123e6, time.UTC)) {
				t.Errorf("event %+v, data %+v", got, fe)
			}
			if _, err := got.BatchEvent(); err == nil {
				t.Errorf("BatchEvent of a file event succeeded")
			}
		})
	}
}

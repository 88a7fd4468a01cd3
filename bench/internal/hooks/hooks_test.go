package hooks

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestVerifyAcceptsSignature(t *testing.T) {
	key := []byte("0123456789abcdef")
	body := []byte(`{"type":"extraction.completed"}`)
	now := time.Unix(1_800_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", ts)
	h.Set("webhook-signature", "v1,bm90IGl0 "+Signature(key, "msg_1", ts, body))
	if err := Verify(key, h, body, now); err != nil {
		t.Errorf("Verify of a signed delivery: %v", err)
	}
	if err := Verify(key, h, append(body, ' '), now); err == nil {
		t.Error("Verify of a changed body = nil, want an error")
	}
	if err := Verify(key, h, body, now.Add(SignatureTolerance+time.Second)); err == nil {
		t.Error("Verify of an old timestamp = nil, want an error")
	}
}

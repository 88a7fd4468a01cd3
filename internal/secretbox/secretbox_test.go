package secretbox

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newKey(t *testing.T) (*Key, string) {
	t.Helper()
	text, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return k, text
}

func TestSealOpenRoundTrip(t *testing.T) {
	k, _ := newKey(t)
	b := New(k)
	const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXM="
	s1, err := b.Seal(secret, "webhook_endpoints.secret/ep_1")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := b.Seal(secret, "webhook_endpoints.secret/ep_1")
	if s1 == s2 {
		t.Fatal("two seals of one secret are equal: the nonce is not random")
	}
	if !strings.HasPrefix(s1, Prefix+k.ID()+":") || strings.Contains(s1, secret) || strings.Contains(s1, "c2VjcmV0") {
		t.Fatalf("sealed value %q: want prefix %q and no plaintext", s1, Prefix+k.ID())
	}
	got, err := b.Open(s1, "webhook_endpoints.secret/ep_1")
	if err != nil || got != secret {
		t.Fatalf("Open = %q, %v; want the secret", got, err)
	}
	if got, err := b.Open(s1, "webhook_endpoints.secret/ep_1"); err != nil || got != secret {
		t.Fatalf("second Open (remembered) = %q, %v", got, err)
	}
	// Bound to its place: the same value in another row does not open,
	// remembered or not.
	if _, err := b.Open(s1, "webhook_endpoints.secret/ep_2"); err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Fatalf("Open under another aad: %v, want authentication failure", err)
	}
	// Altered: one flipped byte of the body fails.
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s1, Prefix+k.ID()+":"))
	raw[len(raw)-1] ^= 1
	bad := Prefix + k.ID() + ":" + base64.RawURLEncoding.EncodeToString(raw)
	if _, err := b.Open(bad, "webhook_endpoints.secret/ep_1"); err == nil {
		t.Fatal("an altered value opened")
	}
	if _, err := b.Open(secret, "x"); err == nil || !strings.Contains(err.Error(), "not sealed") {
		t.Fatalf("Open(plaintext) = %v, want not sealed", err)
	}
}

func TestWrongKeyIsClearError(t *testing.T) {
	k1, _ := newKey(t)
	k2, _ := newKey(t)
	sealed, err := New(k1).Seal("whsec_x", "a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(k2).Open(sealed, "a")
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), k1.ID()) || !strings.Contains(err.Error(), k2.ID()) {
		t.Fatalf("Open under the wrong key = %v; want ErrUnknownKey naming both key ids", err)
	}
	// Rotation: a box with the new key primary and the old one previous
	// opens both and seals under the new one.
	b := New(k2, k1)
	if got, err := b.Open(sealed, "a"); err != nil || got != "whsec_x" {
		t.Fatalf("Open with previous key = %q, %v", got, err)
	}
	resealed, _ := b.Seal("whsec_x", "a")
	if id, _, _ := Parse(resealed); id != k2.ID() {
		t.Fatalf("sealed under %s, want the primary %s", id, k2.ID())
	}
}

func TestParseKeyErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	if _, err := ParseKey(short); err == nil || !strings.Contains(err.Error(), "16 bytes, want 32") {
		t.Fatalf("16-byte key: %v", err)
	}
	if _, err := ParseKey("not base64 !!"); err == nil || strings.Contains(err.Error(), "!!") {
		t.Fatalf("bad base64: %v (must not echo the text)", err)
	}
}

func TestLoad(t *testing.T) {
	_, text := newKey(t)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	b, src, err := Load(env(map[string]string{EnvKey: text}), t.TempDir(), true)
	if err != nil || !src.Env {
		t.Fatalf("Load from env: %v %+v", err, src)
	}
	if _, err := b.Seal("x", "y"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(env(nil), t.TempDir(), true); err == nil || !strings.Contains(err.Error(), "DOCPARSE_SECRET_KEY is not set") {
		t.Fatalf("PostgreSQL without the variable: %v", err)
	}
	if _, _, err := Load(env(map[string]string{EnvKey: "c2hvcnQ="}), t.TempDir(), false); err == nil ||
		!strings.Contains(err.Error(), "DOCPARSE_SECRET_KEY: secret key is 5 bytes, want 32") {
		t.Fatalf("short key in env: %v", err)
	}

	// The key file: created 0600, then read back the same.
	dir := t.TempDir()
	b1, src, err := Load(env(nil), dir, false)
	if err != nil || !src.Created || src.File != filepath.Join(dir, KeyFileName) {
		t.Fatalf("Load creating the key file: %v %+v", err, src)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	b2, src, err := Load(env(nil), dir, false)
	if err != nil || src.Created || b2.PrimaryID() != b1.PrimaryID() {
		t.Fatalf("second Load: %v %+v, key %s want %s", err, src, b2.PrimaryID(), b1.PrimaryID())
	}

	// Wider permissions are refused, with the fix.
	path := filepath.Join(dir, KeyFileName)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(env(nil), dir, false); err == nil || !strings.Contains(err.Error(), "has mode 0644") || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("0644 key file: %v", err)
	}
	// A wrong length is refused and the content is not echoed.
	os.Chmod(path, 0o600)
	short := base64.StdEncoding.EncodeToString([]byte("twenty-byte-key-oops"))
	if err := os.WriteFile(path, []byte(short+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(env(nil), dir, false); err == nil || !strings.Contains(err.Error(), "20 bytes, want 32") || strings.Contains(err.Error(), short) {
		t.Fatalf("20-byte key file: %v", err)
	}
}

// BenchmarkOpen measures opening one sealed webhook secret, what loading
// an endpoint for a delivery adds (figures in BENCHMARKS.md): the first
// time (AES-GCM) and again (remembered).
func BenchmarkOpen(b *testing.B) {
	text, _ := GenerateKey()
	k, _ := ParseKey(text)
	box := New(k)
	sealed, _ := box.Seal("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXM=", "webhook_endpoints.secret/ep_1")
	b.Run("decrypt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := box.open(sealed, "webhook_endpoints.secret/ep_1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("remembered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := box.Open(sealed, "webhook_endpoints.secret/ep_1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSeal measures sealing one webhook secret.
func BenchmarkSeal(b *testing.B) {
	text, _ := GenerateKey()
	k, _ := ParseKey(text)
	box := New(k)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := box.Seal("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXM=", "webhook_endpoints.secret/ep_1"); err != nil {
			b.Fatal(err)
		}
	}
}

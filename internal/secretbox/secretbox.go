// Package secretbox encrypts the secrets docparse must read back (webhook
// signing secrets) with AES-256-GCM, under a key from DOCPARSE_SECRET_KEY
// or, on SQLite, a key file in the data directory.
//
// A sealed value is text, so that it fits the TEXT columns of both engines:
//
//	dpenc:v1:<key id>:<base64url(nonce || ciphertext || tag)>
//
// The key id (8 hex digits derived from the key, not the key) names the key
// that sealed it, so that a rotation can tell values sealed under the old key
// from those sealed under the new one, and a wrong key gives a clear error
// instead of a failed decryption. Each value is bound to where it is stored
// (the additional data, e.g. "webhook_endpoints.secret/ep_123"), so a sealed
// value copied into another row does not open there.
//
// Nothing in this package logs, and no error contains a key or a plaintext.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// KeySize is the size of a key: 32 bytes, AES-256.
const KeySize = 32

// Prefix starts every sealed value; a stored value without it is plaintext
// written before encryption at rest (an upgrade seals it).
const Prefix = "dpenc:v1:"

// ErrUnknownKey is returned by Open for a value sealed under a key the box
// does not hold.
var ErrUnknownKey = errors.New("sealed under a key that is not configured")

// Key is one AES-256-GCM key and its id.
type Key struct {
	id   string
	aead cipher.AEAD
}

// NewKey makes a Key of 32 raw bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("secret key is %d bytes, want %d", len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Key{id: KeyID(raw), aead: aead}, nil
}

// ParseKey makes a Key of its standard base64 text (surrounding white space
// ignored), the form of DOCPARSE_SECRET_KEY and of the key file. The error
// never contains the text.
func ParseKey(text string) (*Key, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, errors.New("secret key is not standard base64 (generate one with: head -c 32 /dev/urandom | base64)")
	}
	return NewKey(raw)
}

// GenerateKey returns the base64 text of a new random key.
func GenerateKey() (string, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate secret key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// KeyID returns the id of a raw key: the first 4 bytes of a SHA-256 of a
// fixed label and the key, in hex. It identifies the key without revealing
// it.
func KeyID(raw []byte) string {
	h := sha256.New()
	h.Write([]byte("docparse secretbox key id\x00"))
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil)[:4])
}

// ID returns the key's id.
func (k *Key) ID() string { return k.id }

// Box seals under its primary key and opens values sealed under the primary
// key or any of its previous keys (during a key rotation). Safe for
// concurrent use.
//
// Open remembers the values it opened (at most openedMax, then it starts
// afresh): a webhook secret is opened each time its endpoint is loaded for
// a delivery, and the same sealed value comes back until the secret
// changes. The plaintexts it keeps are in memory anyway while deliveries
// are signed; they never leave the process.
type Box struct {
	primary *Key
	keys    map[string]*Key

	mu     sync.Mutex
	opened map[openedKey]string
}

// openedKey is a value Open opened, with the place it was opened for.
type openedKey struct{ sealed, aad string }

// openedMax bounds the values Open remembers.
const openedMax = 4096

// New returns a box that seals under primary and also opens values sealed
// under previous.
func New(primary *Key, previous ...*Key) *Box {
	b := &Box{primary: primary, keys: map[string]*Key{primary.id: primary}, opened: map[openedKey]string{}}
	for _, k := range previous {
		if k != nil {
			if _, ok := b.keys[k.id]; !ok {
				b.keys[k.id] = k
			}
		}
	}
	return b
}

// WithPrimary returns a box that seals under k and opens values sealed
// under k or any key of b (the start of a rotation to k).
func (b *Box) WithPrimary(k *Key) *Box {
	prev := make([]*Key, 0, len(b.keys))
	prev = append(prev, b.primary)
	for _, o := range b.keys {
		prev = append(prev, o)
	}
	return New(k, prev...)
}

// PrimaryID returns the id of the key that seals.
func (b *Box) PrimaryID() string { return b.primary.id }

// Has reports whether the box holds the key with this id.
func (b *Box) Has(id string) bool { _, ok := b.keys[id]; return ok }

// Seal encrypts plaintext for the place named by aad with a random nonce
// under the primary key.
func (b *Box) Seal(plaintext, aad string) (string, error) {
	k := b.primary
	buf := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	buf = k.aead.Seal(buf, buf, []byte(plaintext), []byte(aad))
	return Prefix + k.id + ":" + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open decrypts a value Seal made for the same aad. A value sealed under a
// key the box does not hold is ErrUnknownKey (naming the key ids, never a
// key); a value that fails authentication (altered, or moved to another
// place) is an error too.
func (b *Box) Open(sealed, aad string) (string, error) {
	ck := openedKey{sealed, aad}
	b.mu.Lock()
	p, ok := b.opened[ck]
	b.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := b.open(sealed, aad)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	if len(b.opened) >= openedMax {
		clear(b.opened)
	}
	b.opened[ck] = p
	b.mu.Unlock()
	return p, nil
}

func (b *Box) open(sealed, aad string) (string, error) {
	id, body, err := Parse(sealed)
	if err != nil {
		return "", err
	}
	k, ok := b.keys[id]
	if !ok {
		return "", fmt.Errorf("open secret: sealed under key %s but the configured key is %s: %w", id, b.primary.id, ErrUnknownKey)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", errors.New("open secret: sealed value is malformed")
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(aad))
	if err != nil {
		return "", fmt.Errorf("open secret: authentication failed (value altered or moved from another row; key %s)", id)
	}
	return string(plain), nil
}

// Sealed reports whether a stored value is sealed (rather than plaintext
// from before encryption at rest).
func Sealed(v string) bool { return strings.HasPrefix(v, Prefix) }

// Parse splits a sealed value into its key id and its base64 body.
func Parse(sealed string) (keyID, body string, err error) {
	if !Sealed(sealed) {
		return "", "", errors.New("open secret: value is not sealed (plaintext from before encryption at rest?)")
	}
	id, body, ok := strings.Cut(strings.TrimPrefix(sealed, Prefix), ":")
	if !ok || len(id) != 8 {
		return "", "", errors.New("open secret: sealed value is malformed")
	}
	return id, body, nil
}

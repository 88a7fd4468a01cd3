package httpapi

import (
	"sync"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// keyCacheTTL is how long a key lookup is reused. A key revoked through
// this process stops at once; revoked through another process (or the
// keys command), it stops within this time.
const keyCacheTTL = time.Second

// keyCache remembers active API keys by hash for keyCacheTTL, so that a
// client polling hard costs one key read per second, not one per request.
// Safe for concurrent use.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]cachedKey
	now  func() time.Time
}

type cachedKey struct {
	key     docparse.APIKey
	expires time.Time
}

func newKeyCache(now func() time.Time) *keyCache {
	return &keyCache{keys: map[string]cachedKey{}, now: now}
}

func (c *keyCache) get(hash string) (docparse.APIKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[hash]
	if !ok || !c.now().Before(k.expires) {
		return docparse.APIKey{}, false
	}
	return k.key, true
}

func (c *keyCache) put(hash string, k docparse.APIKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.keys) > 10000 {
		for h, k := range c.keys {
			if !now.Before(k.expires) {
				delete(c.keys, h)
			}
		}
	}
	c.keys[hash] = cachedKey{key: k, expires: now.Add(keyCacheTTL)}
}

// forget drops the key with this id (revoked).
func (c *keyCache) forget(keyID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, k := range c.keys {
		if k.key.ID == keyID {
			delete(c.keys, h)
		}
	}
}

// pollCache keeps the rendered answer of a batch at a version: a batch
// changes version with every change of it or its files, so an entry is
// never stale, and a poll of an unchanged batch costs one version read.
// Bounded; safe for concurrent use.
type pollCache struct {
	mu      sync.Mutex
	entries map[string]pollEntry
}

type pollEntry struct {
	version int64
	body    []byte
}

const maxPollEntries = 4096

func newPollCache() *pollCache { return &pollCache{entries: map[string]pollEntry{}} }

func (c *pollCache) get(batchID string, version int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[batchID]
	if !ok || e.version != version {
		return nil, false
	}
	return e.body, true
}

func (c *pollCache) put(batchID string, version int64, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxPollEntries {
		for k := range c.entries { // evict an arbitrary entry
			delete(c.entries, k)
			break
		}
	}
	c.entries[batchID] = pollEntry{version: version, body: body}
}

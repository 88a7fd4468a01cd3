package store

import (
	"container/list"
	"sync"
)

// The versions of batches, kept in memory so that a poll of a batch that
// has not changed touches no database (issue 15).
//
// Every change of a batch, or of one of its files, moves the batch to a
// new version in the transaction of the change (countMove, touchBatch);
// a delete of an extraction or classification removes its batches. The
// transaction records those changes (Tx.changed); db.Tx applies them to
// the cache of this process after the commit, and on PostgreSQL also
// sends them with pg_notify inside the transaction, so that the other
// nodes, which LISTEN (listener.go), learn them once the commit is
// visible. A node trusts its cache only while it can learn every change:
// always on SQLite (one process, every commit goes through its db.Tx;
// another process writing batches into the same file would go unseen,
// and none does); on PostgreSQL only while its listener listens.
// Otherwise a poll reads the version from the database, as before.
//
// Guarantee: a poll that starts after the commit of a change of a batch
// sees the change on the node that committed it, and on another node once
// the notification has arrived there. From just before the commit until
// the cache holds the new version, polls of the batch read the database
// (pending), so no poll in that window answers the old version from
// memory.

// maxVersionEntries bounds the cache; the least recently polled batch is
// forgotten first (it is read again from the database when polled).
const maxVersionEntries = 1 << 16

// versionKey names a batch: its kind (batchTables.kind), account, owner
// (extraction or classification) and id. A poll is answered from the
// entry of its own key only, so one account never sees, nor learns of,
// another account's batch.
type versionKey struct {
	kind                  byte
	account, owner, batch string
}

// ownerKey is the key that stands for every batch of an owner (batch "").
func (k versionKey) ownerKey() versionKey {
	return versionKey{kind: k.kind, account: k.account, owner: k.owner}
}

// versionEntry is what the cache knows of one batch. An entry is made,
// not yet valid, when a poll misses, before it reads the database: a
// change learnt while the read runs raises its version, so the read that
// fills it cannot bring back an older version than a change learnt
// meanwhile.
type versionEntry struct {
	version int64
	valid   bool          // filled by a read of the database
	elem    *list.Element // in versionCache.lru once valid
}

// versionCache is the cache of batch versions of one DB. Safe for
// concurrent use.
type versionCache struct {
	mu sync.Mutex
	// live is whether every change reaches the cache (see above); while
	// it is false, lookups miss and nothing is filled.
	live    bool
	entries map[versionKey]*versionEntry
	lru     list.List // of versionKey, valid entries, most recently used first
	max     int
	// pending counts, by batch key or owner key, the transactions that
	// change it and have not yet applied their commit to the cache.
	pending map[versionKey]int
}

func newVersionCache(live bool, max int) *versionCache {
	return &versionCache{live: live, entries: map[versionKey]*versionEntry{}, pending: map[versionKey]int{}, max: max}
}

// get returns the version of batch k when the cache holds it (ok). On a
// miss it returns the entry to fill with what the caller reads from the
// database (fill), or nil when the cache is not live or the batch is
// being changed: then the read must not be kept.
func (c *versionCache) get(k versionKey) (v int64, ok bool, fillInto *versionEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || len(c.pending) > 0 && (c.pending[k] > 0 || c.pending[k.ownerKey()] > 0) {
		return 0, false, nil
	}
	e := c.entries[k]
	if e != nil && e.valid {
		c.lru.MoveToFront(e.elem)
		return e.version, true, nil
	}
	if e == nil {
		e = &versionEntry{}
		c.entries[k] = e
	}
	return 0, false, e
}

// fill stores version v, just read from the database, in e, the entry get
// returned for k, unless e was dropped meanwhile (a delete, a reconnect of
// the listener): then what the read saw may be outdated already and is
// not kept.
func (c *versionCache) fill(k versionKey, e *versionEntry, v int64) {
	if e == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[k] != e {
		return
	}
	e.version = max(e.version, v)
	if e.valid {
		return
	}
	e.valid = true
	e.elem = c.lru.PushFront(k)
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.remove(old.Value.(versionKey))
	}
}

// drop forgets e, the entry get returned for k, when the read that was to
// fill it failed (the batch does not exist for this account, or the
// database did not answer) and nothing filled it since.
func (c *versionCache) drop(k versionKey, e *versionEntry) {
	if e == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[k] == e && !e.valid {
		delete(c.entries, k)
	}
}

// remove deletes the entry of k; c.mu is held.
func (c *versionCache) remove(k versionKey) {
	if e := c.entries[k]; e != nil {
		if e.elem != nil {
			c.lru.Remove(e.elem)
		}
		delete(c.entries, k)
	}
}

// versionChange is one change of a transaction, or one learnt from
// another node: batch key moved to version (a batch change), or every
// batch of an owner removed (version 0, batch "": a delete).
type versionChange struct {
	key     versionKey
	version int64
}

func (ch versionChange) deleted() bool { return ch.key.batch == "" }

// begin marks the batches and owners of changes as being changed, before
// the commit of their transaction: until end, polls of them read the
// database.
func (c *versionCache) begin(changes []versionChange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range changes {
		c.pending[ch.key]++
	}
}

// end applies changes once their transaction has ended (committed when
// committed; when the commit failed its outcome is unknown and the
// batches are forgotten), and lifts begin's mark.
func (c *versionCache) end(changes []versionChange, committed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range changes {
		if c.pending[ch.key]--; c.pending[ch.key] <= 0 {
			delete(c.pending, ch.key)
		}
		if committed {
			c.applyLocked(ch)
		} else if !ch.deleted() {
			c.remove(ch.key)
		} else {
			c.removeOwner(ch.key)
		}
	}
}

// apply applies changes learnt from another node (or this one's own,
// again: applying a change twice is harmless).
func (c *versionCache) apply(changes []versionChange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range changes {
		c.applyLocked(ch)
	}
}

// applyLocked applies one change; c.mu is held. A version only grows: a
// change older than what the entry holds is ignored. A batch the cache
// does not hold is not added (it is read when polled).
func (c *versionCache) applyLocked(ch versionChange) {
	if ch.deleted() {
		c.removeOwner(ch.key)
		return
	}
	if e := c.entries[ch.key]; e != nil {
		e.version = max(e.version, ch.version)
	}
}

// removeOwner forgets every batch of the owner of k; c.mu is held.
func (c *versionCache) removeOwner(k versionKey) {
	for ek := range c.entries {
		if ek.kind == k.kind && ek.owner == k.owner && ek.account == k.account {
			c.remove(ek)
		}
	}
}

// setLive makes the cache trusted (the listener listens: every entry is
// dropped first, since changes may have been missed before) or not (the
// listener lost its connection: lookups read the database).
func (c *versionCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if live {
		c.resetLocked()
	}
	c.live = live
}

// reset forgets every batch: each is read again when next polled.
func (c *versionCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
}

func (c *versionCache) resetLocked() {
	c.entries = map[versionKey]*versionEntry{}
	c.lru.Init()
}

// isLive reports whether lookups may be answered from the cache.
func (c *versionCache) isLive() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

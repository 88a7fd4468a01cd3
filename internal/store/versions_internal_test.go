package store

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	keyA  = versionKey{kind: 'e', account: "acc_a", owner: "ext_1", batch: "btc_1"}
	keyA2 = versionKey{kind: 'e', account: "acc_a", owner: "ext_1", batch: "btc_2"}
	keyB  = versionKey{kind: 'e', account: "acc_b", owner: "ext_1", batch: "btc_1"}
)

// cached returns what a lookup of k answers from memory, -1 for a miss
// (which the test then fills with nothing).
func cached(c *versionCache, k versionKey) int64 {
	v, ok, e := c.get(k)
	if !ok {
		c.drop(k, e)
		return -1
	}
	return v
}

// filled fills k with v as a poll that missed does.
func filled(c *versionCache, k versionKey, v int64) {
	_, _, e := c.get(k)
	c.fill(k, e, v)
}

// TestVersionCacheRaces plays, one step at a time, what may interleave
// with a poll's read of the database, and checks what later polls are
// answered from memory.
func TestVersionCacheRaces(t *testing.T) {
	change := func(k versionKey, v int64) []versionChange { return []versionChange{{key: k, version: v}} }
	for _, tc := range []struct {
		name string
		run  func(c *versionCache) (got, want int64)
	}{
		{"a change learnt during the read wins over the older version read", func(c *versionCache) (int64, int64) {
			_, _, e := c.get(keyA)
			c.apply(change(keyA, 5))
			c.fill(keyA, e, 3)
			return cached(c, keyA), 5
		}},
		{"an older change learnt after a newer one is ignored", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 7)
			c.apply(change(keyA, 6))
			return cached(c, keyA), 7
		}},
		{"a reconnect during the read drops what it read", func(c *versionCache) (int64, int64) {
			_, _, e := c.get(keyA)
			c.setLive(true)
			c.fill(keyA, e, 3)
			return cached(c, keyA), -1
		}},
		{"a delete during the read drops what it read", func(c *versionCache) (int64, int64) {
			_, _, e := c.get(keyA)
			c.apply(change(keyA.ownerKey(), 0))
			c.fill(keyA, e, 3)
			return cached(c, keyA), -1
		}},
		{"a delete forgets every batch of the owner", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 1)
			filled(c, keyA2, 1)
			c.apply(change(keyA.ownerKey(), 0))
			return cached(c, keyA) + cached(c, keyA2), -2
		}},
		{"a delete of one account's owner leaves another account's", func(c *versionCache) (int64, int64) {
			filled(c, keyB, 4)
			c.apply(change(keyA.ownerKey(), 0))
			return cached(c, keyB), 4
		}},
		{"another account's key is a miss", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 4)
			return cached(c, keyB), -1
		}},
		{"a batch being committed is read from the database", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 1)
			c.begin(change(keyA, 2))
			return cached(c, keyA), -1
		}},
		{"a committed change is answered", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 1)
			c.begin(change(keyA, 2))
			c.end(change(keyA, 2), true)
			return cached(c, keyA), 2
		}},
		{"a commit that failed forgets the batch", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 1)
			c.begin(change(keyA, 2))
			c.end(change(keyA, 2), false)
			return cached(c, keyA), -1
		}},
		{"an owner being deleted is read from the database", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 1)
			c.begin(change(keyA.ownerKey(), 0))
			return cached(c, keyA), -1
		}},
		{"a fill from a read before a commit keeps the committed version", func(c *versionCache) (int64, int64) {
			_, _, e := c.get(keyA)
			c.begin(change(keyA, 2))
			c.end(change(keyA, 2), true)
			c.fill(keyA, e, 1)
			return cached(c, keyA), 2
		}},
		{"a cache that is not live answers nothing", func(c *versionCache) (int64, int64) {
			filled(c, keyA, 1)
			c.setLive(false)
			return cached(c, keyA), -1
		}},
		{"a not found poll leaves nothing", func(c *versionCache) (int64, int64) {
			_, _, e := c.get(keyA)
			c.drop(keyA, e)
			return int64(len(c.entries)), 0
		}},
		{"the least recently polled batch is forgotten first", func(c *versionCache) (int64, int64) {
			c.max = 2
			filled(c, keyA, 1)
			filled(c, keyA2, 1)
			cached(c, keyA)
			filled(c, keyB, 1)
			return cached(c, keyA) + cached(c, keyA2) + cached(c, keyB), 1 - 1 + 1
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := tc.run(newVersionCache(true, maxVersionEntries)); got != want {
				t.Fatalf("got %d, want %d", got, want)
			}
		})
	}
}

// TestVersionNotices: changes survive a notice, long lists are split
// under PostgreSQL's payload limit, and a notice that is not one is
// refused.
func TestVersionNotices(t *testing.T) {
	var changes []versionChange
	for i := range 300 {
		changes = append(changes, versionChange{key: versionKey{kind: 'c', account: "acc_01HX", owner: "cls_01HX",
			batch: fmt.Sprintf("cbt_01HXYZ%06d", i)}, version: int64(i + 1)})
	}
	changes = append(changes, versionChange{key: keyA.ownerKey()})
	payloads := encodeChanges(changes)
	if len(payloads) < 2 {
		t.Fatalf("%d changes in %d payloads, want them split", len(changes), len(payloads))
	}
	var got []versionChange
	for _, p := range payloads {
		if len(p) > maxNoticePayload {
			t.Fatalf("payload of %d bytes, want <= %d", len(p), maxNoticePayload)
		}
		cs, err := decodeChanges(p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cs...)
	}
	if diff := cmp.Diff(changes, got, cmp.AllowUnexported(versionChange{}, versionKey{})); diff != "" {
		t.Fatalf("decoded changes (-sent +got):\n%s", diff)
	}
	for _, bad := range []string{"", "e:acc:ext:btc", "x:acc:ext:btc:1", "e::ext:btc:1", "e:acc:ext:btc:-1",
		"e:acc:ext:btc:0", "e:acc:ext::3", "e:acc:ext:btc:1\ne:acc", strings.Repeat(":", 4)} {
		if _, err := decodeChanges(bad); err == nil {
			t.Errorf("decodeChanges(%q) = nil error, want one", bad)
		}
	}
	if got := versionChannel(strings.Repeat("s", 63)); len(got) > 63 {
		t.Errorf("channel of a long schema is %d bytes, want <= 63", len(got))
	}
	if versionChannel("test_a") == versionChannel("test_b") || versionChannel(strings.Repeat("s", 60)+"a") == versionChannel(strings.Repeat("s", 60)+"b") {
		t.Error("two schemas share a channel")
	}
}

package docparse

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID prefixes of API.md.
const (
	PrefixAccount    = "acct_"
	PrefixExtraction = "ext_"
	PrefixBatch      = "btc_"
	PrefixFile       = "file_"
	PrefixAPIKey     = "key_"
	PrefixEvent      = "evt_"
	PrefixEndpoint   = "we_"
	PrefixAttempt    = "att_"

	PrefixClassification      = "cls_"
	PrefixCategory            = "cat_"
	PrefixClassificationBatch = "cbtc_"
	// PrefixClassificationFile names the files of classification batches,
	// as cbtc_ names their batches beside the extraction's btc_.
	PrefixClassificationFile = "cfile_"
)

// IDs mints prefixed ULIDs. Within one IDs, ids minted later sort after ids
// minted earlier, also within one millisecond. Safe for concurrent use.
type IDs struct {
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
	now     func() time.Time
}

// NewIDs returns an IDs reading time from now.
func NewIDs(now func() time.Time) *IDs {
	return &IDs{entropy: ulid.Monotonic(rand.Reader, 0), now: now}
}

// New returns prefix + a new ULID.
func (g *IDs) New(prefix string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	id, err := ulid.New(ulid.Timestamp(g.now()), g.entropy)
	if err != nil {
		// The monotonic reader overflows only after 2^80 ids in one
		// millisecond; a fresh random id is still unique.
		id = ulid.Make()
	}
	return prefix + id.String()
}

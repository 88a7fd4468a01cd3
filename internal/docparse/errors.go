package docparse

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors. The HTTP layer maps them to status codes; wrap them with
// %w to add context.
var (
	// ErrNotFound: no such object in this account (also for ids of other
	// accounts: never leak existence).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request conflicts with the current state.
	ErrConflict = errors.New("conflict")
	// ErrLimit: an account limit (active keys, endpoints) is reached.
	ErrLimit = errors.New("limit reached")
)

// NotFoundError says which object was not found: Kind is what it is
// ("batch", "webhook endpoint"), ID its id (empty when the lookup had
// none, as for a session). It is ErrNotFound for errors.Is.
type NotFoundError struct {
	Kind, ID string
}

// NotFound returns a *NotFoundError for the object of kind with id.
func NotFound(kind, id string) error { return &NotFoundError{Kind: kind, ID: id} }

// What names the object: "batch bat_1", or the kind alone without an id.
func (e *NotFoundError) What() string {
	if e.ID == "" {
		return e.Kind
	}
	return e.Kind + " " + e.ID
}

func (e *NotFoundError) Error() string { return e.What() + ": not found" }

// Is makes a *NotFoundError ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// LimitError refuses to create one more of What (Kind: "active API keys",
// "webhook endpoints", "extractions") where an account holds Max already;
// Remedy says what frees room ("revoke one", "delete one"). It is ErrLimit
// for errors.Is.
type LimitError struct {
	What   string
	Max    int64
	Remedy string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("an account may hold at most %d %s; %s first", e.Max, e.What, e.Remedy)
}

// Is makes a *LimitError ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// ValidationError reports every bad field of a request at once. Fields maps
// a path such as "fields[3].fields[0].type" to why its value is wrong.
type ValidationError struct {
	// Semantic is true for a schema that is well-formed JSON but means
	// nothing valid (answered 422); false for plainly invalid input (400).
	Semantic bool
	Fields   map[string]string
}

// Add records one problem.
func (e *ValidationError) Add(path, why string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[path]; !ok {
		e.Fields[path] = why
	}
}

// Err returns e when it holds a problem and nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	paths := make([]string, 0, len(e.Fields))
	for p := range e.Fields {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	parts := make([]string, 0, len(paths))
	for _, p := range paths {
		parts = append(parts, fmt.Sprintf("%s: %s", p, e.Fields[p]))
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// ErrTooLarge: a request is over a size or count limit (HTTP 413).
var ErrTooLarge = errors.New("too large")

// MaxEchoBytes is how much of a client's value an error message repeats.
const MaxEchoBytes = 64

// Quote returns s quoted (as %q does) for an error message, cut to its
// first MaxEchoBytes bytes (at a character boundary) with its full length
// said when it is longer: an error never repeats a huge value back.
func Quote(s string) string {
	if len(s) <= MaxEchoBytes {
		return strconv.Quote(s)
	}
	i := MaxEchoBytes
	for i > MaxEchoBytes-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:i]), len(s))
}

// Quotas of an account (see QuotaError.Quota).
const (
	// QuotaStoredBytes bounds the bytes of the documents an account
	// stores (answered 413: the upload is too large for what is left).
	QuotaStoredBytes = "stored_bytes"
	// QuotaFilesPerDay bounds the files an account uploads per UTC day
	// (answered 429 with Retry-After: the quota comes back at midnight).
	QuotaFilesPerDay = "files_per_day"
)

// QuotaError refuses an upload that would take an account past one of
// its quotas. Nothing of the upload is kept.
type QuotaError struct {
	// Quota is QuotaStoredBytes or QuotaFilesPerDay.
	Quota string
	// Limit is the quota; Used what the account had before the request
	// (bytes stored, files uploaded today); Adding what the request
	// brought as far as it was read (bytes or files).
	Limit, Used, Adding int64
	// RetryAfter is when the quota allows uploads again
	// (QuotaFilesPerDay: until 00:00 UTC); zero when only freeing space
	// does.
	RetryAfter time.Duration
}

func (e *QuotaError) Error() string {
	switch e.Quota {
	case QuotaStoredBytes:
		return fmt.Sprintf("this upload would take the account's stored documents past its quota of %d bytes "+
			"(%d bytes are stored, the upload brought %d so far); nothing was stored: delete extractions or classifications to free space",
			e.Limit, e.Used, e.Adding)
	case QuotaFilesPerDay:
		return fmt.Sprintf("this upload would take the account past its quota of %d files per day "+
			"(%d uploaded today, %d in this upload so far); nothing was stored: the quota resets at 00:00 UTC, in %d seconds",
			e.Limit, e.Used, e.Adding, int64((e.RetryAfter+time.Second-1)/time.Second))
	}
	return fmt.Sprintf("quota %s of %d reached", e.Quota, e.Limit)
}

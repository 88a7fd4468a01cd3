package webhook

import (
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Schedule holds the delay before each retry: Schedule[i] separates attempt
// i+1 from attempt i+2, so the 9 delays give [MaxAttempts] attempts over
// about 71.6 hours. Each delay is jittered by up to 10% either way (see
// [NextAttempt]). It is a variable only because Go has no constant slices:
// treat it as read-only.
var Schedule = []time.Duration{
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	14 * time.Hour,
	20 * time.Hour,
	20 * time.Hour,
}

// Window bounds every retry: no attempt is scheduled later than Window
// after the first attempt, whatever the jitter or Retry-After says.
const Window = 72 * time.Hour

// MaxAttempts is the number of attempts per event and endpoint, the first
// included.
const MaxAttempts = 10

// maxJitter is the largest fraction by which a delay is stretched or shrunk.
const maxJitter = 0.1

// Outcome is what an attempt's response means for the delivery.
type Outcome int

const (
	// Delivered: the receiver accepted the event (2xx). Stop.
	Delivered Outcome = iota + 1
	// Retry: a transient failure. Try again per [NextAttempt].
	Retry
	// Permanent: retrying cannot help (most 4xx, a refused or invalid URL).
	// Stop; the event stays resendable by hand.
	Permanent
	// Disable: the receiver answered 410 Gone. Stop, as for Permanent, and
	// disable the endpoint.
	Disable
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Retry:
		return "retry"
	case Permanent:
		return "permanent"
	case Disable:
		return "disable"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Classify maps one attempt to its [Outcome].
//
// A status code, when there is one (statusCode > 0), decides: the status line
// is the receiver's answer, so an error while reading the body afterwards
// (err != nil with a status, as [Client.Send] reports it) does not change
// the outcome. 2xx is Delivered; 410 is Disable; 408, 429, every 5xx and
// every 3xx (redirects are never followed, so a redirect means the endpoint
// is misconfigured or moving, which may be fixed) are Retry; every other
// code, 4xx, 1xx and unknown codes alike, is Permanent.
//
// Without a status code, err decides. Timeouts, refused or reset
// connections, TLS and DNS failures are Retry: each can be fixed on the
// receiver's side within the retry window (a server restarting, a
// certificate being renewed, a DNS record propagating). Two errors are
// Permanent instead, because they are our own decision, repeatable and not
// transient: an egress refusal ([ErrBlocked]) and an invalid URL
// ([ErrInvalidURL]). Retrying them would make nine more identical refusals
// over three days and hide the misconfiguration behind "retrying" instead
// of showing it on the first attempt; the user fixes the URL or the DNS
// record and resends. A nil err with no status code is Permanent (there is
// nothing to retry).
func Classify(statusCode int, err error) Outcome {
	if statusCode > 0 {
		switch {
		case statusCode >= 200 && statusCode <= 299:
			return Delivered
		case statusCode == http.StatusGone:
			return Disable
		case statusCode == http.StatusRequestTimeout,
			statusCode == http.StatusTooManyRequests,
			statusCode >= 500 && statusCode <= 599,
			statusCode >= 300 && statusCode <= 399:
			return Retry
		}
		return Permanent
	}
	if err == nil {
		return Permanent
	}
	if errors.Is(err, ErrBlocked) || errors.Is(err, ErrInvalidURL) {
		return Permanent
	}
	return Retry
}

// ParseRetryAfter reads a Retry-After header value: either delay-seconds
// ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT", also the RFC 850
// and asctime forms), the latter taken relative to now. A negative number
// or a date in the past gives 0. It reports false for an empty or
// unparsable value. Absurdly large values saturate instead of overflowing;
// [NextAttempt] clamps them to the window anyway.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	digits := strings.TrimPrefix(v, "-")
	if isDigits(digits) {
		if digits != v { // "-5": a negative delay means now.
			return 0, true
		}
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > math.MaxInt64/int64(time.Second) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NextAttempt says when to make the next attempt of a delivery whose first
// attempt was at first and which has now made attempt attempts (1 after the
// first), the last of which failed at now with a retryable outcome. It
// reports false when there is no next attempt: attempt >= [MaxAttempts], or
// now is not before first+[Window].
//
// The delay is Schedule[attempt-1] stretched by jitter: jitter returns a
// value in [-1, 1] (values outside are clamped) which is scaled by 0.1, so
// the delay varies by up to 10% either way; nil means no jitter, and
// [RandomJitter] is the production choice. A retryAfter (from the
// receiver's Retry-After) longer than that delay replaces it. The result is
// never later than first+Window: a delay that would pass it is clamped to
// it. An attempt < 1 means no attempt was made yet: the first is due now.
//
// NextAttempt never reads the clock; it is safe for concurrent use if
// jitter is.
func NextAttempt(first time.Time, attempt int, now time.Time, retryAfter time.Duration, jitter func() float64) (time.Time, bool) {
	if attempt < 1 {
		return now, true
	}
	if attempt >= MaxAttempts || attempt > len(Schedule) {
		return time.Time{}, false
	}
	deadline := first.Add(Window)
	if !now.Before(deadline) {
		return time.Time{}, false
	}
	var j float64
	if jitter != nil {
		j = min(max(jitter(), -1), 1)
	}
	delay := time.Duration(float64(Schedule[attempt-1]) * (1 + maxJitter*j))
	if retryAfter > delay {
		delay = retryAfter
	}
	// Compare durations rather than adding first: now.Add(delay) could
	// overflow for a saturated Retry-After.
	if delay >= deadline.Sub(now) {
		return deadline, true
	}
	return now.Add(delay), true
}

// RandomJitter returns a uniformly random value in [-1, 1) for
// [NextAttempt]. It is safe for concurrent use.
func RandomJitter() float64 {
	return rand.Float64()*2 - 1
}

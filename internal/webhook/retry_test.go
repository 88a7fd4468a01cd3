package webhook_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/webhook"
)

func TestClassify(t *testing.T) {
	opErr := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://example.com/hook", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	blocked := &webhook.BlockedError{Addr: netip.MustParseAddr("10.0.0.1"), Reason: "private address"}
	invalidURL := webhook.ValidateURL("ftp://example.com", false)
	tests := []struct {
		status int
		err    error
		want   webhook.Outcome
	}{
		{200, nil, webhook.Delivered},
		{201, nil, webhook.Delivered},
		{202, nil, webhook.Delivered},
		{204, nil, webhook.Delivered},
		{299, nil, webhook.Delivered},
		{410, nil, webhook.Disable},
		{408, nil, webhook.Retry},
		{429, nil, webhook.Retry},
		{500, nil, webhook.Retry},
		{502, nil, webhook.Retry},
		{503, nil, webhook.Retry},
		{504, nil, webhook.Retry},
		{599, nil, webhook.Retry},
		{300, nil, webhook.Retry},
		{301, nil, webhook.Retry},
		{302, nil, webhook.Retry},
		{304, nil, webhook.Retry},
		{307, nil, webhook.Retry},
		{308, nil, webhook.Retry},
		{400, nil, webhook.Permanent},
		{401, nil, webhook.Permanent},
		{403, nil, webhook.Permanent},
		{404, nil, webhook.Permanent},
		{405, nil, webhook.Permanent},
		{409, nil, webhook.Permanent},
		{413, nil, webhook.Permanent},
		{422, nil, webhook.Permanent},
		{451, nil, webhook.Permanent},
		{499, nil, webhook.Permanent},
		{100, nil, webhook.Permanent},
		{101, nil, webhook.Permanent},
		{199, nil, webhook.Permanent},
		{600, nil, webhook.Permanent},
		{0, nil, webhook.Permanent},
		// No response: transport errors.
		{0, context.DeadlineExceeded, webhook.Retry},
		{0, os.ErrDeadlineExceeded, webhook.Retry},
		{0, opErr(syscall.ECONNREFUSED), webhook.Retry},
		{0, opErr(syscall.ECONNRESET), webhook.Retry},
		{0, io.EOF, webhook.Retry},
		{0, &net.DNSError{Err: "no such host", Name: "example.invalid", IsNotFound: true}, webhook.Retry},
		{0, &url.Error{Op: "Post", URL: "https://x", Err: x509.UnknownAuthorityError{}}, webhook.Retry},
		{0, errors.New("something else"), webhook.Retry},
		{0, blocked, webhook.Permanent},
		{0, opErr(blocked), webhook.Permanent},
		{0, fmt.Errorf("send: %w", blocked), webhook.Permanent},
		{0, invalidURL, webhook.Permanent},
		{0, &url.Error{Op: "Post", URL: "ftp://x", Err: invalidURL}, webhook.Permanent},
		// A status line was received, then reading the body failed: the
		// status decides.
		{200, io.ErrUnexpectedEOF, webhook.Delivered},
		{503, syscall.ECONNRESET, webhook.Retry},
		{410, context.DeadlineExceeded, webhook.Disable},
		{400, io.ErrUnexpectedEOF, webhook.Permanent},
	}
	for _, tt := range tests {
		if got := webhook.Classify(tt.status, tt.err); got != tt.want {
			t.Errorf("Classify(%d, %v) = %v, want %v", tt.status, tt.err, got, tt.want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	got := []string{webhook.Delivered.String(), webhook.Retry.String(), webhook.Permanent.String(), webhook.Disable.String(), webhook.Outcome(0).String()}
	want := []string{"delivered", "retry", "permanent", "disable", "Outcome(0)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Outcome.String() mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{" 30 ", 30 * time.Second, true},
		{"-5", 0, true},
		{"99999999999999999999", time.Duration(math.MaxInt64), true},
		{"9223372037", time.Duration(math.MaxInt64), true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Sunday, 24-May-26 10:05:00 GMT", 5 * time.Minute, true}, // RFC 850
		{"Sun May 24 11:00:00 2026", time.Hour, true},             // asctime
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{"+5", 0, false},
		{"--5", 0, false},
		{"5s", 0, false},
	}
	for _, tt := range tests {
		got, ok := webhook.ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func constJitter(v float64) func() float64 { return func() float64 { return v } }

// TestNextAttemptFullSchedule runs every attempt of one delivery on a fake
// clock: each attempt fails at once and the next is made exactly when
// NextAttempt says.
func TestNextAttemptFullSchedule(t *testing.T) {
	first := time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)
	run := func(jitter func() float64) []time.Time {
		attempts := []time.Time{first}
		now := first
		for n := 1; n <= 20; n++ {
			next, ok := webhook.NextAttempt(first, n, now, 0, jitter)
			if !ok {
				break
			}
			if next.Before(now) {
				t.Fatalf("NextAttempt(attempt %d) = %v, before now %v", n, next, now)
			}
			attempts = append(attempts, next)
			now = next
		}
		return attempts
	}
	gaps := func(attempts []time.Time) []time.Duration {
		var d []time.Duration
		for i := 1; i < len(attempts); i++ {
			d = append(d, attempts[i].Sub(attempts[i-1]))
		}
		return d
	}
	scaled := func(f float64) []time.Duration {
		var d []time.Duration
		for _, s := range webhook.Schedule {
			d = append(d, time.Duration(float64(s)*f))
		}
		return d
	}

	tests := []struct {
		name     string
		jitter   func() float64
		wantGaps []time.Duration
		wantSpan time.Duration
	}{
		{
			name:     "no jitter",
			jitter:   nil,
			wantGaps: webhook.Schedule,
			wantSpan: 71*time.Hour + 35*time.Minute + 5*time.Second, // about 71.6 h
		},
		{
			name:     "zero jitter",
			jitter:   constJitter(0),
			wantGaps: webhook.Schedule,
			wantSpan: 71*time.Hour + 35*time.Minute + 5*time.Second,
		},
		{
			name:     "-10% every time",
			jitter:   constJitter(-1),
			wantGaps: scaled(0.9),
			wantSpan: time.Duration(float64(71*time.Hour+35*time.Minute+5*time.Second) * 0.9),
		},
		{
			// +10% would put the last attempt at about 78.7 h: it is
			// clamped to exactly 72 h, and only it.
			name:   "+10% every time",
			jitter: constJitter(1),
			wantGaps: append(scaled(1.1)[:8:8],
				webhook.Window-(5500*time.Millisecond+5*time.Minute+30*time.Second+33*time.Minute+132*time.Minute+330*time.Minute+11*time.Hour+924*time.Minute+22*time.Hour)),
			wantSpan: webhook.Window,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attempts := run(tt.jitter)
			if len(attempts) != webhook.MaxAttempts {
				t.Fatalf("got %d attempts, want %d", len(attempts), webhook.MaxAttempts)
			}
			if diff := cmp.Diff(tt.wantGaps, gaps(attempts)); diff != "" {
				t.Errorf("delays between attempts (-want +got):\n%s", diff)
			}
			span := attempts[len(attempts)-1].Sub(first)
			if span != tt.wantSpan {
				t.Errorf("last attempt %v after the first, want %v", span, tt.wantSpan)
			}
			for i, a := range attempts {
				if a.After(first.Add(webhook.Window)) {
					t.Errorf("attempt %d at %v, after the %v window", i+1, a.Sub(first), webhook.Window)
				}
			}
		})
	}
}

func TestNextAttempt(t *testing.T) {
	first := time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)
	deadline := first.Add(webhook.Window)
	tests := []struct {
		name       string
		attempt    int
		now        time.Time
		retryAfter time.Duration
		jitter     func() float64
		want       time.Time
		wantOK     bool
	}{
		{"first retry", 1, first, 0, nil, first.Add(5 * time.Second), true},
		{"jitter +10%", 1, first, 0, constJitter(1), first.Add(5500 * time.Millisecond), true},
		{"jitter -10%", 2, first, 0, constJitter(-1), first.Add(270 * time.Second), true},
		{"jitter beyond range is clamped", 2, first, 0, constJitter(7), first.Add(330 * time.Second), true},
		{"jitter below range is clamped", 2, first, 0, constJitter(-7), first.Add(270 * time.Second), true},
		{"retry-after longer than the delay", 1, first, time.Hour, nil, first.Add(time.Hour), true},
		{"retry-after shorter than the delay", 2, first, time.Second, nil, first.Add(5 * time.Minute), true},
		{"retry-after past the window", 3, first.Add(time.Hour), 100 * time.Hour, nil, deadline, true},
		{"saturated retry-after", 3, first.Add(time.Hour), time.Duration(math.MaxInt64), nil, deadline, true},
		{"delay past the window", 9, first.Add(60 * time.Hour), 0, nil, deadline, true},
		{"just before the end of the window", 5, deadline.Add(-time.Second), 0, nil, deadline, true},
		{"window exhausted", 5, deadline, 0, nil, time.Time{}, false},
		{"past the window", 5, deadline.Add(time.Hour), 0, nil, time.Time{}, false},
		{"last attempt made", webhook.MaxAttempts, first.Add(time.Hour), 0, nil, time.Time{}, false},
		{"beyond the last attempt", webhook.MaxAttempts + 1, first.Add(time.Hour), 0, nil, time.Time{}, false},
		{"no attempt yet", 0, first, 0, nil, first, true},
	}
	for _, tt := range tests {
		got, ok := webhook.NextAttempt(first, tt.attempt, tt.now, tt.retryAfter, tt.jitter)
		if !got.Equal(tt.want) || ok != tt.wantOK {
			t.Errorf("%s: NextAttempt(attempt %d, now first+%v, retry-after %v) = first+%v, %v; want first+%v, %v",
				tt.name, tt.attempt, tt.now.Sub(first), tt.retryAfter, got.Sub(first), ok, tt.want.Sub(first), tt.wantOK)
		}
	}
}

func TestRandomJitter(t *testing.T) {
	seen := map[bool]int{}
	for range 1000 {
		j := webhook.RandomJitter()
		if j < -1 || j >= 1 {
			t.Fatalf("RandomJitter() = %v, want [-1, 1)", j)
		}
		seen[j < 0]++
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Errorf("1000 RandomJitter() values all on one side of 0: %v", seen)
	}
}

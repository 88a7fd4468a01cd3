package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is an answer of the API with a status other than 2xx (and 304).
// Methods return it as is when the API refuses a request (network and
// decoding errors are plain errors), so errors.As(err, &e) and the Is*
// helpers work.
type Error struct {
	// StatusCode is the HTTP status, for example 404.
	StatusCode int
	// Code is the machine code of the error body, for example "not_found",
	// "invalid_schema" or "rate_limited"; empty when the answer did not
	// come from the API (a proxy's 502 page, say).
	Code string
	// Message is the human sentence of the error body.
	Message string
	// RequestID identifies the request in the server's logs: quote it when
	// reporting a problem.
	RequestID string
	// Fields maps the path of each invalid input to its problem, on
	// validation errors (400 invalid_request, 422 invalid_schema).
	Fields map[string]string
	// RetryAfter is the Retry-After of the answer (429, 503), or 0.
	RetryAfter time.Duration
}

// Error returns "docparse: 404 not_found: no such batch btc_x (request
// req_...)".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "docparse: %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

func statusIs(err error, codes ...int) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.StatusCode == c {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err is a 404: an unknown id, or an id of
// another account (the API never says which).
func IsNotFound(err error) bool { return statusIs(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is a 401: the key is missing, wrong
// or revoked.
func IsUnauthorized(err error) bool { return statusIs(err, http.StatusUnauthorized) }

// IsRateLimited reports whether err is a 429; its RetryAfter says when to
// try again.
func IsRateLimited(err error) bool { return statusIs(err, http.StatusTooManyRequests) }

// IsConflict reports whether err is a 409: a limit reached (keys,
// endpoints) or a conflicting change.
func IsConflict(err error) bool { return statusIs(err, http.StatusConflict) }

// IsInvalid reports whether err is a 400 or 422: the input was refused;
// Error.Fields names the offending paths when there are any.
func IsInvalid(err error) bool {
	return statusIs(err, http.StatusBadRequest, http.StatusUnprocessableEntity)
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// readError builds an *Error from a non-2xx answer and closes its body.
func readError(resp *http.Response) *Error {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	var body struct {
		Error     string            `json:"error"`
		Code      string            `json:"code"`
		RequestID string            `json:"request_id"`
		Fields    map[string]string `json:"fields"`
	}
	if json.Unmarshal(b, &body) == nil && (body.Error != "" || body.Code != "") {
		e.Code, e.Message, e.Fields = body.Code, body.Error, body.Fields
		if body.RequestID != "" {
			e.RequestID = body.RequestID
		}
		return e
	}
	e.Message = http.StatusText(resp.StatusCode)
	if s := strings.TrimSpace(string(b)); s != "" {
		if len(s) > 200 {
			s = s[:200] + "..."
		}
		e.Message += ": " + s
	}
	return e
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

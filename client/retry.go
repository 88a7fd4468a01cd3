package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// maxBackoff caps the wait after network errors and 5xx.
const maxBackoff = 30 * time.Second

// transient reports whether err may pass if the request is made again:
// network errors, 408 and 5xx.
func transient(err error) bool {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500 || ae.StatusCode == http.StatusRequestTimeout
	}
	return true
}

// backoff returns the wait after the n-th failure in a row: base doubled
// each time, at most maxBackoff, with jitter (between half and all of it).
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d and reports whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

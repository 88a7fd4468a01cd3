package ratelimit

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// BodyConfig bounds how slowly a request body may arrive. A body must keep
// at least MinRate bytes per second of the time the server waits on it,
// after a grace period of Grace, and must arrive whole within Timeout of
// the request's start. A body too slow is cut off: its read fails with a
// *SlowBodyError, the connection is closed after the answer, and whatever
// was being stored is removed by its handler as for any body cut off.
type BodyConfig struct {
	MinRate int64 // bytes per second; default 10240
	Grace   time.Duration
	Timeout time.Duration
}

// Defaults of BodyConfig's zero fields.
const (
	DefaultBodyMinRate = 10 << 10
	DefaultBodyGrace   = 20 * time.Second
	DefaultBodyTimeout = time.Hour
)

// WithDefaults returns c with its zero fields set to the defaults.
func (c BodyConfig) WithDefaults() BodyConfig {
	if c.MinRate <= 0 {
		c.MinRate = DefaultBodyMinRate
	}
	if c.Grace <= 0 {
		c.Grace = DefaultBodyGrace
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultBodyTimeout
	}
	return c
}

// SlowBodyError is the error of reading a body that arrived too slowly.
type SlowBodyError struct {
	Read    int64 // bytes read before it was cut off
	Elapsed time.Duration
	Config  BodyConfig
}

func (e *SlowBodyError) Error() string {
	return fmt.Sprintf("the request body arrived too slowly: %d bytes in %s; a body must keep at least %d bytes/s after the first %s and arrive whole within %s",
		e.Read, e.Elapsed.Round(time.Second), e.Config.MinRate, e.Config.Grace, e.Config.Timeout)
}

// LimitBody makes r's body read under a moving read deadline on its
// connection (see BodyConfig), set through w's http.ResponseController.
// Requests without a body are left alone; where the connection takes no
// deadline, the body is not limited.
func LimitBody(w http.ResponseWriter, r *http.Request, c BodyConfig) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	r.Body = &slowBody{body: r.Body, rc: http.NewResponseController(w), cfg: c.WithDefaults(), start: time.Now()}
}

// slowBody reads a body under a deadline moved before each read: the
// time waited on the body so far may be at most Grace plus the bytes read
// divided by MinRate, and the whole at most Timeout.
type slowBody struct {
	body   io.ReadCloser
	rc     *http.ResponseController
	cfg    BodyConfig
	start  time.Time
	read   int64
	waited time.Duration
	err    error
	done   bool
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.done {
		return b.body.Read(p)
	}
	now := time.Now()
	allowed := b.cfg.Grace + time.Duration(float64(b.read)/float64(b.cfg.MinRate)*float64(time.Second)) - b.waited
	deadline := now.Add(allowed)
	if end := b.start.Add(b.cfg.Timeout); deadline.After(end) {
		deadline = end
	}
	if err := b.rc.SetReadDeadline(deadline); err != nil {
		// The connection takes no deadline (a hijacked or test writer):
		// read unlimited.
		b.done = true
		return b.body.Read(p)
	}
	n, err := b.body.Read(p)
	b.waited += time.Since(now)
	b.read += int64(n)
	switch {
	case err == io.EOF:
		// Done: clear the deadline so that the server's own read of the
		// idle connection (which would cancel the request's context when
		// it times out) waits as long as the handler needs.
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		b.err = &SlowBodyError{Read: b.read, Elapsed: time.Since(b.start), Config: b.cfg}
		return n, b.err
	}
	return n, err
}

func (b *slowBody) Close() error { return b.body.Close() }

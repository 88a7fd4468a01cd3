// Package logbuf buffers a log's output: lines are gathered in memory and
// written out together, a short delay after the first of them, so that a
// busy server makes one write system call per delay instead of one per
// line (its access log writes a line per request). A crash loses at most
// the lines of the last delay; records at or above a level (FlushAt) are
// written at once, with everything before them.
package logbuf

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// maxBuffered is how much a Writer holds before it writes without
// waiting for its delay.
const maxBuffered = 64 << 10

// Writer buffers what is written to it and writes it to the underlying
// writer within its delay of the first byte buffered, when the buffer
// fills, on Flush and on Close. Each Write's bytes stay together and in
// order. Safe for concurrent use.
type Writer struct {
	w     io.Writer
	delay time.Duration

	mu     sync.Mutex
	buf    []byte
	timer  *time.Timer // flushes; armed while buf holds bytes
	armed  bool
	closed bool
	err    error // the first error of the underlying writer
}

// New returns a Writer over w that writes within delay; the caller
// calls Close when done (it stops the timer and writes what is left).
func New(w io.Writer, delay time.Duration) *Writer {
	return &Writer{w: w, delay: delay, buf: make([]byte, 0, maxBuffered)}
}

// Write buffers p. It returns len(p) and no error unless the underlying
// writer failed before (that error, once). After Close it writes p
// straight through.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	if err := b.err; err != nil {
		b.err = nil
		return 0, err
	}
	if len(b.buf)+len(p) > maxBuffered {
		b.flushLocked()
		if len(p) > maxBuffered {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	if !b.armed {
		b.armed = true
		if b.timer == nil {
			b.timer = time.AfterFunc(b.delay, b.tick)
		} else {
			b.timer.Reset(b.delay)
		}
	}
	return len(p), nil
}

// tick is the timer's: it writes what the delay gathered.
func (b *Writer) tick() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.armed = false
	b.flushLocked()
}

// flushLocked writes the buffer out; b.mu is held.
func (b *Writer) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	if _, err := b.w.Write(b.buf); err != nil && b.err == nil {
		b.err = err
	}
	b.buf = b.buf[:0]
}

// Flush writes out what is buffered now.
func (b *Writer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

// Close writes out what is buffered and stops the timer; later writes go
// straight to the underlying writer. It does not close that writer. Safe
// to call more than once.
func (b *Writer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.armed, b.closed = false, true
	b.flushLocked()
	err := b.err
	b.err = nil
	return err
}

// FlushAt returns a handler that handles records with h, which writes to
// w, and flushes w after each record at level or above: warnings and
// errors are never held back, nor is what was logged before them.
func FlushAt(h slog.Handler, w *Writer, level slog.Level) slog.Handler {
	return flushHandler{Handler: h, w: w, level: level}
}

type flushHandler struct {
	slog.Handler
	w     *Writer
	level slog.Level
}

func (h flushHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= h.level {
		h.w.Flush()
	}
	return err
}

func (h flushHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return flushHandler{Handler: h.Handler.WithAttrs(a), w: h.w, level: h.level}
}

func (h flushHandler) WithGroup(name string) slog.Handler {
	return flushHandler{Handler: h.Handler.WithGroup(name), w: h.w, level: h.level}
}

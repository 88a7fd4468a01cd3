package logbuf_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/docparse/docparse/internal/logbuf"
)

// sink is a writer that records each Write it gets.
type sink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.buf.Write(p)
}

func (s *sink) get() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String(), s.writes
}

// TestEveryLineWritten: lines logged by many goroutines at once all
// reach the writer by Close, each whole, in far fewer writes than lines.
func TestEveryLineWritten(t *testing.T) {
	var out sink
	w := logbuf.New(&out, 100*time.Millisecond)
	logger := slog.New(slog.NewJSONHandler(w, nil))
	const goroutines, each = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				logger.Info("request", "g", g, "i", i, "path", strings.Repeat("x", 40))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	text, writes := out.get()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != goroutines*each {
		t.Fatalf("%d lines written, want %d", len(lines), goroutines*each)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l, "{") || !strings.HasSuffix(l, "}") {
			t.Fatalf("line not whole: %q", l)
		}
		seen[l[strings.Index(l, `"g"`):]] = true
	}
	if len(seen) != goroutines*each {
		t.Errorf("%d distinct lines, want %d", len(seen), goroutines*each)
	}
	if writes >= len(lines)/10 {
		t.Errorf("%d writes for %d lines, want far fewer", writes, len(lines))
	}
	// After Close, lines go straight through.
	logger.Info("late")
	if text, _ := out.get(); !strings.Contains(text, `"msg":"late"`) {
		t.Error("a line logged after Close was not written")
	}
}

// TestWrittenWithinDelay: a line waits at most the delay, and a warning
// is written at once with what came before it.
func TestWrittenWithinDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out sink
		w := logbuf.New(&out, 100*time.Millisecond)
		defer w.Close()
		logger := slog.New(logbuf.FlushAt(slog.NewJSONHandler(w, nil), w, slog.LevelWarn))
		logger.Info("first")
		time.Sleep(99 * time.Millisecond)
		synctest.Wait()
		if text, _ := out.get(); text != "" {
			t.Fatalf("written before the delay: %q", text)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if text, _ := out.get(); !strings.Contains(text, `"msg":"first"`) {
			t.Fatalf("after the delay: %q, want the line", text)
		}
		logger.Info("second")
		logger.Warn("third")
		text, writes := out.get()
		if !strings.Contains(text, `"msg":"second"`) || !strings.Contains(text, `"msg":"third"`) {
			t.Fatalf("after a warning: %q, want it and the line before it", text)
		}
		if writes != 2 {
			t.Errorf("%d writes, want 2 (the delay's, the warning's)", writes)
		}
	})
}

// TestLargeWrites: more than the buffer holds is written at once, in
// order.
func TestLargeWrites(t *testing.T) {
	var out sink
	w := logbuf.New(&out, time.Hour)
	var want bytes.Buffer
	for i := range 3000 {
		line := fmt.Sprintf("line %d %s\n", i, strings.Repeat("y", i%200))
		want.WriteString(line)
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	big := strings.Repeat("z", 100<<10) + "\n"
	w.Write([]byte(big))
	want.WriteString(big)
	if text, writes := out.get(); writes == 0 || len(text) == 0 {
		t.Errorf("nothing written before Close with %d bytes buffered", want.Len())
	}
	w.Close()
	if text, _ := out.get(); text != want.String() {
		t.Errorf("written %d bytes, want %d in order", len(text), want.Len())
	}
}

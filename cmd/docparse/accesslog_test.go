package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/docparse/docparse/internal/store"
)

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAccessLogEveryRequest: the log is written in batches (logbuf), yet
// once serve has returned every request has its access-log line, whole.
func TestAccessLogEveryRequest(t *testing.T) {
	getenv, _ := keyedServer(t, store.SQLite, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logged lockedBuffer
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--work=false"}, getenv, nil, io.Discard, io.MultiWriter(&logged, pw))
		pw.Close()
	}()
	base := waitListening(t, pr)
	const n = 300
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				resp, err := http.Get(fmt.Sprintf("%s/no/such/%d", base, i))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	cancel()
	awaitServe(t, done, t.Fatalf)
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(logged.String(), "\n"), "\n") {
		var rec struct {
			Msg, Path string
			Status    int
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "request" && strings.HasPrefix(rec.Path, "/no/such/") {
			if rec.Status != 404 {
				t.Errorf("%s: status %d, want 404", rec.Path, rec.Status)
			}
			seen[rec.Path]++
		}
	}
	for i := range n {
		if p := fmt.Sprintf("/no/such/%d", i); seen[p] != 1 {
			t.Errorf("%s: %d access-log lines, want 1", p, seen[p])
		}
	}
}

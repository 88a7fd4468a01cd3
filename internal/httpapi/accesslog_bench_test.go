package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/docparse/docparse/internal/logbuf"
)

// nopWriter is a ResponseWriter that keeps nothing.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

// BenchmarkLogged measures what the per-request wrapper (request id,
// metrics, one access-log line) costs a poll-sized answer, with the log
// written to a file line by line (as before logbuf) and through logbuf.
// It prints figures; it asserts nothing.
func BenchmarkLogged(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buffered := logbuf.New(f, 100*time.Millisecond)
	defer buffered.Close()
	for _, tc := range []struct {
		name string
		w    io.Writer
	}{{"file", f}, {"logbuf", buffered}} {
		b.Run(tc.name, func(b *testing.B) {
			s := &Server{log: slog.New(slog.NewJSONHandler(tc.w, nil)), metrics: newHTTPMetrics(metrics.NewSet())}
			body := []byte(`{"batch":{"id":"btc_1","status":"processed"}}`)
			mux := http.NewServeMux()
			mux.HandleFunc("GET /v1/extractions/{extraction_id}/batches/{batch_id}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(body)
			})
			h := s.logged(mux)
			req, _ := http.NewRequest("GET", "/v1/extractions/ext_1/batches/btc_1", nil)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &nopWriter{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					h.ServeHTTP(w, req)
				}
			})
		})
	}
}

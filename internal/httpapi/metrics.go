package httpapi

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/docparse/docparse/internal/store"
)

// metrics counts requests for /metrics (Prometheus text format).
type metrics struct {
	mu       sync.Mutex
	byStatus map[int]uint64
	seconds  float64
	count    uint64
}

func newMetrics() *metrics { return &metrics{byStatus: map[int]uint64{}} }

func (m *metrics) observe(status int, d time.Duration) {
	m.mu.Lock()
	m.byStatus[status]++
	m.seconds += d.Seconds()
	m.count++
	m.mu.Unlock()
}

// write writes the metrics, and those of db's batch-version cache.
func (m *metrics) write(w http.ResponseWriter, db *store.DB) {
	m.mu.Lock()
	codes := make([]int, 0, len(m.byStatus))
	for c := range m.byStatus {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintln(w, "# HELP docparse_http_requests_total HTTP requests served, by status code.")
	fmt.Fprintln(w, "# TYPE docparse_http_requests_total counter")
	for _, c := range codes {
		fmt.Fprintf(w, "docparse_http_requests_total{code=\"%d\"} %d\n", c, m.byStatus[c])
	}
	fmt.Fprintln(w, "# HELP docparse_http_request_duration_seconds Time spent serving HTTP requests.")
	fmt.Fprintln(w, "# TYPE docparse_http_request_duration_seconds summary")
	fmt.Fprintf(w, "docparse_http_request_duration_seconds_sum %g\n", m.seconds)
	fmt.Fprintf(w, "docparse_http_request_duration_seconds_count %d\n", m.count)
	m.mu.Unlock()
	fmt.Fprintln(w, "# HELP docparse_batch_version_reads_total Batch versions polls read from the database (not in memory).")
	fmt.Fprintln(w, "# TYPE docparse_batch_version_reads_total counter")
	fmt.Fprintf(w, "docparse_batch_version_reads_total %d\n", db.VersionReads())
	fmt.Fprintln(w, "# HELP docparse_batch_versions_in_memory 1 when polls are answered from memory (PostgreSQL: the node listens for other nodes' changes), else 0.")
	fmt.Fprintln(w, "# TYPE docparse_batch_versions_in_memory gauge")
	live := 0
	if db.Listening() {
		live = 1
	}
	fmt.Fprintf(w, "docparse_batch_versions_in_memory %d\n", live)
}

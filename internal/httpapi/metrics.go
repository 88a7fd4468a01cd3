package httpapi

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/docparse/docparse/internal/store"
)

// httpBuckets are the upper bounds (seconds) of the request latency
// histogram: a poll answers in well under a millisecond, an upload of 30
// files may take a minute.
var httpBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// httpMetrics counts the requests served, in the service's metrics set
// (pipeline.Service.Metrics), which GET /metrics serves whole. Observing a
// request builds no string once its route and status have been seen: the
// counters and histograms are kept in maps of their own. Safe for
// concurrent use.
type httpMetrics struct {
	set *metrics.Set

	mu      sync.RWMutex
	byCode  map[int]*metrics.Counter
	byRoute map[routeClass]*metrics.PrometheusHistogram
}

// routeClass is a route pattern ("GET /v1/extractions/{extraction_id}")
// and a status class (2 for 2xx).
type routeClass struct {
	pattern string
	class   int
}

func newHTTPMetrics(set *metrics.Set) *httpMetrics {
	return &httpMetrics{set: set, byCode: map[int]*metrics.Counter{}, byRoute: map[routeClass]*metrics.PrometheusHistogram{}}
}

// observe counts a request answered with status after d, under the
// pattern of the route that served it (http.Request.Pattern; "" when no
// route was reached).
func (m *httpMetrics) observe(pattern string, status int, d time.Duration) {
	key := routeClass{pattern, min(max(status/100, 0), 5)}
	m.mu.RLock()
	c, h := m.byCode[status], m.byRoute[key]
	m.mu.RUnlock()
	if c == nil || h == nil {
		c, h = m.create(status, key)
	}
	c.Inc()
	h.Update(d.Seconds())
}

// create registers the counter of status and the histogram of key.
func (m *httpMetrics) create(status int, key routeClass) (*metrics.Counter, *metrics.PrometheusHistogram) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.byCode[status]
	if c == nil {
		c = m.set.GetOrCreateCounter(fmt.Sprintf(`docparse_http_requests_total{code="%d"}`, status))
		m.byCode[status] = c
	}
	h := m.byRoute[key]
	if h == nil {
		route := key.pattern
		if route == "" {
			route = "none"
		}
		h = m.set.GetOrCreatePrometheusHistogramExt(fmt.Sprintf(`docparse_http_request_duration_seconds{route=%q,status_class="%dxx"}`,
			route, key.class), httpBuckets)
		m.byRoute[key] = h
	}
	return c, h
}

// serveMetrics writes every metric of the set in Prometheus' text format,
// then db's batch-version counts and the process's (memory, CPU, file
// descriptors, Go runtime).
func serveMetrics(w http.ResponseWriter, set *metrics.Set, db *store.DB) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	set.WritePrometheus(w)
	// Batch versions polls read from the database, not from memory.
	metrics.WriteCounterUint64(w, "docparse_batch_version_reads_total", uint64(db.VersionReads()))
	// 1 when polls are answered from memory (PostgreSQL: the node listens
	// for other nodes' changes), else 0.
	live := uint64(0)
	if db.Listening() {
		live = 1
	}
	metrics.WriteGaugeUint64(w, "docparse_batch_versions_in_memory", live)
	metrics.WriteProcessMetrics(w)
}

package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/servertest"
)

// scrape is GET /metrics parsed by Prometheus' own text parser.
type scrape map[string]*dto.MetricFamily

func (e *env) scrape() scrape {
	t := e.t
	t.Helper()
	resp, err := http.Get(e.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value is the sum of the series of metric name whose labels include
// labels (name=value pairs): counters' and gauges' values, histograms'
// counts; found is false without such a series.
func (s scrape) value(name string, labels ...string) (v float64, found bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
series:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool {
				return l.GetName() == labels[i] && l.GetValue() == labels[i+1]
			}) {
				continue series
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			v += m.Counter.GetValue()
		case m.Gauge != nil:
			v += m.Gauge.GetValue()
		case m.Histogram != nil:
			v += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			v += m.Untyped.GetValue()
		}
	}
	return v, found
}

// atLeast fails the test unless the series (see value) exists with a
// value of at least min.
func (s scrape) atLeast(t *testing.T, min float64, name string, labels ...string) {
	t.Helper()
	v, ok := s.value(name, labels...)
	switch {
	case !ok:
		t.Errorf("no series %s%v in /metrics", name, labels)
	case v < min:
		t.Errorf("%s%v = %g, want >= %g", name, labels, v, min)
	}
}

// TestMetricsAfterWork: after real work through the API (an upload of a
// text file and a scanned image, read by Tesseract; deliveries to a
// receiver that accepts and one that fails), /metrics, read by
// Prometheus' parser, counts the requests by route, the jobs by kind and
// outcome, the files, the OCR pages, the webhook attempts by outcome and
// class, and the process's memory; no label holds an id, a key or a URL.
func TestMetricsAfterWork(t *testing.T) {
	// Tesseract reads the scan slowly on a loaded machine.
	eachEnv(t, envOptions{fileTimeout: 2 * time.Minute}, func(t *testing.T, e *env) {
		ok := servertest.NewReceiver(t)
		failing := servertest.NewReceiver(t)
		failing.Answer(func(int) (int, http.Header) { return 503, nil })
		okID, okSecret := e.createEndpoint(ok.URL+"/hook", "extraction.completed")
		failID, failSecret := e.createEndpoint(failing.URL+"/hook", "extraction.completed")
		extID := e.createExtraction()
		r := e.upload(extID, []upload{{"invoice.txt", []byte("Invoice No: 42\nTotal: 10.00\n")},
			{"scan.png", testdata(t, "extract", "scan-invoice.png")}})
		if r.status != 202 {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		batchID := r.json(t)["batch"].(map[string]any)["id"].(string)
		if b := e.waitBatch(extID, batchID)["batch"].(map[string]any); b["status"] != "processed" {
			t.Fatalf("batch ended %v, want processed: %v", b["status"], b)
		}
		ok.WaitN(30*time.Second, 1)
		failing.WaitN(30*time.Second, 1)
		// An attempt is counted once the receiver's answer is read, a
		// moment after the receiver has the request.
		var s scrape
		servertest.Eventually(10*time.Second, func() bool {
			s = e.scrape()
			_, retried := s.value("docparse_webhook_attempts_total", "outcome", "retry")
			_, delivered := s.value("docparse_webhook_attempts_total", "outcome", "delivered")
			return retried && delivered
		})

		s.atLeast(t, 1, "docparse_http_requests_total", "code", "202")
		s.atLeast(t, 1, "docparse_http_requests_total", "code", "200")
		s.atLeast(t, 1, "docparse_http_request_duration_seconds",
			"route", "POST /v1/extractions/{extraction_id}/batches", "status_class", "2xx")
		s.atLeast(t, 1, "docparse_http_request_duration_seconds",
			"route", "GET /v1/extractions/{extraction_id}/batches/{batch_id}", "status_class", "2xx")
		s.atLeast(t, 2, "docparse_job_duration_seconds", "kind", "process_file", "outcome", "completed")
		s.atLeast(t, 2, "docparse_files_finished_total", "kind", "process_file")
		s.atLeast(t, 1, "docparse_ocr_pages_total", "engine", "tesseract")
		s.atLeast(t, 1, "docparse_webhook_attempts_total", "outcome", "delivered", "class", "2xx")
		s.atLeast(t, 1, "docparse_webhook_attempts_total", "outcome", "retry", "class", "5xx")
		s.atLeast(t, 1, "docparse_webhook_attempt_duration_seconds", "outcome", "delivered")
		s.atLeast(t, 1, "docparse_webhook_delivery_lag_seconds")
		s.atLeast(t, 1e6, "process_resident_memory_bytes")
		s.atLeast(t, 1, "go_goroutines")
		// Every kind docparse runs has its queue gauges, 0 included.
		for _, kind := range []string{"process_file", "classify_file", "cleanup"} {
			if _, found := s.value("docparse_jobs", "kind", kind, "state", "available"); !found {
				t.Errorf("no docparse_jobs{kind=%q,state=\"available\"}", kind)
			}
		}
		if _, found := s.value("docparse_batch_version_reads_total"); !found {
			t.Error("no docparse_batch_version_reads_total")
		}

		secrets := []string{extID, batchID, okID, failID, okSecret, failSecret, e.key, ok.URL, failing.URL,
			strings.TrimPrefix(ok.URL, "http://"), strings.TrimPrefix(failing.URL, "http://"), accountOf(t, e)}
		for name, f := range s {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					for _, sec := range secrets {
						if strings.Contains(l.GetValue(), sec) {
							t.Errorf("%s has label %s=%q, which holds %q", name, l.GetName(), l.GetValue(), sec)
						}
					}
					for _, prefix := range []string{docparse.PrefixExtraction, docparse.PrefixBatch, docparse.PrefixFile, docparse.PrefixEndpoint,
						docparse.PrefixEvent, docparse.PrefixAccount, docparse.PrefixAPIKey, docparse.PrefixAttempt, "dp_live_"} {
						if strings.Contains(l.GetValue(), prefix) {
							t.Errorf("%s has label %s=%q, which looks like an id", name, l.GetName(), l.GetValue())
						}
					}
				}
			}
		}
	})
}

// TestMetricsQueueDepth: docparse_jobs counts the jobs waiting in River's
// table, read at scrape time, on both engines.
func TestMetricsQueueDepth(t *testing.T) {
	eachEnv(t, envOptions{noWorkers: true}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		r := e.upload(extID, []upload{{"a.txt", []byte("Invoice No: 1\n")}, {"b.txt", []byte("Invoice No: 2\n")},
			{"c.txt", []byte("Invoice No: 3\n")}})
		if r.status != 202 {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		s := e.scrape()
		if v, _ := s.value("docparse_jobs", "kind", "process_file", "state", "available"); v != 3 {
			t.Errorf(`docparse_jobs{kind="process_file",state="available"} = %g, want 3 (no workers run)`, v)
		}
		if v, found := s.value("docparse_jobs", "kind", "process_file", "state", "running"); !found || v != 0 {
			t.Errorf(`docparse_jobs{kind="process_file",state="running"} = %g (found %v), want 0`, v, found)
		}
	})
}

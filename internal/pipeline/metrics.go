package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/webhook"
)

// The pipeline's metrics live in the service's metrics set (Config.Metrics,
// Service.Metrics), which GET /metrics serves (httpapi). Their labels are
// bounded sets of words, never ids, URLs or account names; README.md
// ("Monitoring") lists them.

// Histogram upper bounds, in seconds.
var (
	// jobBuckets: a text file takes milliseconds, a scanned PDF seconds
	// to the file timeout (2 minutes by default).
	jobBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	// attemptBuckets: one webhook attempt, up to its timeout (15 s).
	attemptBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30}
	// lagBuckets: from an event's commit to its receipt, retries of up to
	// three days included.
	lagBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400, 259200}
)

// pipelineMetrics records what the workers and the dispatcher do. Safe
// for concurrent use.
type pipelineMetrics struct {
	set *metrics.Set
}

// jobDone records a job run of kind that ended with outcome (jobOutcome)
// after it started at start.
func (m pipelineMetrics) jobDone(kind, outcome string, start time.Time) {
	m.set.GetOrCreatePrometheusHistogramExt(fmt.Sprintf(`docparse_job_duration_seconds{kind=%q,outcome=%q}`, kind, outcome),
		jobBuckets).UpdateDuration(start)
}

// fileDone counts a file that a job of kind moved to its final status.
func (m pipelineMetrics) fileDone(kind, status string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`docparse_files_finished_total{kind=%q,status=%q}`, kind, status)).Inc()
}

// ocrPages counts the pages of doc that OCR read whole, by engine.
func (m pipelineMetrics) ocrPages(doc *extract.Document) {
	for _, p := range doc.Pages {
		if e := p.OCREngine(); e != "" {
			m.set.GetOrCreateCounter(fmt.Sprintf(`docparse_ocr_pages_total{engine=%q}`, e)).Inc()
		}
	}
}

// webhookAttempt records one delivery attempt that was sent: its
// outcome (see Dispatcher.deliver), what it got (webhook.Result.Class)
// and how long it took.
func (m pipelineMetrics) webhookAttempt(outcome string, res webhook.Result) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`docparse_webhook_attempts_total{outcome=%q,class=%q}`, outcome, res.Class())).Inc()
	m.set.GetOrCreatePrometheusHistogramExt(fmt.Sprintf(`docparse_webhook_attempt_duration_seconds{outcome=%q}`, outcome),
		attemptBuckets).Update(res.Latency.Seconds())
}

// webhookNotSent counts an attempt that was not sent (the endpoint is
// disabled, or signing failed).
func (m pipelineMetrics) webhookNotSent(outcome string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`docparse_webhook_attempts_total{outcome=%q,class="not_sent"}`, outcome)).Inc()
}

// webhookDelivered records the time from an event's creation (the commit
// of the change that caused it) to a receiver's 2xx.
func (m pipelineMetrics) webhookDelivered(lag time.Duration) {
	m.set.GetOrCreatePrometheusHistogramExt(`docparse_webhook_delivery_lag_seconds`, lagBuckets).Update(max(lag.Seconds(), 0))
}

// jobNoteKey carries a *jobNote from observeJobs to the job's worker.
type jobNoteKey struct{}

// jobNote is what a worker tells observeJobs about its run.
type jobNote struct {
	// yielded: the job gave its place up to another account's file and
	// was inserted again (fair.go); it did no work.
	yielded bool
}

// noteYield marks the job run of ctx as yielded (see jobNote).
func noteYield(ctx context.Context) {
	if n, ok := ctx.Value(jobNoteKey{}).(*jobNote); ok {
		n.yielded = true
	}
}

// observeJobs is River's worker middleware that times every job run, from
// the start of the run (a file job's wait for its account's slot
// included) to its end, by kind and outcome (jobOutcome).
func (s *Service) observeJobs() rivertype.WorkerMiddleware {
	return river.WorkerMiddlewareFunc(func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
		start := time.Now()
		note := &jobNote{}
		outcome := "panic" // unless doInner returns
		defer func() { s.metrics.jobDone(job.Kind, outcome, start) }()
		err := doInner(context.WithValue(ctx, jobNoteKey{}, note))
		outcome = jobOutcome(job, note.yielded, err)
		return err
	})
}

// jobOutcome names how a job run ended: "completed"; "yielded" (see
// jobNote); "cancelled" (the job gave up for good: a file job after its
// last attempt fails its file as internal_error); "snoozed"; "retry" (an
// error, River runs it again); "discarded" (an error on the last
// attempt).
func jobOutcome(job *rivertype.JobRow, yielded bool, err error) string {
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil && yielded:
		return "yielded"
	case err == nil:
		return "completed"
	case errors.As(err, &cancel):
		return "cancelled"
	case errors.As(err, &snooze):
		return "snoozed"
	case job.Attempt >= job.MaxAttempts:
		return "discarded"
	}
	return "retry"
}

// jobCountsTTL is how long the counts of queued jobs are served from
// memory: a scraper polling every second reads River's table at most
// once per TTL.
const jobCountsTTL = 5 * time.Second

// jobStates are the states of the jobs docparse_jobs counts.
var jobStates = []string{"available", "running", "retryable", "scheduled"}

// jobGauges writes docparse_jobs{kind,state}, the jobs of each kind
// waiting or running, read from River's table at most once per
// jobCountsTTL (both engines). Every kind docparse runs is written, 0
// when none waits, so that an alert on it needs no absent(). Safe for
// concurrent use: concurrent scrapes wait for one read.
type jobGauges struct {
	db    *store.DB
	now   func() time.Time
	log   *slog.Logger
	kinds []string

	mu     sync.Mutex
	at     time.Time
	counts []store.JobCount
	err    error
}

func (g *jobGauges) read() ([]store.JobCount, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if !g.at.IsZero() && now.Sub(g.at) < jobCountsTTL {
		return g.counts, g.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	g.counts, g.err = g.db.JobCounts(ctx)
	g.at = now
	if g.err != nil {
		g.log.Warn("metrics: count jobs", "err", g.err)
	}
	return g.counts, g.err
}

// write writes the gauges to w; nothing when the counts cannot be read.
func (g *jobGauges) write(w io.Writer) {
	counts, err := g.read()
	if err != nil {
		return
	}
	n := map[[2]string]int64{}
	kinds := slices.Clone(g.kinds)
	for _, c := range counts {
		n[[2]string{c.Kind, c.State}] = c.N
		if !slices.Contains(kinds, c.Kind) {
			kinds = append(kinds, c.Kind)
		}
	}
	metrics.WriteMetadataIfNeeded(w, "docparse_jobs", "gauge")
	for _, k := range kinds {
		for _, st := range jobStates {
			fmt.Fprintf(w, "docparse_jobs{kind=%q,state=%q} %d\n", k, st, n[[2]string{k, st}])
		}
	}
}

package pipeline

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/blob"
)

// QueueMaintenance runs the periodic cleanup, one job at a time.
const QueueMaintenance = "maintenance"

// Cleanup defaults (Config.RevokedKeyRetention, Config.CleanupInterval).
const (
	defaultRevokedKeyRetention = 30 * 24 * time.Hour
	defaultCleanupInterval     = time.Hour
	// emptyDirGrace is how long an empty blob folder is left alone: an
	// upload makes its batch's folder just before its first file.
	emptyDirGrace = time.Hour
)

// CleanupArgs is the periodic maintenance job: it deletes API keys revoked
// more than Config.RevokedKeyRetention ago, events (with their deliveries
// and attempts) older than EventRetention and idempotent answers older
// than store.IdempotencyTTL, disables webhook endpoints that failed every
// delivery for store.DisableAfter, and removes empty batch (and account)
// folders from the blob store. River inserts one every
// Config.CleanupInterval, on the elected leader only, and one at start:
// however many nodes share the database, it runs on one.
type CleanupArgs struct{}

// Kind is River's name of the job.
func (CleanupArgs) Kind() string { return "cleanup" }

// InsertOpts puts the job on the maintenance queue. Two cleanups running
// one after the other (a restart) do no harm: each finds what is left.
func (CleanupArgs) InsertOpts() river.InsertOpts { return maintenanceOpts }

// maintenanceOpts are the insert options of the maintenance jobs.
var maintenanceOpts = river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 3}

// maintenanceWorker runs a maintenance job of args A by calling work.
type maintenanceWorker[A river.JobArgs] struct {
	river.WorkerDefaults[A]
	work func(ctx context.Context) error
}

func (w *maintenanceWorker[A]) Work(ctx context.Context, _ *river.Job[A]) error { return w.work(ctx) }

// addMaintenanceWorkers registers the workers of the maintenance jobs.
func (s *Service) addMaintenanceWorkers(workers *river.Workers) {
	river.AddWorker(workers, &maintenanceWorker[CleanupArgs]{work: func(ctx context.Context) error {
		_, _, err := s.Cleanup(ctx)
		return err
	}})
	river.AddWorker(workers, &maintenanceWorker[RetentionArgs]{work: s.retentionJob})
}

// Cleanup runs the maintenance once: it deletes the API keys revoked
// before now minus Config.RevokedKeyRetention, the events older than
// EventRetention, the idempotent answers past store.IdempotencyTTL,
// disables the endpoints failing for store.DisableAfter, and removes the
// blob store's empty folders unchanged for an hour. It says
// how many keys and folders went.
func (s *Service) Cleanup(ctx context.Context) (keys int64, dirs int, err error) {
	now := s.Now()
	keys, err = s.db.PurgeRevokedKeys(ctx, now.Add(-s.cfg.RevokedKeyRetention))
	if err != nil {
		return 0, 0, err
	}
	if err := s.db.PurgeEvents(ctx, now.Add(-EventRetention)); err != nil {
		return keys, 0, err
	}
	if err := s.db.PurgeIdempotencyKeys(ctx, now); err != nil {
		return keys, 0, err
	}
	// An endpoint that failed every delivery for store.DisableAfter is
	// disabled when its next failure is recorded; this disables those no
	// delivery has been tried at since.
	if err := s.db.DisableFailingEndpoints(ctx, now); err != nil {
		return keys, 0, err
	}
	if f, ok := s.blobs.(blob.Folders); ok {
		dirs, err = f.RemoveEmptyDirs(now.Add(-emptyDirGrace))
	}
	if keys > 0 || dirs > 0 {
		s.log.Info("cleanup", "revoked_keys_deleted", keys, "empty_folders_removed", dirs)
	}
	return keys, dirs, err
}

// periodicJobs are the jobs River's leader inserts on a schedule: the
// cleanup, and the retention when it is set.
func periodicJobs(cfg Config) []*river.PeriodicJob {
	every := func(interval time.Duration, args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) { return args, nil },
			&river.PeriodicJobOpts{RunOnStart: true, ID: args.Kind()})
	}
	jobs := []*river.PeriodicJob{every(cfg.CleanupInterval, CleanupArgs{})}
	if cfg.Retention > 0 {
		jobs = append(jobs, every(cfg.RetentionInterval, RetentionArgs{}))
	}
	return jobs
}

package store

import (
	"context"
	"fmt"
	"time"
)

// Fair order of River's queues.
//
// River takes the available jobs of a queue in the order (priority,
// scheduled_at, id): first in, first out, so one account's backlog of 240
// files is worked through before another account's single file. FairOrder
// gives each job a place in that order as start-time fair queueing does:
// a job's scheduled_at becomes a "tag" in a virtual clock far in the past
// (FairEpoch onwards, always due, so no job waits for a clock), and
//
//	tag = max(head - 1 step, last tag of the account's waiting jobs + 1 step)
//
// where head is the tag of the job River takes next. An account with
// nothing waiting goes first; one with a backlog queues after its own
// jobs. Backlogged accounts are thus taken in turn, one job each, and
// an account alone keeps every worker busy (its tags are all due). The
// whole state is River's job table, so several processes on one
// PostgreSQL database share it, and nothing is ever delayed, snoozed or
// failed by it: only the order of jobs that are all due changes.
//
// A job River schedules itself (a retry after an error, a job rescued
// after a crash, a job inserted by an older version) has a real
// scheduled_at, after every tag: FairOrder moves those that are due to the
// head, so that they are neither starved by a stream of new uploads nor
// made to wait behind the backlog.

// FairEpoch is where the tags of fair order start; tags at or after
// fairLimit are real times, not tags.
var (
	FairEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	fairLimit = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
)

// fairStep separates two tags: River's SQLite driver keeps milliseconds.
const fairStep = time.Millisecond

// InsertFair runs insert, which inserts jobs for accountID on queue in
// this transaction and returns their ids in the order they should run,
// and places those jobs in the queue's fair order; it also moves the
// queue's due untagged jobs (retries) to the head. See the comment above
// for the rule.
func (tx *Tx) InsertFair(ctx context.Context, queue, accountID string, insert func() ([]int64, error)) error {
	// The head and the account's last tag, before the new jobs exist.
	head, ok, err := tx.engine.riverTimeRow(ctx, tx.x, `SELECT scheduled_at FROM river_job
		WHERE state = 'available' AND queue = $1 AND scheduled_at < $2
		ORDER BY priority, scheduled_at, id LIMIT 1`, queue, tx.engine.riverTime(fairLimit))
	if err != nil {
		return fmt.Errorf("fair order: read head: %w", err)
	}
	if !ok {
		head = FairEpoch
	}
	last, ok, err := tx.engine.riverTimeRow(ctx, tx.x, `SELECT MAX(scheduled_at) FROM river_job
		WHERE state = 'available' AND queue = $1 AND scheduled_at < $2 AND args->>'account_id' = $3`,
		queue, tx.engine.riverTime(fairLimit), accountID)
	if err != nil {
		return fmt.Errorf("fair order: read the account's last: %w", err)
	}
	start := head.Add(-fairStep)
	if ok && last.Add(fairStep).After(start) {
		start = last.Add(fairStep)
	}
	// Retries and other untagged due jobs go to the head. On PostgreSQL
	// rows another process is taking are skipped rather than waited for.
	if _, err := tx.x.ExecContext(ctx, `UPDATE river_job SET scheduled_at = $1 WHERE id IN (
		SELECT id FROM river_job WHERE state = 'available' AND queue = $2 AND scheduled_at >= $3 AND scheduled_at <= $4
		ORDER BY id`+tx.engine.lock("FOR UPDATE SKIP LOCKED")+`)`,
		tx.engine.riverTime(head), queue, tx.engine.riverTime(fairLimit), tx.engine.riverTime(time.Now())); err != nil {
		return fmt.Errorf("fair order: move retries to the head: %w", err)
	}
	ids, err := insert()
	if err != nil {
		return err
	}
	for i, id := range ids {
		tag := start.Add(time.Duration(i) * fairStep)
		if !tag.Before(fairLimit) {
			// Past the tags' room (a backlog of 600 billion jobs): leave
			// the rest first in, first out.
			return nil
		}
		if _, err := tx.x.ExecContext(ctx, `UPDATE river_job SET scheduled_at = $1 WHERE id = $2 AND state = 'available'`,
			tx.engine.riverTime(tag), id); err != nil {
			return fmt.Errorf("fair order: tag job: %w", err)
		}
	}
	return nil
}

// FirstWaitingOther returns the fair-order tag of the first due job on
// queue of an account other than accountID, and false when there is none.
func (db *DB) FirstWaitingOther(ctx context.Context, queue, accountID string) (time.Time, bool, error) {
	t, ok, err := db.engine.riverTimeRow(ctx, db.r, `SELECT scheduled_at FROM river_job
		WHERE state = 'available' AND queue = $1 AND scheduled_at <= $2 AND args->>'account_id' <> $3
		ORDER BY priority, scheduled_at, id LIMIT 1`, queue, db.engine.riverTime(time.Now()), accountID)
	if err != nil {
		return t, ok, fmt.Errorf("read waiting jobs: %w", err)
	}
	return t, ok, nil
}

// TagJob sets the fair-order tag (scheduled_at) of a job inserted in this
// transaction; tag must be due.
func (tx *Tx) TagJob(ctx context.Context, id int64, tag time.Time) error {
	if _, err := tx.x.ExecContext(ctx, `UPDATE river_job SET scheduled_at = $1 WHERE id = $2 AND state = 'available'`,
		tx.engine.riverTime(tag), id); err != nil {
		return fmt.Errorf("tag job: %w", err)
	}
	return nil
}

package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/docparse/docparse/internal/store"
)

// Fairness between accounts has two parts.
//
// Order: file jobs are inserted in their queue's fair order
// (store.Tx.InsertFair): River takes the backlogged accounts' jobs in
// turn, one each, rather than first in, first out, so an account's single
// file does not wait behind another account's hundreds.
//
// A spare slot: order alone still leaves a new file waiting until one of
// the files running finishes, which for scanned PDFs can be minutes. So
// each queue runs Config.Workers + 1 jobs at once in this process, and
// one account at most Config.Workers of them: an account alone keeps
// every one of its Config.Workers workers busy, and the spare slot is
// there for any other account's file at once. A job of an account that
// already runs Config.Workers files here waits in the spare slot (holds
// it) until one of them ends, and gives the slot up (the job is inserted
// again at its place in the order, behind the other account's file) as
// soon as another account's file is waiting. Nothing is failed or loses an
// attempt by this: a job given up is a new job of the same file.

// insertJobs inserts one account's file jobs on queue in tx, in the
// queue's fair order.
func (s *Service) insertJobs(ctx context.Context, tx *store.Tx, queue, accountID string, jobs []river.InsertManyParams) error {
	return tx.InsertFair(ctx, queue, accountID, func() ([]int64, error) {
		res, err := s.river.InsertManyTx(ctx, tx.SQL(), jobs)
		if err != nil {
			return nil, fmt.Errorf("insert jobs: %w", err)
		}
		ids := make([]int64, len(res))
		for i, r := range res {
			ids[i] = r.Job.ID
		}
		return ids, nil
	})
}

// slots counts the files each account runs in this process, per queue,
// and hands a slot that frees to the account's job waiting longest
// before any job fetched later. Safe for concurrent use.
type slots struct {
	mu      sync.Mutex
	running map[string]int             // by queue + "/" + account id
	waiters map[string][]chan struct{} // the same keys; closed: slot handed over
}

func newSlots() *slots {
	return &slots{running: map[string]int{}, waiters: map[string][]chan struct{}{}}
}

// take takes a slot of key when it runs fewer than limit jobs and no job
// waits for one; otherwise it returns a channel that is closed when a
// slot is handed to the caller (or the caller gives up with leave).
func (sl *slots) take(key string, limit int) (bool, chan struct{}) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.running[key] < limit && len(sl.waiters[key]) == 0 {
		sl.running[key]++
		return true, nil
	}
	ch := make(chan struct{})
	sl.waiters[key] = append(sl.waiters[key], ch)
	return false, ch
}

// leave stops waiting on ch; it reports false when the slot had already
// been handed over (the caller then owns it and must put it).
func (sl *slots) leave(key string, ch chan struct{}) bool {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for i, c := range sl.waiters[key] {
		if c == ch {
			sl.waiters[key] = append(sl.waiters[key][:i:i], sl.waiters[key][i+1:]...)
			if len(sl.waiters[key]) == 0 {
				delete(sl.waiters, key)
			}
			return true
		}
	}
	return false
}

// put frees a slot of key: to the job waiting longest, if any.
func (sl *slots) put(key string) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if w := sl.waiters[key]; len(w) > 0 {
		close(w[0])
		if sl.waiters[key] = w[1:]; len(w) == 1 {
			delete(sl.waiters, key)
		}
		return
	}
	if sl.running[key]--; sl.running[key] <= 0 {
		delete(sl.running, key)
	}
}

func slotKey(queue, accountID string) string { return queue + "/" + accountID }

// Spare slot holding (see above): how often a held job looks again, and
// how long it holds before it is inserted again anyway (well within
// River's job timeout and rescue time).
const (
	holdPoll = 250 * time.Millisecond
	holdMax  = 30 * time.Second
)

// takeSlot lets a job of accountID on queue run: at once when the account
// runs fewer than Config.Workers files in this process, otherwise when
// one of them ends. It returns false when the job gave its slot up to
// another account's waiting file (or held it for holdMax, or the service
// stops): the job was then inserted again at its place in the fair order
// and must return nil without doing anything. On true the caller calls
// s.slots.put(slotKey(queue, accountID)) when done.
func (s *Service) takeSlot(ctx context.Context, queue string, job *rivertype.JobRow, args river.JobArgs, accountID string) (bool, error) {
	key := slotKey(queue, accountID)
	ok, handed := s.slots.take(key, s.cfg.Workers)
	if ok {
		return true, nil
	}
	deadline := time.Now().Add(holdMax)
	for {
		stopping := false
		select {
		case <-handed:
			return true, nil
		case <-time.After(holdPoll):
		case <-ctx.Done():
		case <-s.stopping:
			stopping = true
		}
		other, waiting, err := s.db.FirstWaitingOther(ctx, queue, accountID)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("read waiting jobs", "queue", queue, "err", err)
		}
		if !waiting && time.Now().Before(deadline) && ctx.Err() == nil && !stopping {
			continue
		}
		if !s.slots.leave(key, handed) {
			return true, nil // a slot came as it gave up: run
		}
		// Behind the other account's file, or at the job's own place.
		tag := job.ScheduledAt
		if waiting && !other.Before(tag) {
			tag = other.Add(time.Millisecond)
		}
		return false, s.requeue(ctx, queue, args, tag)
	}
}

// requeue inserts args again as a new job on queue with fair-order tag;
// if ctx has ended (the workers stop), with a few seconds of its own.
func (s *Service) requeue(ctx context.Context, queue string, args river.JobArgs, tag time.Time) error {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		res, err := s.river.InsertTx(ctx, tx.SQL(), args, &river.InsertOpts{Queue: queue})
		if err != nil {
			return fmt.Errorf("insert job again: %w", err)
		}
		if tag.Before(store.FairEpoch) || tag.After(time.Now()) {
			return nil // not a tag: leave it first in, first out
		}
		return tx.TagJob(ctx, res.Job.ID, tag)
	})
}

package harness

import (
	"cmp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sampler reads a process's VmRSS and VmHWM at a fixed interval until
// stopped, keeping the peak and the largest VmRSS of each second.
type Sampler struct {
	stop func()
	mu   sync.Mutex
	peak Peak
}

// Peak is what a Sampler saw. Sizes are KiB.
type Peak struct {
	RSS     int64         // largest VmRSS sampled
	HWM     int64         // largest VmHWM sampled (the kernel's own peak since the process began)
	At      time.Duration // when RSS was sampled, since the start
	Samples int
	PerSec  []int64 // largest VmRSS in each second
}

// Timeline returns PerSec in MiB, space-separated.
func (p Peak) Timeline() string {
	var b strings.Builder
	for i, v := range p.PerSec {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(v/1024, 10))
	}
	return b.String()
}

// StartSampler samples process pid now and then every interval.
func StartSampler(pid string, every time.Duration) *Sampler {
	s := &Sampler{}
	s.stop = Periodic(every, func(since time.Duration) {
		if m, err := ReadProcMemory(pid); err == nil {
			s.add(m, since)
		}
	})
	return s
}

func (s *Sampler) add(m ProcMemory, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.peak
	p.Samples++
	if m.RSS > p.RSS {
		p.RSS, p.At = m.RSS, d
	}
	p.HWM = max(p.HWM, m.HWM)
	p.PerSec = KeepMax(p.PerSec, int(d/time.Second), m.RSS)
}

// Periodic calls sample now and then every interval, from a goroutine of
// its own, with the time since the first call, until stop is called. stop
// returns once the last call has ended; call it once.
func Periodic(every time.Duration, sample func(since time.Duration)) (stop func()) {
	stopc, done := make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			sample(time.Since(start))
			select {
			case <-t.C:
			case <-stopc:
				return
			}
		}
	}()
	return func() {
		close(stopc)
		<-done
	}
}

// KeepMax sets s[i] to v when v is larger, growing s with zeros up to i
// first, and returns s: the largest value of each slot of a timeline.
func KeepMax[T cmp.Ordered](s []T, i int, v T) []T {
	for len(s) <= i {
		var zero T
		s = append(s, zero)
	}
	s[i] = max(s[i], v)
	return s
}

// Stop stops the sampler and returns what it saw. Call it once.
func (s *Sampler) Stop() Peak {
	s.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

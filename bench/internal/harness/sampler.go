package harness

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sampler reads a process's VmRSS and VmHWM at a fixed interval until
// stopped, keeping the peak and the largest VmRSS of each second.
type Sampler struct {
	stopc chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	peak  Peak
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
	s := &Sampler{stopc: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if m, err := ReadProcMemory(pid); err == nil {
				s.add(m, time.Since(start))
			}
			select {
			case <-t.C:
			case <-s.stopc:
				return
			}
		}
	}()
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
	sec := int(d / time.Second)
	for len(p.PerSec) <= sec {
		p.PerSec = append(p.PerSec, 0)
	}
	p.PerSec[sec] = max(p.PerSec[sec], m.RSS)
}

// Stop stops the sampler and returns what it saw. Call it once.
func (s *Sampler) Stop() Peak {
	close(s.stopc)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

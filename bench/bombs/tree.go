package main

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
)

// treeSampler samples the resident set of a process plus all of its
// descendants (Tesseract children, say) at a fixed interval, walking
// /proc for the process tree at every sample.
type treeSampler struct {
	halt func()
	mu   sync.Mutex
	peak treePeak
}

// treePeak is what a treeSampler saw; sizes in KiB.
type treePeak struct {
	Total    int64 // largest sum of the tree's VmRSS
	Server   int64 // the server's share of that sample
	Children int   // processes below the server in that sample
	At       time.Duration
	MaxKids  int     // most descendants seen at once
	Samples  int     // samples taken
	PerSec   []int64 // largest total in each second
}

func startTreeSampler(pid int, every time.Duration) *treeSampler {
	s := &treeSampler{}
	s.halt = harness.Periodic(every, func(since time.Duration) {
		server, kids, total := treeRSS(pid)
		s.add(server, kids, total, since)
	})
	return s
}

func (s *treeSampler) add(server int64, kids []int64, total int64, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.peak
	p.Samples++
	p.MaxKids = max(p.MaxKids, len(kids))
	if total > p.Total {
		p.Total, p.Server, p.Children, p.At = total, server, len(kids), d
	}
	p.PerSec = harness.KeepMax(p.PerSec, int(d/time.Second), total)
}

func (s *treeSampler) stop() treePeak {
	s.halt()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// treeRSS returns the VmRSS (KiB) of pid, of each of its descendants, and
// their sum. A process that ends while it is read counts 0.
func treeRSS(pid int) (server int64, kids []int64, total int64) {
	parent := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := readPPID(p); ok {
			parent[p] = pp
		}
	}
	server = residentKiB(pid)
	total = server
	for p := range parent {
		if p != pid && descends(p, pid, parent) {
			k := residentKiB(p)
			kids = append(kids, k)
			total += k
		}
	}
	return server, kids, total
}

func descends(p, root int, parent map[int]int) bool {
	for depth := 0; depth < 64; depth++ {
		pp, ok := parent[p]
		if !ok || pp <= 1 {
			return false
		}
		if pp == root {
			return true
		}
		p = pp
	}
	return false
}

// readPPID reads the parent of pid from /proc/PID/stat (harness.ProcStat).
func readPPID(pid int) (int, bool) {
	f, err := harness.ProcStat(strconv.Itoa(pid))
	if err != nil || len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}

// residentKiB is VmRSS of pid from /proc/PID/statm, in KiB.
func residentKiB(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize()) / 1024
}

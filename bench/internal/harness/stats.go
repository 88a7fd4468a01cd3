package harness

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100, nearest rank) of
// sorted durations, or 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// SortDurations sorts d in place and returns it.
func SortDurations(d []time.Duration) []time.Duration {
	slices.Sort(d)
	return d
}

// Median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none. xs is not changed.
func Median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Met is a goal's verdict: "met" or "NOT met".
func Met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// Ms formats a duration in milliseconds with microsecond precision.
func Ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64) + " ms"
}

// ProcMemory is what /proc/PID/status says about a process's memory, in
// KiB.
type ProcMemory struct {
	RSS int64 // VmRSS: resident now
	HWM int64 // VmHWM: the highest resident size since the process began
}

// ReadProcMemory reads VmRSS and VmHWM of pid ("self" for this process).
func ReadProcMemory(pid string) (ProcMemory, error) {
	var m ProcMemory
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return m, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return m, fmt.Errorf("parse %s %q: %w", k, v, err)
		}
		if k == "VmRSS" {
			m.RSS = n
		} else {
			m.HWM = n
		}
	}
	return m, sc.Err()
}

// ProcStat returns the fields of /proc/PID/stat that follow the command
// name (which is in parentheses and may hold spaces and parentheses
// itself): the state is [0], the parent's pid [1], utime [11], stime [12].
func ProcStat(pid string) ([]string, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, errors.New("parse /proc/PID/stat: no command name")
	}
	return strings.Fields(s[i+1:]), nil
}

// ProcCPU returns the user+system CPU time that process pid has used so
// far (ProcStat; clock ticks of 10 ms, USER_HZ on Linux).
func ProcCPU(pid string) (time.Duration, error) {
	f, err := ProcStat(pid)
	if err != nil {
		return 0, err
	}
	if len(f) < 13 {
		return 0, errors.New("parse /proc/PID/stat: too few fields")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("parse /proc/PID/stat: %w", err)
	}
	return time.Duration(u+st) * 10 * time.Millisecond, nil
}

// MiB formats KiB as MiB.
func MiB(kib int64) string { return strconv.FormatFloat(float64(kib)/1024, 'f', 1, 64) + " MiB" }

// Machine describes the machine a benchmark ran on, in one line, with
// the load average at the time (other work on the machine skews figures).
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		if _, v, ok := strings.Cut(line, ":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			mem = fmt.Sprintf(", %.1f GiB memory", float64(kb)/(1<<20))
		}
	}
	gover := runtime.Version()
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		gover = strings.TrimSpace(string(out))
	}
	load := ""
	if la := LoadAverage(); la != "" {
		load = ", load average " + la
	}
	return fmt.Sprintf("%d CPUs (%s)%s, %s, %s/%s, %s%s", runtime.NumCPU(), model, mem, gover, runtime.GOOS, runtime.GOARCH,
		time.Now().UTC().Format(time.RFC3339), load)
}

// LoadAverage is the 1, 5 and 15-minute load average of /proc/loadavg,
// as "1.02 0.87 0.80"; "" when it cannot be read.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

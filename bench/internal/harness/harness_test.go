package harness

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestParseEngines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"sqlite", []string{"sqlite"}},
		{"postgres", []string{"postgres"}},
		{"both", []string{"sqlite", "postgres"}},
		{"sqlite, postgres", []string{"sqlite", "postgres"}},
	} {
		got, err := ParseEngines(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseEngines(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := ParseEngines("mysql"); err == nil {
		t.Error(`ParseEngines("mysql") = nil error, want one`)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(tc.in)
		if got := Median(in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("Median(%v) changed its argument to %v", tc.in, in)
		}
	}
}

func TestKeepMax(t *testing.T) {
	var s []int64
	s = KeepMax(s, 2, 5)
	s = KeepMax(s, 0, 1)
	s = KeepMax(s, 2, 3)
	if want := []int64{1, 0, 5}; !slices.Equal(s, want) {
		t.Errorf("KeepMax timeline = %v, want %v", s, want)
	}
}

func TestProcCPUOfSelf(t *testing.T) {
	f, err := ProcStat("self")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if ppid, err := strconv.Atoi(f[1]); err != nil || ppid != os.Getppid() {
		t.Errorf("ProcStat(self)[1] = %q, want the parent's pid %d", f[1], os.Getppid())
	}
	if _, err := ProcCPU("self"); err != nil {
		t.Errorf("ProcCPU(self): %v", err)
	}
}

func TestPeriodicStops(t *testing.T) {
	calls := 0
	stop := Periodic(time.Hour, func(time.Duration) { calls++ })
	stop()
	if calls != 1 {
		t.Errorf("Periodic called sample %d times before stop, want 1 (the first, at once)", calls)
	}
}

func TestLogFileFlushesOnClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	for _, appendTo := range []bool{false, true} {
		lf, err := OpenLog(path, appendTo)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lf.Write([]byte("line\n")); err != nil {
			t.Fatal(err)
		}
		if err := lf.Close(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "line\nline\n"; got != want {
		t.Errorf("log file holds %q, want %q", got, want)
	}
}

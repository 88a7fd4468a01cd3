package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// PerfReport is one report of a perf recording, written to a file.
type PerfReport struct {
	Name string   // "self" or "inclusive"
	Path string   // where it was written
	Rows []string // its rows: no comments, no blank lines, no trailing spaces
}

// WritePerfReports runs `perf report` (perf is its path) over the
// recording data twice, by symbol without call graphs: self time (rows of
// 0.5% and more) and inclusive time (1% and more). It writes each to
// dir/perf-LABEL-NAME.txt and returns them in that order.
func WritePerfReports(ctx context.Context, perf, data, dir, label string) ([]PerfReport, error) {
	var reports []PerfReport
	for _, rep := range []struct {
		name string
		args []string
	}{
		{"self", []string{"--no-children", "--sort", "symbol", "-g", "none", "--percent-limit", "0.5"}},
		{"inclusive", []string{"--children", "--sort", "symbol", "-g", "none", "--percent-limit", "1"}},
	} {
		out, err := exec.CommandContext(ctx, perf, append([]string{"report", "-i", data, "--stdio"}, rep.args...)...).Output()
		if err != nil {
			return nil, fmt.Errorf("perf report: %w", err)
		}
		path := filepath.Join(dir, "perf-"+label+"-"+rep.name+".txt")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return nil, err
		}
		var rows []string
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
				continue
			}
			rows = append(rows, strings.TrimRight(l, " "))
		}
		reports = append(reports, PerfReport{Name: rep.name, Path: path, Rows: rows})
	}
	return reports, nil
}

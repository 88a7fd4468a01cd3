package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMemoryLimitFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		env  string
		want int64
		err  string
	}{
		{nil, "", 1 << 30, ""},
		{[]string{"--memory-limit", "768MiB"}, "", 768 << 20, ""},
		{[]string{"--memory-limit=2GiB"}, "1GiB", 2 << 30, ""}, // the flag wins
		{nil, "1.5GiB", 3 << 29, ""},
		{nil, "536870912", 512 << 20, ""},
		{[]string{"--memory-limit", "0"}, "", 0, ""},
		{[]string{"--memory-limit", "off"}, "", 0, ""},
		{[]string{"--memory-limit", "100MiB"}, "", 0, "--memory-limit=100MiB: must be 0 (off) or at least 256MiB"},
		{nil, "lots", 0, `DOCPARSE_MEMORY_LIMIT="lots": not a size`},
		{[]string{"--memory-limit", "1GB"}, "", 0, "usage"},
	}
	for _, tt := range tests {
		env := map[string]string{}
		if tt.env != "" {
			env["DOCPARSE_MEMORY_LIMIT"] = tt.env
		}
		var stderr strings.Builder
		c, err := loadConfig("serve", tt.args, getenvFrom(env), &stderr)
		name := strings.Join(tt.args, " ") + " env " + tt.env
		switch {
		case tt.err == "usage":
			if err == nil || !strings.Contains(stderr.String(), "not a size such as 1GiB") {
				t.Errorf("%s: err %v, stderr %q; want a usage error naming the size syntax", name, err, stderr.String())
			}
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", name, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case c.MemoryLimit != tt.want:
			t.Errorf("%s: MemoryLimit = %d, want %d", name, c.MemoryLimit, tt.want)
		}
	}
}

func TestPlanMemory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit   int64
		workers int
		want    memoryPlan
	}{
		// The default: two readers of 256 MiB (not four of 128 MiB).
		{1 << 30, 4, memoryPlan{Limit: 1 << 30, PDFReaders: 2, PDFReadMB: 256, GoLimit: 256 << 20, OCRBytes: 256 << 20}},
		{1 << 30, 1, memoryPlan{Limit: 1 << 30, PDFReaders: 1, PDFReadMB: 512, GoLimit: 256 << 20, OCRBytes: 256 << 20}},
		{256 << 20, 4, memoryPlan{Limit: 256 << 20, PDFReaders: 1, PDFReadMB: 128, GoLimit: 64 << 20, OCRBytes: 64 << 20}},
		{4 << 30, 16, memoryPlan{Limit: 4 << 30, PDFReaders: 4, PDFReadMB: 512, GoLimit: 1 << 30, OCRBytes: 1 << 30}},
		{0, 8, memoryPlan{PDFReaders: 4, PDFReadMB: 512}},
	}
	for _, tt := range tests {
		got := planMemory(tt.limit, tt.workers)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("planMemory(%s, %d) (-want +got):\n%s", formatBytes(tt.limit), tt.workers, diff)
		}
		if got.Limit > 0 {
			if sum := int64(got.PDFReaders*got.PDFReadMB)<<20 + got.GoLimit + got.OCRBytes; sum > got.Limit {
				t.Errorf("planMemory(%s, %d) hands out %d bytes", formatBytes(tt.limit), tt.workers, sum)
			}
		}
	}
	if s := planMemory(1<<30, 4).String(); s != "memory limit 1GiB: 2 PDF readers of at most 256 MiB, Go heap 256MiB, OCR processes 256MiB" {
		t.Errorf("String() = %q", s)
	}
}

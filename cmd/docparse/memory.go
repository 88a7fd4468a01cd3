package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// defaultMemoryLimit is --memory-limit's default: enough for two PDF
// readers of 256 MiB, Tesseract and the rest, on the smallest machine
// docparse is meant for.
const defaultMemoryLimit = 1 << 30

// minMemoryLimit: below this not even one PDF reader of 128 MiB fits
// beside the rest.
const minMemoryLimit = 256 << 20

// memoryPlan divides --memory-limit between what takes memory in a
// serving process: half goes to the PDF readers (PDFium WebAssembly
// instances, whose linear memory is mapped outside the Go heap and capped
// per instance), a quarter to the Go runtime (debug.SetMemoryLimit, a soft
// limit: the collector works harder as the heap nears it), a quarter to
// the Tesseract processes that OCR runs as children.
//
// Readers get at least 256 MiB each (a scanned page's image decoded, a
// page rendered for OCR) and at most 512 MiB: fewer readers run at once
// than --workers asks (at most 4) when the limit cannot give each its
// share; more files than readers wait for one.
type memoryPlan struct {
	Limit      int64 // bytes; 0: no limit
	PDFReaders int   // PDFium instances (and Tesseract processes) at once
	PDFReadMB  int   // memory cap of each PDFium instance
	GoLimit    int64 // bytes, for debug.SetMemoryLimit; 0: leave it
	OCRBytes   int64 // bytes for the Tesseract processes together; 0: no limit
}

func planMemory(limit int64, workers int) memoryPlan {
	readers := min(workers, 4)
	if limit <= 0 {
		return memoryPlan{PDFReaders: readers, PDFReadMB: 512}
	}
	share := limit / 2 >> 20 // MiB for PDF readers
	readers = max(1, min(readers, int(share/256)))
	per := min(512, int(share)/readers)
	return memoryPlan{
		Limit:      limit,
		PDFReaders: readers,
		PDFReadMB:  per,
		GoLimit:    limit - int64(readers*per)<<20 - limit/4,
		OCRBytes:   limit / 4,
	}
}

func (p memoryPlan) String() string {
	if p.Limit == 0 {
		return fmt.Sprintf("no memory limit; %d PDF readers of at most %d MiB", p.PDFReaders, p.PDFReadMB)
	}
	return fmt.Sprintf("memory limit %s: %d PDF readers of at most %d MiB, Go heap %s, OCR processes %s",
		formatBytes(p.Limit), p.PDFReaders, p.PDFReadMB, formatBytes(p.GoLimit), formatBytes(p.OCRBytes))
}

// parseBytes reads a size as GOMEMLIMIT writes it: a number of bytes,
// optionally followed by B, KiB, MiB, GiB or TiB; "0" and "off" mean none.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "off" {
		return 0, nil
	}
	num, unit := s, int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, unit = strings.TrimSpace(n), u.size
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || v*float64(unit) > 1<<50 {
		return 0, errors.New("not a size such as 1GiB, 768MiB or 0 (off)")
	}
	return int64(v * float64(unit)), nil
}

func bytesSetter(p *int64) func(string) error {
	return func(s string) error {
		v, err := parseBytes(s)
		if err != nil {
			return err
		}
		*p = v
		return nil
	}
}

// formatBytes writes n in the largest binary unit that keeps it whole, or
// to one decimal place: 1GiB, 768MiB, 1.5GiB.
func formatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size {
			if n%u.size == 0 {
				return strconv.FormatInt(n/u.size, 10) + u.suffix
			}
			return strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

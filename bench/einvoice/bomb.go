package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/extract/pdftest"
)

// bomb measures what an attachment bomb costs: a one-page PDF whose
// factur-x.xml attachment is a Flate stream of size zero bytes (about
// size/1000 bytes in the file) is read as the pipeline reads a PDF's
// e-invoice (extract.Engine.EInvoice, the engine's default memory limit),
// rounds times. It prints the outcome, the time, and the highest Go heap
// and resident set sampled during each read.
func bomb(size int64, rounds int) error {
	dir, err := os.MkdirTemp("", "einvoice-bomb")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pdf := pdftest.Attach(pdftest.Text([]string{"Invoice 2026-9", "Total: 120.00 EUR"}),
		pdftest.Attachment{Name: "factur-x.xml", Data: pdftest.Zeros(size), Deflated: true})
	path := filepath.Join(dir, "bomb.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		return err
	}
	eng, err := extract.NewEngine(extract.Config{Workers: 1, Timeout: 5 * time.Minute})
	if err != nil {
		return err
	}
	defer eng.Close()
	fmt.Printf("attachment bomb: %d KB PDF, attachment inflating to %d MB; load average %s\n", len(pdf)>>10, size>>20, loadavg())
	pdf = nil
	for i := range max(1, rounds) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap0, rss0 := ms.HeapInuse, resident()
		stop := make(chan struct{})
		peaks := make(chan [2]uint64)
		go func() {
			var heap, rss uint64
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				heap, rss = max(heap, m.HeapInuse), max(rss, resident())
				select {
				case <-stop:
					peaks <- [2]uint64{heap, rss}
					return
				case <-tick.C:
				}
			}
		}()
		start := time.Now()
		inv, _, err := eng.EInvoice(context.Background(), path, extract.KindPDF)
		el := time.Since(start)
		close(stop)
		p := <-peaks
		outcome := fmt.Sprint(err)
		if err == nil {
			outcome = fmt.Sprintf("no error (invoice %v)", inv != nil)
		}
		runtime.GC()
		fmt.Printf("round %d: %.2fs; %s\n  Go heap in use %d MB before, peak %d MB; resident %d MB before, peak %d MB, after %d MB\n",
			i+1, el.Seconds(), outcome, heap0>>20, p[0]>>20, rss0>>20, p[1]>>20, resident()>>20)
	}
	return nil
}

// resident is the process's resident set size in bytes (Linux /proc; 0
// elsewhere).
func resident() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// Command fairness measures how long one account's single small file
// waits while another account floods the service with heavy files.
//
//	go run ./bench/fairness [-db sqlite|postgres|both] [-batches 8] [-files 30] [-pages 1] [-delay 10s] [-flood-wait 0] [-bin PATH] [-serve-args "--workers 4"]
//
// It makes -files different scanned PDFs of -pages pages each (invoice
// text rendered to a grey JPEG at 150 dpi by pdftoppm and placed as the
// page image, no text layer: every page needs OCR), starts `docparse serve`
// on 127.0.0.1 (fresh SQLite data directory or PostgreSQL schema,
// --rate-limit 0 so that uploads and polling never wait), and then:
//
//   - account "flood" uploads -batches batches of those -files files, one
//     POST after the other;
//   - -delay after the flood's first upload began, account "single"
//     uploads one one-line .txt file (-single scan: one of the scanned
//     PDFs) and polls its batch every 100 ms.
//
// It prints the single file's time from the start of its upload to its
// batch's completed_at (and to when polling saw it), and the flood's
// throughput (files and pages per second from its first upload to its
// last batch's completed_at, or the files ended within -flood-wait).
// Several runs (-runs) on fresh servers give
// medians. The goal of issue 13: the single file ends within 20 s.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/extract/pdftest"
)

func main() { harness.Main("fairness", run) }

type options struct {
	harness.ServeFlags
	batches    int
	files      int
	pages      int
	delay      time.Duration
	floodWait  time.Duration
	singleKind string
	singleMax  time.Duration
	serveArgs  []string
	dir        string
	logw       io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var o options
	fs := harness.FlagSet("fairness", stderr)
	o.Register(fs, "sqlite", 90*time.Minute)
	fs.IntVar(&o.batches, "batches", 8, "batches the flooding account uploads")
	fs.IntVar(&o.files, "files", 30, "files per batch (the API allows 30)")
	fs.IntVar(&o.pages, "pages", 1, "pages of each scanned PDF")
	fs.DurationVar(&o.delay, "delay", 10*time.Second, "when the single file is uploaded, after the flood's first upload began")
	fs.DurationVar(&o.floodWait, "flood-wait", 0, "after the single file, wait at most this long for the flood to end (0: until it ends); its throughput counts the files ended by then")
	fs.StringVar(&o.singleKind, "single", "txt", "what the single account uploads: txt (a one-line text file) or scan (one of the scanned PDFs)")
	fs.DurationVar(&o.singleMax, "single-timeout", 10*time.Minute, "give up waiting for the single file after this long (reported as not done)")
	serveArgs := fs.String("serve-args", "", "extra flags for docparse serve, space-separated (for example \"--workers 2\")")
	logPath := fs.String("log", "", "append docparse's log to this file")
	runs := fs.Int("runs", 1, "runs per engine, each on a fresh server; the summary gives medians")
	engines, err := o.Parse(fs, args)
	if err != nil {
		return err
	}
	if o.singleKind != "txt" && o.singleKind != "scan" {
		return fmt.Errorf("-single %q: want txt or scan", o.singleKind)
	}
	if o.batches < 1 || o.files < 1 || o.pages < 1 || *runs < 1 {
		return errors.New("-batches, -files, -pages and -runs must be at least 1")
	}
	o.serveArgs = strings.Fields(*serveArgs)
	if *logPath != "" {
		lf, err := harness.OpenLog(*logPath, true)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, lf.Close()) }()
		o.logw = lf
	}
	ctx, end, err := o.Begin(ctx, "fairness", stdout)
	if err != nil {
		return err
	}
	defer end()
	o.dir = filepath.Join(o.Workdir.Dir, "pdfs")
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	size, err := makeScans(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d scanned PDFs of %d pages (%d bytes on average, no text layer)\n", o.files, o.pages, size/int64(o.files))

	type figures struct{ wait, seen, filesPerSec, pagesPerSec []float64 }
	all := map[string]*figures{}
	for _, engine := range engines {
		f := &figures{}
		all[engine] = f
		for i := range *runs {
			fmt.Fprintf(stdout, "[%s] run %d of %d\n", engine, i+1, *runs)
			r, err := measure(ctx, o, engine, stdout)
			if err != nil {
				return fmt.Errorf("%s: %w", engine, err)
			}
			f.wait = append(f.wait, r.wait.Seconds())
			f.seen = append(f.seen, r.seen.Seconds())
			f.filesPerSec = append(f.filesPerSec, r.filesPerSec)
			f.pagesPerSec = append(f.pagesPerSec, r.pagesPerSec)
		}
	}
	fmt.Fprintf(stdout, "\nsummary (median of %d runs; %d x %d scanned PDFs of %d pages from \"flood\", one .txt from \"single\" %s later):\n",
		*runs, o.batches, o.files, o.pages, o.delay)
	for _, engine := range engines {
		f := all[engine]
		fmt.Fprintf(stdout, "  %-8s single file done %.1f s after its upload began (polling saw it at %.1f s); flood %.2f files/s, %.2f pages/s\n",
			engine, harness.Median(f.wait), harness.Median(f.seen), harness.Median(f.filesPerSec), harness.Median(f.pagesPerSec))
	}
	return nil
}

// makeScans writes o.files scanned PDFs into o.dir and returns their
// total size.
func makeScans(ctx context.Context, o options) (int64, error) {
	var total int64
	for i := range o.files {
		jpegs := make([][]byte, o.pages)
		for p := range o.pages {
			text := pdftest.Minimal([]string{pdftest.Lines(invoiceLines(i, p), 72, 720, 11, 15)}, false)
			src := filepath.Join(o.Workdir.Dir, fmt.Sprintf("page-%d-%d.pdf", i, p))
			if err := os.WriteFile(src, text, 0o644); err != nil {
				return 0, err
			}
			out := strings.TrimSuffix(src, ".pdf")
			cmd := exec.CommandContext(ctx, "pdftoppm", "-r", "150", "-gray", "-jpeg", "-singlefile", src, out)
			if b, err := cmd.CombinedOutput(); err != nil {
				return 0, fmt.Errorf("pdftoppm (apt-get install -y poppler-utils): %w\n%s", err, b)
			}
			b, err := os.ReadFile(out + ".jpg")
			if err != nil {
				return 0, err
			}
			jpegs[p] = b
		}
		pdf, err := scannedPDF(jpegs)
		if err != nil {
			return 0, err
		}
		total += int64(len(pdf))
		if err := os.WriteFile(filepath.Join(o.dir, scanName(i)), pdf, 0o644); err != nil {
			return 0, err
		}
	}
	return total, nil
}

func scanName(i int) string { return fmt.Sprintf("scan-%02d.pdf", i) }

// invoiceLines is the text of page p of scan i: an invoice with a few
// dozen line items, different in every file.
func invoiceLines(i, p int) []string {
	number := strconv.Itoa(20001 + i)
	lines := []string{
		"Globex Corporation", "77 Industrial Park, Shelbyville", "",
		fmt.Sprintf("Invoice No: %s   (page %d)", number, p+1),
		fmt.Sprintf("Date: 2026-%02d-%02d", 1+i%12, 1+(i*5)%28),
		fmt.Sprintf("Customer: Customer %03d", i+1), "",
		"Item                                   Qty    Unit price      Amount",
	}
	for k := range 28 {
		qty := 1 + (i+k)%7
		unit := 100 + (i*31+k*17+p*7)%900
		lines = append(lines, fmt.Sprintf("Part %04d-%c  replacement component      %d     %d.%02d     %d.%02d",
			1000+k*13+i, 'A'+rune(k%26), qty, unit/100, unit%100, qty*unit/100, qty*unit%100))
	}
	return append(lines, "", fmt.Sprintf("Total: %d.%02d EUR", 1000+i*37, i%100), "Payment due within 30 days.")
}

type result struct {
	wait, seen               time.Duration
	filesPerSec, pagesPerSec float64
}

// measure runs one flood and one single file against a fresh server.
func measure(ctx context.Context, o options, engine string, stdout io.Writer) (_ result, err error) {
	var r result
	inst, err := o.Workdir.Launch(ctx, harness.LaunchOptions{Engine: engine, Label: "fairness", Accounts: []string{"flood", "single"},
		Log: o.logw, Args: append([]string{"--rate-limit", "0"}, o.serveArgs...)})
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	flood, single := inst.Client(0), inst.Client(1)
	extFlood, err := flood.CreateExtraction(ctx, "flood")
	if err != nil {
		return r, err
	}
	extSingle, err := single.CreateExtraction(ctx, "single")
	if err != nil {
		return r, err
	}

	// The flood: every batch, one POST after the other.
	start := time.Now()
	var (
		mu       sync.Mutex
		pages    int
		uploaded time.Duration
		floodErr error
	)
	done := make(chan struct{})
	floodCtx, cancelFlood := context.WithCancel(ctx)
	defer func() { cancelFlood(); <-done }()
	go func() {
		defer close(done)
		for range o.batches {
			parts := make([]harness.Part, o.files)
			for j := range parts {
				p, err := harness.FilePart(filepath.Join(o.dir, scanName(j)), scanName(j))
				if err != nil {
					mu.Lock()
					floodErr = err
					mu.Unlock()
					return
				}
				parts[j] = p
			}
			a, err := flood.Upload(floodCtx, extFlood, parts)
			mu.Lock()
			if err != nil {
				floodErr = err
				mu.Unlock()
				return
			}
			pages += a.Batch.PageCount
			uploaded = time.Since(start)
			mu.Unlock()
		}
	}()

	// The single file, -delay later.
	select {
	case <-time.After(o.delay):
	case <-ctx.Done():
		return r, ctx.Err()
	}
	singleStart := time.Now()
	part := harness.BytesPart("note.txt", []byte("Total: 12.00 EUR\n"))
	if o.singleKind == "scan" {
		if part, err = harness.FilePart(filepath.Join(o.dir, scanName(0)), "single-scan.pdf"); err != nil {
			return r, err
		}
	}
	a, err := single.Upload(ctx, extSingle, []harness.Part{part})
	if err != nil {
		return r, err
	}
	sctx, cancelSingle := context.WithTimeout(ctx, o.singleMax)
	b, err := single.WaitBatch(sctx, extSingle, a.Batch.ID, 100*time.Millisecond)
	cancelSingle()
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stdout, "[%s] single file not done %s after its upload began (%s)\n", engine, o.singleMax, b.Batch.Status)
		r.wait, r.seen = o.singleMax, o.singleMax
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.seen = time.Since(singleStart)
	r.wait = r.seen
	if b.Batch.CompletedAt != nil {
		if d := b.Batch.CompletedAt.Sub(singleStart); d > 0 && d <= r.seen {
			r.wait = d
		}
	}
	fmt.Fprintf(stdout, "[%s] single file %s: done %.2f s after its upload began (polling saw it at %.2f s), %.1f s into the flood\n",
		engine, b.Batch.Status, r.wait.Seconds(), r.seen.Seconds(), singleStart.Sub(start).Seconds())

	// The flood's end: its last batch's completed_at, or what ended
	// within -flood-wait.
	waitCtx, cancelWait := ctx, context.CancelFunc(func() {})
	if o.floodWait > 0 {
		waitCtx, cancelWait = context.WithTimeout(ctx, o.floodWait)
	}
	defer cancelWait()
	var last time.Time
	statuses := map[string]int{}
	counts := map[string]int{}
	ended := 0
	for {
		bs, err := flood.ListBatches(ctx, extFlood)
		if err != nil {
			return r, err
		}
		clear(statuses)
		clear(counts)
		ended, last = 0, time.Time{}
		for _, b := range bs {
			statuses[b.Status]++
			for k, v := range b.Counts {
				counts[k] += v
			}
			ended += b.Counts["processed"] + b.Counts["needs_review"] + b.Counts["failed"]
			if b.CompletedAt != nil && b.CompletedAt.After(last) {
				last = *b.CompletedAt
			}
		}
		mu.Lock()
		if floodErr != nil {
			mu.Unlock()
			return r, fmt.Errorf("flood upload: %w", floodErr)
		}
		mu.Unlock()
		if ended == o.batches*o.files || waitCtx.Err() != nil {
			break
		}
		select {
		case <-time.After(time.Second):
		case <-waitCtx.Done():
		}
	}
	elapsed := last.Sub(start)
	if ended < o.batches*o.files || last.IsZero() || elapsed <= 0 {
		// Cut off by -flood-wait: the window so far.
		elapsed = time.Since(start)
	}
	mu.Lock()
	upBatches, upPages, upTook := counts["queued"]+counts["processing"]+ended, pages, uploaded
	mu.Unlock()
	r.filesPerSec = float64(ended) / elapsed.Seconds()
	if upBatches > 0 {
		r.pagesPerSec = float64(upPages) * float64(ended) / float64(upBatches) / elapsed.Seconds()
	}
	fmt.Fprintf(stdout, "[%s] flood: %d of %d files uploaded (the last 202 %.1f s in); %d files ended %.1f s after the first upload began: %.3f files/s, %.3f pages/s; batches %v, files %v\n",
		engine, upBatches, o.batches*o.files, upTook.Seconds(), ended, elapsed.Seconds(), r.filesPerSec, r.pagesPerSec, statuses, counts)
	return r, nil
}

// Command throughput measures how many pages per second docparse extracts
// end to end, and compares it with pdftotext on the same files.
//
//	go run ./bench/throughput [-db sqlite|postgres|both] [-n 200] [-runs 3] [-bin PATH] [-keep DIR]
//
// It writes -n one-page text PDFs (a minimal PDF writer below: Helvetica,
// a few invoice lines, each file different), starts docparse on 127.0.0.1
// (fresh SQLite data directory or PostgreSQL schema, default --workers),
// uploads them as batches of at most 30 files and measures from the start
// of the first upload until every batch is terminal. Then it runs
// `pdftotext FILE -` over the same files, one process at a time and two at
// a time, and prints pages/s for each. Every measurement is made -runs
// times (docparse on a fresh server each time); the summary gives medians.
package main

import (
	"bytes"
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

func main() { harness.Main("throughput", run) }

// invoice is what one generated PDF says, and what extraction should find.
type invoice struct {
	file   string
	number string
	date   string
	total  float64
	lines  []string
}

func makeInvoice(i int) invoice {
	number := strconv.Itoa(10001 + i)
	date := fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+(i*7)%28)
	cents := 10000 + (i*7919)%90000
	qty := 1 + i%9
	inv := invoice{
		file:   "invoice-" + number + ".pdf",
		number: number,
		date:   date,
		total:  float64(cents) / 100,
	}
	inv.lines = []string{
		"ACME Supplies Ltd",
		"12 Harbour Road, Springfield",
		"",
		"Invoice No: " + number,
		"Date: " + date,
		fmt.Sprintf("Customer: Customer %03d", i+1),
		"",
		fmt.Sprintf("Widgets (%d x %d.%02d)", qty, cents/qty/100, cents/qty%100),
		"",
		fmt.Sprintf("Total: %d.%02d", cents/100, cents%100),
		"Payment due within 30 days.",
	}
	return inv
}

// onePagePDF returns a one-page PDF (US Letter) showing lines in 12-point
// Helvetica.
func onePagePDF(lines []string) []byte {
	return pdftest.Minimal([]string{pdftest.Lines(lines, 72, 720, 12, 16)}, false)
}

type options struct {
	harness.ServeFlags
	n       int
	perPOST int
	every   time.Duration
	dir     string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var o options
	fs := harness.FlagSet("throughput", stderr)
	o.Register(fs, "sqlite", 15*time.Minute)
	fs.IntVar(&o.n, "n", 200, "one-page PDFs to generate and process")
	fs.IntVar(&o.perPOST, "batch", 30, "files per batch (the API allows 30)")
	fs.DurationVar(&o.every, "poll", 250*time.Millisecond, "how often to list the batches while waiting (rate limit: 10/s)")
	keep := fs.String("keep", "", "also write the generated PDFs to this directory and keep them")
	runs := fs.Int("runs", 3, "measure docparse (a fresh server each time) and pdftotext this many times; the summary gives the median")
	engines, err := o.Parse(fs, args)
	if err != nil {
		return err
	}
	if o.n < 1 || o.perPOST < 1 || *runs < 1 {
		return errors.New("-n, -batch and -runs must be at least 1")
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		return errors.New("pdftotext not found: apt-get install -y poppler-utils")
	}
	ctx, end, err := o.Begin(ctx, "throughput", stdout)
	if err != nil {
		return err
	}
	defer end()

	o.dir = filepath.Join(o.Workdir.Dir, "pdfs")
	if *keep != "" {
		o.dir = *keep
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	invoices := make([]invoice, o.n)
	var bytesTotal int
	for i := range invoices {
		invoices[i] = makeInvoice(i)
		b := onePagePDF(invoices[i].lines)
		bytesTotal += len(b)
		if err := os.WriteFile(filepath.Join(o.dir, invoices[i].file), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "generated %d one-page PDFs (%d bytes on average) in %s\n", o.n, bytesTotal/o.n, o.dir)

	type figure struct {
		name  string
		rates []float64
	}
	var figures []figure
	for _, engine := range engines {
		f := figure{name: "docparse (" + engine + ")"}
		for i := range *runs {
			fmt.Fprintf(stdout, "[%s] run %d of %d\n", engine, i+1, *runs)
			rate, err := measureDocparse(ctx, o, engine, invoices, stdout)
			if err != nil {
				return fmt.Errorf("%s: %w", engine, err)
			}
			f.rates = append(f.rates, rate)
		}
		figures = append(figures, f)
	}
	for _, par := range []int{1, 2} {
		f := figure{name: fmt.Sprintf("pdftotext, %d process(es) at a time", par)}
		for range *runs {
			d, err := runPdftotext(ctx, pdftotext, o.dir, invoices, par)
			if err != nil {
				return err
			}
			rate := float64(o.n) / d.Seconds()
			fmt.Fprintf(stdout, "pdftotext FILE -, %d at a time: %d pages in %.2f s: %.1f pages/s\n", par, o.n, d.Seconds(), rate)
			f.rates = append(f.rates, rate)
		}
		figures = append(figures, f)
	}
	seqRate := harness.Median(figures[len(figures)-2].rates)
	parRate := harness.Median(figures[len(figures)-1].rates)
	fmt.Fprintf(stdout, "\nsummary, median of %d runs (pdftotext only turns each page into text; docparse also stores each upload,\n", *runs)
	fmt.Fprintln(stdout, "counts its pages, queues a job per file, extracts words with positions through PDFium in WebAssembly,")
	fmt.Fprintln(stdout, "fills the schema and records the result):")
	for _, f := range figures {
		m := harness.Median(f.rates)
		fmt.Fprintf(stdout, "  %-40s %6.1f pages/s (runs: %s) = %.2fx pdftotext sequential, %.2fx pdftotext 2-parallel\n",
			f.name, m, rateList(f.rates), m/seqRate, m/parRate)
	}
	if *keep == "" {
		fmt.Fprintf(stdout, "removed %s\n", o.Workdir.Dir)
	}
	return nil
}

func rateList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(parts, ", ")
}

// measureDocparse uploads every invoice to a fresh docparse and waits for
// the batches. It prints what it saw and returns pages/s.
func measureDocparse(ctx context.Context, o options, engine string, invoices []invoice, stdout io.Writer) (_ float64, err error) {
	inst, err := o.Workdir.Launch(ctx, harness.LaunchOptions{Engine: engine, Label: "throughput"})
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	c := inst.Client(0)
	ext, err := c.CreateExtraction(ctx, "throughput bench")
	if err != nil {
		return 0, err
	}
	pid := strconv.Itoa(inst.PID)
	before, _ := harness.ReadProcMemory(pid)
	sampler := harness.StartSampler(pid, 50*time.Millisecond)

	// Upload, one batch after the other, as a client would.
	start := time.Now()
	var ids []string
	pages := 0
	for i := 0; i < len(invoices); i += o.perPOST {
		group := invoices[i:min(i+o.perPOST, len(invoices))]
		parts := make([]harness.Part, len(group))
		for j, inv := range group {
			if parts[j], err = harness.FilePart(filepath.Join(o.dir, inv.file), inv.file); err != nil {
				return 0, err
			}
		}
		a, err := c.Upload(ctx, ext, parts)
		if err != nil {
			sampler.Stop()
			return 0, err
		}
		ids = append(ids, a.Batch.ID)
		pages += a.Batch.PageCount
	}
	uploaded := time.Since(start)

	// Wait: one list request per round covers every batch.
	var final map[string]harness.Batch
	for {
		bs, err := c.ListBatches(ctx, ext)
		if err != nil {
			sampler.Stop()
			return 0, err
		}
		final = map[string]harness.Batch{}
		for _, b := range bs {
			if b.Terminal() {
				final[b.ID] = b
			}
		}
		if len(final) == len(ids) {
			break
		}
		select {
		case <-time.After(o.every):
		case <-ctx.Done():
			sampler.Stop()
			return 0, fmt.Errorf("waiting for %d batches (%d terminal): %w", len(ids), len(final), ctx.Err())
		}
	}
	seen := time.Since(start)
	peak := sampler.Stop()

	// The end is the last batch's completed_at (same clock, this machine),
	// which does not depend on how often we polled.
	var last time.Time
	counts := map[string]int{}
	statuses := map[string]int{}
	for _, id := range ids {
		b, ok := final[id]
		if !ok {
			return 0, fmt.Errorf("batch %s missing from the list", id)
		}
		if b.CompletedAt == nil {
			return 0, fmt.Errorf("batch %s is %s without completed_at", id, b.Status)
		}
		if b.CompletedAt.After(last) {
			last = *b.CompletedAt
		}
		statuses[b.Status]++
		for k, v := range b.Counts {
			counts[k] += v
		}
	}
	elapsed := last.Sub(start)
	if elapsed <= 0 || elapsed > seen {
		elapsed = seen // completed_at is unusable: fall back to what polling saw
	}
	rate := float64(pages) / elapsed.Seconds()

	// Correctness: compare every extracted value with what the PDF says.
	right, wrong := 0, []string{}
	byFile := map[string]invoice{}
	for _, inv := range invoices {
		byFile[inv.file] = inv
	}
	for _, id := range ids {
		res, err := c.Export(ctx, ext, id)
		if err != nil {
			return 0, err
		}
		for name, r := range res {
			inv := byFile[name]
			got := fmt.Sprint(r["invoice_number"], " ", r["date"], " ", r["total"])
			want := fmt.Sprint(inv.number, " ", inv.date, " ", inv.total)
			if got == want {
				right++
			} else if len(wrong) < 3 {
				wrong = append(wrong, fmt.Sprintf("%s: got %s, want %s", name, got, want))
			}
		}
	}

	fmt.Fprintf(stdout, "[%s] docparse %s, default --workers: %d files, %d pages in %d batches\n", engine, inst.URL, len(invoices), pages, len(ids))
	fmt.Fprintf(stdout, "[%s] uploads took %.2f s; every batch terminal %.2f s after the first upload began (last completed_at; polling saw it at %.2f s), %.2f s after the last upload's 202\n",
		engine, uploaded.Seconds(), elapsed.Seconds(), seen.Seconds(), (elapsed - uploaded).Seconds())
	fmt.Fprintf(stdout, "[%s] batch statuses %v, file counts %v\n", engine, statuses, counts)
	fmt.Fprintf(stdout, "[%s] fields right (invoice_number, date and total all equal to the PDF's): %d of %d files\n", engine, right, len(invoices))
	for _, w := range wrong {
		fmt.Fprintf(stdout, "[%s]   e.g. %s\n", engine, w)
	}
	fmt.Fprintf(stdout, "[%s] server memory: VmRSS %s before the uploads, peak %s while processing (VmHWM %s)\n",
		engine, harness.MiB(before.RSS), harness.MiB(peak.RSS), harness.MiB(peak.HWM))
	fmt.Fprintf(stdout, "[%s] docparse: %.1f pages/s\n", engine, rate)
	return rate, nil
}

// runPdftotext runs `pdftotext FILE -` over every invoice with par
// processes at a time and returns the wall time.
func runPdftotext(ctx context.Context, pdftotext, dir string, invoices []invoice, par int) (time.Duration, error) {
	work := make(chan invoice)
	errs := make(chan error, par)
	var wg sync.WaitGroup
	start := time.Now()
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for inv := range work {
				out, err := exec.CommandContext(ctx, pdftotext, filepath.Join(dir, inv.file), "-").Output()
				if err != nil {
					errs <- fmt.Errorf("pdftotext %s: %w", inv.file, err)
					return
				}
				if !bytes.Contains(out, []byte("Invoice No: "+inv.number)) {
					errs <- fmt.Errorf("pdftotext %s: no %q in %q", inv.file, "Invoice No: "+inv.number, out)
					return
				}
			}
		}()
	}
	var err error
feed:
	for _, inv := range invoices {
		select {
		case work <- inv:
		case err = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return elapsed, err
}

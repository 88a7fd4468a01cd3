// Command bombs measures what hostile small files cost a running docparse:
// it builds inflate-bomb PDFs (a page content stream of about 1 MB that
// decodes to 1 GiB), DOCX files of about 100 KB holding one 98 MB <w:t>
// run, a PDF painting a 60000 x 60000 pixel image, and one ordinary PDF,
// uploads them all in ONE batch to a fresh `docparse serve`, and samples
// the resident set of the server plus all of its descendants (Tesseract)
// every 20 ms until the batch ends. It prints the peak, a per-second
// timeline, and each file's status, error code and message, and when it
// became terminal.
//
//	go run ./bench/bombs [-pdfs 4] [-docx 4] [-image 60000] [-goal 1024] [-serve-args "--memory-limit 1GiB"]
//
// The goal (default 1 GiB) is checked and reported, not enforced: the
// program exits 0 either way unless the run itself fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/extract/pdftest"
)

func main() { harness.Main("bombs", run) }

// want is what a file of the batch should end as.
type want struct {
	status, code string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var wf harness.WorkFlags
	fs := harness.FlagSet("bombs", stderr)
	wf.Register(fs, 20*time.Minute)
	wf.RegisterDir(fs)
	dbEngine := fs.String("db", "sqlite", "sqlite or postgres")
	npdf := fs.Int("pdfs", 4, "inflate-bomb PDFs in the batch")
	pdfSize := fs.Int64("pdf-size", 1<<30, "bytes a bomb PDF's page content inflates to")
	ndocx := fs.Int("docx", 4, "big-run DOCX files in the batch")
	docxSize := fs.Int64("docx-size", 98<<20, "bytes of the one <w:t> run of each DOCX")
	side := fs.Int("image", 60000, "side in pixels of the image PDF's image; 0 leaves it out")
	normal := fs.Bool("normal", true, "add an ordinary one-page text PDF, which must be processed")
	every := fs.Duration("every", 20*time.Millisecond, "RSS sampling interval")
	goal := fs.Int64("goal", 1024, "peak RSS goal in MiB (server plus children)")
	serveArgs := fs.String("serve-args", "", "extra arguments of docparse serve, space-separated (e.g. \"--memory-limit 1GiB --workers 4\")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, end, err := wf.Begin(ctx, "bombs", stdout)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, end()) }()
	w := wf.Workdir

	// The files.
	genDir := filepath.Join(w.Dir, "files")
	if err := os.Mkdir(genDir, 0o755); err != nil {
		return err
	}
	var parts []harness.Part
	wants := map[string]want{}
	add := func(name string, w want) error {
		p, err := harness.FilePart(filepath.Join(genDir, name), name)
		if err != nil {
			return err
		}
		parts = append(parts, p)
		wants[name] = w
		fmt.Fprintf(stdout, "  %-18s %8d KB\n", name, p.Size>>10)
		return nil
	}
	fmt.Fprintln(stdout, "generating files ...")
	if *npdf > 0 {
		bomb := pdftest.DeflatedPage(pdftest.Zeros(*pdfSize))
		for i := range *npdf {
			name := fmt.Sprintf("inflate-bomb-%d.pdf", i+1)
			if err := writeFile(filepath.Join(genDir, name), bomb); err != nil {
				return err
			}
			if err := add(name, want{"failed", "too_large_content"}); err != nil {
				return err
			}
		}
	}
	for i := range *ndocx {
		name := fmt.Sprintf("big-run-%d.docx", i+1)
		if err := bigRunDOCX(filepath.Join(genDir, name), *docxSize); err != nil {
			return err
		}
		if err := add(name, want{"failed", "too_large_content"}); err != nil {
			return err
		}
	}
	if *side > 0 {
		name := fmt.Sprintf("image-%dpx.pdf", *side)
		if err := writeFile(filepath.Join(genDir, name), pdftest.ImagePage(*side, *side, pdftest.Zeros(int64(*side)*int64(*side)))); err != nil {
			return err
		}
		if err := add(name, want{"failed", "too_large_content"}); err != nil {
			return err
		}
	}
	if *normal {
		name := "ordinary.pdf"
		pdf := pdftest.Text([]string{"ACME GmbH", "Invoice number: INV-2026-0042", "Invoice date: 2026-11-30", "Total: 1,234.50 EUR"})
		if err := writeFile(filepath.Join(genDir, name), pdf); err != nil {
			return err
		}
		if err := add(name, want{"processed", ""}); err != nil {
			return err
		}
	}

	// The server.
	logf, err := os.Create(filepath.Join(w.Dir, "server.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	inst, err := w.Launch(ctx, harness.LaunchOptions{Engine: *dbEngine, Label: "bombs", Accounts: []string{"bombs"}, Log: logf, Args: strings.Fields(*serveArgs)})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	fmt.Fprintf(stdout, "docparse serve %s (pid %d, %s)\n", *serveArgs, inst.PID, *dbEngine)
	client := inst.Client(0)
	ext, err := client.CreateExtraction(ctx, "bombs")
	if err != nil {
		return err
	}
	time.Sleep(time.Second) // let start-up garbage settle before the baseline
	base, _, _ := treeRSS(inst.PID)
	fmt.Fprintf(stdout, "server resident before the batch: %s\n", harness.MiB(base))

	sampler := startTreeSampler(inst.PID, *every)
	start := time.Now()
	ans, err := client.Upload(ctx, ext, parts)
	if err != nil {
		sampler.stop()
		return err
	}
	uploaded := time.Since(start)
	batchID := ans.Batch.ID
	doneAt := map[string]time.Duration{}
	final, err := client.WatchBatch(ctx, ext, batchID, 100*time.Millisecond, func(a harness.BatchAnswer) {
		for _, f := range a.Files {
			if _, ok := doneAt[f.FileName]; !ok && (f.Status == "processed" || f.Status == "needs_review" || f.Status == "failed") {
				doneAt[f.FileName] = time.Since(start)
			}
		}
	})
	if err != nil {
		sampler.stop()
		return err
	}
	total := time.Since(start)
	peak := sampler.stop()
	after, _, _ := treeRSS(inst.PID)

	fmt.Fprintf(stdout, "\nbatch %s: %s after %.1f s (upload %.1f s), %d samples every %v\n", batchID, final.Batch.Status, total.Seconds(), uploaded.Seconds(), peak.Samples, *every)
	verdict := "within"
	if peak.Total > *goal<<10 {
		verdict = "OVER"
	}
	fmt.Fprintf(stdout, "peak resident, server + children: %s at %.1f s (server %s, %d children; at most %d children at once); goal %d MiB: %s\n",
		harness.MiB(peak.Total), peak.At.Seconds(), harness.MiB(peak.Server), peak.Children, peak.MaxKids, *goal, verdict)
	fmt.Fprintf(stdout, "resident after the batch: %s\n", harness.MiB(after))
	var tl []string
	for _, v := range peak.PerSec {
		tl = append(tl, fmt.Sprint(v>>10))
	}
	fmt.Fprintf(stdout, "per-second peak (MiB): %s\n\n", strings.Join(tl, " "))

	files := final.Files
	sort.Slice(files, func(i, j int) bool { return files[i].FileName < files[j].FileName })
	fmt.Fprintln(stdout, "| file | status | code | done after | message |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|")
	bad := 0
	for _, f := range files {
		code, msg := "", ""
		if f.Error != nil {
			code, msg = f.Error.Code, f.Error.Message
		}
		w := wants[f.FileName]
		mark := ""
		if f.Status != w.status && !(w.status == "processed" && f.Status == "needs_review") || code != w.code {
			mark, bad = " (want "+w.status+" "+w.code+")", bad+1
		}
		fmt.Fprintf(stdout, "| %s | %s%s | %s | %.1f s | %s |\n", f.FileName, f.Status, mark, code, doneAt[f.FileName].Seconds(), msg)
	}
	fmt.Fprintf(stdout, "\n%d of %d files ended as expected\n", len(files)-bad, len(files))
	return nil
}

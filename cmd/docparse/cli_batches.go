package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/docparse/docparse/client"
)

// uploadCmd: docparse upload EXTRACTION_ID FILES... [--wait].
func uploadCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newCLI(ctx, "upload", "upload EXTRACTION_ID FILES... [--name NAME] [--wait] [--idempotency-key KEY]", getenv, stdout, stderr)
	name, wait, idem := c.uploadFlags("wait until the batch ends; exit 3 if it ends failed or partial")
	pos, err := c.parse(args, 2, -1)
	if err != nil {
		return err
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	extID := pos[0]
	files, total, closeFiles, err := openFiles(pos[1:])
	if err != nil {
		return err
	}
	defer closeFiles()
	tty := isTerminal(stdout) && !c.asJSON
	opts := client.UploadOptions{Name: *name, IdempotencyKey: *idem}
	var res *client.BatchResult
	err = withUploadBar(stdout, tty, total, &opts, func() (err error) {
		res, err = api.UploadBatch(ctx, extID, files, opts)
		return err
	})
	if err != nil {
		return apiError(stderr, err)
	}
	b := res.Batch
	if !c.asJSON {
		fmt.Fprintf(stdout, "batch %s: %d files, %d pages, %s\n", b.ID, b.FileCount, b.PageCount, b.Status)
	}
	if !*wait {
		if c.asJSON {
			return c.printJSON(res)
		}
		return nil
	}
	live := &liveLine{w: stdout, tty: tty, quiet: c.asJSON}
	res, err = api.WaitForBatch(ctx, extID, b.ID, client.WaitOptions{OnProgress: func(b client.Batch) { live.show(countsLine(b)) }})
	live.end()
	if err != nil {
		return apiError(stderr, err)
	}
	if c.asJSON {
		if err := c.printJSON(res); err != nil {
			return err
		}
	} else {
		for _, f := range res.Files {
			if f.Error != nil {
				fmt.Fprintf(stdout, "  %s %s: %s (%s)\n", f.Status, f.FileName, f.Error.Message, f.Error.Code)
			}
		}
		fmt.Fprintf(stdout, "batch %s %s\n", res.Batch.ID, res.Batch.Status)
	}
	if res.Batch.Status != client.BatchProcessed {
		return errBatchNotProcessed
	}
	return nil
}

// uploadFlags defines the flags of a command that uploads a batch: its
// name, --wait (described by waitHelp) and an idempotency key.
func (c *cli) uploadFlags(waitHelp string) (name *string, wait *bool, idem *string) {
	name = c.fs.String("name", "", "name of the batch")
	wait = c.fs.Bool("wait", false, waitHelp)
	idem = c.fs.String("idempotency-key", "", "makes a retried upload store nothing twice")
	return name, wait, idem
}

// liveLine prints a batch's progress line each time it changes: rewritten
// in place on a terminal, one line each otherwise, nothing when quiet
// (--json).
type liveLine struct {
	w          io.Writer
	tty, quiet bool
	last       string
}

func (l *liveLine) show(line string) {
	if l.quiet || line == l.last {
		return
	}
	l.last = line
	if l.tty {
		fmt.Fprintf(l.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(l.w, line)
	}
}

// end ends the line being rewritten on a terminal.
func (l *liveLine) end() {
	if l.tty {
		fmt.Fprintln(l.w)
	}
}

// openFiles opens the files to upload; closeFiles closes them all.
func openFiles(paths []string) (files []client.File, total int64, closeFiles func(), err error) {
	var opened []*os.File
	closeFiles = func() {
		for _, f := range opened {
			f.Close()
		}
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			closeFiles()
			return nil, 0, nil, fmt.Errorf("open %s: %w", p, err)
		}
		opened = append(opened, f)
		fi, err := f.Stat()
		if err != nil {
			closeFiles()
			return nil, 0, nil, fmt.Errorf("stat %s: %w", p, err)
		}
		if fi.IsDir() {
			closeFiles()
			return nil, 0, nil, fmt.Errorf("%s is a directory: name the files to upload", p)
		}
		total += fi.Size()
		files = append(files, client.File{Name: filepath.Base(p), Reader: f})
	}
	return files, total, closeFiles, nil
}

// withUploadBar runs upload, drawing a progress bar of total bytes on a
// terminal (tty) through opts.Progress.
func withUploadBar(stdout io.Writer, tty bool, total int64, opts *client.UploadOptions, upload func() error) error {
	var mu sync.Mutex
	if tty {
		opts.Progress = func(sent int64) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stdout, "\r%s", bar("uploading", sent, total))
		}
	}
	err := upload()
	if tty {
		mu.Lock()
		fmt.Fprintf(stdout, "\r%s\n", bar("uploaded", total, total))
		mu.Unlock()
	}
	return err
}

// countsLine is one line of live batch progress.
func countsLine(b client.Batch) string {
	n := b.Counts
	return fmt.Sprintf("%s: %d queued, %d processing, %d processed, %d needs review, %d failed",
		b.Status, n.Queued, n.Processing, n.Processed, n.NeedsReview, n.Failed)
}

// bar draws a 30-column progress bar.
func bar(label string, done, total int64) string {
	const width = 30
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	frac = min(max(frac, 0), 1)
	n := int(frac * width)
	return fmt.Sprintf("%-10s [%s%s] %3.0f%% %s / %s", label, strings.Repeat("=", n), strings.Repeat(" ", width-n), frac*100, size(done), size(total))
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// batchesCmd: docparse batches get|list.
func batchesCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: docparse batches get EXTRACTION_ID BATCH_ID | list EXTRACTION_ID [--status S]")
		return errUsage
	}
	switch args[0] {
	case "get":
		c := newCLI(ctx, "batches get", "batches get EXTRACTION_ID BATCH_ID", getenv, stdout, stderr)
		pos, err := c.parse(args[1:], 2, 2)
		if err != nil {
			return err
		}
		api, err := c.client()
		if err != nil {
			return err
		}
		res, err := api.GetBatch(ctx, pos[0], pos[1])
		if err != nil {
			return apiError(stderr, err)
		}
		if c.asJSON {
			return c.printJSON(res)
		}
		fmt.Fprintf(stdout, "batch %s (%s) %s\n%s\n", res.Batch.ID, res.Batch.Name, res.Batch.Status, countsLine(res.Batch))
		var rows [][]string
		for _, f := range res.Files {
			errText := ""
			if f.Error != nil {
				errText = f.Error.Code + ": " + f.Error.Message
			}
			rows = append(rows, []string{f.ID, f.FileName, f.Status, fmt.Sprint(f.PageCount), errText})
		}
		c.table("FILE\tNAME\tSTATUS\tPAGES\tERROR", rows)
		return nil
	case "list":
		c := newCLI(ctx, "batches list", "batches list EXTRACTION_ID [--status STATUS]", getenv, stdout, stderr)
		status := c.fs.String("status", "", "only batches in this status")
		pos, err := c.parse(args[1:], 1, 1)
		if err != nil {
			return err
		}
		api, err := c.client()
		if err != nil {
			return err
		}
		var rows [][]string
		var all []client.Batch
		for b, err := range api.ListBatches(ctx, pos[0], client.BatchListParams{Status: *status, ListParams: client.ListParams{Limit: 100}}) {
			if err != nil {
				return apiError(stderr, err)
			}
			all = append(all, b)
			rows = append(rows, []string{b.ID, b.Name, b.Status, fmt.Sprint(b.FileCount), fmtTime(&b.CreatedAt), fmtTime(b.CompletedAt)})
		}
		if c.asJSON {
			return c.printJSON(all)
		}
		c.table("BATCH\tNAME\tSTATUS\tFILES\tCREATED\tCOMPLETED", rows)
		return nil
	}
	fmt.Fprintf(stderr, "docparse batches: unknown subcommand %q (get, list)\n", args[0])
	return errUsage
}

// resultsCmd: docparse results EXTRACTION_ID BATCH_ID [--format json|csv] [--out FILE].
func resultsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newCLI(ctx, "results", "results EXTRACTION_ID BATCH_ID [--format json|csv] [--out FILE]", getenv, stdout, stderr)
	format := c.fs.String("format", "json", "json or csv")
	out := c.fs.String("out", "", "write to this file instead of stdout")
	pos, err := c.parse(args, 2, 2)
	if err != nil {
		return err
	}
	if *format != "json" && *format != "csv" {
		fmt.Fprintf(stderr, "docparse results: --format must be json or csv, not %q\n", *format)
		return errUsage
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	rc, err := api.Export(ctx, pos[0], pos[1], *format)
	if err != nil {
		return apiError(stderr, err)
	}
	defer rc.Close()
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		defer f.Close()
		w = f
	}
	if _, err := io.Copy(w, rc); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if *out != "" {
		fmt.Fprintf(stderr, "wrote %s\n", *out)
	}
	return nil
}

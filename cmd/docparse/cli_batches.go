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
	return sendBatch(c, args, "wait until the batch ends; exit 3 if it ends failed or partial", batchSteps[*client.BatchResult]{
		upload: (*client.Client).UploadBatch,
		sent: func(up *client.BatchResult) string {
			b := up.Batch
			return fmt.Sprintf("batch %s: %d files, %d pages, %s", b.ID, b.FileCount, b.PageCount, b.Status)
		},
		wait: func(api *client.Client, extID string, up *client.BatchResult, show func(string)) (*client.BatchResult, error) {
			return api.WaitForBatch(ctx, extID, up.Batch.ID, client.WaitOptions{OnProgress: func(b client.Batch) { show(countsLine(b)) }})
		},
		ended: func(res *client.BatchResult) {
			for _, f := range res.Files {
				if f.Error != nil {
					fmt.Fprintf(stdout, "  %s %s: %s (%s)\n", f.Status, f.FileName, f.Error.Message, f.Error.Code)
				}
			}
			fmt.Fprintf(stdout, "batch %s %s\n", res.Batch.ID, res.Batch.Status)
		},
		status: func(res *client.BatchResult) string { return res.Batch.Status },
	})
}

// batchSteps are a command's own steps of sendBatch; R is the batch with
// its files as the upload and the wait for its end answer it.
type batchSteps[R any] struct {
	// upload uploads files to the owner (an extraction or a
	// classification) as one new batch: the client's upload method.
	upload func(api *client.Client, ctx context.Context, ownerID string, files []client.File, opts client.UploadOptions) (R, error)
	// sent is the line printed after the upload (not with --json).
	sent func(R) string
	// wait follows the batch to its end, calling show with each progress
	// line.
	wait func(api *client.Client, ownerID string, up R, show func(line string)) (R, error)
	// ended prints the ended batch as text (not with --json).
	ended func(R)
	// status is the ended batch's status.
	status func(R) string
}

// sendBatch is what upload and classify share: parse args (OWNER_ID
// FILES..., the batch's --name, --wait described by waitHelp and an
// --idempotency-key), open the files, upload them (a progress bar on a
// terminal), print the new batch, and with --wait follow the batch on a
// live line until it ends and print it. It returns errBatchNotProcessed
// when the batch ended other than processed.
func sendBatch[R any](c *cli, args []string, waitHelp string, steps batchSteps[R]) error {
	name := c.fs.String("name", "", "name of the batch")
	wait := c.fs.Bool("wait", false, waitHelp)
	idem := c.fs.String("idempotency-key", "", "makes a retried upload store nothing twice")
	pos, api, err := c.parseClient(args, 2, -1)
	if err != nil {
		return err
	}
	ownerID, opts := pos[0], client.UploadOptions{Name: *name, IdempotencyKey: *idem}
	files, total, closeFiles, err := openFiles(pos[1:])
	if err != nil {
		return err
	}
	defer closeFiles()
	tty := isTerminal(c.stdout) && !c.asJSON
	var up R
	err = withUploadBar(c.stdout, tty, total, &opts, func() (err error) {
		up, err = steps.upload(api, c.ctx, ownerID, files, opts)
		return err
	})
	if err != nil {
		return apiError(c.stderr, err)
	}
	if !c.asJSON {
		fmt.Fprintln(c.stdout, steps.sent(up))
	}
	if !*wait {
		if c.asJSON {
			return c.printJSON(up)
		}
		return nil
	}
	live := &liveLine{w: c.stdout, tty: tty, quiet: c.asJSON}
	res, err := steps.wait(api, ownerID, up, live.show)
	live.end()
	if err != nil {
		return apiError(c.stderr, err)
	}
	if c.asJSON {
		if err := c.printJSON(res); err != nil {
			return err
		}
	} else {
		steps.ended(res)
	}
	if steps.status(res) != client.BatchProcessed {
		return errBatchNotProcessed
	}
	return nil
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
		pos, api, err := c.parseClient(args[1:], 2, 2)
		if err != nil {
			return err
		}
		res, err := api.GetBatch(ctx, pos[0], pos[1])
		return printOne(c, res, err, func(res *client.BatchResult) {
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
		})
	case "list":
		c := newCLI(ctx, "batches list", "batches list EXTRACTION_ID [--status STATUS]", getenv, stdout, stderr)
		status := c.fs.String("status", "", "only batches in this status")
		pos, api, err := c.parseClient(args[1:], 1, 1)
		if err != nil {
			return err
		}
		batches := api.ListBatches(ctx, pos[0], client.BatchListParams{Status: *status, ListParams: client.ListParams{Limit: 100}})
		return printList(c, batches, "BATCH\tNAME\tSTATUS\tFILES\tCREATED\tCOMPLETED", func(b client.Batch) []string {
			return []string{b.ID, b.Name, b.Status, fmt.Sprint(b.FileCount), fmtTime(&b.CreatedAt), fmtTime(b.CompletedAt)}
		})
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

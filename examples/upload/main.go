// Command upload uploads documents to a docparse extraction as one batch,
// waits for the batch to end while printing its progress, and prints each
// file's result.
//
//	DOCPARSE_API_KEY=dp_live_... go run ./examples/upload -extraction ext_... invoice-1.pdf invoice-2.pdf
//
// DOCPARSE_BASE_URL is the server (default http://127.0.0.1:8080).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/examples/internal/cli"
)

func main() { cli.Main("upload", run) }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	extraction := fs.String("extraction", "", "the extraction to upload to (ext_...)")
	name := fs.String("name", "", "a name for the batch")
	timeout := fs.Duration("timeout", 30*time.Minute, "how long to wait for the batch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *extraction == "" || fs.NArg() == 0 {
		return errors.New("usage: upload -extraction ext_... FILE...")
	}
	c, err := cli.Client(getenv)
	if err != nil {
		return err
	}

	// Files are streamed from disk as the upload proceeds, never read
	// into memory whole.
	var files []client.File
	var total int64
	for _, p := range fs.Args() {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			total += st.Size()
		}
		files = append(files, client.File{Name: filepath.Base(p), Reader: f})
	}
	up, err := c.UploadBatch(ctx, *extraction, files, client.UploadOptions{
		Name: *name,
		Progress: func(sent int64) {
			fmt.Fprintf(stderr, "\ruploaded %d of %d bytes", sent, total)
		},
	})
	fmt.Fprintln(stderr)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	fmt.Fprintf(stdout, "batch %s: %d files, %d pages\n", up.Batch.ID, up.Batch.FileCount, up.Batch.PageCount)

	wctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := c.WaitForBatch(wctx, *extraction, up.Batch.ID, client.WaitOptions{
		OnProgress: func(b client.Batch) {
			fmt.Fprintf(stderr, "%s: %d of %d done (%d processed, %d need review, %d failed)\n",
				b.Status, b.Counts.Done(), b.FileCount, b.Counts.Processed, b.Counts.NeedsReview, b.Counts.Failed)
		},
	})
	if err != nil {
		return fmt.Errorf("wait for batch %s: %w", up.Batch.ID, err)
	}
	fmt.Fprintf(stdout, "batch %s ended %s\n", res.Batch.ID, res.Batch.Status)
	for _, f := range res.Files {
		if f.Status == client.FileFailed {
			fmt.Fprintf(stdout, "%s: failed (%s: %s)\n", f.FileName, f.Error.Code, f.Error.Message)
			continue
		}
		fr, err := c.GetFile(ctx, *extraction, res.Batch.ID, f.ID)
		if err != nil {
			return fmt.Errorf("result of %s: %w", f.FileName, err)
		}
		result, err := json.MarshalIndent(fr.Result, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%s):\n%s\n", f.FileName, f.Status, result)
	}
	return nil
}

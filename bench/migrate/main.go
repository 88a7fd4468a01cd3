// Command migrate measures docparse migrate --to: a SQLite installation of
// -batches batches of -files small text files each (uploaded to a server
// started with --work=false and no daily file quota, so every file stays
// queued and the program needs no OCR or PDF work), copied to a fresh PostgreSQL schema. It
// prints the rows copied and rows/s of the first run, the time of a
// second run that finds nothing to copy (it reads and compares every
// row), and of --check.
//
//	go run ./bench/migrate [-batches 50] [-files 100] [-chunk-rows 500] [-bin PATH]
//
// Documents stay in the data directory (no --blob-url): copying them is
// S3's upload speed, not migrate's. Everything it makes is removed at the
// end.
package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
)

func main() { harness.Main("migrate", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f harness.WorkFlags
	fs := harness.FlagSet("migrate", stderr)
	f.Register(fs, 30*time.Minute)
	batches := fs.Int("batches", 50, "batches uploaded")
	files := fs.Int("files", 100, "files per batch")
	chunk := fs.Int("chunk-rows", 500, "docparse migrate --chunk-rows")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, end, err := f.Begin(ctx, "migrate", stdout)
	if err != nil {
		return err
	}
	defer end()
	w := f.Workdir

	src, err := w.Launch(ctx, harness.LaunchOptions{Engine: "sqlite", Label: "migrate", Args: []string{"--work=false", "--max-files", strconv.Itoa(*files), "--quota-files-per-day", "0"}})
	if err != nil {
		return err
	}
	defer src.Close()
	c := src.Client(0)
	ext, err := c.CreateExtraction(ctx, "migrate")
	if err != nil {
		return err
	}
	start := time.Now()
	for b := range *batches {
		parts := make([]harness.Part, *files)
		for i := range parts {
			parts[i] = harness.BytesPart(fmt.Sprintf("f%d.txt", i), []byte(fmt.Sprintf("Invoice No: %d-%d\nTotal: %d.50\n", b, i, i)))
		}
		if _, err := c.Upload(ctx, ext, parts); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "source: %d batches of %d files uploaded in %s\n", *batches, *files, time.Since(start).Round(time.Millisecond))
	if err := src.Stop(); err != nil {
		return err
	}
	dst, err := harness.NewDatabase(ctx, "postgres", w.Dir, "migrate")
	if err != nil {
		return err
	}
	defer dst.Close()

	migrate := func(label string, extra ...string) error {
		cmd := src.DB.Command(ctx, w.Bin, append([]string{"migrate", "--data-dir", src.DB.DataDir, "--to", dst.URL, "--chunk-rows", strconv.Itoa(*chunk)}, extra...)...)
		var errOut strings.Builder
		cmd.Stderr = &errOut
		t0 := time.Now()
		out, err := cmd.Output()
		took := time.Since(t0)
		if err != nil {
			return fmt.Errorf("%s: %w\n%s%s", label, err, out, errOut.String())
		}
		var rows, written int64
		for _, m := range copiedLine.FindAllStringSubmatch(string(out), -1) {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			ins, _ := strconv.ParseInt(m[2], 10, 64)
			upd, _ := strconv.ParseInt(m[3], 10, 64)
			rows += n
			written += ins + upd
		}
		if rows == 0 { // --check prints the verified lines only
			for _, m := range verifiedLine.FindAllStringSubmatch(string(out), -1) {
				n, _ := strconv.ParseInt(m[1], 10, 64)
				rows += n
			}
		}
		fmt.Fprintf(stdout, "%-28s %8d rows, %8d written, %7s, %8.0f rows/s\n", label, rows, written, took.Round(time.Millisecond), float64(rows)/took.Seconds())
		return nil
	}
	if err := migrate("migrate --to (first run)"); err != nil {
		return err
	}
	if err := migrate("migrate --to (nothing new)"); err != nil {
		return err
	}
	return migrate("migrate --to --check", "--check")
}

var (
	copiedLine   = regexp.MustCompile(`(?m)^copied\s+\S+\s+(\d+) rows \((\d+) inserted, (\d+) updated`)
	verifiedLine = regexp.MustCompile(`(?m)^verified\s+\S+\s+(\d+) rows`)
)

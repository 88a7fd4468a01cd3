package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/secretbox"
	"github.com/docparse/docparse/internal/store"
)

const migrateUsage = `usage:
  docparse migrate [--data-dir DIR] [--database-url URL]
      apply docparse's and River's migrations to the database and exit.
  docparse migrate --to postgres://... [--blob-url s3://...] [--data-dir DIR] [--check] [--chunk-rows N]
      copy this SQLite installation (the database and documents serve
      finds with the same --data-dir and DOCPARSE_* variables; DATABASE_URL
      unset) to the PostgreSQL database --to and, with --blob-url, its
      documents to that store (S3): here --blob-url names the destination,
      the documents are read from DOCPARSE_BLOB_URL or DATA_DIR/blobs as
      serve reads them. Then verify the copy: per table the row count and
      a checksum, per document its size and SHA-256. Without --blob-url
      the documents stay where they are.
      The copy is a snapshot: serve may run meanwhile, and a second run
      copies what changed since (and goes on after an interruption). For
      the final run stop serve first. Files still queued or processing
      are queued again on the destination. The destination nodes need
      this installation's secret key; the command says which.
      --check compares the destination with this installation without
      copying.
`

// migrateOptions are migrate's flags beside serve's.
type migrateOptions struct {
	to        string // destination database URL; "": migrate in place
	blobURL   string // destination blob URL; "": documents stay
	check     bool
	chunkRows int
}

// migrate applies the migrations to the configured database, or with
// --to copies the installation to another (migrateTo).
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs, envErr := serveFlagSet("migrate", &c, getenv, stderr)
	var o migrateOptions
	fs.StringVar(&o.to, "to", "", "copy this installation to this PostgreSQL database (postgres://...)")
	fs.BoolVar(&o.check, "check", false, "with --to: compare the destination with this installation, copy nothing")
	fs.IntVar(&o.chunkRows, "chunk-rows", 500, "with --to: rows copied per destination transaction")
	fs.Usage = adminUsage(fs, migrateUsage, "blob-url")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "docparse migrate: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if err := errors.Join(envErr, c.validate()); err != nil {
		return fmt.Errorf("%w: %w", errConfig, err)
	}
	logger := newLogger(stderr, c.LogLevel)
	if o.to == "" {
		if o.check {
			return fmt.Errorf("%w: --check needs --to", errConfig)
		}
		db, err := openDB(ctx, c, getenv, logger)
		if err != nil {
			return err
		}
		logger.Info("migrated", "engine", string(db.Engine()))
		return db.Close()
	}
	// --blob-url names the destination; the source's documents are where
	// serve keeps them, DOCPARSE_BLOB_URL or the data directory's.
	c.BlobURL, o.blobURL = getenv(envName("blob-url")), c.BlobURL
	if o.blobURL == c.BlobURL {
		o.blobURL = ""
	}
	var errs []error
	if !strings.HasPrefix(o.to, "postgres://") && !strings.HasPrefix(o.to, "postgresql://") {
		errs = append(errs, errors.New("--to: must be a postgres:// or postgresql:// URL"))
	}
	if c.isPostgres() {
		errs = append(errs, errors.New("--to copies a SQLite installation, and DATABASE_URL (or --database-url) names PostgreSQL: unset it"))
	}
	if o.chunkRows < 1 {
		errs = append(errs, fmt.Errorf("--chunk-rows=%d: must be at least 1", o.chunkRows))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", errConfig, err)
	}
	return migrateTo(ctx, c, o, getenv, stdout, logger)
}

// migrateTo copies the installation of c to o.to (see migrateUsage),
// printing its progress and summary on stdout.
func migrateTo(ctx context.Context, c config, o migrateOptions, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	box, src, err := secretbox.Load(getenv, c.DataDir, false)
	if err != nil {
		return fmt.Errorf("%w: %w", errConfig, err)
	}
	srcDB, err := openDBWith(ctx, c, box, logger)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer srcDB.Close()
	unknown, err := srcDB.UnknownTables(ctx)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("source: tables this version of migrate does not copy: %s", strings.Join(unknown, ", "))
	}
	srcBlobs, err := blob.OpenURL(ctx, c.blobURL(), c.DataDir, getenv)
	if err != nil {
		return fmt.Errorf("source blob store: %w", err)
	}
	var dstBlobs blob.Store
	if o.blobURL != "" {
		if dstBlobs, err = blob.OpenURL(ctx, o.blobURL, c.DataDir, getenv); err != nil {
			return fmt.Errorf("destination blob store: %w", err)
		}
	}
	dstDB, err := openDBWith(ctx, config{DatabaseURL: o.to, DataDir: c.DataDir}, box, logger)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dstDB.Close()
	snap, err := srcDB.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer snap.Close()

	var want []store.TableSum
	if o.check {
		if want, err = snap.Sums(ctx, dstDB); err != nil {
			return fmt.Errorf("source: %w", err)
		}
	} else {
		fmt.Fprintln(stdout, "copying a snapshot of the SQLite database in", c.DataDir)
		want, err = snap.Copy(ctx, dstDB, store.CopyOptions{ChunkRows: o.chunkRows, Progress: func(p store.CopyProgress) {
			state := "copying"
			if p.Done {
				state = "copied "
			}
			fmt.Fprintf(stdout, "%s %-22s %8d rows (%d inserted, %d updated, %d deleted)\n", state, p.Table, p.Rows, p.Inserted, p.Updated, p.Deleted)
		}})
		if err != nil {
			return err
		}
	}
	var failed []string
	have, err := dstDB.TableSums(ctx)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	for i, w := range want {
		h := have[i]
		if h != w {
			failed = append(failed, w.Table)
			fmt.Fprintf(stdout, "MISMATCH %-22s source %d rows sha256 %x, destination %d rows sha256 %x\n", w.Table, w.Rows, w.Sum[:8], h.Rows, h.Sum[:8])
			continue
		}
		fmt.Fprintf(stdout, "verified %-22s %8d rows, sha256 %x\n", w.Table, w.Rows, w.Sum[:8])
	}
	if dstBlobs != nil {
		blobsFailed, err := copyBlobs(ctx, snap, srcBlobs, dstBlobs, o.check, stdout)
		if err != nil {
			return err
		}
		failed = append(failed, blobsFailed...)
	} else {
		fmt.Fprintf(stdout, "documents: not copied (no --blob-url); they stay in %s: start the destination nodes with --blob-url %s", c.blobURL(), c.blobURL())
		if strings.HasPrefix(c.blobURL(), "file://") {
			fmt.Fprint(stdout, " (a local folder serves one node only: copy them to S3 with --blob-url s3://... to run several)")
		}
		fmt.Fprintln(stdout)
	}
	if len(failed) > 0 {
		return fmt.Errorf("migrate: the destination differs from the source in %s", strings.Join(failed, ", "))
	}
	if !o.check {
		svc, err := pipeline.New(dstDB, nil, nil, pipeline.Config{}, time.Now, logger)
		if err != nil {
			return err
		}
		n, err := svc.RequeueUnfinished(ctx)
		if err != nil {
			return fmt.Errorf("destination: %w", err)
		}
		fmt.Fprintf(stdout, "queued %d unfinished files on the destination\n", n)
	}
	switch {
	case src.Env && getenv(secretbox.EnvPreviousKey) != "":
		fmt.Fprintf(stdout, "secret key: run every destination node with the %s and %s this command ran with (key id %s)\n", secretbox.EnvKey, secretbox.EnvPreviousKey, box.PrimaryID())
	case src.Env:
		fmt.Fprintf(stdout, "secret key: run every destination node with the %s this command ran with (key id %s)\n", secretbox.EnvKey, box.PrimaryID())
	default:
		fmt.Fprintf(stdout, "secret key: run every destination node with %s=\"$(cat %s)\" (key id %s)\n", secretbox.EnvKey, src.File, box.PrimaryID())
	}
	if o.check {
		fmt.Fprintln(stdout, "migrate: the destination holds this installation's data")
	} else {
		fmt.Fprintln(stdout, "migrate: copied and verified; run again after stopping serve to copy what changed meanwhile")
	}
	return nil
}

// copyBlobs copies (or with check, compares) the documents the snapshot's
// files name from src to dst and reports the keys that differ: "blob
// KEY" each.
func copyBlobs(ctx context.Context, snap *store.Snapshot, src, dst blob.Store, check bool, stdout io.Writer) ([]string, error) {
	keys, err := snap.BlobKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	var copied, same, missing int
	var bytes int64
	var failed []string
	for i, key := range keys {
		var res blob.CopyResult
		if check {
			res, err = compareBlob(ctx, src, dst, key)
		} else {
			res, err = blob.Copy(ctx, src, dst, key)
		}
		switch {
		case err != nil && check:
			fmt.Fprintf(stdout, "MISMATCH document %s: %v\n", key, err)
			failed = append(failed, "document "+key)
		case err != nil:
			return nil, fmt.Errorf("copy document %s: %w", key, err)
		case res.NotFound:
			missing++
			fmt.Fprintf(stdout, "document %s: missing in the source (deleted since the snapshot?), not copied\n", key)
		case res.Copied:
			copied++
		default:
			same++
		}
		bytes += res.Size
		if (i+1)%100 == 0 && i+1 < len(keys) {
			fmt.Fprintf(stdout, "documents %d of %d\n", i+1, len(keys))
		}
	}
	if check {
		fmt.Fprintf(stdout, "documents: %d compared by size and sha256 (%d the same, %d differ, %d missing in the source), %d bytes\n",
			len(keys), same, len(failed), missing, bytes)
	} else {
		fmt.Fprintf(stdout, "documents: %d copied, size and sha256 verified (%d copied, %d already there, %d missing in the source), %d bytes\n",
			len(keys)-missing, copied, same, missing, bytes)
	}
	return failed, nil
}

// compareBlob compares key's content in src and dst, as blob.Copy would
// find them, without copying.
func compareBlob(ctx context.Context, src, dst blob.Store, key string) (blob.CopyResult, error) {
	want, err := blob.Sum(ctx, src, key)
	if errors.Is(err, blob.ErrNotFound) {
		return blob.CopyResult{NotFound: true}, nil
	}
	if err != nil {
		return blob.CopyResult{}, err
	}
	have, err := blob.Sum(ctx, dst, key)
	if err != nil {
		return blob.CopyResult{}, err
	}
	if have != want {
		return blob.CopyResult{}, fmt.Errorf("the destination holds %d bytes, the source %d, or their sha256 differ", have.Size, want.Size)
	}
	return blob.CopyResult{Digest: want}, nil
}

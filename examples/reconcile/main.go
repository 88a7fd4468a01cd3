// Command reconcile is the nightly safety net behind webhooks: it reads the
// docparse events feed from the cursor stored in a file, handles every
// event after it, and stores the new cursor. The feed lists events in
// commit order and never skips one, so whatever a webhook receiver missed
// (its outage outlasted the retries, a bug answered 2xx) is found here.
// Handle events idempotently, deduplicating on the event id, exactly as
// the webhook receiver does: most events will have been delivered already.
//
//	DOCPARSE_API_KEY=dp_live_... go run ./examples/reconcile -cursor /var/lib/app/docparse.cursor
//
// DOCPARSE_BASE_URL is the server (default http://127.0.0.1:8080).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/examples/internal/cli"
)

func main() { cli.Main("reconcile", run) }

// saveEvery is how many events are handled between two saves of the
// cursor; after a crash at most this many are handled again.
const saveEvery = 50

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cursorFile := fs.String("cursor", "docparse-events.cursor", "file holding the id of the last event handled")
	types := fs.String("types", "", "comma-separated event types to read (default: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := cli.Client(getenv)
	if err != nil {
		return err
	}

	cursor, err := readCursor(*cursorFile)
	if err != nil {
		return err
	}
	var only []string
	if *types != "" {
		only = strings.Split(*types, ",")
	}
	handled, sinceSave := 0, 0
	last := cursor
	save := func() error {
		if last == cursor {
			return nil
		}
		if err := writeCursor(*cursorFile, last); err != nil {
			return err
		}
		cursor, sinceSave = last, 0
		return nil
	}
	for ev, err := range c.EventsAfter(ctx, cursor, only...) {
		if err != nil {
			if client.IsNotFound(err) && cursor != "" && handled == 0 {
				// Events are kept 30 days: a cursor older than that is
				// gone. Start from the oldest event kept; handling is
				// idempotent, so repeats are harmless.
				fmt.Fprintf(stderr, "cursor %s has expired; run again with the cursor file removed to read every event kept\n", cursor)
			}
			if serr := save(); serr != nil {
				return errors.Join(err, serr)
			}
			return err
		}
		if err := handle(stdout, ev); err != nil {
			if serr := save(); serr != nil {
				return errors.Join(err, serr)
			}
			return fmt.Errorf("handle %s: %w", ev.ID, err)
		}
		last = ev.ID
		handled++
		if sinceSave++; sinceSave >= saveEvery {
			if err := save(); err != nil {
				return err
			}
		}
	}
	if err := save(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d events handled; cursor %s\n", handled, cursor)
	return nil
}

// handle is where the application's reconciliation goes (idempotently:
// most events reached the webhook receiver already). Here it prints what
// happened, and which endpoints an event did not reach.
func handle(w io.Writer, ev client.Event) error {
	switch ev.Type {
	case client.EventExtractionCompleted, client.EventExtractionFailed:
		d, err := ev.BatchEvent()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %s %s: batch %s of %s ended %s (%d processed, %d need review, %d failed)\n",
			ev.CreatedAt.Format("2006-01-02T15:04:05Z"), ev.ID, ev.Type, d.BatchID, d.ExtractionID, d.Status,
			d.Counts.Processed, d.Counts.NeedsReview, d.Counts.Failed)
		for _, dl := range ev.Deliveries {
			if dl.Status != "delivered" {
				fmt.Fprintf(w, "  not delivered to %s: %s after %d attempts\n", dl.EndpointID, dl.Status, dl.Attempts)
			}
		}
	case client.EventFileProcessed, client.EventFileNeedsReview, client.EventFileFailed:
		d, err := ev.FileEvent()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %s %s: file %s (%s) of batch %s\n", ev.CreatedAt.Format("2006-01-02T15:04:05Z"), ev.ID, ev.Type,
			d.File.ID, d.File.FileName, d.BatchID)
	default:
		fmt.Fprintf(w, "%s %s %s\n", ev.CreatedAt.Format("2006-01-02T15:04:05Z"), ev.ID, ev.Type)
	}
	return nil
}

// readCursor returns the stored cursor, or "" when there is none yet.
func readCursor(file string) (string, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read cursor: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// writeCursor stores the cursor atomically: a crash leaves the old one or
// the new one, never half of either.
func writeCursor(file, cursor string) error {
	if err := replaceFile(file, cursor+"\n"); err != nil {
		return fmt.Errorf("write cursor: %w", err)
	}
	return nil
}

// replaceFile writes text to a temporary file next to file, syncs it to
// disk and renames it over file.
func replaceFile(file, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".cursor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(text)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

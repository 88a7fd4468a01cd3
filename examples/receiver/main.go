// Command receiver receives docparse's webhooks with client.WebhookHandler:
// every delivery is verified with the endpoint's secret (Standard
// Webhooks), decoded, deduplicated on its event id and logged.
//
//	DOCPARSE_WEBHOOK_SECRET=whsec_... go run ./examples/receiver -addr 127.0.0.1:9000
//
// Register http://127.0.0.1:9000/webhooks/docparse as an endpoint (a local
// URL needs a server started with --allow-private-webhooks).
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/examples/internal/cli"
)

func main() { cli.Main("receiver", run) }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("receiver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := getenv("DOCPARSE_WEBHOOK_SECRET")
	if secret == "" {
		return errors.New("DOCPARSE_WEBHOOK_SECRET is not set")
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))
	h := &handler{log: log, seen: map[string]bool{}}

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/docparse", client.WebhookHandler(secret, h.handle))
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "url", "http://"+*addr+"/webhooks/docparse")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// handler handles verified events. Delivery is at least once, so it
// remembers the ids it handled; a real receiver keeps them in its
// database, in the same transaction as the work the event causes.
type handler struct {
	log  *slog.Logger
	mu   sync.Mutex
	seen map[string]bool
}

// handle returns an error only for failures worth a retry: docparse then
// delivers the event again later.
func (h *handler) handle(ctx context.Context, ev *client.Event) error {
	h.mu.Lock()
	dup := h.seen[ev.ID]
	h.seen[ev.ID] = true
	h.mu.Unlock()
	if dup {
		h.log.Info("duplicate delivery", "event_id", ev.ID, "type", ev.Type)
		return nil
	}
	switch ev.Type {
	case client.EventExtractionCompleted, client.EventExtractionFailed:
		d, err := ev.BatchEvent()
		if err != nil {
			return err
		}
		h.log.Info("batch ended", "event_id", ev.ID, "extraction_id", d.ExtractionID, "batch_id", d.BatchID,
			"status", d.Status, "processed", d.Counts.Processed, "needs_review", d.Counts.NeedsReview, "failed", d.Counts.Failed)
	case client.EventFileProcessed, client.EventFileNeedsReview, client.EventFileFailed:
		d, err := ev.FileEvent()
		if err != nil {
			return err
		}
		attrs := []any{"event_id", ev.ID, "batch_id", d.BatchID, "file_id", d.File.ID, "file_name", d.File.FileName, "status", d.File.Status}
		if d.File.Error != nil {
			attrs = append(attrs, "error_code", d.File.Error.Code)
		}
		h.log.Info("file ended", attrs...)
	case client.EventEndpointTest:
		var d client.TestEventData
		if err := ev.DecodeData(&d); err != nil {
			return err
		}
		h.log.Info("test event", "event_id", ev.ID, "message", d.Message)
	default:
		h.log.Info("event", "event_id", ev.ID, "type", ev.Type)
	}
	return nil
}

package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/docparse/docparse/client"
)

// Upload two documents and wait for the batch to end.
func ExampleClient_WaitForBatch() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8080", os.Getenv("DOCPARSE_API_KEY"))

	a, err := os.Open("invoice-1.pdf")
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := os.Open("invoice-2.pdf")
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	up, err := c.UploadBatch(ctx, "ext_01JXAMPLE0000000000000000", []client.File{
		{Name: "invoice-1.pdf", Reader: a},
		{Name: "invoice-2.pdf", Reader: b},
	}, client.UploadOptions{Name: "May invoices", IdempotencyKey: "may-invoices-upload"})
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	res, err := c.WaitForBatch(ctx, up.Batch.ExtractionID, up.Batch.ID, client.WaitOptions{
		OnProgress: func(b client.Batch) {
			fmt.Printf("%s: %d of %d files done\n", b.Status, b.Counts.Done(), b.FileCount)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Files {
		if f.Status == client.FileFailed {
			fmt.Printf("%s failed: %s\n", f.FileName, f.Error.Code)
			continue
		}
		fr, err := c.GetFile(ctx, res.Batch.ExtractionID, res.Batch.ID, f.ID)
		if err != nil {
			log.Fatal(err)
		}
		var invoice struct {
			Number string  `json:"invoice_number"`
			Total  float64 `json:"total"`
		}
		if err := fr.DecodeResult(&invoice); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: invoice %s, total %.2f (%s)\n", f.FileName, invoice.Number, invoice.Total, f.Status)
	}
}

// Receive docparse's webhooks: verified, typed, retried on failure.
func ExampleWebhookHandler() {
	secret := os.Getenv("DOCPARSE_WEBHOOK_SECRET") // "whsec_...", from the endpoint's creation
	http.Handle("POST /webhooks/docparse", client.WebhookHandler(secret, func(ctx context.Context, ev *client.Event) error {
		// Delivery is at least once: skip ev.ID when it was handled before.
		switch ev.Type {
		case client.EventExtractionCompleted, client.EventExtractionFailed:
			d, err := ev.BatchEvent()
			if err != nil {
				return err
			}
			fmt.Printf("batch %s ended %s: %d processed, %d need review, %d failed\n",
				d.BatchID, d.Status, d.Counts.Processed, d.Counts.NeedsReview, d.Counts.Failed)
		case client.EventFileProcessed, client.EventFileNeedsReview, client.EventFileFailed:
			d, err := ev.FileEvent()
			if err != nil {
				return err
			}
			fmt.Printf("file %s is %s\n", d.File.FileName, d.File.Status)
		}
		return nil // 204: delivered. An error answers 500 and docparse retries.
	}))
	log.Fatal(http.ListenAndServe("127.0.0.1:9000", nil))
}

// A nightly safety net: read every event since the stored cursor.
func ExampleClient_EventsAfter() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8080", os.Getenv("DOCPARSE_API_KEY"))

	b, err := os.ReadFile("events.cursor")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		log.Fatal(err)
	}
	cursor := string(b) // "" the first time: from the oldest retained event
	for ev, err := range c.EventsAfter(ctx, cursor, client.EventExtractionCompleted, client.EventExtractionFailed) {
		if err != nil {
			log.Fatal(err)
		}
		d, err := ev.BatchEvent()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s: batch %s %s\n", ev.ID, ev.Type, d.BatchID, d.Status)
		// Store the cursor after handling the event: a crash then repeats
		// at most this one.
		cursor = ev.ID
		if err := os.WriteFile("events.cursor", []byte(cursor), 0o600); err != nil {
			log.Fatal(err)
		}
	}
}

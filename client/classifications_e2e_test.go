package client_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/extract/pdftest"
	"github.com/docparse/docparse/internal/servertest"
)

// mail is a mixed batch of real text PDFs, by the category each belongs
// to.
var mail = []struct {
	name, category string
	lines          []string
}{
	{"invoice-globex.pdf", "Invoices", []string{"INVOICE", "Invoice No: INV-2026-0118", "Invoice Date: 24/05/2026",
		"Bill to: Globex Corporation, 12 Harbour Road", "Consulting services, May 2026    1,200.00",
		"Total: 1,200.00 EUR", "Amount due: 1,200.00 EUR", "Payment terms: 30 days net"}},
	{"invoice-initech.pdf", "Invoices", []string{"Initech Office Supplies", "INVOICE", "Invoice No: 7731",
		"Invoice Date: 02/06/2026", "Bill to: Acme Ltd", "Printer paper, 20 boxes    180.00", "Total: 180.00 EUR",
		"Payment terms: due on receipt"}},
	{"letter-holloway.pdf", "Letters", []string{"Dear Mrs Holloway,", "Thank you for your kind letter of last week and for the warm",
		"welcome you gave our team during the visit. We look forward to", "meeting again in the autumn.", "Yours sincerely,", "Jonathan Reed"}},
	{"letter-council.pdf", "Letters", []string{"Dear Sir or Madam,", "I am writing to ask whether the community hall is free",
		"on the first Saturday of July for our choir's summer concert.", "Kind regards,", "Maria Lopez"}},
	{"receipt-cafe.pdf", "Receipts", []string{"CORNER CAFE", "RECEIPT #5531", "2 x Cappuccino       7.00", "1 x Croissant        2.50",
		"Total paid (card)    9.50", "Change               0.00", "Thank you for your purchase!"}},
	{"receipt-hardware.pdf", "Receipts", []string{"BOLT & NUT HARDWARE", "Sales receipt 000981", "Hammer               14.99",
		"Nails 1kg             4.20", "Total paid (cash)    19.19", "Cash 20.00  Change 0.81"}},
}

// TestClassificationDoneMeans is issue #7's definition of done, through
// the public client against a real server: a classification with three
// described categories (invoices linked to an extraction), a mixed batch
// of real PDFs, a wait until it ends, sensible categories with reasons, a
// correction, the linked extraction batch processed, and every event in
// the feed and delivered, signed, to a webhook receiver.
func TestClassificationDoneMeans(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true}, func(t *testing.T, srv *servertest.Server) {
		ctx := testContext(t)
		c := newClient(t, srv, "acme")
		rc := newReceiver(t)
		ep, err := c.CreateWebhookEndpoint(ctx, client.WebhookEndpointParams{URL: rc.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		rc.secret.Store(ep.Secret)

		ext := createExtraction(t, c, "Invoices")
		cls, err := c.CreateClassification(ctx, client.ClassificationParams{Name: "Mailroom", Categories: []client.CategoryParams{
			{Name: "Invoices", Description: "A bill from a supplier asking for payment, with an invoice number, the amount due and payment terms.",
				Keywords: []string{"invoice", "amount due", "payment terms", "bill to"}, LinkedExtractionID: ext.ID},
			{Name: "Letters", Description: "Correspondence addressed to a person, opening with a salutation such as Dear and ending with a closing.",
				Keywords: []string{"dear", "yours sincerely", "kind regards"}},
			{Name: "Receipts", Description: "Proof of a payment already made at a shop or cafe: items, total paid by cash or card, change.",
				Keywords: []string{"receipt", "total paid", "change", "purchase"}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if cls.Threshold != 0.5 || len(cls.Categories) != 3 || cls.Categories[0].LinkedExtractionID == nil || *cls.Categories[0].LinkedExtractionID != ext.ID {
			t.Fatalf("created %+v", cls)
		}
		catID := map[string]string{}
		for _, x := range cls.Categories {
			catID[x.Name] = x.ID
		}

		var files []client.File
		for _, m := range mail {
			files = append(files, client.File{Name: m.name, Reader: bytes.NewReader(pdftest.Text(m.lines))})
		}
		up, err := c.UploadClassificationBatch(ctx, cls.ID, files, client.UploadOptions{Name: "Monday post"})
		if err != nil {
			t.Fatal(err)
		}
		if up.Batch.Status != client.BatchQueued || up.Batch.FileCount != len(mail) || up.Batch.PageCount != len(mail) {
			t.Fatalf("upload answer %+v", up.Batch)
		}
		res, err := c.WaitForClassificationBatch(ctx, cls.ID, up.Batch.ID, client.WaitOptions{Interval: fastPoll})
		if err != nil {
			t.Fatal(err)
		}
		if res.Batch.Status != client.BatchProcessed || res.Batch.Counts.Processed != len(mail) || res.Batch.CompletedAt == nil {
			t.Fatalf("batch ended %+v", res.Batch)
		}

		// Sensible categories, with reasons.
		var linked string
		byName := map[string]client.ClassificationFile{}
		for i, f := range res.Files {
			byName[f.FileName] = f
			want := mail[i]
			if f.FileName != want.name || f.Category() != want.category || *f.ClassifiedCategoryID != catID[want.category] {
				t.Errorf("%s classified %q, want %q", f.FileName, f.Category(), want.category)
				continue
			}
			if f.Confidence == nil || *f.Confidence < 0.5 || f.ClassificationReasoning == nil || len(*f.ClassificationReasoning) < 10 {
				t.Errorf("%s: confidence %v reasoning %v", f.FileName, f.Confidence, f.ClassificationReasoning)
			}
			t.Logf("%s -> %s (%.2f): %s", f.FileName, f.Category(), *f.Confidence, *f.ClassificationReasoning)
			switch {
			case want.category == "Invoices" && f.LinkedBatchID == nil:
				t.Errorf("%s: no linked batch", f.FileName)
			case want.category == "Invoices":
				if linked != "" && *f.LinkedBatchID != linked {
					t.Errorf("invoices went to two batches: %s and %s", linked, *f.LinkedBatchID)
				}
				linked = *f.LinkedBatchID
			case f.LinkedBatchID != nil:
				t.Errorf("%s: linked to %s", f.FileName, *f.LinkedBatchID)
			}
		}
		if t.Failed() {
			t.FailNow()
		}

		// Correct one: the council letter is filed as a receipt by hand.
		council := byName["letter-council.pdf"]
		fixed, err := c.SetClassificationOverride(ctx, cls.ID, up.Batch.ID, council.ID, catID["Receipts"])
		if err != nil {
			t.Fatal(err)
		}
		if !fixed.Overridden || fixed.Category() != "Receipts" {
			t.Errorf("after the correction: %+v", fixed)
		}
		again, err := c.GetClassificationBatch(ctx, cls.ID, up.Batch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f := again.Files[3]; f.ID != council.ID || !f.Overridden || f.Category() != "Receipts" || again.Batch.Status != client.BatchProcessed {
			t.Errorf("batch after the correction: %+v", f)
		}
		if _, err := c.SetClassificationOverride(ctx, cls.ID, up.Batch.ID, council.ID, "cat_01NOTONE"); !client.IsInvalid(err) {
			t.Errorf("override to an unknown category: %v", err)
		}

		// The linked extraction batch: both invoices, processed by the
		// extraction pipeline, over the same stored documents.
		eb, err := c.WaitForBatch(ctx, ext.ID, linked, client.WaitOptions{Interval: fastPoll})
		if err != nil {
			t.Fatal(err)
		}
		if eb.Batch.Status != client.BatchProcessed || len(eb.Files) != 2 || eb.Files[0].FileName != "invoice-globex.pdf" {
			t.Fatalf("linked batch %+v %+v", eb.Batch, eb.Files)
		}
		fr, err := c.GetFile(ctx, ext.ID, linked, eb.Files[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		var inv struct {
			InvoiceNumber string  `json:"invoice_number"`
			Total         float64 `json:"total"`
		}
		if err := fr.DecodeResult(&inv); err != nil || inv.InvoiceNumber != "7731" || inv.Total != 180 {
			t.Errorf("extracted from the chained invoice: %+v, %v", inv, err)
		}
		body, err := c.FileContent(ctx, ext.ID, linked, eb.Files[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(body)
		body.Close()
		if !bytes.Equal(got, pdftest.Text(mail[1].lines)) {
			t.Errorf("the chained file's content differs from the upload")
		}

		// Events: in the feed, in order per batch, and delivered.
		var types []string
		for ev, err := range c.EventsAfter(ctx, "") {
			if err != nil {
				t.Fatal(err)
			}
			types = append(types, ev.Type)
			if ev.Type == client.EventClassificationCompleted {
				var d client.ClassificationEventData
				if err := ev.DecodeData(&d); err != nil || d.BatchID != up.Batch.ID || d.ClassificationID != cls.ID || len(d.Files) != len(mail) ||
					d.Files[0].LinkedBatchID == nil || *d.Files[0].LinkedBatchID != linked {
					t.Errorf("classification.completed %+v, %v", d, err)
				}
			}
		}
		count := map[string]int{}
		for _, typ := range types {
			count[typ]++
		}
		if count[client.EventFileClassified] != len(mail) || count[client.EventClassificationCompleted] != 1 ||
			count[client.EventFileProcessed]+count[client.EventFileNeedsReview] != 2 || count[client.EventExtractionCompleted] != 1 {
			t.Errorf("feed: %v", types)
		}
		if i := strings.Index(strings.Join(types, " "), client.EventClassificationCompleted); i < 0 ||
			strings.Count(strings.Join(types, " ")[:i], client.EventFileClassified) != len(mail) {
			t.Errorf("classification.completed is not after every file.classified: %v", types)
		}
		done := rc.waitFor(t, "classification.completed", func(ev *client.Event) bool { return ev.Type == client.EventClassificationCompleted })
		var d client.ClassificationEventData
		if err := done.DecodeData(&d); err != nil || d.Status != client.BatchProcessed || d.Counts.Processed != len(mail) {
			t.Errorf("delivered classification.completed %+v, %v", d, err)
		}
		fc := rc.waitFor(t, "file.classified", func(ev *client.Event) bool { return ev.Type == client.EventFileClassified })
		var fd client.FileClassifiedEventData
		if err := fc.DecodeData(&fd); err != nil || fd.BatchID != up.Batch.ID || fd.File.CategoryID == nil {
			t.Errorf("delivered file.classified %+v, %v", fd, err)
		}
		rc.waitFor(t, "extraction.completed", func(ev *client.Event) bool { return ev.Type == client.EventExtractionCompleted })

		// Lists and another account.
		n := 0
		for b, err := range c.ListClassificationBatches(ctx, cls.ID, client.BatchListParams{}) {
			if err != nil || b.ID != up.Batch.ID {
				t.Errorf("listed %+v, %v", b, err)
			}
			n++
		}
		if n != 1 {
			t.Errorf("%d batches listed", n)
		}
		other := newClient(t, srv, "globex")
		if _, err := other.GetClassificationBatch(ctx, cls.ID, up.Batch.ID); !client.IsNotFound(err) {
			t.Errorf("other account: %v", err)
		}

		if err := c.DeleteClassification(ctx, cls.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetClassification(ctx, cls.ID); !client.IsNotFound(err) {
			t.Errorf("after delete: %v", err)
		}
		// The extraction batch still serves the invoices.
		if body, err := c.FileContent(ctx, ext.ID, linked, eb.Files[0].ID); err != nil {
			t.Errorf("chained content after deleting the classification: %v", err)
		} else {
			body.Close()
		}
	})
}

package extract

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/docparse/docparse/internal/extract/pdftest"
)

type testAttachment struct {
	name     string
	data     []byte
	compress bool
}

// withAttachments embeds files in pdf, a pdftest PDF (see pdftest.Attach).
func withAttachments(t *testing.T, pdf []byte, files ...testAttachment) []byte {
	t.Helper()
	atts := make([]pdftest.Attachment, len(files))
	for i, f := range files {
		atts[i] = pdftest.Attachment{Name: f.name, Data: f.data, Compress: f.compress}
	}
	return pdftest.Attach(pdf, atts...)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	xml := []byte(`<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>`)
	big := bytes.Repeat([]byte("x"), 5000)
	pdf := withAttachments(t, pdftest.Text([]string{"Invoice F1", "Total 10.00"}),
		testAttachment{name: "factur-x.xml", data: xml, compress: true},
		testAttachment{name: "big.bin", data: big},
	)
	atts, err := engine.Attachments(context.Background(), writeTemp(t, "hybrid.pdf", pdf), 4096)
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) != 2 {
		t.Fatalf("Attachments = %d files, want 2", len(atts))
	}
	if atts[0].Name != "factur-x.xml" || !bytes.Equal(atts[0].Data, xml) || atts[0].Size != len(xml) {
		t.Errorf("attachment 0 = %q, %d bytes %q; want factur-x.xml with the XML", atts[0].Name, atts[0].Size, atts[0].Data)
	}
	if atts[1].Name != "big.bin" || atts[1].Data != nil || atts[1].Size != len(big) {
		t.Errorf("attachment 1 = %q, %d bytes, data %v; want big.bin, 5000 bytes, no data (over the limit)", atts[1].Name, atts[1].Size, atts[1].Data != nil)
	}

	plain, err := engine.Attachments(context.Background(), writeTemp(t, "plain.pdf", pdftest.Text([]string{"Invoice"})), 4096)
	if err != nil || len(plain) != 0 {
		t.Fatalf("Attachments(plain PDF) = %v, %v; want none", plain, err)
	}
	if _, err := engine.Attachments(context.Background(), writeTemp(t, "bad.pdf", []byte("%PDF-1.4\ngarbage")), 4096); !IsCode(err, CodeCorruptDocument) {
		t.Fatalf("Attachments(garbage) = %v, want corrupt_document", err)
	}
}

// Extract counts a PDF's attachments from the document it reads, so that
// a PDF without any needs no second look for an e-invoice.
func TestExtractCountsAttachments(t *testing.T) {
	t.Parallel()
	xml := []byte(`<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>`)
	hybrid := withAttachments(t, pdftest.Text([]string{"Invoice F1", "Total 10.00"}), testAttachment{name: "factur-x.xml", data: xml})
	for name, want := range map[string]int{"hybrid.pdf": 1, "plain.pdf": 0} {
		pdf := hybrid
		if want == 0 {
			pdf = pdftest.Text([]string{"Invoice F1", "Total 10.00"})
		}
		doc, err := engine.Extract(context.Background(), writeTemp(t, name, pdf), KindPDF)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Attachments != want {
			t.Errorf("%s: Document.Attachments = %d, want %d", name, doc.Attachments, want)
		}
	}
}

// An attachment that inflates past the instance's memory limit fails the
// call cleanly; it does not take the memory.
func TestAttachmentsBomb(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Config{MemoryLimitMB: 64, Workers: 1})
	bomb := withAttachments(t, pdftest.Text([]string{"Invoice"}),
		testAttachment{name: "factur-x.xml", data: make([]byte, 96<<20), compress: true})
	atts, err := e.Attachments(context.Background(), writeTemp(t, "bomb.pdf", bomb), 1<<20)
	if err == nil {
		// PDFium may also refuse the stream itself: then no data comes.
		for _, a := range atts {
			if len(a.Data) > 1<<20 {
				t.Fatalf("the bomb was inflated into %d bytes", len(a.Data))
			}
		}
		t.Logf("bomb: no error, attachments %d, sizes %v", len(atts), sizes(atts))
		return
	}
	t.Logf("bomb: %v", err)
	if !IsCode(err, CodeCorruptDocument) && !IsCode(err, CodeTooLargeContent) {
		t.Fatalf("Attachments(bomb) = %v, want corrupt_document or too_large_content", err)
	}
}

func sizes(atts []Attachment) []int {
	var s []int
	for _, a := range atts {
		s = append(s, a.Size)
	}
	return s
}

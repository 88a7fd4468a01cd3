package extract

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

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
	if !IsCode(err, CodeTooLargeContent) {
		t.Fatalf("Attachments(bomb) = %v, want too_large_content", err)
	}
}

// sizes returns the Size of each attachment; nil for none.
func sizes(atts []Attachment) []int { return pluck(atts, func(a Attachment) int { return a.Size }) }

// A 1 GB attachment bomb (1 MB of Flate stream inflating to 1 GiB of
// zeros) under the default memory limit: the call fails with
// too_large_content, and while PDFium inflates, the process's resident
// memory grows by at most the instance's memory limit (its linear memory
// is a mapping of its own, memory_linux.go) and its Go heap hardly at all.
func TestAttachmentsGigabyteBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates up to the instance's memory limit")
	}
	e := newTestEngine(t, Config{Workers: 1})
	limit := int64(e.cfg.MemoryLimitMB) << 20
	z := pdftest.Zeros(1 << 30)
	if len(z) > 2<<20 {
		t.Fatalf("the bomb's stream is %d bytes, want about 1 MB", len(z))
	}
	pdf := pdftest.Attach(pdftest.Text([]string{"Invoice"}), pdftest.Attachment{Name: "factur-x.xml", Data: z, Deflated: true})
	path := writeTemp(t, "bomb.pdf", pdf)
	z, pdf = nil, nil

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	rssBefore := residentBytes(t)
	peak := sampleMemory(t)
	start := time.Now()
	atts, err := e.Attachments(context.Background(), path, MaxEInvoiceBytes)
	elapsed := time.Since(start)
	heapHigh, rssHigh := peak()
	t.Logf("bomb: %v after %v; heap in use %d MB before, peak %d MB; resident %d MB before, peak %d MB (memory limit %d MB)",
		err, elapsed, before.HeapInuse>>20, heapHigh>>20, rssBefore>>20, rssHigh>>20, limit>>20)
	if err == nil {
		t.Fatalf("Attachments(1 GB bomb) = %d attachments (sizes %v), want an error", len(atts), sizes(atts))
	}
	if !IsCode(err, CodeTooLargeContent) {
		t.Errorf("Attachments(1 GB bomb) = %v, want too_large_content", err)
	}
	if grown := int64(heapHigh) - int64(before.HeapInuse); grown > 64<<20 {
		t.Errorf("the Go heap grew by %d MB reading the bomb, want at most 64 MB", grown>>20)
	}
	if grown := rssHigh - rssBefore; grown > limit+64<<20 {
		t.Errorf("resident memory grew by %d MB reading the bomb, want at most the %d MB memory limit + 64 MB", grown>>20, limit>>20)
	}
	// The instance's memory is given back when it closes.
	if after := residentBytes(t); after-rssBefore > 64<<20 {
		t.Errorf("resident memory %d MB after the call, %d MB before", after>>20, rssBefore>>20)
	}
}

// sampleMemory samples the Go heap in use and the resident set every few
// milliseconds until the returned function is called, which returns the
// highest samples.
func sampleMemory(t *testing.T) func() (heap uint64, rss int64) {
	t.Helper()
	stop := make(chan struct{})
	type highs struct {
		heap uint64
		rss  int64
	}
	result := make(chan highs)
	go func() {
		var h highs
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			h.heap = max(h.heap, m.HeapInuse)
			h.rss = max(h.rss, residentBytes(t))
			select {
			case <-stop:
				result <- h
				return
			case <-tick.C:
			}
		}
	}()
	return func() (uint64, int64) {
		close(stop)
		h := <-result
		return h.heap, h.rss
	}
}

// residentBytes is the process's resident set size (Linux /proc).
func residentBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		t.Fatalf("parse statm %q: %v", b, err)
	}
	return resident * int64(os.Getpagesize())
}

func TestPDFPageInflateBomb(t *testing.T) {
	// A page content stream of about 256 KB that inflates to 256 MB,
	// read under a 64 MB instance limit: PDFium aborts when its memory is
	// spent, and the file fails as too large, not as corrupt.
	e := newTestEngine(t, Config{Workers: 1, MemoryLimitMB: 64})
	path := writeTemp(t, "bomb.pdf", pdftest.DeflatedPage(pdftest.Zeros(256<<20)))
	_, err := e.Extract(context.Background(), path, KindPDF)
	wantCode(t, "Extract(page inflating to 256 MB)", err, CodeTooLargeContent)
	if e, ok := AsError(err); ok && !strings.Contains(e.Message, "Page 1 of the PDF needs more memory than the PDF reader's limit of 64 MB") {
		t.Errorf("message %q", e.Message)
	}
	// The page count is read without the page: the upload is accepted.
	if n, err := e.Pages(context.Background(), path, KindPDF); n != 1 || err != nil {
		t.Errorf("Pages = %d, %v; want 1, nil", n, err)
	}
}

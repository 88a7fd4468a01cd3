package extract

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/docparse/docparse/internal/extract/pdftest"
)

type testAttachment struct {
	name     string
	data     []byte
	compress bool
}

// withAttachments appends an incremental update to pdf (as pdftest writes
// it: catalog 1, pages 2) that embeds files in its EmbeddedFiles name
// tree, the way a Factur-X PDF carries its XML.
func withAttachments(t *testing.T, pdf []byte, files ...testAttachment) []byte {
	t.Helper()
	prev := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`).FindSubmatch(pdf)
	size := regexp.MustCompile(`/Size (\d+)`).FindSubmatch(pdf)
	if prev == nil || size == nil {
		t.Fatal("withAttachments: not a pdftest PDF")
	}
	next, _ := strconv.Atoi(string(size[1]))
	buf := bytes.NewBuffer(append([]byte(nil), pdf...))
	offsets := map[int]int{}
	obj := func(num int, body []byte) {
		offsets[num] = buf.Len()
		fmt.Fprintf(buf, "%d 0 obj\n", num)
		buf.Write(body)
		buf.WriteString("\nendobj\n")
	}
	var names bytes.Buffer
	first := next
	for _, f := range files {
		data, filter := f.data, ""
		if f.compress {
			var z bytes.Buffer
			w, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
			w.Write(data)
			w.Close()
			data, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		body := fmt.Appendf(nil, "<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length %d%s >>\nstream\n", len(data), filter)
		body = append(append(body, data...), "\nendstream"...)
		obj(next, body)
		obj(next+1, fmt.Appendf(nil, "<< /Type /Filespec /F (%s) /UF (%s) /AFRelationship /Data /EF << /F %d 0 R >> >>", f.name, f.name, next))
		fmt.Fprintf(&names, "(%s) %d 0 R ", f.name, next+1)
		next += 2
	}
	obj(1, fmt.Appendf(nil, "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [%s] >> >> >>", names.String()))
	xref := buf.Len()
	fmt.Fprintf(buf, "xref\n1 1\n%010d 00000 n \n%d %d\n", offsets[1], first, next-first)
	for n := first; n < next; n++ {
		fmt.Fprintf(buf, "%010d 00000 n \n", offsets[n])
	}
	fmt.Fprintf(buf, "trailer\n<< /Size %d /Root 1 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", next, prev[1], xref)
	return buf.Bytes()
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

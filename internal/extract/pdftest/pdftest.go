// Package pdftest writes small, real PDFs for tests: a text layer in the
// standard Helvetica font, which every reader knows without an embedded
// font program. The extract tests draw exact layouts with it; other
// packages' tests make documents of a few lines with Text.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// TextRun is one string drawn at (X, Y) in PDF space (points, origin
// bottom-left) at Size points.
type TextRun struct {
	X, Y, Size float64
	Text       string
}

// TextOps returns content-stream operators that draw the runs.
func TextOps(runs ...TextRun) string {
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "BT /F1 %g Tf %g %g Td (%s) Tj ET\n", r.Size, r.X, r.Y, escape(r.Text))
	}
	return b.String()
}

// escape writes s as the inside of a PDF literal string in the font's
// WinAnsi encoding: Latin-1 letters as their byte, a few others mapped,
// anything else as '?'.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == '(' || r == ')':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			switch r {
			case 'œ':
				b.WriteString(`\234`)
			case '€':
				b.WriteString(`\200`)
			case '“', '”', '„':
				b.WriteByte('"')
			case '’':
				b.WriteByte('\'')
			default:
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

// Lines returns the operators that draw lines top to bottom from (x, y)
// at size points, one every leading points.
func Lines(lines []string, x, y, size, leading float64) string {
	runs := make([]TextRun, 0, len(lines))
	for j, l := range lines {
		if l != "" {
			runs = append(runs, TextRun{X: x, Y: y - leading*float64(j), Size: size, Text: l})
		}
	}
	return TextOps(runs...)
}

// Text returns a PDF with one US-letter page per element of pages, each
// drawing its lines top to bottom at 11 points.
func Text(pages ...[]string) []byte {
	contents := make([]string, len(pages))
	for i, lines := range pages {
		contents[i] = Lines(lines, 72, 720, 11, 16)
	}
	return Minimal(contents, true)
}

// Minimal returns a PDF of len(contents) US-letter pages; page i draws
// the content stream contents[i]. Equal contents share one stream object,
// so thousands of pages stay small. With compress the streams are
// Flate-encoded.
func Minimal(contents []string, compress bool) []byte {
	pages := make([]Page, len(contents))
	for i, c := range contents {
		pages[i] = Page{Content: c}
	}
	return Build(pages, compress)
}

// Page is one page for Build: its content stream and extra entries for
// its dictionary ("/Rotate 90").
type Page struct {
	Content string
	Extra   string
}

// Build returns a PDF of the pages.
func Build(pages []Page, compress bool) []byte {
	var (
		buf     bytes.Buffer
		offsets []int
	)
	obj := func(num int, body []byte) {
		for len(offsets) < num {
			offsets = append(offsets, 0)
		}
		offsets[num-1] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n", num)
		buf.Write(body)
		buf.WriteString("\nendobj\n")
	}
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

	// 1 catalog, 2 page tree, 3 font; then content streams; then pages.
	streamOf := map[string]int{}
	var streams []string
	for _, p := range pages {
		if _, ok := streamOf[p.Content]; !ok {
			streamOf[p.Content] = 4 + len(streams)
			streams = append(streams, p.Content)
		}
	}
	firstPage := 4 + len(streams)
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", firstPage+i)
	}
	obj(1, []byte("<< /Type /Catalog /Pages 2 0 R >>"))
	obj(2, fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), len(pages)))
	obj(3, []byte("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"))
	for i, c := range streams {
		data, filter := []byte(c), ""
		if compress {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(data)
			w.Close()
			data, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		body := fmt.Appendf(nil, "<< /Length %d%s >>\nstream\n", len(data), filter)
		body = append(body, data...)
		body = append(body, "\nendstream"...)
		obj(4+i, body)
	}
	for i, p := range pages {
		obj(firstPage+i, fmt.Appendf(nil,
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R %s>>",
			streamOf[p.Content], p.Extra))
	}
	writeXref(&buf, offsets)
	return buf.Bytes()
}

// writeXref ends a PDF in buf: the cross-reference table of the objects
// 1..len(offsets) at those byte offsets, and a trailer whose root is
// object 1.
func writeXref(buf *bytes.Buffer, offsets []int) {
	xref := buf.Len()
	fmt.Fprintf(buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
}

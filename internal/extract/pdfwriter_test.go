package extract

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// A tiny PDF writer for tests: enough to produce real, valid PDFs with a text
// layer in the standard Helvetica font, which every reader knows without an
// embedded font program.

// textRun is one string drawn at (x, y) in PDF space (points, origin
// bottom-left) at size points.
type textRun struct {
	x, y, size float64
	text       string
}

// textOps returns content-stream operators that draw the runs.
func textOps(runs ...textRun) string {
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "BT /F1 %g Tf %g %g Td (%s) Tj ET\n", r.size, r.x, r.y, pdfEscape(r.text))
	}
	return b.String()
}

func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

// minimalPDF returns a PDF of len(contents) US-letter pages; page i draws
// the content stream contents[i]. Equal contents share one stream object, so
// thousands of pages stay small. With compress the streams are
// Flate-encoded.
func minimalPDF(contents []string, compress bool) []byte {
	pages := make([]testPage, len(contents))
	for i, c := range contents {
		pages[i] = testPage{content: c}
	}
	return buildPDF(pages, compress)
}

// testPage is one page for buildPDF: its content stream and extra entries
// for its dictionary ("/Rotate 90").
type testPage struct {
	content string
	extra   string
}

func buildPDF(pages []testPage, compress bool) []byte {
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
		if _, ok := streamOf[p.content]; !ok {
			streamOf[p.content] = 4 + len(streams)
			streams = append(streams, p.content)
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
			streamOf[p.content], p.extra))
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return buf.Bytes()
}

package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
)

// DeflatedPage returns a one-page US-letter PDF whose content stream is
// content, already zlib-encoded and written as is with /FlateDecode. With
// Zeros(n) it is an inflate bomb: about n/1000 bytes in the file, n bytes
// of white space once a reader decodes the page.
func DeflatedPage(content []byte) []byte {
	return onePage(content, "", nil)
}

// ImagePage returns a one-page US-letter PDF that paints an 8-bit grey
// image XObject of width x height pixels over the whole page, then draws
// lines of text (none: a scanned page, as far as a reader can tell).
// data is the image's pixels, zlib-encoded (Zeros(width*height) is a black
// image of about width*height/1000 bytes); it may be shorter than the
// dictionary claims, as a reader that looks at the size first never
// decodes it.
func ImagePage(width, height int, data []byte, lines ...string) []byte {
	content := "q 612 0 0 792 0 0 cm /Im1 Do Q\n" + Lines(lines, 72, 720, 11, 16)
	image := fmt.Appendf(nil, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n", width, height, len(data))
	image = append(append(image, data...), "\nendstream"...)
	return onePage(deflate([]byte(content)), " /XObject << /Im1 6 0 R >>", image)
}

// onePage writes a one-page PDF: content is the page's content stream,
// zlib-encoded; resources are added to the page's resources (which hold
// the font F1, object 5); extra, when set, is the body of object 6.
func onePage(content []byte, resources string, extra []byte) []byte {
	var buf bytes.Buffer
	var offsets []int
	obj := func(body ...[]byte) {
		offsets = append(offsets, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n", len(offsets))
		for _, b := range body {
			buf.Write(b)
		}
		buf.WriteString("\nendobj\n")
	}
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj([]byte("<< /Type /Catalog /Pages 2 0 R >>"))
	obj([]byte("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"))
	obj(fmt.Appendf(nil, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >>%s >> >>", resources))
	obj(fmt.Appendf(nil, "<< /Length %d /Filter /FlateDecode >>\nstream\n", len(content)), content, []byte("\nendstream"))
	obj([]byte("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"))
	if extra != nil {
		obj(extra)
	}
	writeXref(&buf, offsets)
	return buf.Bytes()
}

func deflate(b []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

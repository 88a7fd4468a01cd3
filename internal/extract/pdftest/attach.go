package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"regexp"
	"strconv"
)

// Attachment is a file to embed in a PDF, the way a Factur-X or ZUGFeRD
// invoice carries its XML.
type Attachment struct {
	Name     string
	Data     []byte
	Compress bool // Flate-encode the stream
	// Deflated: Data is already zlib-encoded (see Zeros) and is written
	// as is, with /FlateDecode.
	Deflated bool
}

// Zeros returns n zero bytes zlib-encoded at best compression, about n/1000
// bytes: the stream of an attachment bomb, made without holding n bytes.
func Zeros(n int64) []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		w.Write(chunk[:k])
		n -= k
	}
	w.Close()
	return z.Bytes()
}

var (
	reStartXref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	reSize      = regexp.MustCompile(`/Size (\d+)`)
)

// Attach appends an incremental update to pdf, a PDF this package wrote
// (catalog 1, pages 2), that embeds files in the catalog's EmbeddedFiles
// name tree. It panics on a PDF this package did not write.
func Attach(pdf []byte, files ...Attachment) []byte {
	prev := reStartXref.FindSubmatch(pdf)
	size := reSize.FindSubmatch(pdf)
	if prev == nil || size == nil {
		panic("pdftest.Attach: not a pdftest PDF")
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
		data, filter := f.Data, ""
		if f.Deflated {
			filter = " /Filter /FlateDecode"
		} else if f.Compress {
			var z bytes.Buffer
			w, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
			w.Write(data)
			w.Close()
			data, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		body := fmt.Appendf(nil, "<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length %d%s >>\nstream\n", len(data), filter)
		body = append(append(body, data...), "\nendstream"...)
		obj(next, body)
		obj(next+1, fmt.Appendf(nil, "<< /Type /Filespec /F (%s) /UF (%s) /AFRelationship /Data /EF << /F %d 0 R >> >>", f.Name, f.Name, next))
		fmt.Fprintf(&names, "(%s) %d 0 R ", f.Name, next+1)
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

package main

import (
	"bytes"
	"fmt"
	"image/jpeg"
)

// scannedPDF returns a PDF of one US-letter page per JPEG (grey), each
// page only its image, as a scanner writes them: no text layer.
func scannedPDF(jpegs [][]byte) ([]byte, error) {
	var buf bytes.Buffer
	var offsets []int
	obj := func(body []byte) int {
		offsets = append(offsets, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n", len(offsets))
		buf.Write(body)
		buf.WriteString("\nendobj\n")
		return len(offsets)
	}
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// 1 catalog and 2 page tree first; their bodies are known once the
	// pages are, so they are written last under reserved numbers.
	offsets = append(offsets, 0, 0)
	var kids []int
	for _, j := range jpegs {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(j))
		if err != nil {
			return nil, fmt.Errorf("page image: %w", err)
		}
		img := obj(append(fmt.Appendf(nil, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "+
			"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n", cfg.Width, cfg.Height, len(j)), append(j, "\nendstream"...)...))
		content := "q 612 0 0 792 0 0 cm /Im0 Do Q"
		c := obj(fmt.Appendf(nil, "<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
		kids = append(kids, obj(fmt.Appendf(nil,
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", img, c)))
	}
	var k bytes.Buffer
	for _, id := range kids {
		fmt.Fprintf(&k, "%d 0 R ", id)
	}
	offsets[0] = buf.Len()
	buf.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	offsets[1] = buf.Len()
	fmt.Fprintf(&buf, "2 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n", k.String(), len(kids))
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return buf.Bytes(), nil
}

package main

import (
	"bytes"
	"fmt"
	"strings"
)

// onePagePDF writes a minimal one-page PDF whose text layer holds lines,
// in 8-point Helvetica (the minimal writer of bench/throughput, with
// WinAnsi encoding for the accented letters of the generated documents).
func onePagePDF(lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT\n/F1 8 Tf\n11 TL\n36 760 Td\n")
	for i, l := range lines {
		if i > 0 {
			content.WriteString("T*\n")
		}
		if l != "" {
			fmt.Fprintf(&content, "(%s) Tj\n", pdfString(l))
		}
	}
	content.WriteString("ET")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.Bytes()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Producer (docparse bench/classify) >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// pdfString escapes s for a PDF literal string in WinAnsi encoding:
// Latin-1 letters as their byte, a few others mapped, the rest as '?'.
func pdfString(s string) string {
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

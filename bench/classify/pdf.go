package main

import "github.com/docparse/docparse/internal/extract/pdftest"

// onePagePDF returns a one-page PDF whose text layer holds lines in 8-point
// Helvetica, small enough for a generated document to fit the page.
func onePagePDF(lines []string) []byte {
	return pdftest.Minimal([]string{pdftest.Lines(lines, 36, 760, 8, 11)}, false)
}

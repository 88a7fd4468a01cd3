package extract

import "github.com/docparse/docparse/internal/extract/pdftest"

// The extract tests draw their PDFs with package pdftest; these short
// names keep them readable.

// textRun is one string drawn at (x, y) in PDF space (points, origin
// bottom-left) at size points.
type textRun struct {
	x, y, size float64
	text       string
}

func textOps(runs ...textRun) string {
	rs := make([]pdftest.TextRun, len(runs))
	for i, r := range runs {
		rs[i] = pdftest.TextRun{X: r.x, Y: r.y, Size: r.size, Text: r.text}
	}
	return pdftest.TextOps(rs...)
}

func minimalPDF(contents []string, compress bool) []byte { return pdftest.Minimal(contents, compress) }

// testPage is one page for buildPDF: its content stream and extra entries
// for its dictionary ("/Rotate 90").
type testPage struct {
	content string
	extra   string
}

func buildPDF(pages []testPage, compress bool) []byte {
	ps := make([]pdftest.Page, len(pages))
	for i, p := range pages {
		ps[i] = pdftest.Page{Content: p.content, Extra: p.extra}
	}
	return pdftest.Build(ps, compress)
}

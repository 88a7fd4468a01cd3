// Package extract turns an uploaded document into text with layout: pages,
// lines and words with boxes. It sniffs the real type of a file from its
// content, counts pages, and reports unreadable input with a precise code.
package extract

import "strings"

// Box is a rectangle in page coordinates (points for PDF, pixels for
// images), origin top-left, X growing right and Y growing down.
type Box struct {
	X0, Y0, X1, Y1 float64
}

// Word is one word on a page.
type Word struct {
	Text string
	Box  Box
	// Conf is the engine's confidence in the word's text, in [0,1]; 1 for
	// text layers.
	Conf float64
}

// Line is a run of words on one baseline, left to right.
type Line struct {
	Text  string // the words joined with single spaces (or the layout's spacing)
	Words []Word
	Box   Box
}

// Page is one page of a document, its lines in reading order.
type Page struct {
	Number        int // 1-based
	Width, Height float64
	// Grid: the page is a text format's laid on a character grid
	// (plainPage): its boxes are columns and lines, not places on a
	// printed page.
	Grid  bool `json:",omitempty"`
	Lines []Line
	// OCR says how OCR read the page when it read it whole (an image, a
	// scanned PDF page); nil otherwise (a text layer, a text format, a
	// text layer with only some images OCRed).
	OCR *OCRRun
	// Alt holds the other readings of an OCRed image, in the coordinates
	// of Lines, one after the other: the page read as one block (see
	// secondReading), then, when the first reading was unsure, its lines
	// cut out and read again (see rereadLines). OCR misreads differ between readings, so a value
	// read twice is likelier right, and a value only another reading
	// holds is worth considering. Nil for text layers, text formats and
	// scanned PDF pages.
	Alt []Line `json:",omitempty"`
}

// Document is the text and layout of one file.
type Document struct {
	Pages []Page
	// Attachments counts the files embedded in a PDF (its EmbeddedFiles),
	// read from the same open document: a PDF without any needs no look
	// for an e-invoice (Engine.EInvoice). 0 for other formats.
	Attachments int `json:",omitempty"`
}

// OCREngine names what read the page whole by OCR: "tesseract", "models"
// (Config.OCRModels), or "" when OCR did not read it whole (Page.OCR).
func (p Page) OCREngine() string {
	switch {
	case p.OCR == nil:
		return ""
	case p.OCR.Pass == PassModels:
		return "models"
	}
	return "tesseract"
}

// Text returns the document's text, one line per Line and a form feed
// between pages.
func (d *Document) Text() string {
	var b strings.Builder
	for i, p := range d.Pages {
		if i > 0 {
			b.WriteString("\f")
		}
		for _, l := range p.Lines {
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

package synth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/extract"
)

// Text renders the invoice as a plain text file: monospace columns, a
// segment at its column or, when the line is already longer, two spaces
// after what precedes it. Pages follow each other after two blank lines.
func (d Doc) Text() string {
	var b strings.Builder
	for _, r := range d.rows {
		if isBreak(r) {
			b.WriteString("\n\n")
			continue
		}
		var line []rune
		for _, s := range r {
			text := []rune(s.text)
			col := s.col
			if s.right {
				col -= len(text)
			}
			switch {
			case len(line) == 0 && col >= 0:
				line = append(line, []rune(strings.Repeat(" ", col))...)
			case col < len(line)+2:
				line = append(line, ' ', ' ')
			default:
				line = append(line, []rune(strings.Repeat(" ", col-len(line)))...)
			}
			line = append(line, text...)
		}
		b.WriteString(strings.TrimRight(string(line), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func isBreak(r row) bool { return len(r) == 1 && r[0].col == -1 }

// Document renders the invoice as a PDF's text layer would read: words
// with boxes in points, in a proportional font of the document's size, a
// segment starting at its column's position (5 points a column at size
// 1) or ending there when right-aligned, and never closer than two
// character widths to the segment before it.
func (d Doc) Document() *extract.Document {
	scale := d.scale
	if scale == 0 {
		scale = 1
	}
	colW, lineH := 5.0*scale, 12.0*scale
	doc := &extract.Document{}
	page := extract.Page{Number: 1, Width: 612, Height: 792}
	y := 40.0
	for _, r := range d.rows {
		if isBreak(r) {
			doc.Pages = append(doc.Pages, page)
			page = extract.Page{Number: len(doc.Pages) + 1, Width: 612, Height: 792}
			y = 40
			continue
		}
		var words []extract.Word
		prevX1 := -1.0
		for _, s := range r {
			fields := strings.Fields(s.text)
			width := 0.0
			for i, f := range fields {
				if i > 0 {
					width += runeWidth(' ') * scale
				}
				width += textWidth(f) * scale
			}
			x := float64(s.col) * colW
			if s.right {
				x -= width
			}
			if prevX1 >= 0 && x < prevX1+2.2*colW {
				x = prevX1 + 2.2*colW
			}
			for i, f := range fields {
				if i > 0 {
					x += runeWidth(' ') * scale
				}
				w := textWidth(f) * scale
				words = append(words, extract.Word{Text: f, Conf: 1, Box: extract.Box{X0: x, Y0: y, X1: x + w, Y1: y + 0.8*lineH}})
				x += w
			}
			prevX1 = x
		}
		if len(words) > 0 {
			texts := make([]string, len(words))
			for i, w := range words {
				texts[i] = w.Text
			}
			page.Lines = append(page.Lines, extract.Line{
				Text:  strings.Join(texts, " "),
				Words: words,
				Box:   extract.Box{X0: words[0].Box.X0, Y0: y, X1: words[len(words)-1].Box.X1, Y1: y + 0.8*lineH},
			})
		}
		y += lineH
	}
	doc.Pages = append(doc.Pages, page)
	return doc
}

func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth approximates Helvetica at 10 points.
func runeWidth(r rune) float64 {
	switch {
	case strings.ContainsRune("iljtfrI.,:;'!|()[] ", r):
		return 2.8
	case strings.ContainsRune("mwMW@%", r):
		return 8.3
	case unicode.IsUpper(r):
		return 6.7
	case unicode.IsDigit(r):
		return 5.6
	case r < utf8.RuneSelf:
		return 5.0
	}
	return 5.6
}

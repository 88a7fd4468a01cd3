package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Synthetic geometry for formats without any: every character is a cell of
// a 10-point monospace grid, so a Word's box says which column and line it
// came from (x = column*charWidth, y = line*lineHeight).
const (
	charWidth  = 6.0
	lineHeight = 12.0
	tabWidth   = 8
)

// plainDocument lays text out on the synthetic grid: one Line per text line
// that holds a word, words split on white space and, when delims is not
// empty, also on those delimiter runes (CSV). Line.Text keeps the line's own
// spacing, tabs expanded. All of it is one page, as wide as the longest line.
func plainDocument(ctx context.Context, text string, delims string) (*Document, error) {
	page, err := plainPage(ctx, text, delims, 1)
	if err != nil {
		return nil, err
	}
	if len(page.Lines) == 0 {
		return nil, newError(CodeEmptyDocument, "The document contains no text.", nil)
	}
	return &Document{Pages: []Page{page}}, nil
}

// plainPage lays text out as page number n, as plainDocument does; a page
// without words has no lines.
func plainPage(ctx context.Context, text string, delims string, n int) (Page, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.TrimSuffix(text, "\n") // ends the last line, opens none
	page := Page{Number: n, Grid: true}
	maxCols := 0
	for i, raw := range strings.Split(text, "\n") {
		if i%1024 == 0 {
			if err := ctxError(ctx); err != nil {
				return page, err
			}
		}
		line, cols := layoutLine(raw, float64(i), delims)
		maxCols = max(maxCols, cols)
		if len(line.Words) > 0 {
			page.Lines = append(page.Lines, line)
		}
		page.Height = float64(i+1) * lineHeight
	}
	page.Width = float64(maxCols) * charWidth
	return page, nil
}

// linesDocument lays out pages of text lines (DOCX, XLSX, e-mail) on the
// synthetic grid, one Page each, numbered from 1. It fails with
// empty_document when no page holds a word.
func linesDocument(ctx context.Context, pages [][]string) (*Document, error) {
	d := &Document{}
	for i, lines := range pages {
		p, err := plainPage(ctx, strings.Join(lines, "\n"), "", i+1)
		if err != nil {
			return nil, err
		}
		d.Pages = append(d.Pages, p)
	}
	if !hasWords(d) {
		return nil, newError(CodeEmptyDocument, "The document contains no text.", nil)
	}
	return d, nil
}

// layoutLine places the words of one text line on grid row y and returns the
// line and its width in columns.
func layoutLine(raw string, y float64, delims string) (Line, int) {
	var (
		line     Line
		text     strings.Builder
		word     strings.Builder
		startCol int
		col      int
	)
	flush := func() {
		if word.Len() == 0 {
			return
		}
		box := Box{X0: float64(startCol) * charWidth, Y0: y * lineHeight, X1: float64(col) * charWidth, Y1: (y + 1) * lineHeight}
		line.Words = append(line.Words, Word{Text: word.String(), Box: box, Conf: 1})
		word.Reset()
	}
	quoted := false
	for _, r := range raw {
		width := 1
		if r == '\t' {
			width = tabWidth - col%tabWidth
		}
		switch {
		case delims != "" && r == '"':
			// CSV quoting: quotes delimit a cell but are not part of a word,
			// and a delimiter inside quotes belongs to the cell.
			quoted = !quoted
			flush()
		case unicode.IsSpace(r), unicode.IsControl(r),
			delims != "" && !quoted && strings.ContainsRune(delims, r):
			flush()
		default:
			if word.Len() == 0 {
				startCol = col
			}
			word.WriteRune(r)
		}
		if r == '\t' {
			text.WriteString(strings.Repeat(" ", width))
		} else if !unicode.IsControl(r) {
			text.WriteRune(r)
		}
		col += width
	}
	flush()
	line.Text = strings.TrimRightFunc(text.String(), unicode.IsSpace)
	if len(line.Words) > 0 {
		first, last := line.Words[0].Box, line.Words[len(line.Words)-1].Box
		line.Box = Box{X0: first.X0, Y0: first.Y0, X1: last.X1, Y1: last.Y1}
	}
	return line, col
}

// csvDelimiter picks the delimiter that splits the first lines of a CSV file
// into the most fields consistently; comma when nothing is consistent.
func csvDelimiter(text string) string {
	lines := strings.Split(text[:min(len(text), SniffLen)], "\n")
	if len(lines) > 1 {
		lines = lines[:len(lines)-1]
	}
	best, bestN := ",", 1
	for _, d := range []byte{',', ';', '\t', '|'} {
		n := countFields(strings.TrimRight(lines[0], "\r"), d)
		consistent := true
		for _, l := range lines[1:] {
			l = strings.TrimRight(l, "\r")
			if strings.TrimSpace(l) != "" && countFields(l, d) != n {
				consistent = false
				break
			}
		}
		if consistent && n > bestN {
			best, bestN = string(d), n
		}
	}
	return best
}

// decodeText turns file bytes into a string: UTF-16 with a byte order mark,
// UTF-8 (a leading BOM dropped), or else Windows-1252, the usual encoding of
// text that is not UTF-8.
func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return decodeUTF16(b[2:], binary.LittleEndian)
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return decodeUTF16(b[2:], binary.BigEndian)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if validUTF8Prefix(b) {
		return strings.ToValidUTF8(string(b), "")
	}
	var s strings.Builder
	s.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c >= 0x80 && c < 0xa0 {
			s.WriteRune(cp1252[c-0x80])
		} else {
			s.WriteRune(rune(c))
		}
	}
	return s.String()
}

func decodeUTF16(b []byte, order binary.ByteOrder) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = order.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// cp1252 maps Windows-1252 bytes 0x80-0x9f; the rest is Latin-1.
var cp1252 = [32]rune{
	'€', utf8.RuneError, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', utf8.RuneError, 'Ž', utf8.RuneError,
	utf8.RuneError, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', utf8.RuneError, 'ž', 'Ÿ',
}

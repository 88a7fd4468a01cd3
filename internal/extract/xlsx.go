package extract

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// xlsxSheet is a worksheet named by the workbook.
type xlsxSheet struct {
	name, part string
}

// xlsxBook is what the cells of every sheet need: shared strings, cell
// formats, the date system.
type xlsxBook struct {
	sheets   []xlsxSheet
	strings  []string
	formats  []string // number format code of each cell style (s="i")
	date1904 bool

	// parts holds the part of each relationship type that readStrings
	// and readStyles read ("sharedStrings", "styles"), when named.
	parts map[string]string
}

func (e *Engine) xlsxPages(p string) (int, error) {
	pkg, err := openOOXML(p, "XLSX", e.tokenLimit())
	if err != nil {
		return 0, err
	}
	defer pkg.Close()
	book, err := readWorkbook(pkg)
	if err != nil {
		return 0, err
	}
	if len(book.sheets) == 0 {
		return 0, newError(CodeCorruptDocument, "The XLSX file has no sheet.", nil)
	}
	return len(book.sheets), nil
}

// extractXLSX reads every worksheet into a page: a row per line, cells in
// aligned columns (see gridLines), cached formula results as shown.
func (e *Engine) extractXLSX(ctx context.Context, p string) (*Document, error) {
	pkg, err := openOOXML(p, "XLSX", e.tokenLimit())
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	book, err := readWorkbook(pkg)
	if err != nil {
		return nil, err
	}
	switch {
	case len(book.sheets) == 0:
		return nil, newError(CodeCorruptDocument, "The XLSX file has no sheet.", nil)
	case len(book.sheets) > e.cfg.MaxPages:
		return nil, newError(CodeTooManyPages, fmt.Sprintf("The XLSX has %d sheets; at most %d are accepted.", len(book.sheets), e.cfg.MaxPages), nil)
	}
	budget := e.cfg.MaxTextBytes
	if err := book.readStrings(pkg, &budget); errors.Is(err, errTextBudget) {
		return nil, tooMuchText(e.cfg.MaxTextBytes)
	} else if err != nil {
		return nil, err
	}
	if err := book.readStyles(pkg); err != nil {
		return nil, err
	}
	budget = e.cfg.MaxTextBytes // shared strings count where a cell shows them
	var pages [][]string
	for _, sh := range book.sheets {
		lines, err := book.sheetLines(ctx, pkg, sh.part, &budget)
		if err != nil {
			return nil, err
		}
		if budget < 0 {
			return nil, tooMuchText(e.cfg.MaxTextBytes)
		}
		pages = append(pages, lines)
	}
	return linesDocument(ctx, pages)
}

// readWorkbook lists the sheets in workbook order with their parts.
func readWorkbook(pkg *ooxmlPackage) (*xlsxBook, error) {
	main, rels, err := pkg.mainPart("xl/workbook.xml")
	if err != nil {
		return nil, err
	}
	target := map[string]string{}
	book := &xlsxBook{parts: map[string]string{}}
	for _, r := range rels {
		target[r.id] = r.target
		if r.typ == "sharedStrings" || r.typ == "styles" {
			book.parts[r.typ] = r.target
		}
	}
	err = pkg.eachToken(main, func(tok xml.Token) error {
		se, ok := tok.(xml.StartElement)
		if !ok {
			return nil
		}
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			book.date1904 = v == "1" || v == "true"
		case "sheet":
			var id string
			for _, a := range se.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					id = a.Value
				}
			}
			if part, ok := target[id]; ok && pkg.has(part) {
				book.sheets = append(book.sheets, xlsxSheet{name: attr(se, "name"), part: part})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return book, nil
}

// readStrings reads the shared strings table (the part readWorkbook found).
// Phonetic runs (rPh) are not text.
func (b *xlsxBook) readStrings(pkg *ooxmlPackage, budget *int) error {
	part, ok := b.parts["sharedStrings"]
	if !ok || !pkg.has(part) {
		return nil
	}
	var (
		cur  strings.Builder
		runs textRuns
	)
	return pkg.eachToken(part, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "si" {
				cur.Reset()
			}
			runs.start(t.Name.Local)
		case xml.EndElement:
			if t.Name.Local == "si" {
				b.strings = append(b.strings, cur.String())
			}
			runs.end(t.Name.Local)
		case xml.CharData:
			if runs.text() {
				cur.Write(t)
				if *budget -= len(t); *budget < 0 {
					return errTextBudget
				}
			}
		}
		return nil
	})
}

// textRuns tracks the nesting of text runs (t) and phonetic runs (rPh) in
// a shared or inline string: text counts inside a t and outside any rPh,
// whose readings are not text. Unbalanced end tags never go below zero.
type textRuns struct{ t, rPh int }

func (r *textRuns) start(local string) {
	switch local {
	case "t":
		r.t++
	case "rPh":
		r.rPh++
	}
}

func (r *textRuns) end(local string) {
	switch local {
	case "t":
		r.t = max(0, r.t-1)
	case "rPh":
		r.rPh = max(0, r.rPh-1)
	}
}

// text reports whether character data here is text.
func (r *textRuns) text() bool { return r.t > 0 && r.rPh == 0 }

// builtinFormats are the number formats ECMA-376 predefines (the ones that
// matter for text: decimals, percent, dates).
var builtinFormats = map[int]string{
	1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
	11: "0.00E+00", 14: "yyyy-mm-dd", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
	18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
	22: "yyyy-mm-dd h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;(#,##0)",
	39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;(#,##0.00)", 45: "mm:ss",
	46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}

// readStyles reads the number format of each cell style.
func (b *xlsxBook) readStyles(pkg *ooxmlPackage) error {
	part, ok := b.parts["styles"]
	if !ok || !pkg.has(part) {
		return nil
	}
	custom := map[int]string{}
	inXfs := false
	return pkg.eachToken(part, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				if id, err := strconv.Atoi(attr(t, "numFmtId")); err == nil {
					custom[id] = attr(t, "formatCode")
				}
			case "cellXfs":
				inXfs = true
			case "xf":
				if !inXfs {
					return nil
				}
				id, _ := strconv.Atoi(attr(t, "numFmtId"))
				f, ok := custom[id]
				if !ok {
					f = builtinFormats[id]
				}
				b.formats = append(b.formats, f)
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
		return nil
	})
}

// sheetLines reads a worksheet's cells into rows and lays them out. Rows
// are placed by their number; a gap of empty rows shows as one blank line.
// Columns that are empty in every row take no room.
func (b *xlsxBook) sheetLines(ctx context.Context, pkg *ooxmlPackage, part string, budget *int) ([]string, error) {
	d, c, err := pkg.decoder(part)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	type cellAt struct {
		col  int
		text string
	}
	type rowAt struct {
		num   int
		cells []cellAt
	}
	var (
		rows              []rowAt
		cur               *rowAt
		inCell            bool
		cellRef, cellType string
		cellStyle         int
		value             strings.Builder
		inV               int
		runs              textRuns
		nextCol, prevRow  int
	)
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctxError(ctx); err != nil {
				return nil, err
			}
		}
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, pkg.xmlError(part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				num, err := strconv.Atoi(attr(t, "r"))
				if err != nil || num < 1 {
					num = prevRow + 1
				}
				prevRow = num
				cur = &rowAt{num: num}
				nextCol = 0
			case "c":
				inCell = true
				cellRef, cellType = attr(t, "r"), attr(t, "t")
				cellStyle, _ = strconv.Atoi(attr(t, "s"))
				value.Reset()
			case "v":
				inV++
			}
			runs.start(t.Name.Local)
		case xml.EndElement:
			switch t.Name.Local {
			case "row":
				// Rows without text take no memory: a sheet may declare
				// a million of them.
				if cur != nil && len(cur.cells) > 0 {
					rows = append(rows, *cur)
				}
				cur = nil
			case "c":
				inCell = false
				if cur == nil {
					continue
				}
				col := columnIndex(cellRef)
				if col < 0 {
					col = nextCol
				}
				nextCol = col + 1
				text := b.cellText(value.String(), cellType, cellStyle)
				text = strings.Join(strings.Fields(text), " ")
				if text == "" {
					continue
				}
				if *budget -= len(text) + 2; *budget < 0 {
					return nil, nil
				}
				cur.cells = append(cur.cells, cellAt{col: col, text: text})
			case "v":
				inV = max(0, inV-1)
			}
			runs.end(t.Name.Local)
		case xml.CharData:
			if inCell && (inV > 0 || runs.text()) {
				value.Write(t)
			}
		}
	}
	// Columns used anywhere, in order, become grid columns.
	var used []int
	for _, r := range rows {
		for _, c := range r.cells {
			used = append(used, c.col)
		}
	}
	slices.Sort(used)
	used = slices.Compact(used)
	slices.SortStableFunc(rows, func(a, b rowAt) int { return a.num - b.num })
	var grid [][]gridCell
	prev := 0
	for _, r := range rows {
		if len(r.cells) == 0 {
			continue
		}
		if prev > 0 && r.num > prev+1 {
			grid = append(grid, nil) // a blank line for the gap
		}
		prev = r.num
		row := make([]gridCell, len(used))
		for i := range row {
			row[i].span = 1
		}
		for _, c := range r.cells {
			i, _ := slices.BinarySearch(used, c.col)
			row[i].lines = append(row[i].lines, c.text)
		}
		for i := range row {
			if len(row[i].lines) > 1 { // a column given twice: keep both
				row[i].lines = []string{strings.Join(row[i].lines, " ")}
			}
		}
		grid = append(grid, row)
	}
	return gridLines(grid), nil
}

// columnIndex turns the letters of a cell reference ("BC12") into a
// 0-based column; -1 when there are none.
func columnIndex(ref string) int {
	col := 0
	i := 0
	for ; i < len(ref) && i < 3; i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 {
		return -1
	}
	return col - 1
}

// cellText renders a cell's value as a spreadsheet shows it, as far as
// that matters for reading: shared and inline strings, booleans, errors,
// and numbers in their format (decimals, thousands, percent, dates as ISO
// 8601).
func (b *xlsxBook) cellText(v, typ string, style int) string {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(b.strings) {
			return ""
		}
		return b.strings[i]
	case "inlineStr", "str", "e", "d":
		return v
	case "b":
		if strings.TrimSpace(v) == "1" {
			return "TRUE"
		}
		return "FALSE"
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return v
	}
	format := ""
	if style >= 0 && style < len(b.formats) {
		format = b.formats[style]
	}
	return formatNumber(f, format, b.date1904)
}

// formatNumber renders f in the spirit of an Excel number format code,
// handling the parts that change what a reader would extract.
func formatNumber(f float64, code string, date1904 bool) string {
	section, _, _ := strings.Cut(code, ";")
	// Literal text and colours/locales do not change the number.
	var clean strings.Builder
	quoted := false
	for i := 0; i < len(section); i++ {
		c := section[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\\' || c == '_' || c == '*':
			i++ // the next character is literal or padding
		case c == '[':
			if j := strings.IndexByte(section[i:], ']'); j >= 0 {
				i += j
			}
		default:
			clean.WriteByte(c)
		}
	}
	lc := strings.ToLower(clean.String())
	if isDateFormat(lc) && f >= 0 && f < 2958466 {
		return excelDate(f, lc, date1904)
	}
	percent := strings.Contains(lc, "%")
	if percent {
		f *= 100
	}
	if strings.ContainsAny(lc, "e") && strings.Contains(lc, "e+") {
		return strconv.FormatFloat(f, 'E', -1, 64)
	}
	decimals := -1
	if dot := strings.IndexByte(lc, '.'); dot >= 0 {
		decimals = 0
		for _, c := range lc[dot+1:] {
			if c != '0' && c != '#' && c != '?' {
				break
			}
			decimals++
		}
	} else if strings.ContainsAny(lc, "0#") {
		decimals = 0
	}
	var s string
	if decimals >= 0 {
		s = strconv.FormatFloat(f, 'f', decimals, 64)
	} else {
		// General: up to 15 significant digits, as Excel shows.
		r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
		s = strconv.FormatFloat(r, 'f', -1, 64)
	}
	if decimals >= 0 && strings.Contains(lc, ",") {
		s = groupThousands(s)
	}
	if percent {
		s += "%"
	}
	return s
}

func isDateFormat(lc string) bool {
	if lc == "" || lc == "general" || lc == "@" {
		return false
	}
	return strings.ContainsAny(lc, "dmyhs") && !strings.Contains(lc, "general")
}

// excelDate renders a serial date: days since 1899-12-30 (the 1900 system,
// whose phantom 29 February 1900 is why the epoch is not 31 December) or
// since 1904-01-01.
func excelDate(f float64, lc string, date1904 bool) string {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	t := epoch.Add(time.Duration(math.Round(f*86400)) * time.Second)
	hasDate := strings.ContainsAny(lc, "dy") || (strings.Contains(lc, "m") && !strings.ContainsAny(lc, "hs"))
	hasTime := strings.ContainsAny(lc, "hs")
	switch {
	case hasDate && hasTime:
		return t.Format("2006-01-02 15:04")
	case hasTime:
		return t.Format("15:04")
	}
	return t.Format("2006-01-02")
}

// groupThousands puts commas into the integer part of a formatted number.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

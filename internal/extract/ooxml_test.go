package extract

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pageTexts returns the Line.Text of every line, page by page.
func pageTexts(d *Document) [][]string {
	var out [][]string
	for _, p := range d.Pages {
		out = append(out, lineTexts(p.Lines))
	}
	return out
}

func TestExtractDOCX(t *testing.T) {
	// Made by LibreOffice from testdata/invoice.fodt (see README.md).
	d := mustExtract(t, "testdata/invoice.docx", sniffFile(t, "testdata/invoice.docx"))
	want := [][]string{{
		"Nordwind Bürobedarf GmbH · Lindenstraße 12 · 10115 Berlin", // the header
		"Invoice",
		"VAT ID: DE123456789",
		"Invoice number  RE-2024-0815",
		"Invoice date    2024-03-15",
		"Customer        Acme Corp",
		"                42 Main Street",
		"                Springfield",
		"Thank you for your order.       Order ref:      PO-7781",
		"Item   Description   Qty  Unit price  Amount",
		"P-100  Office chair  2    120.00      240.00",
		"P-200  Desk lamp     1    35.50       35.50",
		"Subtotal: 275.50 EUR",
		"VAT 19%: 52.35 EUR",
		"Total due: 327.85 EUR",
	}, {
		"Payment terms: 14 days. IBAN DE89 3704 0044 0532 0130 00",
		"Commerzbank · BIC COBADEFFXXX", // the footer
	}}
	if diff := cmp.Diff(want, pageTexts(d)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	// A table cell and its neighbour are words far enough apart for the
	// field matcher to see two cells.
	l := lineWith(t, d, "RE-2024-0815")
	if gap := l.Words[2].Box.X0 - l.Words[1].Box.X1; gap < 2*charWidth {
		t.Errorf("gap between label and value = %g, want at least two characters", gap)
	}
	if p := d.Pages[1]; p.Number != 2 {
		t.Errorf("second page numbered %d", p.Number)
	}
}

func TestExtractXLSX(t *testing.T) {
	// Made by LibreOffice from testdata/invoice.fods (see README.md).
	d := mustExtract(t, "testdata/invoice.xlsx", sniffFile(t, "testdata/invoice.xlsx"))
	want := [][]string{{
		"Nordwind Bürobedarf GmbH",
		"Invoice number            RE-2024-0815",
		"Invoice date              2024-03-15", // a date serial in dd.mm.yyyy format
		"Item                      Description   Qty  Unit price  Amount",
		"P-100                     Office chair  2    1,120.00    2,240.00",
		"P-200                     Desk lamp     1    35.50       35.50",
		"                                             VAT rate    19%",
		"                                             Total due   2,707.85", // a formula's cached value
	}, {
		"Payment terms  14 days net",
		"IBAN           DE89 3704 0044 0532 0130 00",
	}}
	if diff := cmp.Diff(want, pageTexts(d)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	// Empty rows show as vertical space: the item table starts two rows
	// below the date.
	date, items := lineWith(t, d, "Invoice date"), lineWith(t, d, "Description")
	if dy := items.Box.Y0 - date.Box.Y0; dy != 2*lineHeight {
		t.Errorf("item table %g below the date, want %g", dy, 2*lineHeight)
	}
	// Columns line up: the amounts start where their header does.
	if a, b := findWord(t, d, "Amount").Box.X0, findWord(t, d, "2,240.00").Box.X0; a != b {
		t.Errorf("Amount at x=%g, 2,240.00 at x=%g; want one column", a, b)
	}
}

// ooxmlZip builds a ZIP of the given parts (name, content pairs).
func ooxmlZip(t testing.TB, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, parts[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wordDoc = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:body>%s</w:body></w:document>`

func TestExtractDOCXStructure(t *testing.T) {
	body := `
<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="4000"/></w:tabs></w:pPr><w:r><w:t>Invoice No.</w:t></w:r><w:r><w:tab/><w:t>A-17</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Total </w:t></w:r><w:del><w:r><w:delText>999.00</w:delText></w:r></w:del><w:ins><w:r><w:t>120.00</w:t></w:r></w:ins><w:r><w:instrText>PAGE</w:instrText></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>Boxed text</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Boxed text</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t></w:r><a:p><a:r><a:t>drawing text</a:t></a:r></a:p></w:p>
<w:p/><w:p/><w:p/>
<w:tbl>
 <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Spanning head</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Right</w:t></w:r></w:p></w:tc></w:tr>
 <w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>inner1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>inner2</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><w:lastRenderedPageBreak/><w:t>Second page</w:t></w:r></w:p>
<w:p><w:r><w:t>More</w:t><w:br w:type="page"/><w:t>Third page</w:t></w:r></w:p>`
	path := writeFile(t, "structure.docx", ooxmlZip(t, "word/document.xml", fmt.Sprintf(wordDoc, body)))
	d := mustExtract(t, path, KindDOCX)
	want := [][]string{{
		"Invoice No.     A-17", // the tab stop in pPr is no tab
		"Total 120.00",         // deleted text and field codes left out
		"Boxed text",           // once, not again from the fallback
		"Line one",
		"Line two",
		"Spanning head      Right",
		"a  inner1  inner2  c",
	}, {
		"Second page",
		"More",
	}, {
		"Third page",
	}}
	if diff := cmp.Diff(want, pageTexts(d)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if n, err := engine.Pages(context.Background(), path, KindDOCX); n != 1 || err != nil {
		t.Errorf("Pages(docx without app.xml) = %d, %v; want 1", n, err)
	}
}

const sheetNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

func TestExtractXLSXCells(t *testing.T) {
	parts := []string{
		"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml", `<workbook ` + sheetNS + `><workbookPr date1904="1"/><sheets><sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Empty" sheetId="2" r:id="rId2"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
			<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/>
			<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/empty.xml"/>
			<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
			<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
		</Relationships>`,
		"xl/sharedStrings.xml", `<sst ` + sheetNS + `><si><t>Total</t></si><si><r><t>Rich </t></r><r><t>text</t></r><rPh><t>ignored</t></rPh></si></sst>`,
		"xl/styles.xml", `<styleSheet ` + sheetNS + `><numFmts><numFmt numFmtId="164" formatCode="0.000\ &quot;EUR&quot;"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs></styleSheet>`,
		"xl/worksheets/data.xml", `<worksheet ` + sheetNS + `><sheetData>
			<row r="1"><c r="A1" t="inlineStr"><is><t>Label</t></is></c><c r="B1" t="b"><v>1</v></c><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>
			<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>0.30000000000000004</v></c></row>
			<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" s="1"><v>0</v></c></row>
			<row r="4"><c r="A4" t="str"><f>A1</f><v>Label</v></c><c r="B4" s="2"><v>12.5</v></c><c r="C4" s="3"><v>0.125</v></c></row>
			<row r="1048576"><c r="A1048576" t="e"><v>#DIV/0!</v></c><c r="B1048576" t="s"><v>99</v></c></row>
		</sheetData></worksheet>`,
		"xl/worksheets/empty.xml", `<worksheet ` + sheetNS + `><sheetData/></worksheet>`,
	}
	path := writeFile(t, "cells.xlsx", ooxmlZip(t, parts...))
	if kind := sniffFile(t, path); kind != KindXLSX {
		t.Fatalf("Sniff = %s, want xlsx", kind)
	}
	d := mustExtract(t, path, KindXLSX)
	want := [][]string{{
		"Label      TRUE                far", // column XFD right after C: empty columns take no room
		"Total      0.3",                     // General: 15 significant digits
		"Rich text  1904-01-01",              // the 1904 date system
		"Label      12.500      12.50%",
		"#DIV/0!", // a gap of empty rows is one blank line; an unknown shared string is empty
	}, nil}
	if diff := cmp.Diff(want, pageTexts(d)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if n, err := engine.Pages(context.Background(), path, KindXLSX); n != 2 || err != nil {
		t.Errorf("Pages = %d, %v; want 2 (sheets)", n, err)
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v    float64
		code string
		want string
	}{
		{1234.5, "#,##0.00", "1,234.50"},
		{-1234567.891, "#,##0.00;[Red]-#,##0.00", "-1,234,567.89"},
		{999.5, "#,##0", "1,000"},
		{0.19, "0%", "19%"},
		{45366, `dd\.mm\.yyyy`, "2024-03-15"},
		{45366, "[$-407]d. mmmm yyyy", "2024-03-15"},
		{45366.75, "yyyy-mm-dd hh:mm", "2024-03-15 18:00"},
		{0.5, "h:mm", "12:00"},
		{3, "General", "3"},
		{0.1 + 0.2, "", "0.3"},
		{12.5, `0.000 "EUR"`, "12.500"},
		{12.5, `#,##0.00\ "€"`, "12.50"},
		{42, "@", "42"},
		{1.5e-7, "0.00E+00", "1.5E-07"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.v, tt.code, false); got != tt.want {
			t.Errorf("formatNumber(%v, %q) = %q, want %q", tt.v, tt.code, got, tt.want)
		}
	}
}

// bombDOCX writes a DOCX whose document.xml inflates to size bytes of
// spaces inside the body, compressed on the fly: 1 GB takes about 1 MB and
// a second.
func bombDOCX(t *testing.T, size int64) string {
	t.Helper()
	fast := func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) }
	return oneRunDOCX(t, "bomb.docx", ' ', size, fast)
}

// oneRunDOCX writes a DOCX named name whose body is one text run of size
// bytes of fill, streamed to disk a MB at a time. A non-nil comp replaces
// the zip writer's deflate compressor.
func oneRunDOCX(t *testing.T, name string, fill byte, size int64, comp zip.Compressor) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	if comp != nil {
		zw.RegisterCompressor(zip.Deflate, comp)
	}
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf(wordDoc, "<w:p><w:r><w:t>")
	io.WriteString(w, head[:strings.Index(head, "</w:body>")])
	chunk := bytes.Repeat([]byte{fill}, 1<<20)
	for n := int64(0); n < size; n += int64(len(chunk)) {
		w.Write(chunk[:min(int64(len(chunk)), size-n)])
	}
	io.WriteString(w, "</w:t></w:r></w:p></w:body></w:document>")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOOXMLBombs(t *testing.T) {
	// An entry that declares its size honestly is refused from the
	// central directory, before anything is inflated.
	bomb := bombDOCX(t, 1<<30)
	if fi, _ := os.Stat(bomb); fi.Size() > 4<<20 {
		t.Fatalf("bomb is %d bytes, want a few MB", fi.Size())
	}
	start := time.Now()
	_, err := engine.Extract(context.Background(), bomb, KindDOCX)
	wantCode(t, "Extract(1 GB docx)", err, CodeTooLargeContent)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("refusing the bomb took %v", elapsed)
	}

	// An entry whose header lies about its size fails when it inflates
	// past it (archive/zip checks).
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestSpeed)
	head := fmt.Sprintf(wordDoc, "<w:p><w:r><w:t>")
	io.WriteString(fw, head[:strings.Index(head, "</w:body>")])
	fw.Write(bytes.Repeat([]byte(" "), 16<<20))
	fw.Close()
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CompressedSize64: uint64(raw.Len()), UncompressedSize64: 4096})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	zw.Close()
	_, err = engine.Extract(context.Background(), writeFile(t, "liar.docx", buf.Bytes()), KindDOCX)
	wantCode(t, "Extract(docx lying about its size)", err, CodeCorruptDocument)

	// Too many entries.
	buf.Reset()
	zw = zip.NewWriter(&buf)
	zw.Create("word/document.xml")
	for i := range maxZipEntries {
		zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("x/%d", i), Method: zip.Store})
	}
	zw.Close()
	many := writeFile(t, "many.xlsx", buf.Bytes())
	_, err = engine.Extract(context.Background(), many, KindXLSX)
	wantCode(t, "Extract(xlsx with 10001 entries)", err, CodeTooLargeContent)
	_, err = engine.Pages(context.Background(), many, KindXLSX)
	wantCode(t, "Pages(xlsx with 10001 entries)", err, CodeTooLargeContent)
}

func TestOOXMLFailures(t *testing.T) {
	docx := readTestdata(t, "invoice.docx")
	small := newTestEngine(t, Config{MaxTextBytes: 100})
	tests := []struct {
		name string
		e    *Engine
		data []byte
		kind Kind
		code string
	}{
		{"truncated docx", engine, docx[:len(docx)/2], KindDOCX, CodeCorruptDocument},
		{"docx without its document", engine, ooxmlZip(t, "word/styles.xml", "<w:styles/>"), KindDOCX, CodeCorruptDocument},
		{"malformed xml", engine, ooxmlZip(t, "word/document.xml", "<w:document><w:body><w:p>"), KindDOCX, CodeCorruptDocument},
		{"not xml at all", engine, ooxmlZip(t, "word/document.xml", "\x00\x01\x02"), KindDOCX, CodeCorruptDocument},
		{"tables nested 100000 deep", engine, ooxmlZip(t, "word/document.xml", fmt.Sprintf(wordDoc, strings.Repeat("<w:tbl><w:tr><w:tc>", 100000))), KindDOCX, CodeCorruptDocument},
		{"empty body", engine, ooxmlZip(t, "word/document.xml", fmt.Sprintf(wordDoc, "<w:p/>")), KindDOCX, CodeEmptyDocument},
		{"docx over MaxTextBytes", small, docx, KindDOCX, CodeTooManyPages},
		{"xlsx over MaxTextBytes", small, readTestdata(t, "invoice.xlsx"), KindXLSX, CodeTooManyPages},
		{"xlsx without workbook", engine, ooxmlZip(t, "xl/styles.xml", "<styleSheet/>"), KindXLSX, CodeCorruptDocument},
		{"random bytes called docx", engine, randomBytes(7, 4096), KindDOCX, CodeCorruptDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.e.Extract(context.Background(), writeFile(t, "file", tt.data), tt.kind)
			if d != nil {
				t.Errorf("got a document with a failure")
			}
			wantCode(t, "Extract", err, tt.code)
		})
	}
}

// bigRunDOCX writes a DOCX whose body is one run of size letters, as
// issue 13 found it: about size/1000 bytes on disk, a single XML token of
// size bytes once inflated. The entry declares its size honestly and
// stays under the 100 MB unpack budget, so only the token limit stops it.
func bigRunDOCX(t *testing.T, size int) string {
	t.Helper()
	return oneRunDOCX(t, "big-run.docx", 'a', int64(size), nil)
}

func TestDOCXBigRunFailsWhileReading(t *testing.T) {
	const run = 98 << 20
	path := bigRunDOCX(t, run)
	if fi, _ := os.Stat(path); fi.Size() > 1<<20 {
		t.Fatalf("the DOCX is %d bytes, want well under 1 MB", fi.Size())
	}
	for _, fn := range []string{"Extract", "Pages"} {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var err error
		if fn == "Extract" {
			_, err = engine.Extract(context.Background(), path, KindDOCX)
		} else {
			_, err = engine.Pages(context.Background(), path, KindDOCX)
		}
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		switch fn {
		case "Extract":
			wantCode(t, "Extract(DOCX with one 98 MB run)", err, CodeTooLargeContent)
			if e, _ := AsError(err); e != nil && !strings.Contains(e.Message, "larger than 4 MB (in word/document.xml)") {
				t.Errorf("message %q does not say what was too large", e.Message)
			}
			// The decoder holds at most the 4 MB token limit (its buffer
			// doubles: 8 MB of allocations); reading the run whole took
			// over 500 MB.
			if alloc > 32<<20 {
				t.Errorf("Extract allocated %d MB reading a %d MB run, want at most 32 MB", alloc>>20, run>>20)
			}
		case "Pages":
			// Pages reads docProps/app.xml only: there is none, 1 page.
			if err != nil {
				t.Errorf("Pages: %v", err)
			}
		}
	}
}

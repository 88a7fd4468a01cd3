package extract

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lineWords returns the words of every line, for comparing layouts.
func lineWords(d *Document) [][]string {
	var out [][]string
	for _, p := range d.Pages {
		for _, l := range p.Lines {
			out = append(out, wordTexts(l.Words))
		}
	}
	return out
}

// pluck returns f of each element of xs; nil for none.
func pluck[T, U any](xs []T, f func(T) U) []U {
	var out []U
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// lineTexts returns the Text of each line; nil for none.
func lineTexts(lines []Line) []string { return pluck(lines, func(l Line) string { return l.Text }) }

// wordTexts returns the Text of each word; nil for none.
func wordTexts(words []Word) []string { return pluck(words, func(w Word) string { return w.Text }) }

func TestExtractText(t *testing.T) {
	src := "ACME GmbH\n\n\tInvoice no.   2024-17\r\nTotal:  1.234,50 €\n   \n"
	path := writeFile(t, "invoice.txt", []byte(src))
	d := mustExtract(t, path, sniffFile(t, path))
	want := [][]string{{"ACME", "GmbH"}, {"Invoice", "no.", "2024-17"}, {"Total:", "1.234,50", "€"}}
	if diff := cmp.Diff(want, lineWords(d)); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
	if len(d.Pages) != 1 || d.Pages[0].Number != 1 {
		t.Fatalf("pages = %+v, want one page numbered 1", d.Pages)
	}
	// Line.Text keeps the layout: the tab expands to 8 columns.
	lines := d.Pages[0].Lines
	if got := lines[1].Text; got != "        Invoice no.   2024-17" {
		t.Errorf("line text = %q", got)
	}
	// Synthetic boxes: x = column*charWidth, y = line*lineHeight; the
	// blank second line still takes its row.
	num := lines[1].Words[2]
	if want := (Box{X0: 22 * charWidth, Y0: 2 * lineHeight, X1: 29 * charWidth, Y1: 3 * lineHeight}); num.Box != want {
		t.Errorf("box of %q = %+v, want %+v", num.Text, num.Box, want)
	}
	if p := d.Pages[0]; p.Width != 29*charWidth || p.Height != 5*lineHeight {
		t.Errorf("page = %gx%g, want %gx%g", p.Width, p.Height, 29*charWidth, 5*lineHeight)
	}
}

func TestExtractTextEncodings(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"utf-8 with bom", []byte("\xef\xbb\xbfTotal 5 €\n"), "Total 5 €\n"},
		{"windows-1252", []byte("Caf\xe9 \x80 3,50\n"), "Café € 3,50\n"},
		{"utf-16le", utf16LE("Rechnung Nr. 7\r\nSumme 12\r\n"), "Rechnung Nr. 7\nSumme 12\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "a.txt", tt.data)
			d := mustExtract(t, path, KindText)
			if got := d.Text(); got != tt.want {
				t.Errorf("Text() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractCSV(t *testing.T) {
	src := "Invoice;Customer;Amount\nINV-1;\"Acme; Inc.\";1.234,50\nINV-2;Globex;99,00\n"
	path := writeFile(t, "export.csv", []byte(src))
	kind := sniffFile(t, path)
	if kind != KindCSV {
		t.Fatalf("sniffed %s, want csv", kind)
	}
	d := mustExtract(t, path, kind)
	want := [][]string{{"Invoice", "Customer", "Amount"}, {"INV-1", "Acme;", "Inc.", "1.234,50"}, {"INV-2", "Globex", "99,00"}}
	if diff := cmp.Diff(want, lineWords(d)); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
	if got := d.Pages[0].Lines[1].Text; got != `INV-1;"Acme; Inc.";1.234,50` {
		t.Errorf("line text = %q, want the raw record", got)
	}
}

func TestExtractHTML(t *testing.T) {
	src := `<!DOCTYPE html>
<html><head><title>Invoice</title><style>td { color: red }</style></head>
<body>
<h1>Invoice&nbsp;#42</h1>
<p>Dear   customer,<br>thank you.</p>
<!-- <p>hidden</p> -->
<script>document.write("<p>no</p>")</script>
<table>
  <tr><th>Item</th><th>Qty</th><th>Price</th></tr>
  <tr><td>Widget &amp; bolt</td><td>2</td><td>&euro; 10.00</td></tr>
  <tr><td><b>Total</b></td><td></td><td>&#8364;&#x20;20.00</td></tr>
</table>
<div>a &lt; b <a href="x.html" title='1 > 0'>link</a></div>
<div><svg width="1"/>after an icon <svg><text>drawn</text></SVG></div>
<SCRIPT>var s = "</p>";</Script>
<pre>line one
  line two</pre>
</body></html>`
	path := writeFile(t, "invoice.html", []byte(src))
	kind := sniffFile(t, path)
	if kind != KindHTML {
		t.Fatalf("sniffed %s, want html", kind)
	}
	d := mustExtract(t, path, kind)
	got := lineTexts(d.Pages[0].Lines)
	want := []string{
		"Invoice #42",
		"Dear customer,",
		"thank you.",
		"Item Qty Price",
		"Widget & bolt 2 € 10.00",
		"Total € 20.00",
		"a < b link",
		"after an icon",
		"line one",
		"line two",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestGroupLines(t *testing.T) {
	word := func(text string, x, baseline, size float64) placedWord {
		return placedWord{
			Word:     Word{Text: text, Box: Box{X0: x, Y0: baseline - 0.8*size, X1: x + float64(len(text))*size/2, Y1: baseline + 0.2*size}, Conf: 1},
			baseline: baseline,
			size:     size,
		}
	}
	words := []placedWord{
		word("Total", 400, 100, 10), // right column first, as content streams often are
		word("Date:", 50, 100.5, 12),
		word("Date:", 50.2, 100.5, 12), // drawn twice for a bold effect
		word("2024-01-02", 90, 100, 10),
		word("5.00", 450, 101, 10),
		word("Next", 50, 114, 10),
		word("Page", 500, 40, 6), // small, top-aligned with a large title
		word("Invoice", 50, 44, 20),
	}
	got := lineTexts(groupLines(words))
	want := []string{"Invoice Page", "Date: 2024-01-02 Total 5.00", "Next"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

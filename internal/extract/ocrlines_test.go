package extract

import (
	"context"
	"image"
	"image/color"
	"math"
	"slices"
	"testing"
)

// Lines on one row (a label and its value read as two lines) share a band;
// each band has a margin above and below, within the page.
func TestLineBands(t *testing.T) {
	p := ocrPage{lines: map[int]Box{
		1: {X0: 10, Y0: 10, X1: 100, Y1: 30},
		2: {X0: 200, Y0: 12, X1: 300, Y1: 28}, // the same row, further right
		3: {X0: 10, Y0: 50, X1: 100, Y1: 70},
		4: {X0: 10, Y0: 88, X1: 100, Y1: 98}, // its margin reaches past the page
	}}
	got := lineBands(p, 100)
	// Margins: 0.35 of a line's height, at least 4 pixels.
	want := [][2]int{{3, 37}, {43, 77}, {84, 100}}
	if !slices.Equal(got, want) {
		t.Errorf("lineBands = %v, want %v", got, want)
	}
}

// A mark cut out of the page, enlarged and stacked, comes back to where it
// was on the page; rows between the bands are not in the stack.
func TestStackLinesRoundTrip(t *testing.T) {
	mark := image.Rect(40, 150, 90, 170)
	g := grayPage(200, 300, 0xff, mark)
	// Ink outside every band: it must not reach the stack.
	g.SetGray(5, 100, color.Gray{})
	rows := [][2]int{{20, 60}, {140, 180}}
	const scale = 2.5
	stack, bands := stackLines(g, rows, scale)
	if w, h := stack.Bounds().Dx(), stack.Bounds().Dy(); w != 500 || h != 2*(100+2*rereadGap) {
		t.Fatalf("stack %dx%d, want 500x%d", w, h, 2*(100+2*rereadGap))
	}
	// The mark's box in the stack.
	ink := image.Rectangle{}
	dark := 0
	for y := range stack.Bounds().Dy() {
		for x := range stack.Bounds().Dx() {
			if stack.GrayAt(x, y).Y < 128 {
				dark++
				ink = ink.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if want := int(50 * 20 * scale * scale); math.Abs(float64(dark-want)) > 0.1*float64(want) {
		t.Errorf("%d dark pixels in the stack, want about %d (the mark alone)", dark, want)
	}
	word := ocrWord{text: "mark", line: 7, box: Box{X0: float64(ink.Min.X), Y0: float64(ink.Min.Y), X1: float64(ink.Max.X), Y1: float64(ink.Max.Y)}}
	back := unstack(ocrPage{words: []ocrWord{word}, lines: map[int]Box{7: word.box}}, bands, scale, 200, 300)
	if len(back.words) != 1 {
		t.Fatalf("unstack kept %d words, want 1", len(back.words))
	}
	b := back.words[0].box
	for _, d := range []float64{b.X0 - 40, b.Y0 - 150, b.X1 - 90, b.Y1 - 170} {
		if math.Abs(d) > 1 {
			t.Errorf("the mark came back at %+v, want %v", b, mark)
			break
		}
	}
	if back.lines[7] != b || back.width != 200 || back.height != 300 {
		t.Errorf("unstack: line %+v, page %gx%g; want the word's box, 200x300", back.lines[7], back.width, back.height)
	}
}

// The cuts are enlarged towards rereadHeight, by at most rereadMaxScale,
// never shrunk, and kept within maxRenderPixels.
func TestRereadScale(t *testing.T) {
	for _, c := range []struct {
		height    float64
		width, px int
		want      float64
		page      float64
	}{
		{16, 800, 1000, 2, 1e9},
		{8, 800, 1000, rereadMaxScale, 1e9},
		{40, 800, 1000, 1, 1e9},
		{0, 800, 1000, 1, 1e9},
		{8, 800, 1000, 2, 1.6e6}, // at most twice the page's pixels
		{8, 2000, 2000, 2, 1e9},  // 4 Mpx at 2x is 16 Mpx, maxRenderPixels
	} {
		if got := rereadScale(c.height, c.width, c.px, c.page); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("rereadScale(%g, %d, %d, %g) = %g, want %g", c.height, c.width, c.px, c.page, got, c.want)
		}
	}
}

// A scanned invoice's lines, read again, come after the block reading in
// Page.Alt, on the heights of the first reading's lines. The scan is
// clean: the engine reads its lines again only when told to for every
// page (RereadLinesBelow 101), and by default it does not.
func TestOCRLinesReadAgain(t *testing.T) {
	needTesseract(t)
	d, err := engine.Extract(context.Background(), "testdata/scan-invoice.png", KindPNG)
	if err != nil {
		t.Fatal(err)
	}
	if run := d.Pages[0].OCR; run == nil || slices.Contains(run.Tried, "lines") {
		t.Errorf("Page.OCR = %+v of a page read surely, want its lines not read again", run)
	}
	// Every reading must finish, on a loaded machine too: a tripled
	// budget.
	always := newTestEngine(t, Config{RereadLinesBelow: 101, OCRBudgetPercent: 300})
	if d, err = always.Extract(context.Background(), "testdata/scan-invoice.png", KindPNG); err != nil {
		t.Fatal(err)
	}
	p := d.Pages[0]
	if run := p.OCR; run == nil || run.Tried[len(run.Tried)-1] != "lines" {
		t.Fatalf("Page.OCR = %+v, want the lines read again last", run)
	}
	// The invoice number is in both other readings, at its line's height.
	first := lineWith(t, d, "INV/2023/03/0008")
	var heights []float64
	for _, l := range p.Alt {
		if over := min(first.Box.Y1, l.Box.Y1) - max(first.Box.Y0, l.Box.Y0); over > (first.Box.Y1-first.Box.Y0)/2 &&
			containsWord(l, "INV/2023/03/0008") {
			heights = append(heights, l.Box.Y0)
		}
	}
	if len(heights) != 2 {
		t.Errorf("the invoice number at its line's height in %d of the other readings' lines, want 2 (block, lines)", len(heights))
	}
	alt := &Document{Pages: []Page{{Number: 1, Width: p.Width, Height: p.Height, Lines: p.Alt}}}
	checkOCRWords(t, alt)
}

func containsWord(l Line, s string) bool {
	for _, w := range l.Words {
		if w.Text == s {
			return true
		}
	}
	return false
}

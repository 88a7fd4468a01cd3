package extract

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writePNG encodes g as a PNG file in a temporary directory.
func writePNG(t *testing.T, name string, g image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, g); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, b.Bytes())
}

func TestOCRRetryDotMatrix(t *testing.T) {
	needTesseract(t)
	// A receipt printed by a 5x7-dot printer: every dot stands alone, and
	// Tesseract, reading the image as it is, finds no word.
	const path = "testdata/dotmatrix-receipt.png"
	want := []string{"SUNRISE MART", "INVOICE", "14/03/2018", "THANK YOU"}
	d, err := engine.ExtractWith(context.Background(), path, KindPNG, ExtractOptions{OCRSinglePass: true})
	if err == nil {
		for _, w := range want {
			if strings.Contains(d.Text(), w) {
				t.Fatalf("one pass read %q: the fixture no longer needs retries:\n%s", w, d.Text())
			}
		}
	} else {
		wantCode(t, "ExtractWith(dot matrix, single pass)", err, CodeEmptyDocument)
	}

	d, err = engine.Extract(context.Background(), path, KindPNG)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(d.Text(), w) {
			t.Errorf("text lacks %q:\n%s", w, d.Text())
		}
	}
	run := d.Pages[0].OCR
	if run == nil || !strings.Contains(run.Pass, "thicken") || len(run.Tried) < 2 || run.Tried[0] != "original" {
		t.Errorf("Page.OCR = %+v, want a thickening pass after the original", run)
	}
	if p := d.Pages[0]; p.Width != 1040 || p.Height != 800 {
		t.Errorf("page %gx%g, want the image's 1040x800", p.Width, p.Height)
	}
	checkOCRWords(t, d)
}

func TestOCRRetryRotated(t *testing.T) {
	needTesseract(t)
	if !engine.ocr.has("osd") {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but Tesseract has no osd: .ci/run must install tesseract-ocr-osd")
		}
		t.Skip("Tesseract's osd (orientation detection) is not installed")
	}
	img, err := png.Decode(bytes.NewReader(readTestdata(t, "scan-invoice.png")))
	if err != nil {
		t.Fatal(err)
	}
	// The scan lying on its side, turned a quarter clockwise. The budget
	// is tripled: the test is about which pass wins, and a loaded machine
	// (CI runs the browser tests beside it) can push the upright pass
	// over the default budget, which kills it.
	path := writePNG(t, "sideways.png", rotateQuarter(toGray(img), 1))
	roomy := newTestEngine(t, Config{OCRBudgetPercent: 300})
	d, err := roomy.Extract(context.Background(), path, KindPNG)
	if err != nil {
		t.Fatal(err)
	}
	run := d.Pages[0].OCR
	if run == nil || !strings.HasPrefix(run.Pass, "rot270") {
		t.Fatalf("Page.OCR = %+v, want a pass turned upright (rot270)", run)
	}
	// Read upright: the page is the upright scan's, lines run across it.
	if p := d.Pages[0]; p.Width != 1240 || p.Height != 1754 {
		t.Errorf("page %gx%g, want the upright 1240x1754", p.Width, p.Height)
	}
	if l := lineWith(t, d, "INV/2023/03/0008"); l.Text != "Invoice INV/2023/03/0008" {
		t.Errorf("invoice number line = %q, want %q", l.Text, "Invoice INV/2023/03/0008")
	}
	lineWith(t, d, "03/20/2023 04/04/2023")
	checkOCRWords(t, d)
	// The second reading is of the image as it came: not of a page that
	// a pass turned.
	if alt := d.Pages[0].Alt; alt != nil {
		t.Errorf("a turned page has a second reading of %d lines, want none", len(alt))
	}
}

// An image is read a second time as one block of text (Page.Alt), in the
// first reading's coordinates; a single pass has none.
func TestOCRSecondReading(t *testing.T) {
	needTesseract(t)
	d, err := newTestEngine(t, Config{RereadLinesBelow: 101}).Extract(context.Background(), "testdata/scan-invoice.png", KindPNG)
	if err != nil {
		t.Fatal(err)
	}
	p := d.Pages[0]
	if run := p.OCR; run == nil || len(run.Tried) < 2 || run.Tried[len(run.Tried)-2] != "block" {
		t.Fatalf("Page.OCR = %+v, want the block reading before the lines read again", run)
	}
	if len(p.Alt) < 5 {
		t.Fatalf("second reading: %d lines, want the page's text", len(p.Alt))
	}
	alt := &Document{Pages: []Page{{Number: 1, Width: p.Width, Height: p.Height, Lines: p.Alt}}}
	checkOCRWords(t, alt)
	// The invoice number's line stands at the same height in both.
	first := lineWith(t, d, "INV/2023/03/0008")
	second := lineWith(t, alt, "INV/2023/03/0008")
	if over := min(first.Box.Y1, second.Box.Y1) - max(first.Box.Y0, second.Box.Y0); over < (first.Box.Y1-first.Box.Y0)/2 {
		t.Errorf("the invoice number's line: first reading %+v, second %+v, want them on one height", first.Box, second.Box)
	}

	d, err = engine.ExtractWith(context.Background(), "testdata/scan-invoice.png", KindPNG, ExtractOptions{OCRSinglePass: true})
	if err != nil {
		t.Fatal(err)
	}
	if alt := d.Pages[0].Alt; alt != nil {
		t.Errorf("a single pass has a second reading of %d lines, want none", len(alt))
	}
}

func TestOCRRetryBudget(t *testing.T) {
	needTesseract(t)
	// A page of ink that is no text: every pass reads next to nothing,
	// and the retries stop at the budget.
	rng := rand.New(rand.NewPCG(1, 2))
	g := image.NewGray(image.Rect(0, 0, 1200, 1600))
	for i := range g.Pix {
		g.Pix[i] = 255
		if rng.IntN(50) == 0 {
			g.Pix[i] = byte(rng.IntN(100))
		}
	}
	path := filepath.Join(t.TempDir(), "noise.pgm")
	if err := writeGrayPGM(path, g); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pages, cpu, err := engine.runOCR(ctx, path, 0, int64(len(g.Pix)), []string{"eng"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	first := ocrPage{lines: map[int]Box{}}
	if len(pages) > 0 {
		first = pages[0]
	}
	start := time.Now()
	in := ocrInput{first: first, cpu: cpu, langs: []string{"eng"}, upright: true,
		gray: func() (*image.Gray, error) { return g, nil }}
	best, _, run, err := engine.ocrBest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	pixels := float64(len(g.Pix))
	budget := min(ocrBudgetMax, max(ocrBudgetMin, time.Duration(float64(ocrCost(pixels))*ocrBudgetFactor)))
	// The passes run fit the budget by their estimates.
	var estimated time.Duration
	for _, name := range run.Tried[1:] {
		scale := 1.0
		switch {
		case name == "osd":
			estimated += ocrCost(pixels) / 2
			continue
		case strings.Contains(name, "x2"):
			scale = 2
		case strings.Contains(name, "x1.5"):
			scale = 1.5
		}
		estimated += ocrCost(pixels * scale * scale)
	}
	if estimated > budget {
		t.Errorf("tried %v, estimated %v of CPU, want within the budget %v", run.Tried, estimated, budget)
	}
	// No process outlives the budget: each is killed past it.
	if extra := run.CPU - cpu; extra > time.Duration(len(run.Tried)-1)*(budget+cpuPoll) {
		t.Errorf("retries took %v of CPU (tried %v), want at most the budget %v a pass", extra, run.Tried, budget)
	}
	if len(run.Tried) < 2 {
		t.Errorf("tried %v, want retries on a page with ink", run.Tried)
	}
	if s := passStats(best); s.words > 20 {
		t.Errorf("noise read as %d words (pass %s)", s.words, run.Pass)
	}
	t.Logf("noise page: first pass %v, all passes %v CPU in %v: %v, won %s", cpu, run.CPU, time.Since(start), run.Tried, run.Pass)

	// A first pass charged ten times the CPU (a machine loaded by other
	// work) runs the same passes: the budget is estimated, not measured.
	in.cpu = 10 * cpu
	_, _, loaded, err := engine.ocrBest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(loaded.Tried, run.Tried) {
		t.Errorf("first pass charged %v: tried %v, want the passes of %v: %v", in.cpu, loaded.Tried, cpu, run.Tried)
	}
}

// grayPage is a w×h page of gray level bg with black ink on each of marks.
func grayPage(w, h int, bg uint8, marks ...image.Rectangle) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = bg
	}
	for _, m := range marks {
		for y := m.Min.Y; y < m.Max.Y; y++ {
			for x := m.Min.X; x < m.Max.X; x++ {
				g.Pix[y*g.Stride+x] = 0
			}
		}
	}
	return g
}

func TestOCRRetryFake(t *testing.T) {
	// Tesseract that reads two words on any page: each page that paints
	// something is read again, preprocessed, a bounded number of times;
	// a blank page is not.
	bin, dir := fakeTesseract(t, "", fakeTSV)
	e := newTestEngine(t, Config{TesseractPath: bin, Workers: 2})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	ink := grayPage(600, 400, 255, image.Rect(100, 100, 400, 120))
	blank := grayPage(600, 400, 250)
	for _, tt := range []struct {
		name           string
		img            image.Image
		minRuns, nRuns int
	}{
		{"blank", blank, 1, 1},
		{"ink", ink, 3, 8},
	} {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, "args.log"))
			path := writePNG(t, tt.name+".png", tt.img)
			d, err := e.Extract(context.Background(), path, KindPNG)
			if err != nil {
				t.Fatal(err)
			}
			args := readLog(t, filepath.Join(dir, "args.log"))
			if len(args) < tt.minRuns || len(args) > tt.nRuns {
				t.Errorf("tesseract ran %d times, want %d to %d: %q", len(args), tt.minRuns, tt.nRuns, args)
			}
			run := d.Pages[0].OCR
			if run == nil || len(run.Tried) != len(args) {
				t.Errorf("Page.OCR = %+v, want one entry in Tried per run (%d)", run, len(args))
			}
			// Every pass reads the same two words: none beats the first.
			if run != nil && run.Pass != "original" {
				t.Errorf("pass %q won, want original (no pass read more)", run.Pass)
			}
			// The passes read preprocessed copies; then the second
			// reading reads the image itself as one block, and last the
			// stack of its lines cut out (rereadLines) is read as one
			// block. A blank page gets none of them.
			retries := args[1:]
			if tt.name == "ink" {
				if block := args[len(args)-2]; !strings.Contains(block, "--psm 6") || !strings.HasPrefix(block, path) {
					t.Errorf("tesseract run before the last %s; want the second reading of %s (--psm 6)", block, path)
				}
				if last := args[len(args)-1]; !strings.Contains(last, "--psm 6") || !strings.HasSuffix(strings.Fields(last)[0], "lines.pgm") {
					t.Errorf("last tesseract run %s; want the lines' stack (lines.pgm, --psm 6)", last)
				}
				retries = args[1 : len(args)-2]
			}
			for _, a := range retries {
				if f := strings.Fields(a); !strings.HasSuffix(f[0], ".pgm") && !strings.Contains(a, "--psm 0") {
					t.Errorf("retry tesseract %s; want a preprocessed .pgm", a)
				}
			}
			if run != nil && run.Blank != (tt.name == "blank") {
				t.Errorf("Page.OCR.Blank = %v on the %s page", run.Blank, tt.name)
			}
		})
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestOCRVariantUnmap(t *testing.T) {
	// A dot at (300, 700) of a 1000x1000 page, deskewed and upscaled,
	// maps back onto itself.
	g := grayPage(1000, 1000, 255, image.Rect(298, 698, 302, 702))
	v := ocrVariant{scale: 2, angle: 0.03}
	out := v.apply(g)
	dot := Box{X0: 1e9, Y0: 1e9}
	for y := range out.Bounds().Dy() {
		for x := range out.Bounds().Dx() {
			if out.Pix[y*out.Stride+x] < 128 {
				dot = Box{X0: min(dot.X0, float64(x)), Y0: min(dot.Y0, float64(y)), X1: max(dot.X1, float64(x+1)), Y1: max(dot.Y1, float64(y+1))}
			}
		}
	}
	got := v.unmap(dot, 1000, 1000)
	if cx, cy := (got.X0+got.X1)/2, (got.Y0+got.Y1)/2; cx < 298 || cx > 302 || cy < 698 || cy > 702 {
		t.Errorf("dot at %+v in the variant maps back to %+v, want about (300, 700)", dot, got)
	}
	if dot.X0 > 590 && dot.X0 < 610 {
		t.Errorf("dot at %+v in the variant: the deskew did not move it", dot)
	}
	// rotateQuarter: four quarter turns give the image back.
	g = image.NewGray(image.Rect(0, 0, 3, 2))
	copy(g.Pix, []byte{1, 2, 3, 4, 5, 6})
	r := rotateQuarter(g, 1)
	if r.Bounds().Dx() != 2 || r.Bounds().Dy() != 3 || !bytes.Equal(r.Pix, []byte{4, 1, 5, 2, 6, 3}) {
		t.Errorf("rotateQuarter(1) = %v %v, want 2x3 [4 1 5 2 6 3]", r.Bounds(), r.Pix)
	}
	for range 3 {
		r = rotateQuarter(r, 1)
	}
	if !bytes.Equal(r.Pix, g.Pix) {
		t.Errorf("four quarter turns = %v, want %v", r.Pix, g.Pix)
	}
}

func TestOCRPassStats(t *testing.T) {
	// Noise (short, unsure, punctuation) scores far below a few real words.
	noise := ocrPage{}
	for range 40 {
		noise.words = append(noise.words, ocrWord{text: "'.", conf: 30, box: Box{Y1: 10}}, ocrWord{text: "il", conf: 45, box: Box{Y1: 10}})
	}
	text := ocrPage{words: []ocrWord{
		{text: "TOTAL", conf: 92, box: Box{Y1: 20}}, {text: "24.20", conf: 90, box: Box{Y1: 20}},
		{text: "14/03/2018", conf: 88, box: Box{Y1: 20}}, {text: "SUNRISE", conf: 91, box: Box{Y1: 20}},
	}}
	if n, w := passStats(noise).score, passStats(text).score; n >= w {
		t.Errorf("score of 80 noise words %g >= score of 4 words %g", n, w)
	}
	if !passStats(noise).poor() || !passStats(text).poor() {
		t.Errorf("noise and 4 words should be poor passes")
	}
}

func TestOCRRetryScannedPDF(t *testing.T) {
	needTesseract(t)
	// The dot-matrix receipt as a PDF page that paints each dot as a
	// little square: no text layer, so the page is rendered and OCRed, and
	// read again thickened.
	img, err := png.Decode(bytes.NewReader(readTestdata(t, "dotmatrix-receipt.png")))
	if err != nil {
		t.Fatal(err)
	}
	g := toGray(img)
	var ops strings.Builder
	ops.WriteString("0 g\n")
	const pitch, dot = 1.44, 0.72 // points: 4 and 2 pixels at 200 dpi
	for y := 0; y < g.Bounds().Dy(); y += 4 {
		for x := 0; x < g.Bounds().Dx(); x += 4 {
			if g.Pix[(y+1)*g.Stride+x+1] < 128 {
				fmt.Fprintf(&ops, "%.2f %.2f %.2f %.2f re f\n", 36+float64(x/4)*pitch, 792-36-float64(y/4+1)*pitch, dot, dot)
			}
		}
	}
	path := writeFile(t, "dotmatrix.pdf", minimalPDF([]string{ops.String()}, true))
	d, err := engine.ExtractWith(context.Background(), path, KindPDF, ExtractOptions{OCRSinglePass: true})
	if err == nil && strings.Contains(d.Text(), "SUNRISE MART") {
		t.Fatalf("one pass read the receipt: the test no longer needs retries:\n%s", d.Text())
	}
	d, err = engine.Extract(context.Background(), path, KindPDF)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"SUNRISE MART", "14/03/2018", "THANK YOU"} {
		if !strings.Contains(d.Text(), w) {
			t.Errorf("text lacks %q:\n%s", w, d.Text())
		}
	}
	if run := d.Pages[0].OCR; run == nil || !strings.Contains(run.Pass, "thicken") {
		t.Errorf("Page.OCR = %+v, want a thickening pass", run)
	}
	// Words are in points, where the dots were painted.
	w := findWord(t, d, "SUNRISE")
	if w.Box.X0 < 30 || w.Box.X0 > 50 || w.Box.Y0 < 30 || w.Box.Y1 > 60 {
		t.Errorf("SUNRISE at %+v, want near (36, 36) points", w.Box)
	}
}

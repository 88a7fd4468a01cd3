package extract

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/ort/orttest"
)

func TestPaddleReadsScan(t *testing.T) {
	e := newTestEngine(t, Config{OCRModels: orttest.ModelsDir(t)})
	d, err := e.ExtractWith(context.Background(), "testdata/scan-invoice.png", KindPNG, ExtractOptions{Languages: []string{"eng"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pages) != 1 || d.Pages[0].OCR == nil || d.Pages[0].OCR.Pass != "paddle" {
		t.Fatalf("pages %d, OCR %+v; want one page read by the models", len(d.Pages), d.Pages[0].OCR)
	}
	for _, want := range []string{"Subtotal", "CUSTREF123", "03/20/2023"} {
		lineWith(t, d, want)
	}
	// Words are split at spaces: the total's label and amount are two.
	l := lineWith(t, d, "279.84")
	texts := wordTexts(l.Words)
	if len(l.Words) < 2 || l.Words[len(l.Words)-1].Text != "279.84" && !strings.HasSuffix(l.Words[len(l.Words)-1].Text, "279.84") {
		t.Errorf("total line words %q, want the amount a word of its own", texts)
	}
	checkOCRWords(t, d)
	// The amount's box lies right of its label's.
	if a, b := l.Words[0].Box, l.Words[len(l.Words)-1].Box; b.X0 < a.X1 {
		t.Errorf("label box %+v overlaps amount box %+v", a, b)
	}
}

// Pages in a language whose letters the models lack stay Tesseract's.
func TestPaddleLeavesOtherLanguagesToTesseract(t *testing.T) {
	needTesseract(t)
	e := newTestEngine(t, Config{OCRModels: orttest.ModelsDir(t)})
	d, err := e.ExtractWith(context.Background(), "testdata/scan-invoice.png", KindPNG, ExtractOptions{Languages: []string{"deu"}})
	if err != nil {
		t.Fatal(err)
	}
	if run := d.Pages[0].OCR; run == nil || run.Pass == "paddle" {
		t.Fatalf("OCR run %+v, want Tesseract's", run)
	}
	d, err = e.ExtractWith(context.Background(), "testdata/scan-invoice.jpg", KindJPEG, ExtractOptions{Languages: []string{"eng"}})
	if err != nil {
		t.Fatal(err)
	}
	if run := d.Pages[0].OCR; run == nil || run.Pass != "paddle" {
		t.Fatalf("OCR run %+v, want the models'", run)
	}
}

func TestOpenPaddleMissingFile(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"det.onnx", "rec.onnx", "keys.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := NewEngine(Config{CacheDir: cacheDir, OCRModels: dir})
	if err == nil || !strings.Contains(err.Error(), "libonnxruntime.so") {
		t.Fatalf("err = %v, want one naming the missing libonnxruntime.so", err)
	}
}

// lineCrop draws a line of "letters" (ink blocks w wide, gap apart) with
// a space of space pixels after the third, and returns it with the
// blocks' centres.
func lineCrop(w, gap, space int) (*image.Gray, []float64) {
	g := image.NewGray(image.Rect(0, 0, 200, 30))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	var centres []float64
	x := 5
	for i := range 6 {
		for y := 8; y < 22; y++ {
			for dx := range w {
				g.Pix[y*g.Stride+x+dx] = 0
			}
		}
		centres = append(centres, float64(x)+float64(w)/2)
		x += w + gap
		if i == 2 {
			x += space
		}
	}
	return g, centres
}

func TestInkGaps(t *testing.T) {
	g, _ := lineCrop(8, 2, 10)
	gaps := inkGaps(g)
	if len(gaps) != 1 {
		t.Fatalf("gaps %v, want the one space", gaps)
	}
	// Monospaced print: letters 3 px apart, a space of 14 px.
	g, _ = lineCrop(6, 3, 11)
	if gaps := inkGaps(g); len(gaps) != 1 {
		t.Fatalf("monospaced: gaps %v, want the one space", gaps)
	}
	// No space: no gap.
	g, _ = lineCrop(8, 2, 0)
	if gaps := inkGaps(g); len(gaps) != 0 {
		t.Fatalf("no space: gaps %v, want none", gaps)
	}
}

func TestWordsOf(t *testing.T) {
	g, centres := lineCrop(8, 2, 10)
	gaps := inkGaps(g)
	box := image.Rect(100, 50, 300, 80)
	chars := func(s string) []ctcChar {
		var out []ctcChar
		for i, r := range s {
			out = append(out, ctcChar{text: string(r), step: i, p: 0.9})
		}
		return out
	}
	at := func(step int) float64 { return centres[step] }
	words := wordsOf(chars("TOTAL1"), at, gaps, box)
	if len(words) != 2 || words[0].text != "TOT" || words[1].text != "AL1" {
		t.Fatalf("words %+v, want TOT and AL1", words)
	}
	if w := words[1]; w.box.X0 < 100+gaps[0][1]-1 || w.box.X0 > 100+centres[3] || w.box.Y0 != 50 || w.box.Y1 != 80 {
		t.Errorf("second word's box %+v, want it to start after the gap %v", w.box, gaps[0])
	}
	if c := words[0].conf; c < 89.9 || c > 90.1 {
		t.Errorf("conf %g, want 90", c)
	}
	// A decimal point after a digit never starts a word.
	words = wordsOf(chars("123.50"), at, gaps, box)
	if len(words) != 1 || words[0].text != "123.50" {
		t.Errorf("number split: %+v", words)
	}
	// A space read splits too.
	words = wordsOf(chars("A BCDE"), at, nil, box)
	if len(words) != 2 || words[0].text != "A" || words[1].text != "BCDE" {
		t.Errorf("space: %+v", words)
	}
}

// An image over paddleMaxPixels is read scaled down, its boxes in its
// own pixels.
func TestPaddleReadsLargeScan(t *testing.T) {
	e := newTestEngine(t, Config{OCRModels: orttest.ModelsDir(t)})
	opts := ExtractOptions{Languages: []string{"eng"}}
	small, err := e.ExtractWith(context.Background(), "testdata/scan-invoice.png", KindPNG, opts)
	if err != nil {
		t.Fatal(err)
	}
	g, err := decodeGray("testdata/scan-invoice.png")
	if err != nil {
		t.Fatal(err)
	}
	big := scaleGray(g, 3) // 3720 x 5262: 19.6 megapixels
	var buf bytes.Buffer
	if err := png.Encode(&buf, big); err != nil {
		t.Fatal(err)
	}
	d, err := e.ExtractWith(context.Background(), writeFile(t, "big.png", buf.Bytes()), KindPNG, opts)
	if err != nil {
		t.Fatal(err)
	}
	p := d.Pages[0]
	if p.OCR == nil || p.OCR.Pass != "paddle" || p.Width != 3720 || p.Height != 5262 {
		t.Fatalf("page %gx%g read by %+v, want 3720x5262 read by the models", p.Width, p.Height, p.OCR)
	}
	checkOCRWords(t, d)
	a, b := lineWith(t, small, "279.84"), lineWith(t, d, "279.84")
	wa, wb := a.Words[len(a.Words)-1].Box, b.Words[len(b.Words)-1].Box
	if math.Abs(wb.X0-3*wa.X0) > 30 || math.Abs(wb.Y0-3*wa.Y0) > 30 {
		t.Errorf("the total's box %+v on the large scan, want about 3 x %+v", wb, wa)
	}
}

// A truncated image whose header is whole reaches the models' path and
// fails as a corrupt document, not a crash.
func TestPaddleTruncatedImage(t *testing.T) {
	e := newTestEngine(t, Config{OCRModels: orttest.ModelsDir(t)})
	jpg := readTestdata(t, "scan-invoice.jpg")
	path := writeFile(t, "cut.jpg", jpg[:len(jpg)/3])
	_, err := e.ExtractWith(context.Background(), path, KindJPEG, ExtractOptions{Languages: []string{"eng"}})
	if !IsCode(err, CodeCorruptDocument) {
		t.Fatalf("err = %v, want %s", err, CodeCorruptDocument)
	}
}

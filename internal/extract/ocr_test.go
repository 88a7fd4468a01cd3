package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/gif"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/extract/pdftest"
)

// needTesseract skips a test that needs the real Tesseract when it is not
// installed, except in CI (CI=true), where such a test must run and fails
// instead: .ci/run installs tesseract-ocr with the eng, fra, deu and spa
// languages.
func needTesseract(t *testing.T) {
	t.Helper()
	if _, err := engine.OCRLanguages(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but OCR is unavailable (%v): .ci/run must install tesseract-ocr", err)
		}
		t.Skipf("OCR unavailable, install Debian's tesseract-ocr to run this test: %v", err)
	}
}

// noOCREngine is an Engine whose Tesseract does not exist.
func noOCREngine(t *testing.T) *Engine {
	t.Helper()
	return newTestEngine(t, Config{TesseractPath: filepath.Join(t.TempDir(), "no-such-tesseract")})
}

// allWords returns every word of d.
func allWords(d *Document) []Word {
	var ws []Word
	for _, p := range d.Pages {
		for _, l := range p.Lines {
			ws = append(ws, l.Words...)
		}
	}
	return ws
}

// checkOCRWords checks what any OCR result must satisfy: confidences in
// [0,1] and not all 1, boxes inside their page.
func checkOCRWords(t *testing.T, d *Document) {
	t.Helper()
	below1 := 0
	for _, p := range d.Pages {
		for _, l := range p.Lines {
			for _, w := range l.Words {
				if w.Conf < 0 || w.Conf > 1 {
					t.Errorf("word %q conf = %g, want within [0,1]", w.Text, w.Conf)
				}
				if w.Conf < 1 {
					below1++
				}
				b := w.Box
				if b.X0 < -1 || b.Y0 < -1 || b.X1 > p.Width+1 || b.Y1 > p.Height+1 || b.X1 <= b.X0 || b.Y1 <= b.Y0 {
					t.Errorf("page %d (%gx%g): word %q box %+v outside the page", p.Number, p.Width, p.Height, w.Text, b)
				}
			}
		}
	}
	if below1 == 0 {
		t.Errorf("every OCR word has conf 1; want Tesseract's confidences")
	}
}

// scanCrop returns the part of the scanned invoice that holds its number
// and dates, for images made in the tests.
func scanCrop(t *testing.T) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readTestdata(t, "scan-invoice.png")))
	if err != nil {
		t.Fatal(err)
	}
	type subImager interface {
		SubImage(image.Rectangle) image.Image
	}
	return img.(subImager).SubImage(image.Rect(40, 380, 740, 610))
}

// encodeBMP writes img as an uncompressed 8-bit grey BMP (bottom-up rows).
func encodeBMP(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	stride := (w + 3) &^ 3
	var buf bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 14+40+256*4)
	copy(hdr, "BM")
	le.PutUint32(hdr[2:], uint32(len(hdr)+stride*h))
	le.PutUint32(hdr[10:], uint32(len(hdr)))
	le.PutUint32(hdr[14:], 40)
	le.PutUint32(hdr[18:], uint32(w))
	le.PutUint32(hdr[22:], uint32(h))
	le.PutUint16(hdr[26:], 1)
	le.PutUint16(hdr[28:], 8)
	le.PutUint32(hdr[46:], 256)
	for i := range 256 {
		hdr[54+4*i], hdr[55+4*i], hdr[56+4*i] = byte(i), byte(i), byte(i)
	}
	buf.Write(hdr)
	row := make([]byte, stride)
	for y := b.Max.Y - 1; y >= b.Min.Y; y-- {
		for x := range w {
			r, g, bl, _ := img.At(b.Min.X+x, y).RGBA()
			row[x] = byte((r + g + bl) / 3 >> 8)
		}
		buf.Write(row)
	}
	return buf.Bytes()
}

func TestOCRImages(t *testing.T) {
	needTesseract(t)
	crop := scanCrop(t)
	var gifData bytes.Buffer
	if err := gif.Encode(&gifData, crop, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		path          string
		kind          Kind
		width, height float64
		pages         int
	}{
		{"png", "testdata/scan-invoice.png", KindPNG, 1240, 1754, 1},
		{"jpeg", "testdata/scan-invoice.jpg", KindJPEG, 1240, 1754, 1},
		{"webp", "testdata/scan-crop.webp", KindWebP, 700, 230, 1},
		{"gif", writeFile(t, "crop.gif", gifData.Bytes()), KindGIF, 700, 230, 1},
		{"bmp", writeFile(t, "crop.bmp", encodeBMP(crop)), KindBMP, 700, 230, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if kind := sniffFile(t, tt.path); kind != tt.kind {
				t.Fatalf("Sniff = %s, want %s", kind, tt.kind)
			}
			d := mustExtract(t, tt.path, tt.kind)
			if len(d.Pages) != tt.pages {
				t.Fatalf("%d pages, want %d", len(d.Pages), tt.pages)
			}
			if p := d.Pages[0]; p.Number != 1 || p.Width != tt.width || p.Height != tt.height {
				t.Errorf("page = %d %gx%g, want 1 %gx%g (pixels)", p.Number, p.Width, p.Height, tt.width, tt.height)
			}
			// The invoice number shares its line with its label.
			if l := lineWith(t, d, "INV/2023/03/0008"); l.Text != "Invoice INV/2023/03/0008" {
				t.Errorf("invoice number line = %q, want %q", l.Text, "Invoice INV/2023/03/0008")
			}
			// The dates sit below their labels, one row each.
			_, label := lineIndex(d, "Invoice Date:")
			_, value := lineIndex(d, "03/20/2023 04/04/2023")
			if label < 0 || value != label+1 {
				t.Errorf("date labels at line %d, dates at %d; want the dates on the next line:\n%s", label, value, d.Text())
			}
			checkOCRWords(t, d)
		})
	}
}

func TestOCRFullPageScan(t *testing.T) {
	needTesseract(t)
	d := mustExtract(t, "testdata/scan-invoice.png", KindPNG)
	// The scan is turned by 0.6 degrees: cells of one row, far apart and
	// in different Tesseract blocks, still make one line.
	for _, want := range []string{"03/20/2023 04/04/2023 CUSTREF123", "Subtotal $ 112.00"} {
		lineWith(t, d, want)
	}
	if l := lineWith(t, d, "279.84"); !strings.HasPrefix(l.Text, "Total ") {
		t.Errorf("total line = %q, want it to start with its label", l.Text)
	}
}

func TestOCRMultiPageTIFF(t *testing.T) {
	needTesseract(t)
	d := mustExtract(t, "testdata/scan-2pages.tif", KindTIFF)
	if len(d.Pages) != 2 || d.Pages[1].Number != 2 {
		t.Fatalf("%d pages, want 2", len(d.Pages))
	}
	if p, _ := lineIndex(d, "Rechnungsnr. 30064443 Kundennr. 47774"); p != 0 {
		t.Errorf("invoice number line on page index %d, want 0:\n%s", p, d.Text())
	}
	if p, _ := lineIndex(d, "Total EUR 34,73"); p != 1 {
		t.Errorf("total line on page index %d, want 1:\n%s", p, d.Text())
	}
	checkOCRWords(t, d)
}

func TestOCRScannedPDF(t *testing.T) {
	needTesseract(t)
	d := mustExtract(t, "testdata/scan-invoice.pdf", KindPDF)
	p := d.Pages[0]
	if math.Abs(p.Width-595.2) > 1 || math.Abs(p.Height-842) > 1 {
		t.Errorf("page = %gx%g, want 595x842 points", p.Width, p.Height)
	}
	if l := lineWith(t, d, "INV/2023/03/0008"); l.Text != "Invoice INV/2023/03/0008" {
		t.Errorf("invoice number line = %q", l.Text)
	}
	// OCR boxes are in points like a text layer's: the scan was made from
	// AzureInterior.pdf, where poppler puts the number at 98.77,206.20 -
	// 276.04,229.17 (a loose box, taller than the ink OCR sees).
	w := findWord(t, d, "INV/2023/03/0008")
	if math.Abs(w.Box.X0-98.77) > 6 || math.Abs(w.Box.X1-276.04) > 6 || math.Abs((w.Box.Y0+w.Box.Y1)/2-217.7) > 6 {
		t.Errorf("box of the invoice number = %+v, want about {98.8 206.2 276.0 229.2}", w.Box)
	}
	checkOCRWords(t, d)
}

func TestOCRImageBesideTextLayer(t *testing.T) {
	needTesseract(t)
	// saeco.pdf has a full text layer, and its seller block (address,
	// bank details) only as a picture.
	d := mustExtract(t, "testdata/saeco.pdf", KindPDF)
	lineWith(t, d, "Badweg 48")
	iban := findWord(t, d, "NL58RABO0198723202")
	if iban.Conf >= 1 || iban.Box.Y0 < 700 {
		t.Errorf("IBAN word = %+v, want an OCR word (conf < 1) in the block at the bottom", iban)
	}
	// The text layer is kept as it is.
	if w := findWord(t, d, "VF1005193039"); w.Conf != 1 {
		t.Errorf("invoice number conf = %g, want 1 (text layer)", w.Conf)
	}
	if n := strings.Count(d.Text(), "Uw BTW nummer"); n != 1 {
		t.Errorf("text-layer line appears %d times, want once", n)
	}

	// Without Tesseract the same file reads from its text layer alone.
	d, err := noOCREngine(t).Extract(context.Background(), "testdata/saeco.pdf", KindPDF)
	if err != nil {
		t.Fatalf("Extract without OCR = %v, want the text layer", err)
	}
	lineWith(t, d, "VF1005193039")
	if p, _ := lineIndex(d, "Badweg"); p >= 0 {
		t.Errorf("seller block found without OCR")
	}
}

func TestOCRPriority(t *testing.T) {
	needTesseract(t)
	d, err := engine.ExtractWith(context.Background(), "testdata/AzureInterior.pdf", KindPDF, ExtractOptions{OCRPriority: true})
	if err != nil {
		t.Fatal(err)
	}
	if l := lineWith(t, d, "INV/2023/03/0008"); l.Text != "Invoice INV/2023/03/0008" {
		t.Errorf("invoice number line = %q", l.Text)
	}
	// OCR wins where both read a word.
	if w := findWord(t, d, "INV/2023/03/0008"); w.Conf >= 1 {
		t.Errorf("conf of the invoice number = %g, want the OCR's (< 1)", w.Conf)
	}
	if n := strings.Count(d.Text(), "INV/2023/03/0008"); n != 1 {
		t.Errorf("invoice number appears %d times, want once", n)
	}
}

func TestOCRUnavailable(t *testing.T) {
	e := noOCREngine(t)
	if langs, err := e.OCRLanguages(); err == nil {
		t.Errorf("OCRLanguages() = %v, nil; want an error", langs)
	}
	for _, tt := range []struct {
		path string
		kind Kind
		opts ExtractOptions
	}{
		{"testdata/scan-invoice.png", KindPNG, ExtractOptions{}},
		{"testdata/scan-2pages.tif", KindTIFF, ExtractOptions{}},
		{"testdata/scan-invoice.pdf", KindPDF, ExtractOptions{}},
		{"testdata/AzureInterior.pdf", KindPDF, ExtractOptions{OCRPriority: true}},
	} {
		_, err := e.ExtractWith(context.Background(), tt.path, tt.kind, tt.opts)
		wantCode(t, fmt.Sprintf("ExtractWith(%s, %+v)", tt.path, tt.opts), err, CodeOCRUnavailable)
	}
	// Counting pages needs no OCR.
	if n, err := e.Pages(context.Background(), "testdata/scan-2pages.tif", KindTIFF); n != 2 || err != nil {
		t.Errorf("Pages(tiff) = %d, %v; want 2", n, err)
	}
	// Nor does a text PDF.
	if _, err := e.Extract(context.Background(), "testdata/AzureInterior.pdf", KindPDF); err != nil {
		t.Errorf("Extract(text pdf) without OCR = %v", err)
	}
}

func TestOCRTimeout(t *testing.T) {
	needTesseract(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// Reading both pages takes seconds.
	_, err := engine.Extract(ctx, "testdata/scan-2pages.tif", KindTIFF)
	wantCode(t, "Extract(tiff, 300ms)", err, CodeTimeout)
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond+killGrace {
		t.Errorf("Extract returned after %v; Tesseract was not killed at the deadline", elapsed)
	}
}

// fakeTesseract writes a shell script that stands in for Tesseract: it
// lists eng, fra, deu and spa, logs its arguments to args.log, notes how
// many copies run at once in running.log, runs body (a shell command, e.g.
// a sleep), and prints tsv. It returns the script's path and its directory.
func fakeTesseract(t *testing.T, body, tsv string) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	script := fmt.Sprintf(`#!/bin/sh
if [ "$1" = "--list-langs" ]; then
  echo 'List of available languages in "/fake/" (5):'
  printf 'deu\neng\nfra\nosd\nspa\n'
  exit 0
fi
d=%[1]q
echo "$@" >> "$d/args.log"
mkdir -p "$d/run"
touch "$d/run/$$"
ls "$d/run" | wc -l >> "$d/running.log"
%[2]s
rm -f "$d/run/$$"
cat <<'EOF'
%[3]s
EOF
`, dir, body, tsv)
	path = filepath.Join(dir, "tesseract")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// fakeTSV is a page of 1700x2200 pixels with one line of two words.
const fakeTSV = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
	"1\t1\t0\t0\t0\t0\t0\t0\t1700\t2200\t-1\t\n" +
	"4\t1\t1\t1\t1\t0\t200\t400\t700\t50\t-1\t\n" +
	"5\t1\t1\t1\t1\t1\t200\t400\t300\t50\t91.5\tInvoice\n" +
	"5\t1\t1\t1\t1\t2\t600\t400\t300\t50\t42\tFAKE-123"

func readLog(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestOCRWithFakeTesseract(t *testing.T) {
	bin, dir := fakeTesseract(t, "sleep 0.2", fakeTSV)
	e := newTestEngine(t, Config{TesseractPath: bin, Workers: 2})
	if langs, err := e.OCRLanguages(); err != nil || !slices.Equal(langs, []string{"eng", "fra", "deu", "spa"}) {
		t.Fatalf("OCRLanguages() = %v, %v; want eng fra deu spa", langs, err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where rendered pages go

	// Five pages that only paint: each is rendered and OCRed, at most two
	// Tesseracts at once.
	pdf := writeFile(t, "scan.pdf", minimalPDF(slices.Repeat([]string{"0 0 1 rg 72 72 200 100 re f\n"}, 5), true))
	// One pass each: the retries of a page that reads little are
	// TestOCRRetryFake's.
	d, err := e.ExtractWith(context.Background(), pdf, KindPDF, ExtractOptions{Languages: []string{"de", "xx"}, OCRSinglePass: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pages) != 5 {
		t.Fatalf("%d pages, want 5", len(d.Pages))
	}
	for _, p := range d.Pages {
		want := []Line{{
			Text: "Invoice FAKE-123",
			// 200 dpi pixels in points: x*72/200.
			Words: []Word{{Text: "Invoice", Box: Box{72, 144, 180, 162}, Conf: 0.915}, {Text: "FAKE-123", Box: Box{216, 144, 324, 162}, Conf: 0.42}},
			Box:   Box{72, 144, 324, 162},
		}}
		if diff := cmp.Diff(want, p.Lines, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-9 })); diff != "" {
			t.Errorf("page %d lines (-want +got):\n%s", p.Number, diff)
		}
	}
	args := readLog(t, filepath.Join(dir, "args.log"))
	if len(args) != 5 {
		t.Fatalf("tesseract ran %d times, want 5: %q", len(args), args)
	}
	for _, a := range args {
		// The installed language of the call's; rendered pages carry
		// their resolution.
		if !strings.Contains(a, "stdout -l deu --psm 3 --dpi 200 tsv") || !strings.HasSuffix(strings.Fields(a)[0], ".pgm") {
			t.Errorf("tesseract %s; want a rendered .pgm, -l deu, --dpi 200", a)
		}
	}
	for _, n := range readLog(t, filepath.Join(dir, "running.log")) {
		if k, _ := strconv.Atoi(strings.TrimSpace(n)); k > 2 {
			t.Errorf("%d Tesseracts ran at once, want at most Workers (2)", k)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	// An image goes to Tesseract as it is, in the default languages.
	if _, err := e.Extract(context.Background(), "testdata/scan-crop.webp", KindWebP); err != nil {
		t.Fatal(err)
	}
	args = readLog(t, filepath.Join(dir, "args.log"))
	if last := args[len(args)-1]; last != "testdata/scan-crop.webp stdout -l eng+fra+deu+spa --psm 3 tsv" {
		t.Errorf("tesseract %s", last)
	}
}

func TestOCRKilledAtDeadline(t *testing.T) {
	bin, _ := fakeTesseract(t, "exec sleep 30", fakeTSV)
	e := newTestEngine(t, Config{TesseractPath: bin})
	for _, tt := range []struct {
		path string
		kind Kind
	}{
		{"testdata/scan-crop.webp", KindWebP},
		{"testdata/scan-invoice.pdf", KindPDF},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		_, err := e.Extract(ctx, tt.path, tt.kind)
		cancel()
		wantCode(t, "Extract("+tt.path+") with a stuck tesseract", err, CodeTimeout)
		if elapsed := time.Since(start); elapsed > 300*time.Millisecond+killGrace {
			t.Errorf("Extract(%s) returned after %v", tt.path, elapsed)
		}
	}
}

func TestOCRLanguagesConfig(t *testing.T) {
	bin, _ := fakeTesseract(t, "", fakeTSV)
	_, err := NewEngine(Config{TesseractPath: bin, CacheDir: cacheDir, OCRLanguages: []string{"deu", "ita"}})
	if err == nil || !strings.Contains(err.Error(), "ita") {
		t.Errorf("NewEngine(OCRLanguages with ita not installed) = %v, want an error naming ita", err)
	}
	e := newTestEngine(t, Config{TesseractPath: bin, OCRLanguages: []string{"de", "en-GB"}})
	if langs, _ := e.OCRLanguages(); !slices.Equal(langs, []string{"deu", "eng"}) {
		t.Errorf("OCRLanguages() = %v, want [deu eng]", langs)
	}
}

// pngHeader is a PNG signature and IHDR chunk claiming w x h pixels.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 4+13)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 0 // 8-bit grey
	out := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// tiffFile is a little-endian TIFF whose directories give the sizes; the
// last one's next-directory offset is next (0 ends the chain).
func tiffFile(sizes [][2]uint32, loop bool) []byte {
	le := binary.LittleEndian
	b := []byte("II*\x00\x08\x00\x00\x00")
	for i, s := range sizes {
		b = le.AppendUint16(b, 2)
		for j, tag := range []uint16{256, 257} {
			b = le.AppendUint16(b, tag)
			b = le.AppendUint16(b, 4)
			b = le.AppendUint32(b, 1)
			b = le.AppendUint32(b, s[j])
		}
		next := uint32(len(b) + 4)
		switch {
		case loop && i == len(sizes)-1:
			next = 8
		case i == len(sizes)-1:
			next = 0
		}
		b = le.AppendUint32(b, next)
	}
	return b
}

func TestHostileImages(t *testing.T) {
	// Refused from the header, before any decoding and whether or not
	// Tesseract is installed.
	bmp := encodeBMP(image.NewGray(image.Rect(0, 0, 4, 4)))
	binary.LittleEndian.PutUint32(bmp[18:], 200000)
	binary.LittleEndian.PutUint32(bmp[22:], 200000)
	webp := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\x3f\x00\xff\x3f\x00")
	// SOI, SOF0 of 65535x65535 with three components, SOS (no data).
	jpeg := []byte("\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
	azure := readTestdata(t, "scan-invoice.png")
	tests := []struct {
		name string
		data []byte
		kind Kind
		code string
	}{
		{"png claiming 100000x100000", pngHeader(100000, 100000), KindPNG, CodeTooLargeContent},
		{"jpeg claiming 65535x65535", jpeg, KindJPEG, CodeTooLargeContent},
		{"bmp claiming 200000x200000", bmp, KindBMP, CodeTooLargeContent},
		{"webp claiming 16384x16384", webp, KindWebP, CodeTooLargeContent},
		{"tiff with a huge second page", tiffFile([][2]uint32{{100, 100}, {60000, 60000}}, false), KindTIFF, CodeTooLargeContent},
		{"tiff whose pages loop", tiffFile([][2]uint32{{100, 100}, {100, 100}}, true), KindTIFF, CodeCorruptDocument},
		{"tiff with 501 pages", tiffFile(slices.Repeat([][2]uint32{{10, 10}}, 501), false), KindTIFF, CodeTooManyPages},
		{"png cut in its header", azure[:20], KindPNG, CodeCorruptDocument},
		{"png of zero width", pngHeader(0, 10), KindPNG, CodeCorruptDocument},
		{"text called png", []byte("not an image at all, but a list of /etc/passwd paths"), KindPNG, CodeCorruptDocument},
		{"bmp header only", []byte("BM\x00\x00"), KindBMP, CodeCorruptDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "image", tt.data)
			start := time.Now()
			_, err := engine.Extract(context.Background(), path, tt.kind)
			wantCode(t, "Extract", err, tt.code)
			n, err := engine.Pages(context.Background(), path, tt.kind)
			wantCode(t, "Pages", err, tt.code)
			if n != 0 {
				t.Errorf("Pages = %d, want 0", n)
			}
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("took %v; a header check should be instant", elapsed)
			}
		})
	}
}

func TestUnreadableImage(t *testing.T) {
	needTesseract(t)
	// A run-length encoded BMP passes the header check; Leptonica cannot
	// read it, so Tesseract fails.
	bmp := encodeBMP(scanCrop(t))
	binary.LittleEndian.PutUint32(bmp[30:], 1) // BI_RLE8
	_, err := engine.Extract(context.Background(), writeFile(t, "rle.bmp", bmp), KindBMP)
	wantCode(t, "Extract(rle bmp)", err, CodeCorruptDocument)
	// A PNG cut after its header: Tesseract reads what it can or fails,
	// never hangs.
	png := readTestdata(t, "scan-invoice.png")
	_, err = engine.Extract(context.Background(), writeFile(t, "cut.png", png[:1000]), KindPNG)
	if _, ok := AsError(err); err != nil && !ok {
		t.Errorf("Extract(cut png) = %v, want a document or an *Error", err)
	}
}

func TestParseTSV(t *testing.T) {
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n" +
		"4\t1\t1\t1\t1\t0\t1\t2\t90\t10\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t1\t2\t30\t10\t96.5\tTotal\n" +
		"5\t1\t1\t1\t1\t2\t40\t2\t20\t10\t3\t~\n" + // below minOCRConf
		"5\t1\t1\t1\t1\t3\t70\t3\t21\t9\t88\t12,50\n" +
		"5\t1\t2\t1\t1\t1\t5\t20\t10\t10\t95\t \n" + // blank
		"garbage line\n" +
		"1\t2\t0\t0\t0\t0\t0\t0\t80\t40\t-1\t\n" +
		"5\t2\t1\t1\t1\t1\t1\t1\t10\t10\t100\tx\ty\n" // a tab in the text
	pages := parseTSV([]byte(tsv))
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	if p := pages[0]; p.width != 100 || p.height != 50 || len(p.words) != 2 {
		t.Errorf("page 1 = %gx%g with %d words, want 100x50 with 2", p.width, p.height, len(p.words))
	}
	d := &Document{Pages: []Page{{Lines: groupLines(placeOCR(pages[0], 1, 0, 0))}}}
	if got := d.Text(); got != "Total 12,50\n" {
		t.Errorf("text = %q", got)
	}
	if w := pages[1].words; len(w) != 1 || w[0].text != "x\ty" {
		t.Errorf("page 2 words = %+v", w)
	}
}

func TestTesseractLang(t *testing.T) {
	for in, want := range map[string]string{"de": "deu", "DE-ch": "deu", "en": "eng", "fra": "fra", "chi_sim": "chi_sim", " es ": "spa"} {
		if got := tesseractLang(in); got != want {
			t.Errorf("tesseractLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlanOCR(t *testing.T) {
	word := func(x, y float64) placedWord {
		return placedWord{Word: Word{Text: "w", Box: Box{x, y, x + 20, y + 10}}, baseline: y + 8, size: 10}
	}
	var page []placedWord
	for y := 100.0; y < 700; y += 15 {
		for x := 50.0; x < 500; x += 30 {
			page = append(page, word(x, y))
		}
	}
	logo := Box{400, 20, 560, 80}
	tests := []struct {
		name  string
		words []placedWord
		scan  pageScan
		prio  bool
		want  ocrPlan
	}{
		{"scan", nil, pageScan{objects: 1, images: []Box{{0, 0, 595, 842}}}, false, ocrPlan{full: true, required: true}},
		{"outlined text", nil, pageScan{objects: 300}, false, ocrPlan{full: true, required: true}},
		{"blank page", nil, pageScan{}, false, ocrPlan{}},
		{"text only", page, pageScan{objects: 50}, false, ocrPlan{}},
		{"logo beside text", page, pageScan{objects: 51, images: []Box{logo}}, false, ocrPlan{regions: []Box{logo}}},
		{"icon too small", page, pageScan{objects: 51, images: []Box{{10, 10, 30, 30}}}, false, ocrPlan{}},
		{"background under the text", page, pageScan{objects: 51, images: []Box{{0, 0, 595, 842}}}, false, ocrPlan{}},
		{"scan with a stamp in the text layer", page[:4], pageScan{objects: 5, images: []Box{{0, 0, 595, 842}}}, false, ocrPlan{full: true}},
		{"two touching images merge", page, pageScan{objects: 52, images: []Box{{400, 20, 480, 80}, {470, 20, 560, 80}}}, false, ocrPlan{regions: []Box{logo}}},
		{"priority", page, pageScan{objects: 50}, true, ocrPlan{full: true, required: true}},
	}
	for _, tt := range tests {
		got := planOCR(tt.words, tt.scan, 595, 842, tt.prio)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(ocrPlan{})); diff != "" {
			t.Errorf("%s: planOCR (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestOCRRegionsBatched(t *testing.T) {
	bin, dir := fakeTesseract(t, "", fakeTSV)
	e := newTestEngine(t, Config{TesseractPath: bin})
	// A text layer and three pictures it does not cover (inline images):
	// their regions are rendered and read by one Tesseract run.
	img := func(x, y, w, h float64) string {
		return fmt.Sprintf("q %g 0 0 %g %g %g cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q\n", w, h, x, y)
	}
	content := textOps(textRun{72, 720, 12, "Invoice 42 total 10.00"}) +
		img(250, 100, 300, 200) + img(50, 400, 100, 50) + img(50, 500, 100, 50)
	path := writeFile(t, "regions.pdf", minimalPDF([]string{content}, true))
	d, err := e.Extract(context.Background(), path, KindPDF)
	if err != nil {
		t.Fatal(err)
	}
	args := readLog(t, filepath.Join(dir, "args.log"))
	if len(args) != 1 || !strings.HasSuffix(strings.Fields(args[0])[0], ".list") {
		t.Fatalf("tesseract runs %q, want one over a list of images", args)
	}
	// The text layer stays; the fake's words land in the first region
	// (x 250-550, y 492-692 from the top), offset by their pixels at
	// 200 dpi.
	if l := lineWith(t, d, "Invoice 42"); l.Text != "Invoice 42 total 10.00" || l.Words[0].Conf != 1 {
		t.Errorf("text layer line = %+v", l)
	}
	w := findWord(t, d, "FAKE-123")
	if want := (Box{250 + 216, 492 + 144, 250 + 324, 492 + 162}); !near(w.Box, want, 0.5) || w.Conf != 0.42 {
		t.Errorf("OCR word = %+v, want box %+v conf 0.42", w, want)
	}
}

func TestPDFImagePixelBudget(t *testing.T) {
	bin, dir := fakeTesseract(t, "", fakeTSV)
	e := newTestEngine(t, Config{TesseractPath: bin, MaxImagePixels: 1_000_000})
	// The images claim their size in their dictionary; their pixels are a
	// few bytes, which PDFium would only find short after decoding.
	short := pdftest.Zeros(1000)
	tesseractRuns := func() int {
		b, err := os.ReadFile(filepath.Join(dir, "args.log"))
		if err != nil {
			return 0
		}
		return strings.Count(string(b), "\n")
	}

	// A scanned page of a 60000 x 60000 image: refused before rendering,
	// and Tesseract never starts.
	scan := writeFile(t, "scan.pdf", pdftest.ImagePage(60000, 60000, short))
	_, err := e.Extract(context.Background(), scan, KindPDF)
	wantCode(t, "Extract(scanned page of 60000x60000 pixels)", err, CodeTooLargeContent)
	if e, ok := AsError(err); ok && e.Message != "Page 1 of the PDF holds an image of 60000x60000 pixels; at most 1 megapixels are read." {
		t.Errorf("message %q", e.Message)
	}
	if n := tesseractRuns(); n != 0 {
		t.Errorf("tesseract ran %d times for a refused page", n)
	}

	// A page with a text layer keeps it; the oversized image is not OCRed.
	textual := writeFile(t, "text.pdf", pdftest.ImagePage(60000, 60000, short, "Invoice 42", "Total 10.00 EUR"))
	d, err := e.Extract(context.Background(), textual, KindPDF)
	if err != nil {
		t.Fatalf("Extract(text layer over a 60000x60000 image) = %v", err)
	}
	if l := lineWith(t, d, "Invoice 42"); l.Words[0].Conf != 1 {
		t.Errorf("line %+v, want the text layer's", l)
	}
	if n := tesseractRuns(); n != 0 {
		t.Errorf("tesseract ran %d times for an oversized image", n)
	}

	// Within the budget the scanned page goes to Tesseract as before.
	small := writeFile(t, "small.pdf", pdftest.ImagePage(1000, 1000, pdftest.Zeros(1000*1000)))
	if _, err := e.ExtractWith(context.Background(), small, KindPDF, ExtractOptions{OCRSinglePass: true}); err != nil {
		t.Fatalf("Extract(scanned page of 1000x1000 pixels) = %v", err)
	}
	if n := tesseractRuns(); n != 1 {
		t.Errorf("tesseract ran %d times for a page within the budget, want 1", n)
	}
}

// A page preview refuses an image over the budget before PDFium decodes
// it, and renders one within it.
func TestRenderPDFPagePixelBudget(t *testing.T) {
	e := newTestEngine(t, Config{MaxImagePixels: 1_000_000})
	big := writeFile(t, "big.pdf", pdftest.ImagePage(60000, 60000, pdftest.Zeros(1000)))
	_, err := e.RenderPDFPage(context.Background(), big, 1, PreviewDPI, PreviewMaxPixels)
	wantCode(t, "RenderPDFPage(page of a 60000x60000 image)", err, CodeTooLargeContent)
	small := writeFile(t, "small.pdf", pdftest.ImagePage(1000, 1000, pdftest.Zeros(1000*1000)))
	png, err := e.RenderPDFPage(context.Background(), small, 1, PreviewDPI, PreviewMaxPixels)
	if err != nil || len(png) == 0 {
		t.Fatalf("RenderPDFPage(page of a 1000x1000 image) = %d bytes, %v", len(png), err)
	}
}

func TestOCRMemoryCountedBeforeStart(t *testing.T) {
	// Two workers, but memory for one reading of the 2.2-megapixel scan:
	// the second Tesseract waits until the first has ended.
	bin, dir := fakeTesseract(t, "sleep 0.5", fakeTSV)
	e := newTestEngine(t, Config{TesseractPath: bin, Workers: 2, OCRMemory: ocrMemory(2_000_000)})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := e.ExtractWith(context.Background(), "testdata/scan-invoice.png", KindPNG, ExtractOptions{OCRSinglePass: true})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	running := readLog(t, filepath.Join(dir, "running.log"))
	if len(running) != 2 {
		t.Fatalf("tesseract ran %d times, want 2", len(running))
	}
	for _, n := range running {
		if k, _ := strconv.Atoi(strings.TrimSpace(n)); k > 1 {
			t.Errorf("%d Tesseracts ran at once, want 1: each is counted for more than half of OCRMemory", k)
		}
	}
	if got := ocrMemory(1240 * 1754); got < 100<<20 || got > 110<<20 {
		t.Errorf("ocrMemory(2.2 megapixels) = %d MB, want 96 MB + 4 bytes a pixel", got>>20)
	}
}

package extract

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// engine is shared by the tests: compiling PDFium takes seconds. Tests that
// need other limits start their own Engine on the same cache directory,
// which takes a fraction of a second.
var (
	engine   *Engine
	cacheDir string
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "extract-test-cache")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		cacheDir = dir
		engine, err = NewEngine(Config{CacheDir: cacheDir})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer engine.Close()
		return m.Run()
	}())
}

// newTestEngine starts an Engine with cfg on the shared compilation cache.
func newTestEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	cfg.CacheDir = cacheDir
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// mustExtract extracts the file at path as kind with the shared engine and
// fails the test on an error.
func mustExtract(t testing.TB, path string, kind Kind) *Document {
	t.Helper()
	d, err := engine.Extract(context.Background(), path, kind)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sniffFile is what the upload path does: sniff the head, then count.
func sniffFile(t testing.TB, path string) Kind {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kind, _ := Sniff(b[:min(len(b), SniffLen)], filepath.Base(path))
	return kind
}

// kindOr returns kind, or when it is "" the kind sniffed from the file at
// path: a test case names a kind only to force one.
func kindOr(t testing.TB, path string, kind Kind) Kind {
	t.Helper()
	if kind == "" {
		return sniffFile(t, path)
	}
	return kind
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	e, ok := AsError(err)
	switch {
	case !ok:
		t.Errorf("%s: error = %v, want *Error with code %s", what, err, code)
	case e.Code != code:
		t.Errorf("%s: code = %s (%v), want %s", what, e.Code, err, code)
	case e.Message == "":
		t.Errorf("%s: empty message", what)
	}
}

// lineIndex returns the page and index of the first line containing s.
func lineIndex(d *Document, s string) (page, line int) {
	for p, pg := range d.Pages {
		for i, l := range pg.Lines {
			if strings.Contains(l.Text, s) {
				return p, i
			}
		}
	}
	return -1, -1
}

func lineWith(t *testing.T, d *Document, s string) Line {
	t.Helper()
	p, i := lineIndex(d, s)
	if p < 0 {
		t.Fatalf("no line contains %q; text:\n%s", s, d.Text())
	}
	return d.Pages[p].Lines[i]
}

func TestPages(t *testing.T) {
	multi := writeFile(t, "seven.pdf", minimalPDF(slices.Repeat([]string{textOps(textRun{72, 720, 12, "page"})}, 7), true))
	azure := readTestdata(t, "AzureInterior.pdf")
	tests := []struct {
		name string
		path string
		kind Kind // "" means: sniff it
		want int
		code string
	}{
		// pdfinfo testdata/QualityHosting.pdf: "Pages: 2".
		{"real two-page pdf", "testdata/QualityHosting.pdf", "", 2, ""},
		{"real one-page pdf", "testdata/AmazonWebServices.pdf", "", 1, ""},
		{"generated seven-page pdf", multi, "", 7, ""},
		{"pdf with owner password only", "testdata/encrypted-owner-only.pdf", "", 1, ""},
		{"encrypted pdf", "testdata/encrypted-password.pdf", "", 0, CodeEncryptedDocument},
		{"truncated pdf", writeFile(t, "cut.pdf", azure[:len(azure)/2]), "", 0, CodeCorruptDocument},
		{"random bytes called pdf", writeFile(t, "random.pdf", randomBytes(2, 8192)), KindPDF, 0, CodeCorruptDocument},
		{"random bytes", writeFile(t, "random.bin", randomBytes(3, 8192)), "", 0, CodeUnsupportedType},
		{"empty", writeFile(t, "empty.pdf", nil), KindPDF, 0, CodeEmptyDocument},
		{"text", writeFile(t, "a.txt", []byte("one\ntwo\n")), "", 1, ""},
		{"png cut in its header", writeFile(t, "a.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")), "", 0, CodeCorruptDocument},
		{"scanned png", "testdata/scan-invoice.png", "", 1, ""},
		{"two-page tiff", "testdata/scan-2pages.tif", "", 2, ""},
		{"docx with its page count in app.xml", "testdata/invoice.docx", "", 2, ""},
		{"xlsx with two sheets", "testdata/invoice.xlsx", "", 2, ""},
		{"eml with a one-page pdf attached", "testdata/invoice.eml", "", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := kindOr(t, tt.path, tt.kind)
			n, err := engine.Pages(context.Background(), tt.path, kind)
			if n != tt.want {
				t.Errorf("Pages(%s, %s) = %d, want %d", tt.path, kind, n, tt.want)
			}
			if tt.code == "" {
				if err != nil {
					t.Errorf("Pages(%s, %s) error = %v", tt.path, kind, err)
				}
				return
			}
			wantCode(t, "Pages", err, tt.code)
		})
	}
}

func TestPagesAgreesWithPdfinfo(t *testing.T) {
	// A cross-check where poppler-utils is installed (CI installs it).
	pdfinfo, err := exec.LookPath("pdfinfo")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but pdfinfo is not installed: .ci/run must install poppler-utils")
		}
		t.Skip("pdfinfo not installed")
	}
	paths, err := filepath.Glob("testdata/*.pdf")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, writeFile(t, "many.pdf", minimalPDF(slices.Repeat([]string{textOps(textRun{72, 720, 12, "page"})}, 23), true)))
	for _, path := range paths {
		out, err := exec.Command(pdfinfo, path).Output()
		if err != nil {
			continue // encrypted-password.pdf: pdfinfo cannot open it either
		}
		var want int
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "Pages:"); ok {
				want, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		got, err := engine.Pages(context.Background(), path, KindPDF)
		if err != nil || got != want {
			t.Errorf("Pages(%s) = %d, %v; pdfinfo says %d", path, got, err, want)
		}
	}
}

func TestPagesMissingFileIsNotADocumentError(t *testing.T) {
	_, err := engine.Pages(context.Background(), filepath.Join(t.TempDir(), "gone.pdf"), KindPDF)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Pages(missing) = %v, want an os.ErrNotExist", err)
	}
	if _, ok := AsError(err); ok {
		t.Errorf("Pages(missing) = %v, an *Error; want a transient error", err)
	}
}

func TestExtractInvoiceReadingOrder(t *testing.T) {
	d := mustExtract(t, "testdata/AzureInterior.pdf", KindPDF)
	if len(d.Pages) != 1 {
		t.Fatalf("got %d pages, want 1", len(d.Pages))
	}
	p := d.Pages[0]
	if p.Number != 1 || math.Abs(p.Width-595) > 0.5 || math.Abs(p.Height-842) > 0.5 {
		t.Errorf("page = %d %gx%g, want 1 595x842", p.Number, p.Width, p.Height)
	}
	// The invoice number shares its line with its label.
	if l := lineWith(t, d, "INV/2023/03/0008"); l.Text != "Invoice INV/2023/03/0008" {
		t.Errorf("invoice number line = %q, want %q", l.Text, "Invoice INV/2023/03/0008")
	}
	// A table row stays one line from the first cell to the last.
	row := "[FURN_7777] Office Chair 1.00 Units 70.00 0.00 15.00% $ 70.00"
	if l := lineWith(t, d, "FURN_7777"); l.Text != row {
		t.Errorf("table row = %q, want %q", l.Text, row)
	}
	// Labels come before their values, top to bottom.
	order := []string{"Azure Interior", "Invoice INV/2023/03/0008", "Invoice Date: Due Date: Reference:",
		"03/20/2023 04/04/2023 CUSTREF123", "Description Quantity Unit Price", "Total $ 279.84", "Page: 1 / 1"}
	last := -1
	for _, s := range order {
		_, i := lineIndex(d, s)
		if i < 0 {
			t.Fatalf("no line contains %q; text:\n%s", s, d.Text())
		}
		if i <= last {
			t.Errorf("line %q at %d, want after %q", s, i, order[slices.Index(order, s)-1])
		}
		last = i
	}
	// Geometry agrees with poppler (pdftotext -bbox): INV/2023/03/0008 at
	// 98.77,206.20 - 276.04,229.17 in points from the top-left.
	w := findWord(t, d, "INV/2023/03/0008")
	want := Box{98.77, 206.20, 276.04, 229.17}
	if !near(w.Box, want, 1) {
		t.Errorf("box of %q = %+v, want about %+v", w.Text, w.Box, want)
	}
	if w.Conf != 1 {
		t.Errorf("conf = %g, want 1 for a text layer", w.Conf)
	}
	for _, l := range p.Lines {
		for i, w := range l.Words {
			if i > 0 && w.Box.X0 < l.Words[i-1].Box.X0 {
				t.Errorf("line %q: word %q left of its predecessor", l.Text, w.Text)
			}
			if w.Box.X0 < 0 || w.Box.Y0 < 0 || w.Box.X1 > p.Width || w.Box.Y1 > p.Height || w.Box.X1 < w.Box.X0 || w.Box.Y1 < w.Box.Y0 {
				t.Errorf("word %q box %+v outside the page", w.Text, w.Box)
			}
		}
	}
}

func TestExtractTwoColumnInvoice(t *testing.T) {
	d := mustExtract(t, "testdata/AmazonWebServices.pdf", KindPDF)
	for _, want := range []string{"Invoice Number: 42183017", "TOTAL AMOUNT DUE ON August 3 , 2014 $4.11", "Amazon Elastic Compute Cloud $1.87"} {
		if l := lineWith(t, d, strings.Fields(want)[0]+" "+strings.Fields(want)[1]); l.Text != want {
			t.Errorf("line = %q, want %q", l.Text, want)
		}
	}
	_, label := lineIndex(d, "Account number:")
	_, value := lineIndex(d, "296664039561")
	if label < 0 || value != label+2 {
		// Between them sits the right column's "Invoice Summary".
		t.Errorf("account number label at line %d, value at %d; want the value two lines below", label, value)
	}
	w := findWord(t, d, "42183017")
	if want := (Box{535.42, 118.18, 571.0, 125.42}); !near(w.Box, want, 1) {
		t.Errorf("box of 42183017 = %+v, want about %+v", w.Box, want)
	}
}

func TestExtractMultiPage(t *testing.T) {
	d := mustExtract(t, "testdata/QualityHosting.pdf", KindPDF)
	if len(d.Pages) != 2 || d.Pages[0].Number != 1 || d.Pages[1].Number != 2 {
		t.Fatalf("pages = %d, want 2 numbered 1 and 2", len(d.Pages))
	}
	if l := lineWith(t, d, "30064443"); l.Text != "Rechnungsnr. 30064443 Kundennr. 47774" {
		t.Errorf("invoice number line = %q", l.Text)
	}
	if l := lineWith(t, d, "Rechnungsdatum"); l.Text != "Rechnungsdatum 7. Mai 2014" {
		t.Errorf("date line = %q", l.Text)
	}
	if p, _ := lineIndex(d, "34,73"); p != 1 {
		t.Errorf("total 34,73 found on page index %d, want 1 (the second page)", p)
	}
	if n := strings.Count(d.Text(), "\f"); n != 1 {
		t.Errorf("Text() has %d form feeds, want 1", n)
	}
}

func TestExtractGeneratedPDF(t *testing.T) {
	// Two runs far apart on one baseline (a table row), a line below it,
	// and a superscript-sized run top-aligned with the first line.
	content := textOps(
		textRun{400, 700, 12, "INV-0042"},
		textRun{72, 700, 12, "Invoice Number:"},
		textRun{72, 680, 10, "Total (EUR) 1,234.50"},
	)
	path := writeFile(t, "generated.pdf", minimalPDF([]string{content}, false))
	d := mustExtract(t, path, KindPDF)
	got := d.Text()
	if want := "Invoice Number: INV-0042\nTotal (EUR) 1,234.50\n"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	w := findWord(t, d, "INV-0042")
	// Baseline at y=700 from the bottom of a 792-point page: 92 from the top.
	if math.Abs(w.Box.X0-400) > 1 || w.Box.Y0 > 92 || w.Box.Y1 < 92 || w.Box.Y1-w.Box.Y0 > 16 {
		t.Errorf("box of INV-0042 = %+v, want x0 400 around baseline 92", w.Box)
	}
}

func TestExtractRotatedPage(t *testing.T) {
	// /Rotate 90 shows the page in landscape; the text is drawn turned so
	// that it reads upright on screen, as scanners and print drivers do.
	// On the displayed page, "Landscape" starts at x=72 with its baseline
	// at y=100.
	content := "BT /F1 12 Tf 0 1 -1 0 100 72 Tm (Landscape invoice) Tj ET\n" +
		"BT /F1 12 Tf 0 1 -1 0 120 72 Tm (Second line) Tj ET\n"
	path := writeFile(t, "rotated.pdf", buildPDF([]testPage{{content: content, extra: "/Rotate 90 "}}, false))
	d := mustExtract(t, path, KindPDF)
	p := d.Pages[0]
	if p.Width != 792 || p.Height != 612 {
		t.Errorf("rotated page = %gx%g, want 792x612", p.Width, p.Height)
	}
	if got, want := d.Text(), "Landscape invoice\nSecond line\n"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	w := findWord(t, d, "Landscape")
	if math.Abs(w.Box.X0-72) > 1 || w.Box.Y0 > 100 || w.Box.Y1 < 100 {
		t.Errorf("box of Landscape = %+v, want x0 72 around baseline 100", w.Box)
	}
}

func TestExtractPDFWithoutTextLayer(t *testing.T) {
	// Pages that only paint (like a scan) need OCR: without Tesseract the
	// file fails with ocr_unavailable, with it the rectangles read as no
	// text at all.
	path := writeFile(t, "scan.pdf", minimalPDF([]string{"0 0 1 rg 72 72 200 100 re f\n", "1 0 0 rg 10 10 50 50 re f\n"}, true))
	_, err := noOCREngine(t).Extract(context.Background(), path, KindPDF)
	wantCode(t, "Extract(no text layer, no tesseract)", err, CodeOCRUnavailable)

	// Blank pages paint nothing: there is nothing to OCR.
	blank := writeFile(t, "blank.pdf", minimalPDF([]string{"", ""}, false))
	_, err = noOCREngine(t).Extract(context.Background(), blank, KindPDF)
	wantCode(t, "Extract(blank pages, no tesseract)", err, CodeEmptyDocument)

	needTesseract(t)
	_, err = engine.Extract(context.Background(), path, KindPDF)
	wantCode(t, "Extract(no text layer)", err, CodeEmptyDocument)
}

func TestExtractFailures(t *testing.T) {
	azure := readTestdata(t, "AzureInterior.pdf")
	tests := []struct {
		name string
		path string
		kind Kind // "" means: sniff it
		code string
	}{
		{"encrypted pdf", "testdata/encrypted-password.pdf", "", CodeEncryptedDocument},
		{"truncated pdf", writeFile(t, "cut.pdf", azure[:len(azure)/2]), "", CodeCorruptDocument},
		{"pdf cut after the header", writeFile(t, "head.pdf", azure[:200]), "", CodeCorruptDocument},
		{"random bytes", writeFile(t, "random.pdf", randomBytes(4, 64<<10)), "", CodeUnsupportedType},
		{"random bytes forced to pdf", writeFile(t, "random.pdf", randomBytes(5, 64<<10)), KindPDF, CodeCorruptDocument},
		{"empty file", writeFile(t, "empty.pdf", nil), KindPDF, CodeEmptyDocument},
		{"empty text file", writeFile(t, "empty.txt", nil), KindText, CodeEmptyDocument},
		{"blank text", writeFile(t, "blank.txt", []byte(" \n\t\n  \n")), "", CodeEmptyDocument},
		{"html without text", writeFile(t, "blank.html", []byte("<html><head><title>x</title><script>var a = 1;</script></head><body> </body></html>")), "", CodeEmptyDocument},
		{"png cut in its header", writeFile(t, "scan.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")), "", CodeCorruptDocument},
		{"docx without text", writeFile(t, "a.docx", zipHead(t, "[Content_Types].xml", "word/document.xml")), "", CodeEmptyDocument},
		{"zip", writeFile(t, "a.zip", zipHead(t, "a.txt", "b.txt")), "", CodeUnsupportedType},
		{"too many pages", writeFile(t, "long.pdf", minimalPDF(slices.Repeat([]string{textOps(textRun{72, 720, 12, "page"})}, 501), true)), "", CodeTooManyPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := kindOr(t, tt.path, tt.kind)
			d, err := engine.Extract(context.Background(), tt.path, kind)
			if d != nil {
				t.Errorf("Extract(%s) returned a document with a failure", tt.name)
			}
			wantCode(t, fmt.Sprintf("Extract(%s, %s)", tt.path, kind), err, tt.code)
		})
	}
}

func TestExtractOwnerPasswordOnly(t *testing.T) {
	// Encrypted with an empty user password: any reader opens it, so must we.
	d := mustExtract(t, "testdata/encrypted-owner-only.pdf", KindPDF)
	lineWith(t, d, "INV/2023/03/0008")
}

func TestExtractExpiredContext(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for _, kind := range []Kind{KindPDF, KindText} {
		_, err := engine.Extract(ctx, "testdata/AzureInterior.pdf", kind)
		wantCode(t, "Extract(expired, "+string(kind)+")", err, CodeTimeout)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Extract(expired) = %v, want it to wrap context.DeadlineExceeded", err)
		}
	}
	_, err := engine.Pages(ctx, "testdata/AzureInterior.pdf", KindPDF)
	wantCode(t, "Pages(expired)", err, CodeTimeout)
}

func TestExtractCancelledContextIsNotPermanent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := engine.Extract(ctx, "testdata/AzureInterior.pdf", KindPDF)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Extract(cancelled) = %v, want context.Canceled", err)
	}
	if _, ok := AsError(err); ok {
		t.Errorf("Extract(cancelled) = %v, an *Error; a cancelled job must be retried, not failed", err)
	}
}

func TestExtractKillsStuckInstance(t *testing.T) {
	// One page of two million path operators: PDFium spends seconds inside
	// a single call (loading the page), where only killing the instance
	// can stop it. One worker, so the next call proves the pool replaced
	// the killed instance instead of waiting for it.
	e := newTestEngine(t, Config{Workers: 1})
	slow := writeFile(t, "slow.pdf", minimalPDF([]string{strings.Repeat("1 1 m 2 2 l S\n", 2_000_000)}, true))

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Extract(ctx, slow, KindPDF)
	elapsed := time.Since(start)
	wantCode(t, "Extract(slow)", err, CodeTimeout)
	t.Logf("Extract returned %v after a 200ms deadline", elapsed)
	// Reading the page to the end takes about 10 s on a 2-core machine. Had
	// the kill not interrupted PDFium, Extract would have waited killGrace
	// (2 s) for the stuck goroutine before returning.
	if elapsed > 200*time.Millisecond+killGrace/2 {
		t.Errorf("Extract returned %v after a 200ms deadline; the stuck call was not interrupted", elapsed)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := e.Extract(ctx, "testdata/AzureInterior.pdf", KindPDF)
	if err != nil {
		t.Fatalf("Extract after a kill = %v", err)
	}
	lineWith(t, d, "INV/2023/03/0008")
}

func TestMemoryLimit(t *testing.T) {
	// A million paths need more than 64 MB inside PDFium: the instance
	// hits its limit, the file fails as too large, the next one is fine.
	e := newTestEngine(t, Config{Workers: 1, MemoryLimitMB: 64})
	heavy := writeFile(t, "heavy.pdf", minimalPDF([]string{strings.Repeat("1 1 m 2 2 l S\n", 1_000_000)}, true))
	_, err := e.Extract(context.Background(), heavy, KindPDF)
	wantCode(t, "Extract(over memory limit)", err, CodeTooLargeContent)
	if _, err := e.Extract(context.Background(), "testdata/AzureInterior.pdf", KindPDF); err != nil {
		t.Errorf("Extract after hitting the memory limit = %v", err)
	}
}

func TestConfigTimeout(t *testing.T) {
	e := newTestEngine(t, Config{Timeout: time.Nanosecond})
	_, err := e.Extract(context.Background(), "testdata/AzureInterior.pdf", KindPDF)
	wantCode(t, "Extract with Config.Timeout 1ns", err, CodeTimeout)
}

func TestMaxTextBytes(t *testing.T) {
	e := newTestEngine(t, Config{MaxTextBytes: 500})
	_, err := e.Extract(context.Background(), "testdata/AzureInterior.pdf", KindPDF)
	wantCode(t, "Extract(pdf over MaxTextBytes)", err, CodeTooManyPages)
	path := writeFile(t, "long.txt", []byte(strings.Repeat("0123456789\n", 100)))
	_, err = e.Extract(context.Background(), path, KindText)
	wantCode(t, "Extract(text over MaxTextBytes)", err, CodeTooManyPages)
}

func TestNewEngineReportsEveryBadField(t *testing.T) {
	_, err := NewEngine(Config{Workers: -1, MaxPages: -2, MemoryLimitMB: 8, Timeout: -time.Second, OCRBudgetPercent: 5})
	if err == nil {
		t.Fatal("NewEngine(bad config) = nil error")
	}
	for _, field := range []string{"Workers", "MaxPages", "MemoryLimitMB", "Timeout", "OCRBudgetPercent"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("NewEngine error %q does not name %s", err, field)
		}
	}
}

func TestExtractConcurrent(t *testing.T) {
	// More callers than workers: they queue for instances and all succeed.
	files := []string{"testdata/AzureInterior.pdf", "testdata/AmazonWebServices.pdf", "testdata/QualityHosting.pdf"}
	errs := make(chan error, 3*len(files))
	for range 3 {
		for _, f := range files {
			go func() {
				_, err := engine.Extract(context.Background(), f, KindPDF)
				errs <- err
			}()
		}
	}
	for range 3 * len(files) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func findWord(t *testing.T, d *Document, text string) Word {
	t.Helper()
	for _, p := range d.Pages {
		for _, l := range p.Lines {
			for _, w := range l.Words {
				if w.Text == text {
					return w
				}
			}
		}
	}
	t.Fatalf("no word %q; text:\n%s", text, d.Text())
	return Word{}
}

func near(a, b Box, tol float64) bool {
	return math.Abs(a.X0-b.X0) <= tol && math.Abs(a.Y0-b.Y0) <= tol && math.Abs(a.X1-b.X1) <= tol && math.Abs(a.Y1-b.Y1) <= tol
}

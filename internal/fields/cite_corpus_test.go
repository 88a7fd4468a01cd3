package fields_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/extract/pdftest"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/fields/wordings"
)

// citeMin is the share of found values whose cited box must hold them.
const citeMin = 0.95

// TestCitationsHoldTheirValues reads the development invoices with the
// generic schema and cuts every found value's cited box out of its page
// with pdftotext (-x -y -W -H, the box grown by a point each way): at
// least citeMin of the values must be in the text cut out. Text files
// cite their page without a box. Then the same invoices rendered as
// scans (pdftoppm, 150 dpi) and read by OCR: the OCR's own words inside
// each box must hold the value as often.
func TestCitationsHoldTheirValues(t *testing.T) {
	dir := devCorpus(t, "pdftotext", "pdfinfo", "pdftoppm", "tesseract")
	docs, err := wordings.LoadCorpus(context.Background(), dir, filepath.Join(os.TempDir(), "docparse-accuracy-pdfium-cache"))
	if err != nil {
		t.Fatal(err)
	}
	var n, held int
	for _, d := range docs {
		res := fields.Extract(d.Doc, wordings.Generic, fields.Options{})
		path := filepath.Join(dir, d.Name)
		eachCited(res.Values, res.Citations, "", func(key string, v any, c *fields.Citation) {
			if c == nil {
				t.Errorf("%s: %s = %v has no citation", d.Name, key, v)
				return
			}
			if c.Page == nil || *c.Page < 1 || *c.Page > len(d.Doc.Pages) {
				t.Errorf("%s: %s cites page %v of %d", d.Name, key, c.Page, len(d.Doc.Pages))
				return
			}
			if !strings.HasSuffix(path, ".pdf") {
				if c.Box != nil {
					t.Errorf("%s: %s: a text file's value cites a box %v", d.Name, key, c.Box)
				}
				return
			}
			n++
			// A value read by OCR from an image on the page is not in
			// the page's text: the OCR's words in the box must hold it.
			text, err := pdftest.TextIn(path, *c.Page, c.Box)
			if err != nil {
				t.Fatal(err)
			}
			if !holds(text, v) {
				text += " " + ocrWordsIn(d.Doc.Pages[*c.Page-1], c.Box, true)
			}
			if holds(text, v) {
				held++
			} else {
				t.Logf("%s: %s = %q: the box %v of page %d holds %q", d.Name, key, fmt.Sprint(v), c.Box, *c.Page, text)
			}
		})
	}
	t.Logf("text PDFs: %d of %d cited values in their box", held, n)
	if n < 100 || float64(held) < citeMin*float64(n) {
		t.Errorf("text PDFs: %d of %d cited values in their box, want at least %.0f%% of 100 or more", held, n, 100*citeMin)
	}

	// Scans: three invoices rendered to images and read by OCR.
	eng, err := extract.NewEngine(extract.Config{CacheDir: filepath.Join(os.TempDir(), "docparse-accuracy-pdfium-cache"), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	n, held = 0, 0
	for _, name := range []string{"AzureInterior", "QualityHosting", "SammyMaystoneLinesTest"} {
		png := filepath.Join(t.TempDir(), name)
		if out, err := exec.Command("pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile", filepath.Join(dir, name+".pdf"), png).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm %s: %v: %s", name, err, out)
		}
		doc, err := eng.Extract(context.Background(), png+".png", extract.KindPNG)
		if err != nil {
			t.Fatal(err)
		}
		res := fields.Extract(doc, wordings.Generic, fields.Options{})
		page := doc.Pages[0]
		eachCited(res.Values, res.Citations, "", func(key string, v any, c *fields.Citation) {
			n++
			if c == nil || c.Page == nil || *c.Page != 1 || len(c.Box) != 4 {
				t.Errorf("scan %s: %s = %v cites %+v", name, key, v, c)
				return
			}
			if text := ocrWordsIn(page, c.Box, false); holds(text, v) {
				held++
			} else {
				t.Logf("scan %s: %s = %q: the box %v holds %q", name, key, fmt.Sprint(v), c.Box, text)
			}
		})
	}
	t.Logf("scans: %d of %d cited values in their box", held, n)
	if n < 20 || float64(held) < citeMin*float64(n) {
		t.Errorf("scans: %d of %d cited values in their box, want at least %.0f%% of 20 or more", held, n, 100*citeMin)
	}

	// A scanned PDF (a JPEG on an A4 page, no text layer) cites the same
	// places as the JPEG itself, within 2% of the page (the two OCR paths
	// may split a word otherwise): OCR's pixels are mapped onto the page.
	cites := map[string]map[string][]float64{}
	for _, in := range []struct {
		path string
		kind extract.Kind
	}{{"../extract/testdata/scan-invoice.jpg", extract.KindJPEG}, {"../extract/testdata/scan-invoice.pdf", extract.KindPDF}} {
		doc, err := eng.Extract(context.Background(), in.path, in.kind)
		if err != nil {
			t.Fatal(err)
		}
		res := fields.Extract(doc, wordings.Generic, fields.Options{})
		cites[in.path] = map[string][]float64{}
		eachCited(res.Values, res.Citations, "", func(key string, v any, c *fields.Citation) {
			if c != nil && len(c.Box) == 4 {
				cites[in.path][key+"="+fmt.Sprint(v)] = c.Box
			}
		})
	}
	same := 0
	for k, jb := range cites["../extract/testdata/scan-invoice.jpg"] {
		pb, ok := cites["../extract/testdata/scan-invoice.pdf"][k]
		if !ok {
			continue
		}
		same++
		for i := range jb {
			if d := jb[i] - pb[i]; d > 0.02 || d < -0.02 {
				t.Errorf("%s: the JPEG cites %v, the scanned PDF %v", k, jb, pb)
				break
			}
		}
	}
	if same < 5 {
		t.Errorf("the JPEG and the scanned PDF share %d cited values, want at least 5: %v", same, cites)
	}
}

// eachCited calls fn with every value found in vals and its citation in
// cites (Result.Citations' shape), by path.
func eachCited(vals, cites any, path string, fn func(string, any, *fields.Citation)) {
	switch v := vals.(type) {
	case nil:
	case map[string]any:
		cm, _ := cites.(map[string]any)
		for k, e := range v {
			eachCited(e, cm[k], strings.TrimPrefix(path+"."+k, "."), fn)
		}
	case []any:
		cl, _ := cites.([]any)
		for i, e := range v {
			var c any
			if i < len(cl) {
				c = cl[i]
			}
			eachCited(e, c, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	default:
		c, _ := cites.(*fields.Citation)
		fn(path, v, c)
	}
}

// ocrWordsIn returns the words of page whose middle is inside box; with
// onlyOCR, only those OCR read (a confidence below 1; a text layer's are
// 1).
func ocrWordsIn(page extract.Page, box []float64, onlyOCR bool) string {
	var words []string
	for _, l := range page.Lines {
		for _, w := range l.Words {
			if onlyOCR && w.Conf >= 1 {
				continue
			}
			cx := (w.Box.X0 + w.Box.X1) / 2 / page.Width
			cy := (w.Box.Y0 + w.Box.Y1) / 2 / page.Height
			if cx >= box[0] && cx <= box[2] && cy >= box[1] && cy <= box[3] {
				words = append(words, w.Text)
			}
		}
	}
	return strings.Join(words, " ")
}

// holds reports whether text shows v: an amount's digits (with two
// decimals, or none when it is whole), a date's day and year, at least
// 80% of a text's words.
func holds(text string, v any) bool {
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, s)
	}
	switch v := v.(type) {
	case float64:
		d := digits(text)
		return strings.Contains(d, digits(strconv.FormatFloat(abs(v), 'f', 2, 64))) ||
			(v == float64(int64(v)) && strings.Contains(d, digits(strconv.FormatFloat(abs(v), 'f', 0, 64))))
	case string:
		if m := regexp.MustCompile(`^(\d{4})-(\d\d)-(\d\d)$`).FindStringSubmatch(v); m != nil {
			day := strings.TrimPrefix(m[3], "0")
			return regexp.MustCompile(`(^|\D)0?`+day+`(\D|$)`).MatchString(text) &&
				(strings.Contains(text, m[1]) || regexp.MustCompile(`(^|\D)`+m[1][2:]+`(\D|$)`).MatchString(text))
		}
		if fold := strings.Join(tokens(v), ""); len(fold) >= 6 && strings.Contains(strings.Join(tokens(text), ""), fold) {
			return true // an identifier printed in groups
		}
		want := tokens(v)
		got := map[string]bool{}
		for _, w := range tokens(text) {
			got[w] = true
		}
		in := 0
		for _, w := range want {
			if got[w] {
				in++
			}
		}
		return len(want) > 0 && float64(in) >= 0.8*float64(len(want))
	}
	return strings.Contains(text, fmt.Sprint(v))
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// devCorpus returns the directory of the development invoices, which
// stands beside the repository (CI lays it there), after checking that
// the tools a test runs are installed. Without either it skips, or fails
// with CI=true.
func devCorpus(t *testing.T, tools ...string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "invoice2data")
	ci := os.Getenv("CI") == "true"
	if pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf")); len(pdfs) == 0 {
		if ci {
			t.Fatalf("CI=true but the invoice2data corpus is not at %s", dir)
		}
		t.Skip("no invoice2data corpus beside the repository")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if ci {
				t.Fatalf("CI=true but %s is not installed", tool)
			}
			t.Skipf("no %s", tool)
		}
	}
	return dir
}

package extract

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// openPDF opens the PDF at path through a reader, so PDFium pulls the bytes
// it needs instead of getting the whole file. The caller calls close.
func openPDF(inst pdfium.Pdfium, path string) (doc references.FPDF_DOCUMENT, closeDoc func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, fmt.Errorf("open document: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return "", nil, fmt.Errorf("stat document: %w", err)
	}
	if fi.Size() == 0 {
		f.Close()
		return "", nil, errEmpty()
	}
	resp, err := inst.FPDF_LoadCustomDocument(&requests.FPDF_LoadCustomDocument{Reader: f, Size: fi.Size()})
	if err != nil {
		f.Close()
		return "", nil, pdfOpenError(err)
	}
	closeDoc = func() {
		_, _ = inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: resp.Document})
		f.Close()
	}
	return resp.Document, closeDoc, nil
}

// wasmTrap reports whether err is PDFium aborting (a WebAssembly trap)
// rather than refusing: almost always an allocation past the instance's
// memory limit (Config.MemoryLimitMB), which PDFium cannot recover from,
// as when a small stream inflates to gigabytes. The instance is unfit for
// more calls afterwards.
func wasmTrap(err error) bool {
	return err != nil && strings.Contains(err.Error(), "wasm error")
}

// pdfOpenError maps PDFium's answer to a failed open. A file PDFium cannot
// make sense of, for whatever reason, is corrupt: the bytes are at fault,
// and retrying changes nothing.
func pdfOpenError(err error) error {
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return newError(CodeEncryptedDocument, "The PDF is protected by a password.", err)
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return newError(CodeEncryptedDocument, "The PDF uses an unsupported encryption.", err)
	case wasmTrap(err):
		return newError(CodeTooLargeContent, "The PDF needs more memory to open than the PDF reader's limit allows.", err)
	default:
		return newError(CodeCorruptDocument, "The PDF could not be read.", err)
	}
}

// withPDF opens the PDF at path in a PDFium instance of its own (see
// withInstance for ctx and the instance) and runs fn with the open
// document, which it closes when fn returns. Open errors are openPDF's.
func (e *Engine) withPDF(ctx context.Context, path string, fn func(context.Context, pdfium.Pdfium, references.FPDF_DOCUMENT) error) error {
	return e.withInstance(ctx, func(ctx context.Context, inst pdfium.Pdfium) error {
		doc, closeDoc, err := openPDF(inst, path)
		if err != nil {
			return err
		}
		defer closeDoc()
		return fn(ctx, inst, doc)
	})
}

func countPDFPages(inst pdfium.Pdfium, path string) (int, error) {
	doc, closeDoc, err := openPDF(inst, path)
	if err != nil {
		return 0, err
	}
	defer closeDoc()
	resp, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
	if err != nil {
		return 0, newError(CodeCorruptDocument, "The PDF could not be read.", err)
	}
	if resp.PageCount <= 0 {
		return 0, newError(CodeCorruptDocument, "The PDF has no pages.", nil)
	}
	return resp.PageCount, nil
}

// extractPDF reads the text layer of every page and OCRs what needs it (see
// pdfocr.go). A page that cannot be read makes the whole PDF corrupt:
// partial text would pass for all of it.
func (e *Engine) extractPDF(ctx context.Context, inst pdfium.Pdfium, path string, opts ExtractOptions) (*Document, error) {
	doc, closeDoc, err := openPDF(inst, path)
	if err != nil {
		return nil, err
	}
	defer closeDoc()
	resp, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
	if err != nil {
		return nil, newError(CodeCorruptDocument, "The PDF could not be read.", err)
	}
	n := resp.PageCount
	switch {
	case n <= 0:
		return nil, newError(CodeCorruptDocument, "The PDF has no pages.", nil)
	case n > e.cfg.MaxPages:
		return nil, newError(CodeTooManyPages, fmt.Sprintf("The PDF has %d pages; at most %d are accepted.", n, e.cfg.MaxPages), nil)
	}
	var ocr *pdfOCR
	if e.ocr != nil {
		ocr = newPDFOCR(ctx, e, e.ocr.languages(opts.Languages), !opts.OCRSinglePass)
		defer ocr.stop()
	}
	out := &Document{Pages: make([]Page, 0, n)}
	if ac, err := inst.FPDFDoc_GetAttachmentCount(&requests.FPDFDoc_GetAttachmentCount{Document: doc}); err == nil {
		out.Attachments = ac.AttachmentCount
	} else {
		out.Attachments = -1 // unknown: look
	}
	words := make([][]placedWord, n) // of the pages queued for OCR
	budget := e.cfg.MaxTextBytes
	for i := range n {
		if err := ctxError(ctx); err != nil {
			return nil, err
		}
		page, ws, err := pdfPage(ctx, inst, doc, i, &budget, ocr, opts.OCRPriority)
		switch {
		case errors.Is(err, errTextBudget):
			return nil, tooMuchText(e.cfg.MaxTextBytes)
		case IsCode(err, CodeOCRUnavailable):
			return nil, errOCRUnavailable(e.ocrErr)
		case IsCode(err, CodeTimeout):
			return nil, err
		case ocr != nil && ocr.failed() != nil:
			return nil, ocr.failed()
		case errors.As(err, new(*Error)):
			return nil, err
		case wasmTrap(err):
			return nil, newError(CodeTooLargeContent, fmt.Sprintf("Page %d of the PDF needs more memory than the PDF reader's limit of %d MB (a stream that inflates too far, or an image too large).", i+1, e.cfg.MemoryLimitMB), err)
		case err != nil:
			// PDFium refused the page, or trapped (over the memory limit,
			// say) and left the instance unfit for more calls.
			return nil, newError(CodeCorruptDocument, fmt.Sprintf("Page %d of the PDF could not be read.", i+1), err)
		}
		words[i] = ws
		out.Pages = append(out.Pages, page)
	}
	if ocr != nil {
		results, err := ocr.wait()
		if err != nil {
			return nil, err
		}
		if err := mergePDFOCR(out, words, results, opts.OCRPriority, e.cfg.MaxTextBytes-budget, e.cfg.MaxTextBytes); err != nil {
			return nil, err
		}
	}
	if !hasWords(out) {
		return nil, newError(CodeEmptyDocument, "The document contains no text.", nil)
	}
	return out, nil
}

// mergePDFOCR adds the OCR results to the pages they belong to and groups
// those pages' words into lines again. used is the text bytes of the text
// layers; the OCR words spend from the same limit.
func mergePDFOCR(d *Document, words [][]placedWord, results []ocrResult, priority bool, used, limit int) error {
	slices.SortStableFunc(results, func(a, b ocrResult) int {
		if a.page != b.page {
			return a.page - b.page
		}
		return compareFloat(a.region.Y0, b.region.Y0)
	})
	for _, r := range results {
		for _, w := range r.words {
			if used += len(w.Text); used > limit {
				return tooMuchText(limit)
			}
		}
		words[r.page] = mergeOCR(words[r.page], r.words, r.region, priority)
		d.Pages[r.page].Lines = nil // regrouped below
		if r.run != nil {
			d.Pages[r.page].OCR = r.run
		}
	}
	for i := range d.Pages {
		if d.Pages[i].Lines == nil && len(words[i]) > 0 {
			d.Pages[i].Lines = groupLines(words[i])
		}
	}
	return nil
}

func hasWords(d *Document) bool {
	for _, p := range d.Pages {
		for _, l := range p.Lines {
			if len(l.Words) > 0 {
				return true
			}
		}
	}
	return false
}

// errTextBudget stops a PDF whose text exceeds Config.MaxTextBytes.
var errTextBudget = errors.New("text budget spent")

// glyph is one character of a text layer in top-left page coordinates.
type glyph struct {
	r        rune
	box      Box
	baseline float64
}

// pdfPage reads the words of page i, spending their bytes from budget, and
// groups them into the page's lines. When ocr is not nil and the page needs
// OCR (see planOCR), it renders what needs it, queues it on ocr and returns
// the words too, for the OCR results to be merged with.
func pdfPage(ctx context.Context, inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int, budget *int, ocr *pdfOCR, priority bool) (Page, []placedWord, error) {
	page := Page{Number: i + 1}
	loaded, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc, Index: i})
	if err != nil {
		return page, nil, fmt.Errorf("load page %d: %w", i+1, err)
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: loaded.Page})
	ref := requests.Page{ByReference: &loaded.Page}

	w, err := inst.FPDF_GetPageWidthF(&requests.FPDF_GetPageWidthF{Page: ref})
	if err != nil {
		return page, nil, fmt.Errorf("page %d width: %w", i+1, err)
	}
	h, err := inst.FPDF_GetPageHeightF(&requests.FPDF_GetPageHeightF{Page: ref})
	if err != nil {
		return page, nil, fmt.Errorf("page %d height: %w", i+1, err)
	}
	page.Width, page.Height = float64(w.PageWidth), float64(h.PageHeight)
	tf, err := pageTransform(inst, ref, page.Width, page.Height)
	if err != nil {
		return page, nil, fmt.Errorf("page %d transform: %w", i+1, err)
	}

	tp, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: ref})
	if err != nil {
		return page, nil, fmt.Errorf("page %d text: %w", i+1, err)
	}
	defer inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	count, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
	if err != nil {
		return page, nil, fmt.Errorf("page %d text: %w", i+1, err)
	}

	var (
		words []placedWord
		cur   []glyph
	)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, makeWord(cur))
			cur = cur[:0]
		}
	}
	for j := range count.Count {
		if j%4096 == 4095 {
			if err := ctxError(ctx); err != nil {
				return page, nil, err
			}
		}
		u, err := inst.FPDFText_GetUnicode(&requests.FPDFText_GetUnicode{TextPage: tp.TextPage, Index: j})
		if err != nil {
			return page, nil, fmt.Errorf("page %d char %d: %w", i+1, j, err)
		}
		r := pdfRune(rune(u.Unicode))
		if r == ' ' {
			flush()
			continue
		}
		lb, err := inst.FPDFText_GetLooseCharBox(&requests.FPDFText_GetLooseCharBox{TextPage: tp.TextPage, Index: j})
		if err != nil {
			return page, nil, fmt.Errorf("page %d char %d: %w", i+1, j, err)
		}
		o, err := inst.FPDFText_GetCharOrigin(&requests.FPDFText_GetCharOrigin{TextPage: tp.TextPage, Index: j})
		if err != nil {
			return page, nil, fmt.Errorf("page %d char %d: %w", i+1, j, err)
		}
		g := glyph{r: r, box: tf.box(lb.Rect.Left, lb.Rect.Top, lb.Rect.Right, lb.Rect.Bottom)}
		_, g.baseline = tf.apply(o.X, o.Y)
		if len(cur) > 0 && !sameWord(cur[len(cur)-1], g) {
			flush()
		}
		cur = append(cur, g)
		if *budget -= len(string(r)); *budget < 0 {
			return page, nil, errTextBudget
		}
	}
	flush()
	scan, err := scanPage(inst, ref, tf, page.Width, page.Height)
	if err != nil {
		return page, nil, fmt.Errorf("page %d objects: %w", i+1, err)
	}
	if len(words) > 0 {
		page.Lines = groupLines(slices.Clone(words))
	}
	plan := planOCR(words, scan, page.Width, page.Height, priority)
	switch {
	case !plan.any():
		return page, nil, nil
	case ocr == nil && plan.required:
		return page, nil, errOCRUnavailable(nil)
	case ocr == nil:
		// Images beside a text layer are read when OCR is available only.
		return page, nil, nil
	case plan.full:
		whole := Box{X1: page.Width, Y1: page.Height}
		if big, ok := scan.oversized(whole, ocr.e.cfg.MaxImagePixels); ok {
			if plan.required {
				return page, nil, errPDFImageTooLarge(i, big, ocr.e.cfg.MaxImagePixels)
			}
			// The text layer stays; OCR would only have added to it.
			return page, nil, nil
		}
		if err := ocr.submit(inst, ref, i, whole, true); err != nil {
			return page, nil, err
		}
	default:
		submitted := false
		for _, r := range plan.regions {
			if _, ok := scan.oversized(r, ocr.e.cfg.MaxImagePixels); ok {
				continue
			}
			if err := ocr.submit(inst, ref, i, r, false); err != nil {
				return page, nil, err
			}
			submitted = true
		}
		if !submitted {
			return page, nil, nil
		}
	}
	return page, words, nil
}

// errPDFImageTooLarge: page i (0-based) needs OCR and holds an image over
// the pixel limit, which would take minutes to decode before Tesseract
// could even start.
func errPDFImageTooLarge(i int, size imageSize, limit int) *Error {
	return newError(CodeTooLargeContent, fmt.Sprintf("Page %d of the PDF holds an image of %dx%d pixels; at most %d megapixels are read.",
		i+1, size.w, size.h, max(1, limit/1_000_000)), nil)
}

// pdfRune normalises a character of a text layer: white space and control
// characters (PDFium's generated spaces and line breaks) become ' ', the
// word separator; 0x02, PDFium's mark for a hyphen at a line end, becomes
// '-'; a glyph without a Unicode mapping becomes U+FFFD.
func pdfRune(r rune) rune {
	switch {
	case r == 0:
		return '\ufffd'
	case r == 2:
		return '-'
	case r < 0x20, r == 0x7f, r == 0xa0, r == '\u2028', r == '\u2029', r == '\ufeff':
		return ' '
	case r == ' ', r >= 0x2000 && r <= 0x200b, r == 0x3000:
		return ' '
	}
	return r
}

// sameWord reports whether g continues the word that ends with prev: on the
// same baseline, not jumping back, and closer than a space would put it.
// PDFium inserts generated spaces for most gaps; this catches the rest
// (table cells drawn as separate text runs without any space).
func sameWord(prev, g glyph) bool {
	size := max(prev.box.Y1-prev.box.Y0, g.box.Y1-g.box.Y0, 1)
	switch {
	case math.Abs(g.baseline-prev.baseline) > 0.3*size:
		return false
	case g.box.X0 < prev.box.X0-0.2*size:
		return false
	case g.box.X0-prev.box.X1 > 0.25*size:
		return false
	}
	return true
}

var ligatures = strings.NewReplacer("ﬀ", "ff", "ﬁ", "fi", "ﬂ", "fl", "ﬃ", "ffi", "ﬄ", "ffl", "ﬅ", "st", "ﬆ", "st")

func makeWord(gs []glyph) placedWord {
	var b strings.Builder
	box := gs[0].box
	var baseline float64
	for _, g := range gs {
		b.WriteRune(g.r)
		box = union(box, g.box)
		baseline += g.baseline
	}
	return placedWord{
		Word:     Word{Text: ligatures.Replace(b.String()), Box: box, Conf: 1},
		baseline: baseline / float64(len(gs)),
		size:     box.Y1 - box.Y0,
	}
}

// transform maps PDF page space (origin bottom-left of the media box, Y up,
// before the page's /Rotate) to the displayed page in points, origin
// top-left, Y down: the coordinates of Box.
type transform struct{ a, b, c, d, e, f float64 }

func (t transform) apply(x, y float64) (float64, float64) {
	return t.a*x + t.c*y + t.e, t.b*x + t.d*y + t.f
}

func (t transform) box(left, top, right, bottom float32) Box {
	x0, y0 := t.apply(float64(left), float64(top))
	x1, y1 := t.apply(float64(right), float64(bottom))
	return Box{X0: min(x0, x1), Y0: min(y0, y1), X1: max(x0, x1), Y1: max(y0, y1)}
}

// pageTransform asks PDFium where three points land on the displayed page
// (which accounts for the crop box origin and /Rotate) and derives the
// affine map. FPDF_PageToDevice answers in whole pixels, so the page is
// scaled up to keep a precision of 1/16 point.
func pageTransform(inst pdfium.Pdfium, page requests.Page, width, height float64) (transform, error) {
	const scale, span = 16.0, 1000.0
	dev := func(x, y float64) (float64, float64, error) {
		r, err := inst.FPDF_PageToDevice(&requests.FPDF_PageToDevice{
			Page:   page,
			SizeX:  int(math.Round(width * scale)),
			SizeY:  int(math.Round(height * scale)),
			Rotate: enums.FPDF_PAGE_ROTATION_NONE,
			PageX:  x,
			PageY:  y,
		})
		if err != nil {
			return 0, 0, err
		}
		return float64(r.DeviceX) / scale, float64(r.DeviceY) / scale, nil
	}
	ox, oy, err := dev(0, 0)
	if err != nil {
		return transform{}, err
	}
	xx, xy, err := dev(span, 0)
	if err != nil {
		return transform{}, err
	}
	yx, yy, err := dev(0, span)
	if err != nil {
		return transform{}, err
	}
	return transform{
		a: (xx - ox) / span, b: (xy - oy) / span,
		c: (yx - ox) / span, d: (yy - oy) / span,
		e: ox, f: oy,
	}, nil
}

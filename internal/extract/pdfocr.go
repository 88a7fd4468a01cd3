package extract

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// Which parts of a PDF page are OCRed.
//
// A page without a text layer that paints anything (a scan, text drawn as
// outlines) is rendered whole and OCRed; without Tesseract the file fails
// with ocr_unavailable, as partial text would pass for all of it.
//
// A page with a text layer keeps it. Its images that could hold text (at
// least imageMinWidth x imageMinHeight points and imageMinArea) and over
// which the text layer has next to no words (a seller block or a letterhead
// pasted as a picture, like the corpus' saeco.pdf, or a logo) are rendered
// on their own and OCRed, and the words read there are added where they do
// not overlap a word of the text layer. That OCR only adds to a readable page, so without
// Tesseract it is skipped. When such images cover most of the page, the
// whole page is OCRed the same way.
//
// ExtractOptions.OCRPriority OCRs every page whole and reverses the merge:
// the OCR words are kept, and words of the text layer only where OCR found
// nothing overlapping them (for text layers with broken encodings).
const (
	imageMinWidth  = 30.0   // points
	imageMinHeight = 8.0    // points
	imageMinArea   = 1500.0 // square points, about 2 x 0.3 inches
	// An image region with fewer text-layer words centred in it than
	// max(3, area/pointsPerWord) is treated as text-free. A page of text
	// holds a word per 1000-2000 square points, so this stays far below
	// a region that a text layer really covers.
	pointsPerWord = 10000.0
	// maxPageObjects bounds the scan of a page's objects for images; a page
	// with more is read from its text layer only.
	maxPageObjects = 20000
	maxOCRRegions  = 8
	// fullPageShare: image regions covering more than this share of the
	// page get the whole page OCRed instead.
	fullPageShare = 0.5
	// maxFormDepth bounds the descent into nested form XObjects.
	maxFormDepth = 4
)

// pageScan is what a page shows beside its text layer.
type pageScan struct {
	objects int   // page objects (capped at maxPageObjects)
	images  []Box // images and forms holding images, in page coordinates
	// pixels[i] is the size (width x height, from the image's dictionary)
	// of the largest image drawn by images[i]: what PDFium would decode to
	// render it.
	pixels []imageSize
}

// imageSize is an image's size in pixels.
type imageSize struct{ w, h int64 }

func (s imageSize) pixels() int64 { return s.w * s.h }

// oversized returns the largest image of the scan that lies in region and
// holds more than limit pixels, if any. Rendering decodes every image in
// view whole, whatever the output resolution: a 60000 x 60000 image costs
// minutes of CPU however small the page is rendered.
func (s pageScan) oversized(region Box, limit int) (imageSize, bool) {
	var big imageSize
	for i, b := range s.images {
		if b.X1 <= region.X0 || b.X0 >= region.X1 || b.Y1 <= region.Y0 || b.Y0 >= region.Y1 {
			continue
		}
		if p := s.pixels[i]; p.pixels() > int64(limit) && p.pixels() > big.pixels() {
			big = p
		}
	}
	return big, big.pixels() > 0
}

// scanPage lists the page's image regions.
func scanPage(inst pdfium.Pdfium, page requests.Page, tf transform, width, height float64) (pageScan, error) {
	var s pageScan
	cnt, err := inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: page})
	if err != nil {
		return s, err
	}
	s.objects = cnt.Count
	if cnt.Count > maxPageObjects {
		return s, nil
	}
	budget := maxPageObjects
	for i := range cnt.Count {
		obj, err := inst.FPDFPage_GetObject(&requests.FPDFPage_GetObject{Page: page, Index: i})
		if err != nil {
			return s, err
		}
		size, ok := holdsImage(inst, obj.PageObject, 0, &budget)
		if !ok {
			continue
		}
		b, err := inst.FPDFPageObj_GetBounds(&requests.FPDFPageObj_GetBounds{PageObject: obj.PageObject})
		if err != nil {
			continue
		}
		box := tf.box(b.Left, b.Top, b.Right, b.Bottom)
		box = Box{X0: max(box.X0, 0), Y0: max(box.Y0, 0), X1: min(box.X1, width), Y1: min(box.Y1, height)}
		if box.X1 > box.X0 && box.Y1 > box.Y0 {
			s.images = append(s.images, box)
			s.pixels = append(s.pixels, size)
		}
	}
	return s, nil
}

// holdsImage reports whether obj is an image, or a form XObject that draws
// one, and the size of the largest such image (0 x 0 when PDFium cannot
// tell). budget bounds the objects looked at inside forms.
func holdsImage(inst pdfium.Pdfium, obj references.FPDF_PAGEOBJECT, depth int, budget *int) (imageSize, bool) {
	t, err := inst.FPDFPageObj_GetType(&requests.FPDFPageObj_GetType{PageObject: obj})
	if err != nil {
		return imageSize{}, false
	}
	switch {
	case t.Type == enums.FPDF_PAGEOBJ_IMAGE:
		px, err := inst.FPDFImageObj_GetImagePixelSize(&requests.FPDFImageObj_GetImagePixelSize{ImageObject: obj})
		if err != nil {
			return imageSize{}, true
		}
		return imageSize{int64(px.Width), int64(px.Height)}, true
	case t.Type != enums.FPDF_PAGEOBJ_FORM || depth >= maxFormDepth:
		return imageSize{}, false
	}
	cnt, err := inst.FPDFFormObj_CountObjects(&requests.FPDFFormObj_CountObjects{PageObject: obj})
	if err != nil {
		return imageSize{}, false
	}
	var largest imageSize
	found := false
	for i := range cnt.Count {
		if *budget--; *budget < 0 {
			break
		}
		child, err := inst.FPDFFormObj_GetObject(&requests.FPDFFormObj_GetObject{PageObject: obj, Index: uint64(i)})
		if err != nil {
			break
		}
		if size, ok := holdsImage(inst, child.PageObject, depth+1, budget); ok {
			found = true
			if size.pixels() > largest.pixels() {
				largest = size
			}
		}
	}
	return largest, found
}

// ocrPlan says what of a page to OCR.
type ocrPlan struct {
	full     bool  // the whole page
	required bool  // the page has no text otherwise
	regions  []Box // else these parts of it
}

func (p ocrPlan) any() bool { return p.full || len(p.regions) > 0 }

// planOCR decides, from the text layer's words and the page's images, what
// to OCR (see the comment at the top of this file).
func planOCR(words []placedWord, scan pageScan, width, height float64, priority bool) ocrPlan {
	switch {
	case priority:
		return ocrPlan{full: true, required: true}
	case len(words) == 0:
		return ocrPlan{full: scan.objects > 0, required: scan.objects > 0}
	}
	var candidates []Box
	for _, r := range mergeBoxes(scan.images) {
		w, h := r.X1-r.X0, r.Y1-r.Y0
		if w < imageMinWidth || h < imageMinHeight || w*h < imageMinArea {
			continue
		}
		inside := 0
		for _, wd := range words {
			cx, cy := (wd.Box.X0+wd.Box.X1)/2, (wd.Box.Y0+wd.Box.Y1)/2
			if cx >= r.X0 && cx <= r.X1 && cy >= r.Y0 && cy <= r.Y1 {
				inside++
			}
		}
		if inside < 3 || float64(inside) < w*h/pointsPerWord {
			candidates = append(candidates, r)
		}
	}
	if len(candidates) == 0 {
		return ocrPlan{}
	}
	area := 0.0
	for _, r := range candidates {
		area += (r.X1 - r.X0) * (r.Y1 - r.Y0)
	}
	if area > fullPageShare*width*height || len(candidates) > maxOCRRegions {
		return ocrPlan{full: true}
	}
	return ocrPlan{regions: candidates}
}

// mergeBoxes unites overlapping boxes until none overlap.
func mergeBoxes(boxes []Box) []Box {
	out := slices.Clone(boxes)
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(out) && !merged; i++ {
			for j := i + 1; j < len(out); j++ {
				a, b := out[i], out[j]
				if a.X0 <= b.X1 && b.X0 <= a.X1 && a.Y0 <= b.Y1 && b.Y0 <= a.Y1 {
					out[i] = union(a, b)
					out = slices.Delete(out, j, j+1)
					merged = true
					break
				}
			}
		}
	}
	return out
}

// ocrTask is one rendered image waiting for Tesseract.
type ocrTask struct {
	page   int    // 0-based page index
	path   string // the rendered image
	dpi    int
	origin Box // the rendered region, in page points
	scale  float64
	pixels int
	full   bool // the whole page, read again preprocessed when poor
}

// ocrResult is what one task found, in page coordinates.
type ocrResult struct {
	page   int
	region Box
	words  []placedWord
	run    *OCRRun // for a whole page
}

// pdfOCR runs the OCR of one PDF. Pages are rendered by the goroutine that
// owns the PDFium instance, into files of a temporary directory. A whole
// page is queued at once, and up to Workers goroutines hand queued pages to
// Tesseract while the next ones are read; the queue is short, so at most a
// few rendered pages wait on disk. Regions (images beside a text layer) are
// small: they wait until every page is read and then go to Tesseract
// together, as few processes as batchPixels allows, because starting
// Tesseract and loading its languages (0.2-0.5 s) costs more than reading a
// logo.
type pdfOCR struct {
	e      *Engine
	ctx    context.Context
	cancel context.CancelFunc
	langs  []string
	retry  bool // whole pages that read poorly are read again (ocrpass.go)
	dir    string
	queue  chan []ocrTask // each batch is one Tesseract run
	wg     sync.WaitGroup

	// Owned by the submitting goroutine.
	regions []ocrTask // rendered, waiting for wait
	started int       // worker goroutines
	files   int       // images rendered, for their names
	closed  bool      // the queue is closed

	mu      sync.Mutex
	err     error
	results []ocrResult
}

const (
	// batchPixels bounds a batch of regions: about half a page.
	batchPixels = 2_000_000
	maxBatch    = 64
)

func newPDFOCR(ctx context.Context, e *Engine, langs []string, retry bool) *pdfOCR {
	ctx, cancel := context.WithCancel(ctx)
	return &pdfOCR{e: e, ctx: ctx, cancel: cancel, langs: langs, retry: retry, queue: make(chan []ocrTask, e.cfg.Workers)}
}

// submit renders region of page index, and queues it when full, else keeps
// it for wait.
func (o *pdfOCR) submit(inst pdfium.Pdfium, page requests.Page, index int, region Box, full bool) error {
	if err := o.failed(); err != nil {
		return err
	}
	if o.dir == "" {
		dir, err := os.MkdirTemp("", "docparse-ocr-")
		if err != nil {
			return fmt.Errorf("ocr temp dir: %w", err)
		}
		o.dir = dir
	}
	w, h := region.X1-region.X0, region.Y1-region.Y0
	dpi := ocrDPI
	if px := w * h * float64(dpi*dpi) / (72 * 72); px > maxRenderPixels {
		dpi = max(20, int(float64(dpi)*math.Sqrt(maxRenderPixels/px)))
	}
	// RGBA and not PDFium's grayscale: its grayscale path takes three
	// times as long (800 ms against 270 ms for a scanned A4 page at 200
	// dpi); writePGM converts.
	res, err := inst.RenderPageInDPI(&requests.RenderPageInDPI{
		Page:        page,
		DPI:         dpi,
		RenderFlags: enums.FPDF_RENDER_FLAG_ANNOT,
		Crop:        &requests.RenderPageCrop{X: region.X0, Y: region.Y0, Width: w, Height: h},
	})
	if err != nil {
		return fmt.Errorf("render page %d: %w", index+1, err)
	}
	rgba, ok := res.Result.RenderedImage.(*image.RGBA)
	if !ok {
		res.Cleanup()
		return fmt.Errorf("render page %d: got %T, want *image.RGBA", index+1, res.Result.RenderedImage)
	}
	o.files++
	path := filepath.Join(o.dir, fmt.Sprintf("p%d-%d.pgm", index+1, o.files))
	err = writePGM(path, rgba)
	b := rgba.Bounds()
	res.Cleanup()
	if err != nil {
		return err
	}
	task := ocrTask{page: index, path: path, dpi: dpi, origin: region, scale: 72 / float64(dpi), pixels: b.Dx() * b.Dy(), full: full}
	if !full && dpi == ocrDPI {
		o.regions = append(o.regions, task)
		return nil
	}
	return o.enqueue([]ocrTask{task})
}

// enqueue hands a batch to the workers, starting one if fewer than Workers
// run.
func (o *pdfOCR) enqueue(batch []ocrTask) error {
	if o.started < o.e.cfg.Workers {
		o.started++
		o.wg.Add(1)
		go o.work()
	}
	select {
	case o.queue <- batch:
		return nil
	case <-o.ctx.Done():
		for _, t := range batch {
			os.Remove(t.path)
		}
		return o.failed()
	}
}

func (o *pdfOCR) work() {
	defer o.wg.Done()
	for batch := range o.queue {
		o.run(batch)
	}
}

// run OCRs a batch, given to Tesseract as a list of images when it has
// more than one, and files the results; the first error fails the PDF.
func (o *pdfOCR) run(batch []ocrTask) {
	defer func() {
		for _, t := range batch {
			os.Remove(t.path)
		}
	}()
	if o.ctx.Err() != nil {
		return
	}
	input := batch[0].path
	if len(batch) > 1 {
		input = batch[0].path + ".list"
		var list strings.Builder
		for _, t := range batch {
			list.WriteString(t.path + "\n")
		}
		if err := os.WriteFile(input, []byte(list.String()), 0o600); err != nil {
			o.fail(fmt.Errorf("write ocr list: %w", err))
			return
		}
		defer os.Remove(input)
	}
	// A batch shares one resolution: only regions rendered at ocrDPI are
	// batched.
	var pixels int
	for _, t := range batch {
		pixels = max(pixels, t.pixels)
	}
	pages, cpu, err := o.e.runOCR(o.ctx, input, batch[0].dpi, int64(pixels), o.langs, 0)
	if err != nil {
		o.fail(err)
		return
	}
	var run *OCRRun
	if t := batch[0]; len(batch) == 1 && t.full && !o.retry {
		run = &OCRRun{Pass: "original", Tried: []string{"original"}, CPU: cpu}
	} else if len(batch) == 1 && t.full {
		first := ocrPage{lines: map[int]Box{}}
		if len(pages) > 0 {
			first = pages[0]
		}
		// The page keeps its frame: words are mapped back onto it, so
		// no turn to upright.
		best, _, r, err := o.e.ocrBest(o.ctx, ocrInput{
			first: first, cpu: cpu, dpi: t.dpi, langs: o.langs, dir: o.dir,
			gray: func() (*image.Gray, error) { return readPGM(t.path) },
		})
		if err != nil {
			o.fail(err)
			return
		}
		pages, run = []ocrPage{best}, r
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, t := range batch {
		var words []placedWord
		if i < len(pages) {
			words = placeOCR(pages[i], t.scale, t.origin.X0, t.origin.Y0)
		}
		o.results = append(o.results, ocrResult{page: t.page, region: t.origin, words: words, run: run})
	}
}

func (o *pdfOCR) fail(err error) {
	o.mu.Lock()
	if o.err == nil {
		o.err = err
	}
	o.mu.Unlock()
	o.cancel()
}

// failed returns the first error of a task, or the context's.
func (o *pdfOCR) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	if err := ctxError(o.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// wait queues the regions in batches, ends the queue, waits for the
// workers and returns what they found, or the first error.
func (o *pdfOCR) wait() ([]ocrResult, error) {
	var batch []ocrTask
	pixels := 0
	for _, t := range o.regions {
		if len(batch) > 0 && (pixels+t.pixels > batchPixels || len(batch) == maxBatch) {
			if err := o.enqueue(batch); err != nil {
				break
			}
			batch, pixels = nil, 0
		}
		batch, pixels = append(batch, t), pixels+t.pixels
	}
	if len(batch) > 0 {
		o.enqueue(batch) // an error is o.failed's, returned below
	}
	o.regions = nil
	o.closeQueue()
	o.wg.Wait()
	o.cancel()
	o.removeDir()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return nil, o.err
	}
	if err := ctxError(o.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	return o.results, nil
}

// stop abandons the OCR (after a failure): running processes are killed.
// It does nothing after wait.
func (o *pdfOCR) stop() {
	o.cancel()
	o.closeQueue()
	o.wg.Wait()
	o.removeDir()
}

func (o *pdfOCR) closeQueue() {
	if !o.closed {
		o.closed = true
		close(o.queue)
	}
}

func (o *pdfOCR) removeDir() {
	if o.dir != "" {
		os.RemoveAll(o.dir)
		o.dir = ""
	}
}

// writePGM writes img in grey as a binary PGM, which Tesseract (Leptonica)
// reads without the cost of PNG compression. Transparent parts are white,
// as on paper.
func writePGM(path string, img *image.RGBA) error {
	b := img.Bounds()
	row := make([]byte, b.Dx())
	return writePGMRows(path, "write rendered page", b.Dx(), b.Dy(), func(i int) []byte {
		pix := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+i):]
		for x := range row {
			p := pix[4*x : 4*x+4]
			// Premultiplied RGBA over white, then BT.601 luma.
			white := 255 - uint32(p[3])
			r, g, bl := uint32(p[0])+white, uint32(p[1])+white, uint32(p[2])+white
			row[x] = byte(min(255, (299*r+587*g+114*bl)/1000))
		}
		return row
	})
}

// writePGMRows writes a binary PGM of width x height grey levels to path,
// taking its rows from rowAt(0) (the top) to rowAt(height-1); rowAt's
// slice is written before the next call, so it may be reused. Errors
// read "what: ...".
func writePGMRows(path, what string, width, height int, rowAt func(i int) []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	fmt.Fprintf(w, "P5\n%d %d\n255\n", width, height)
	for i := range height {
		w.Write(rowAt(i))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// mergeOCR combines the text layer's words of a page with what OCR read in
// region. Normally (priority false) every text-layer word stays and an OCR
// word is added when its centre lies in the region and it overlaps no
// text-layer word; with priority the roles are swapped for the whole page.
func mergeOCR(text, ocr []placedWord, region Box, priority bool) []placedWord {
	keep, add := text, ocr
	if priority {
		keep, add = ocr, text
	}
	out := slices.Clone(keep)
	for _, w := range add {
		if !priority {
			cx, cy := (w.Box.X0+w.Box.X1)/2, (w.Box.Y0+w.Box.Y1)/2
			if cx < region.X0 || cx > region.X1 || cy < region.Y0 || cy > region.Y1 {
				continue
			}
		}
		clash := false
		for _, k := range keep {
			if overlap(k.Box, w.Box) > 0.3 {
				clash = true
				break
			}
		}
		if !clash {
			out = append(out, w)
		}
	}
	return out
}

package extract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// OCR that tries harder when it reads little.
//
// Tesseract reads a page once, as it is (the "original" pass). When that
// pass is poor (fewer than ocrFewWords words, a mean confidence below
// ocrLowConf, or small text read with a confidence below ocrGoodConf), or
// read an image lying on its side, and the image is one this package can
// decode (a single-page PNG, JPEG or GIF, or a rendered PDF page), further
// passes run on preprocessed copies of it, made in Go and written as PGM
// files for Tesseract:
//
//   - orientation: Tesseract's orientation detection (--psm 0, language
//     osd) says how to turn the page upright, and the next passes read it
//     turned (images only: a PDF page keeps its frame);
//   - deskew: a page turned by more than ocrDeskewMin is turned back by the
//     slope the first pass measured;
//   - grey and contrast: levels stretched so that faint print is black;
//   - upscaling of small text (median word height below ocrSmallText
//     pixels) towards ocrTargetHeight, at most ocrMaxUpscale, within
//     maxRenderPixels;
//   - thickening: the ink grows by a pixel, which merges the dots of
//     dot-matrix and thin thermal print into strokes;
//   - binarisation at Otsu's threshold.
//
// retry.plan says which passes run in which order. Each pass is scored by
// the confident characters it read (see passStats): noise that Tesseract
// reads into speckles is short, mostly punctuation and low in confidence,
// and scores next to nothing, so a pass that hallucinates does not win
// over one that reads. A later pass must beat the best so far by
// ocrWinMargin. Passes stop once the best is good, or when the next would
// overrun the page's budget of Tesseract CPU time (see ocrBudgetFactor:
// estimated from the pixels read, so that the load of the machine never
// changes which passes run). A blank page gets no retry. The
// winner's words are the page's, and Page.OCR says which pass won and what
// ran.
const (
	ocrFewWords     = 10
	ocrLowConf      = 75.0
	ocrGoodConf     = 85.0 // small text read at least this well is kept
	ocrSmallText    = 20.0 // pixels, median word height
	ocrTargetHeight = 30.0
	// ocrMaxUpscale bounds upscaling: a pass over 2x the pixels costs
	// about twice the first, 3x about three times.
	ocrMaxUpscale = 2.0
	ocrWinMargin  = 1.05
	// ocrUprightMargin: a pass turned upright by OSD wins unless it reads
	// clearly less.
	ocrUprightMargin = 0.9
	ocrDeskewMin     = 0.4 * math.Pi / 180
	// ocrBlankInk: a page with a smaller share of dark pixels, after its
	// contrast is stretched, is blank and gets no further pass.
	ocrBlankInk = 0.0005
	// OSD needs some text: pages smaller than this are not asked.
	ocrOSDMinPixels = 200 * 200
)

// The Tesseract CPU time the retries of one page may spend (its budget) is
// ocrBudgetFactor times the first pass's estimated cost, within
// [ocrBudgetMin, ocrBudgetMax]. A pass is not started when its estimated
// cost would overrun what is left of the budget.
//
// Costs are estimated from the pixels a pass reads (ocrCost), never
// measured: the CPU time a process is charged grows when other work loads
// the machine, and a budget of measured time ran other passes on a busy
// machine than on an idle one (4 of 59 receipts read on a machine loaded
// twice over, 2026-12-07). With estimates a page is read the same way
// on every run, so a document's values do not depend on the load, and
// bench/train's readings of the training documents, and the model fitted
// on them, are reproducible. The measured time still bounds the work: a
// Tesseract process that uses more CPU time than the page's whole budget
// is killed (an image that costs far more than its size says).
const (
	ocrBudgetFactor = 2.0
	ocrBudgetMin    = 3 * time.Second
	ocrBudgetMax    = 8 * time.Second
	// ocrCostBase and ocrCostPerMegapixel estimate one pass: fitted on
	// 40 SROIE receipts of 0.3 to 3.9 megapixels read by Tesseract 5 on
	// one thread of this project's development machine (0.5 s + 0.11 s
	// a megapixel; a 35-megapixel scan took 2 to 4.7 s, the fit says
	// 4.3 s).
	ocrCostBase         = 500 * time.Millisecond
	ocrCostPerMegapixel = 110 * time.Millisecond
)

// ocrCost estimates the Tesseract CPU time of one pass over pixels.
func ocrCost(pixels float64) time.Duration {
	return ocrCostBase + time.Duration(pixels/1e6*float64(ocrCostPerMegapixel))
}

// OCRRun says how OCR read a page.
type OCRRun struct {
	// Pass is the pass whose words the page holds: "original" (the image
	// as it came), or the preprocessing steps joined by "+", such as
	// "rot90+stretch+x2+thicken".
	Pass string
	// Tried lists every pass run, in order, "original" first, and "osd"
	// when orientation detection ran.
	Tried []string
	// CPU is the Tesseract CPU time spent on the page, all passes. The
	// pages of a multi-page TIFF are read by one process: each shows its
	// CPU time.
	CPU time.Duration
	// Blank: the page holds next to no ink; it got no further pass (and
	// no second reading) whatever the first read.
	Blank bool `json:",omitempty"`
}

// ocrPassStats sums up what a pass read.
type ocrPassStats struct {
	words    int
	meanConf float64 // 0-100
	height   float64 // median word height, pixels of the pass's input
	score    float64
}

// passStats measures p. The score counts letters and digits of words of
// confidence 40 or more, each weighted by the square of its word's
// confidence (in 0-1), at most 20 per word.
func passStats(p ocrPage) ocrPassStats {
	var s ocrPassStats
	var heights []float64
	for _, w := range p.words {
		s.words++
		s.meanConf += w.conf
		heights = append(heights, w.box.Y1-w.box.Y0)
		if w.conf < 40 {
			continue
		}
		n := 0
		for _, r := range w.text {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				n++
			}
		}
		c := w.conf / 100
		s.score += float64(min(n, 20)) * c * c
	}
	if s.words > 0 {
		s.meanConf /= float64(s.words)
	}
	s.height = median(heights)
	return s
}

// poor reports whether a pass read too little, or too unsurely, to stop.
func (s ocrPassStats) poor() bool {
	return s.words < ocrFewWords || s.meanConf < ocrLowConf ||
		(s.height < ocrSmallText && s.meanConf < ocrGoodConf)
}

// ocrVariant is one preprocessing of a page, applied in the order of the
// fields.
type ocrVariant struct {
	quarter  int     // clockwise quarter turns
	angle    float64 // clockwise turn in radians, to deskew
	stretch  bool
	scale    float64 // 1 or an upscaling factor
	thicken  int     // pixels the ink grows by, at the original scale
	binarize bool
}

func (v ocrVariant) name() string {
	var parts []string
	if v.quarter != 0 {
		parts = append(parts, "rot"+strconv.Itoa(v.quarter*90))
	}
	if v.angle != 0 {
		parts = append(parts, fmt.Sprintf("deskew%.1f", v.angle*180/math.Pi))
	}
	if v.stretch {
		parts = append(parts, "stretch")
	}
	if v.scale > 1 {
		parts = append(parts, "x"+strconv.FormatFloat(v.scale, 'f', -1, 64))
	}
	if v.thicken > 0 {
		parts = append(parts, "thicken")
	}
	if v.binarize {
		parts = append(parts, "otsu")
	}
	if len(parts) == 0 {
		return "gray"
	}
	return strings.Join(parts, "+")
}

// apply makes the variant's image from g.
func (v ocrVariant) apply(g *image.Gray) *image.Gray {
	if v.quarter != 0 {
		g = rotateQuarter(g, v.quarter)
	}
	if v.angle != 0 {
		g = rotateSmall(g, v.angle)
	}
	if v.stretch {
		g = stretchContrast(g)
	}
	if v.scale > 1 {
		g = scaleGray(g, v.scale)
	}
	if v.thicken > 0 {
		g = thicken(g, max(1, int(math.Round(float64(v.thicken)*v.scale/2))))
	}
	if v.binarize {
		g = binarize(g)
	}
	return g
}

// unmap turns a box in the pixels of the variant's image into the upright
// frame: the original image turned by quarter, at scale 1 (w x h, the
// size of that frame), deskewing undone.
func (v ocrVariant) unmap(b Box, w, h float64) Box {
	s := v.scale
	if s <= 0 {
		s = 1
	}
	b = Box{X0: b.X0 / s, Y0: b.Y0 / s, X1: b.X1 / s, Y1: b.Y1 / s}
	if v.angle == 0 {
		return b
	}
	// rotateSmall took the pixel at (x, y) turned back by angle; undo by
	// turning the corners back.
	cx, cy := w/2, h/2
	sin, cos := math.Sincos(v.angle)
	out := Box{X0: math.Inf(1), Y0: math.Inf(1), X1: math.Inf(-1), Y1: math.Inf(-1)}
	for _, p := range [4][2]float64{{b.X0, b.Y0}, {b.X1, b.Y0}, {b.X0, b.Y1}, {b.X1, b.Y1}} {
		dx, dy := p[0]-cx, p[1]-cy
		x, y := cos*dx+sin*dy+cx, -sin*dx+cos*dy+cy
		out = Box{X0: min(out.X0, x), Y0: min(out.Y0, y), X1: max(out.X1, x), Y1: max(out.Y1, y)}
	}
	return Box{X0: max(0, out.X0), Y0: max(0, out.Y0), X1: min(w, out.X1), Y1: min(h, out.Y1)}
}

// ocrInput is one page to read with retries.
type ocrInput struct {
	first   ocrPage       // the original pass, already run
	cpu     time.Duration // its CPU time, as measured (reported, never budgeted)
	dpi     int           // of the image, 0 when unknown
	gray    func() (*image.Gray, error)
	dir     string // where the variants' files go, "" for the default temporary directory
	langs   []string
	upright bool // the page may be turned upright (an image, not a PDF page)
}

// ocrBest runs the retries of one page (see the top of this file) and
// returns the best pass's page, in the pixels of the upright frame, and
// how it was read. quarter is how the winner turned the original image
// (clockwise quarter turns): its page's width and height are the turned
// image's. Errors of a retry other than the context's are not fatal: the
// best pass so far stands.
func (e *Engine) ocrBest(ctx context.Context, in ocrInput) (ocrPage, int, *OCRRun, error) {
	r := &retry{e: e, in: in, best: in.first, stats: passStats(in.first),
		run: &OCRRun{Pass: "original", Tried: []string{"original"}, CPU: in.cpu}}
	if (!r.stats.poor() && !(in.upright && sideways(in.first))) || in.gray == nil {
		return r.best, 0, r.run, nil
	}
	g, err := in.gray()
	if err != nil {
		return r.best, 0, r.run, nil
	}
	if inkShare(stretchContrast(g)) < ocrBlankInk {
		r.run.Blank = true
		return r.best, 0, r.run, nil
	}
	dir, err := os.MkdirTemp(in.dir, "passes-")
	if err != nil {
		return r.best, 0, r.run, nil
	}
	defer os.RemoveAll(dir)
	r.g, r.dir = g, dir
	r.pixels = float64(g.Bounds().Dx() * g.Bounds().Dy())
	r.budget = r.e.scaleBudget(min(ocrBudgetMax, max(ocrBudgetMin, time.Duration(float64(ocrCost(r.pixels))*ocrBudgetFactor))))
	err = r.plan(ctx)
	return r.best, r.quarter, r.run, err
}

// retry is the state of ocrBest.
type retry struct {
	e      *Engine
	in     ocrInput
	g      *image.Gray
	dir    string
	pixels float64
	budget time.Duration
	spent  time.Duration // the estimated cost of the passes run (ocrCost)
	passes int

	best    ocrPage
	stats   ocrPassStats
	quarter int
	run     *OCRRun
}

// plan picks the passes from what the first one read, and runs them until
// one is good or the budget is spent:
//
//   - next to nothing read: thicken (dot-matrix print); then ask OSD and
//     read the page upright; then, on a small image, upscale;
//   - words read sideways (most boxes taller than wide) or with a mean
//     confidence below 60 (upside down reads as confident-looking noise):
//     ask OSD first;
//   - else: the contrast stretched and small text upscaled, then
//     thickened, then binarised.
func (r *retry) plan(ctx context.Context) error {
	st := r.stats
	base := ocrVariant{stretch: true, scale: 1}
	if st.words >= ocrFewWords {
		if slope := pageSkew(r.in.first, linesOf(r.in.first)); math.Abs(math.Atan(slope)) >= ocrDeskewMin {
			base.angle = -math.Atan(slope)
		}
	}
	scaled := base
	if s := r.upscale(st.height); s > 1 {
		scaled.scale = s
	}
	with := func(v ocrVariant, thick int, otsu bool) ocrVariant {
		v.thicken, v.binarize = thick, otsu
		return v
	}
	if st.words < ocrFewWords {
		if done, err := r.try(ctx, with(base, 1, false)); done || err != nil {
			return err
		}
		if q, err := r.orientation(ctx); err != nil || q != 0 {
			if err != nil {
				return err
			}
			up := ocrVariant{quarter: q, stretch: true, scale: 1}
			return r.tryAll(ctx, up, with(up, 1, false))
		}
		if r.pixels < 2_000_000 {
			// Nothing read on a small image: maybe small text.
			scaled.scale = r.upscale(ocrTargetHeight / 2)
		}
		return r.tryAll(ctx, scaled, with(scaled, 1, false), with(base, 1, true))
	}
	if sideways(r.in.first) || st.meanConf < 60 {
		if q, err := r.orientation(ctx); err != nil || q != 0 {
			if err != nil {
				return err
			}
			up := ocrVariant{quarter: q, stretch: true, scale: 1}
			return r.tryAll(ctx, up, with(up, 1, false))
		}
		if !st.poor() {
			return nil // read well, sideways
		}
	}
	vs := []ocrVariant{scaled, with(scaled, 1, false), with(scaled, 0, true)}
	if scaled.scale > 1 {
		vs = append(vs, with(base, 1, false))
	}
	return r.tryAll(ctx, vs...)
}

// upscale returns the factor that brings text of the given median height
// towards ocrTargetHeight, in halves, at most ocrMaxUpscale and within
// maxRenderPixels; 1 when the text is not small.
func (r *retry) upscale(height float64) float64 {
	if height <= 0 || height >= ocrSmallText {
		return 1
	}
	s := math.Min(ocrMaxUpscale, math.Round(2*ocrTargetHeight/height)/2)
	s = math.Min(s, math.Floor(2*math.Sqrt(maxRenderPixels/r.pixels))/2)
	if s < 1.5 {
		return 1
	}
	return s
}

// sideways reports whether most words of three or more letters are taller
// than wide: Tesseract read a page lying on its side.
func sideways(p ocrPage) bool {
	tall, n := 0, 0
	for _, w := range p.words {
		if len([]rune(w.text)) < 3 {
			continue
		}
		n++
		if w.box.Y1-w.box.Y0 > w.box.X1-w.box.X0 {
			tall++
		}
	}
	return n >= 3 && 2*tall > n
}

// tryAll tries the variants in order until one is good.
func (r *retry) tryAll(ctx context.Context, vs ...ocrVariant) error {
	for _, v := range vs {
		if done, err := r.try(ctx, v); done || err != nil {
			return err
		}
	}
	return nil
}

// try runs one variant when the budget allows, keeps it when it beats the
// best pass, and reports whether the best pass is now good.
func (r *retry) try(ctx context.Context, v ocrVariant) (bool, error) {
	cost := ocrCost(r.pixels * v.scale * v.scale)
	if slices.Contains(r.run.Tried, v.name()) || r.spent+cost > r.budget {
		return false, nil
	}
	r.passes++
	path := filepath.Join(r.dir, fmt.Sprintf("pass%d.pgm", r.passes))
	if err := writeGrayPGM(path, v.apply(r.g)); err != nil {
		return false, nil
	}
	defer os.Remove(path)
	dpi := 0
	if r.in.dpi > 0 {
		dpi = int(math.Round(float64(r.in.dpi) * v.scale))
	}
	pages, cpu, err := r.e.runOCR(ctx, path, dpi, int64(r.pixels*v.scale*v.scale), r.in.langs, r.budget)
	r.spent += cost
	r.run.CPU += cpu
	r.run.Tried = append(r.run.Tried, v.name())
	if cerr := ctxError(ctx); cerr != nil {
		return false, cerr
	}
	if errors.Is(err, errOCRInterrupted) {
		return false, err // transient: the whole file is read again
	}
	if err != nil || len(pages) == 0 {
		return false, nil
	}
	p := pages[0]
	s := passStats(p)
	margin := ocrWinMargin
	if v.quarter != 0 {
		margin = ocrUprightMargin // upright wins a near tie
	}
	if s.score <= r.stats.score*margin || s.score == 0 {
		return !r.stats.poor(), nil
	}
	w, h := float64(r.g.Bounds().Dx()), float64(r.g.Bounds().Dy())
	if v.quarter%2 == 1 {
		w, h = h, w
	}
	for j := range p.words {
		p.words[j].box = v.unmap(p.words[j].box, w, h)
	}
	for k, b := range p.lines {
		p.lines[k] = v.unmap(b, w, h)
	}
	p.width, p.height = w, h
	r.best, r.stats, r.quarter = p, s, v.quarter
	r.run.Pass = v.name()
	return !s.poor(), nil
}

// orientation asks Tesseract's OSD, once and when the page may be turned,
// how to turn it upright (clockwise quarter turns; 0 when upright or
// unsure).
func (r *retry) orientation(ctx context.Context) (int, error) {
	cost := ocrCost(r.pixels) / 2
	if !r.in.upright || r.pixels < ocrOSDMinPixels || !r.e.ocr.has("osd") || r.spent+cost > r.budget {
		return 0, nil
	}
	q, cpu, err := r.e.orientation(ctx, r.g, r.dir, r.budget)
	r.spent += cost
	r.run.CPU += cpu
	r.run.Tried = append(r.run.Tried, "osd")
	if cerr := ctxError(ctx); cerr != nil {
		return 0, cerr
	}
	if errors.Is(err, errOCRInterrupted) {
		return 0, err
	}
	if err != nil {
		return 0, nil
	}
	return q, nil
}

// linesOf groups the word indexes of p by line, as placeOCR does.
func linesOf(p ocrPage) map[int][]int {
	by := map[int][]int{}
	for i, w := range p.words {
		by[w.line] = append(by[w.line], i)
	}
	return by
}

func (t *tesseract) has(lang string) bool { return slices.Contains(t.installed, lang) }

// orientation asks Tesseract (--psm 0) how g must be turned to be upright,
// in clockwise quarter turns; 0 when it is not sure. The process is killed
// past limit of CPU time.
func (e *Engine) orientation(ctx context.Context, g *image.Gray, dir string, limit time.Duration) (int, time.Duration, error) {
	path := filepath.Join(dir, "osd.pgm")
	if err := writeGrayPGM(path, stretchContrast(g)); err != nil {
		return 0, 0, err
	}
	defer os.Remove(path)
	out, cpu, err := e.runTesseract(ctx, []string{path, "stdout", "-l", "osd", "--psm", "0"}, int64(len(g.Pix)), limit)
	if err != nil {
		return 0, cpu, err
	}
	rotate, conf := -1, 0.0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Rotate":
			rotate, _ = strconv.Atoi(v)
		case "Orientation confidence":
			conf, _ = strconv.ParseFloat(v, 64)
		}
	}
	// Tesseract's "Rotate" is the clockwise turn in degrees that makes
	// the page upright; its confidence is a ratio of likelihoods, and
	// below 2 a guess.
	if rotate <= 0 || rotate%90 != 0 || conf < 2 {
		return 0, cpu, nil
	}
	return (rotate / 90) % 4, cpu, nil
}

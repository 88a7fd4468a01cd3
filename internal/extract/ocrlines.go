package extract

import (
	"cmp"
	"context"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Lines read again, one under another.
//
// Tesseract finds a receipt's lines well but misreads small or faint
// print on them, and it reads a line better on its own, enlarged, than in
// the middle of a page. rereadLines cuts every line the page's best pass
// found out of the image (the full width of the page, with a margin above
// and below), enlarges the cuts so that their median word is about
// rereadHeight pixels high, stacks them with white space between them and
// has Tesseract read the stack as one block. Its words are moved back to
// where their line sits on the page. On the SROIE training receipts the
// readings held the total 326 times of 362, the date 295 and the store's
// name 221 before; with the lines read again, 332, 300 and 225 (see
// BENCHMARKS.md, issue 11, session 7). The stack is one Tesseract run
// over about the page's text, not one run per line; the stack is at most
// rereadMaxArea times the page's pixels. Only pages whose best pass read
// with a mean confidence below Config.RereadLinesBelow are read again.
const (
	rereadHeight   = 32.0 // pixels, the median word height the cuts are enlarged to
	rereadMaxScale = 3.0
	rereadGap      = 20   // white pixels above and below each cut
	rereadPad      = 0.35 // margin above and below a line, a share of its height
	rereadMinPad   = 4.0  // pixels
	// rereadMaxArea bounds the stack's pixels, as a multiple of the
	// page's: the reading then costs about what the first pass did.
	rereadMaxArea = 2.0
)

// rereadBand is one cut of the stack: rows [y0, y1) of the page, placed
// at top in the stacked image (its white gap above included).
type rereadBand struct {
	y0, y1 int
	top    float64
}

// lineBands returns the rows of the page to cut, one band per row of text:
// Tesseract's lines that overlap by more than half the smaller one's
// height (a label and its value read as two lines) share a band.
func lineBands(p ocrPage, height int) [][2]int {
	boxes := make([]Box, 0, len(p.lines))
	for _, b := range p.lines {
		if b.Y1 > b.Y0 {
			boxes = append(boxes, b)
		}
	}
	slices.SortFunc(boxes, func(a, b Box) int { return cmp.Or(cmp.Compare(a.Y0, b.Y0), cmp.Compare(a.Y1, b.Y1)) })
	var rows []Box
	for _, b := range boxes {
		if n := len(rows); n > 0 {
			last := &rows[n-1]
			overlap := min(last.Y1, b.Y1) - max(last.Y0, b.Y0)
			if overlap > 0.5*min(last.Y1-last.Y0, b.Y1-b.Y0) {
				last.Y0, last.Y1 = min(last.Y0, b.Y0), max(last.Y1, b.Y1)
				continue
			}
		}
		rows = append(rows, b)
	}
	bands := make([][2]int, 0, len(rows))
	for _, r := range rows {
		pad := max(rereadMinPad, rereadPad*(r.Y1-r.Y0))
		y0, y1 := max(0, int(r.Y0-pad)), min(height, int(math.Ceil(r.Y1+pad)))
		if y1 > y0 {
			bands = append(bands, [2]int{y0, y1})
		}
	}
	return bands
}

// stackLines cuts the bands out of g, enlarges them by scale and stacks
// them, each with rereadGap white pixels above and below.
func stackLines(g *image.Gray, rows [][2]int, scale float64) (*image.Gray, []rereadBand) {
	b := g.Bounds()
	w := max(1, int(math.Round(float64(b.Dx())*scale)))
	total := 0
	cuts := make([]*image.Gray, len(rows))
	for i, r := range rows {
		cut := g.SubImage(image.Rect(b.Min.X, b.Min.Y+r[0], b.Max.X, b.Min.Y+r[1])).(*image.Gray)
		if scale != 1 {
			cut = scaleGray(cut, scale)
		}
		cuts[i] = cut
		total += cut.Bounds().Dy() + 2*rereadGap
	}
	out := image.NewGray(image.Rect(0, 0, w, total))
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	bands := make([]rereadBand, len(rows))
	y := 0
	for i, cut := range cuts {
		bands[i] = rereadBand{y0: rows[i][0], y1: rows[i][1], top: float64(y)}
		cb := cut.Bounds()
		for row := range cb.Dy() {
			src := cut.Pix[cut.PixOffset(cb.Min.X, cb.Min.Y+row):]
			copy(out.Pix[(y+rereadGap+row)*out.Stride:(y+rereadGap+row)*out.Stride+min(w, cb.Dx())], src[:min(w, cb.Dx())])
		}
		y += cb.Dy() + 2*rereadGap
	}
	return out, bands
}

// unstack moves the words and lines Tesseract read in the stack back to
// the page: a word belongs to the band its middle falls in.
func unstack(p ocrPage, bands []rereadBand, scale float64, width, height float64) ocrPage {
	at := func(b Box) (Box, bool) {
		mid := (b.Y0 + b.Y1) / 2
		i, found := slices.BinarySearchFunc(bands, mid, func(x rereadBand, y float64) int { return cmp.Compare(x.top, y) })
		if !found {
			i--
		}
		if i < 0 {
			return Box{}, false
		}
		band := bands[i]
		dy := float64(band.y0) - (band.top+rereadGap)/scale
		out := Box{X0: b.X0 / scale, X1: b.X1 / scale, Y0: b.Y0/scale + dy, Y1: b.Y1/scale + dy}
		out.Y0, out.Y1 = max(out.Y0, float64(band.y0)), min(out.Y1, float64(band.y1))
		return out, out.Y1 > out.Y0
	}
	out := ocrPage{width: width, height: height, lines: map[int]Box{}}
	for _, w := range p.words {
		if b, ok := at(w.box); ok {
			w.box = b
			out.words = append(out.words, w)
		}
	}
	for k, l := range p.lines {
		if b, ok := at(l); ok {
			out.lines[k] = b
		}
	}
	return out
}

// rereadScale is how much the cuts of a page whose median word is height
// pixels high are enlarged: towards rereadHeight, between 1 and
// rereadMaxScale, and so that the stack of rows (rowPixels high, width
// wide) stays within rereadMaxArea times the page's pixels (Tesseract's
// time grows with them) and within maxRenderPixels.
func rereadScale(height float64, width, rowPixels int, page float64) float64 {
	s := 1.0
	if height > 0 {
		s = min(rereadMaxScale, max(1, rereadHeight/height))
	}
	area := float64(width) * float64(rowPixels)
	if limit := min(rereadMaxArea*page, maxRenderPixels); area*s*s > limit {
		s = max(1, math.Sqrt(limit/area))
	}
	return s
}

// rereadLines reads the lines of page p (the best pass, in the pixels of
// the image gray decodes, not turned) again, as the top of this file says. The
// run is bounded like the second reading's, and counted in run; a run
// that fails or overruns leaves the page without this reading.
func (e *Engine) rereadLines(ctx context.Context, gray func() (*image.Gray, error), p ocrPage, langs []string, first time.Duration, run *OCRRun) (*ocrPage, error) {
	if len(p.lines) == 0 {
		return nil, nil
	}
	g, err := gray()
	if err != nil {
		return nil, nil
	}
	rows := lineBands(p, g.Bounds().Dy())
	rowPixels := 0
	for _, r := range rows {
		rowPixels += r[1] - r[0] + 2*rereadGap
	}
	heights := make([]float64, len(p.words))
	for i, w := range p.words {
		heights[i] = w.box.Y1 - w.box.Y0
	}
	scale := rereadScale(median(heights), g.Bounds().Dx(), rowPixels, float64(g.Bounds().Dx())*float64(g.Bounds().Dy()))
	stack, bands := stackLines(g, rows, scale)
	dir, err := os.MkdirTemp("", "docparse-lines-")
	if err != nil {
		return nil, nil
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "lines.pgm")
	if err := writeGrayPGM(file, stack); err != nil {
		return nil, nil
	}
	sb := stack.Bounds()
	read, err := e.readBlock(ctx, file, int64(sb.Dx())*int64(sb.Dy()), langs, first, run, "lines")
	if read == nil || err != nil {
		return nil, err
	}
	back := unstack(*read, bands, scale, float64(g.Bounds().Dx()), float64(g.Bounds().Dy()))
	return &back, nil
}

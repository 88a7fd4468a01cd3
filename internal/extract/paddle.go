package extract

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/docparse/docparse/internal/ort"
)

// OCR with PaddleOCR's models (PP-OCRv4: a text detector and a line
// recogniser, Apache-2.0) run by ONNX Runtime in this process, instead
// of Tesseract. On receipts photographed or scanned in poor light they
// read far better than Tesseract: on 40 SROIE training receipts the
// store's name stood in Tesseract's text 23 times and in theirs 33, the
// total 32 and 40 times.
//
// A models directory (Config.OCRModels; scripts/ocr-models.sh lays one out
// from the npm registry) holds:
//
//	libonnxruntime.so   ONNX Runtime's shared library
//	det.onnx            the detector: a probability map of text pixels
//	rec.onnx            the recogniser: characters of one line (CTC)
//	keys.txt            the recogniser's characters, one a line
//
// They read single-page PNG, JPEG and GIF images whose OCR languages are
// English only (paddleCovers); an image over paddleMaxPixels is scaled
// down to it first. The detector sees the page scaled so that its longer side is at most
// paddleDetMaxSide pixels; its map is cut at paddleDetThresh into
// regions, one a line of text, kept when their mean probability reaches
// paddleBoxThresh and grown back by the share of their size the model
// shrank them by (paddleUnclip). Each region is cut out of the page at
// full resolution, scaled to paddleRecHeight pixels high and read. The
// recogniser gives a character (or none) per 8 pixels of its input: where
// it gives them says where the characters stand, so the words of a line
// are split at the spaces it reads and at the blank gaps between two
// characters at least paddleSpace times as wide as the ink is high.
const (
	paddleDetMaxSide = 1280
	paddleDetThresh  = 0.3
	paddleBoxThresh  = 0.6
	paddleUnclip     = 1.5
	paddleMinBox     = 3
	paddleRecHeight  = 48
	paddleRecMinW    = 320
	paddleRecMaxW    = 3200
	paddleSpace      = 0.3
	paddleSpaceVsGap = 2.0
	paddleMaxBoxes   = 2000
	// paddleMaxPixels: a larger image is scaled down to it first.
	paddleMaxPixels = 16_000_000
	// paddleDetMemory is what the detector's run takes besides the image:
	// its input and output maps and its layers' activations at
	// paddleDetMaxSide, an estimate.
	paddleDetMemory = 128 << 20
)

// PassModels is OCRRun.Pass of a page the OCR models read.
const PassModels = "paddle"

// ReadByModels reports whether the OCR models read a page of d.
func (d *Document) ReadByModels() bool {
	if d == nil {
		return false
	}
	for _, p := range d.Pages {
		if p.OCR != nil && p.OCR.Pass == PassModels {
			return true
		}
	}
	return false
}

// paddleFiles are the files a models directory must hold.
var paddleFiles = []string{"libonnxruntime.so", "det.onnx", "rec.onnx", "keys.txt"}

// paddleReader runs the two models. Its sessions may run from several
// goroutines at once.
type paddleReader struct {
	det, rec *ort.Session
	keys     []string // index i+1 of the recogniser's classes; 0 is CTC's blank
}

var (
	paddleMu     sync.Mutex
	paddleByPath = map[string]*paddleReader{}
)

// openPaddle loads the models of dir, once per process.
func openPaddle(dir string) (*paddleReader, error) {
	dir = filepath.Clean(dir)
	paddleMu.Lock()
	defer paddleMu.Unlock()
	if r, ok := paddleByPath[dir]; ok {
		return r, nil
	}
	for _, f := range paddleFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("ocr models: %s lacks %s (scripts/ocr-models.sh lays the directory out)", dir, f)
		}
	}
	rt, err := ort.Load(filepath.Join(dir, "libonnxruntime.so"))
	if err != nil {
		return nil, err
	}
	r := &paddleReader{}
	if r.det, err = rt.NewSession(filepath.Join(dir, "det.onnx")); err != nil {
		return nil, err
	}
	if r.rec, err = rt.NewSession(filepath.Join(dir, "rec.onnx")); err != nil {
		r.det.Close()
		return nil, err
	}
	if r.keys, err = readKeys(filepath.Join(dir, "keys.txt")); err != nil {
		r.det.Close()
		r.rec.Close()
		return nil, err
	}
	paddleByPath[dir] = r
	return r, nil
}

// readKeys reads the recogniser's characters, one a line; a space follows
// them (PaddleOCR's use_space_char).
func readKeys(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		keys = append(keys, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ocr models: %s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("ocr models: %s is empty", path)
	}
	return append(keys, " "), nil
}

// read reads the page g: its words, in g's pixels, grouped in lines.
func (r *paddleReader) read(ctx context.Context, g *image.Gray) (ocrPage, error) {
	b := g.Bounds()
	page := ocrPage{width: float64(b.Dx()), height: float64(b.Dy()), lines: map[int]Box{}}
	boxes, err := r.detect(g)
	if err != nil {
		return page, err
	}
	for i, box := range boxes {
		if err := ctxError(ctx); err != nil {
			return page, err
		}
		words, err := r.recognize(g, box)
		if err != nil {
			return page, err
		}
		if len(words) == 0 {
			continue
		}
		line := Box{X0: math.Inf(1), Y0: math.Inf(1), X1: math.Inf(-1), Y1: math.Inf(-1)}
		for j := range words {
			words[j].line = i + 1
			w := words[j].box
			line = Box{X0: min(line.X0, w.X0), Y0: min(line.Y0, w.Y0), X1: max(line.X1, w.X1), Y1: max(line.Y1, w.Y1)}
		}
		page.words = append(page.words, words...)
		page.lines[i+1] = line
	}
	return page, nil
}

// detect returns the boxes of the page's lines of text, in g's pixels,
// top to bottom.
func (r *paddleReader) detect(g *image.Gray) ([]image.Rectangle, error) {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 8 || h < 8 {
		return nil, nil
	}
	s := min(1, paddleDetMaxSide/float64(max(w, h)))
	nw, nh := round32(float64(w)*s), round32(float64(h)*s)
	small := resizeGray(g, nw, nh)
	mean := [3]float32{0.485, 0.456, 0.406}
	std := [3]float32{0.229, 0.224, 0.225}
	in := ort.Tensor{Shape: []int64{1, 3, int64(nh), int64(nw)}, Data: make([]float32, 3*nw*nh)}
	for c := range 3 {
		plane := in.Data[c*nw*nh : (c+1)*nw*nh]
		for y := range nh {
			row := small.Pix[y*small.Stride : y*small.Stride+nw]
			for x, v := range row {
				plane[y*nw+x] = (float32(v)/255 - mean[c]) / std[c]
			}
		}
	}
	out, err := r.det.Run(in)
	if err != nil {
		return nil, fmt.Errorf("ocr detect: %w", err)
	}
	if len(out.Shape) != 4 || out.Shape[2] != int64(nh) || out.Shape[3] != int64(nw) {
		return nil, fmt.Errorf("ocr detect: unexpected output shape %v", out.Shape)
	}
	regions := textRegions(out.Data, nw, nh)
	sx, sy := float64(w)/float64(nw), float64(h)/float64(nh)
	var boxes []image.Rectangle
	for _, rg := range regions {
		bw, bh := float64(rg.x1-rg.x0+1), float64(rg.y1-rg.y0+1)
		if min(bw, bh) < paddleMinBox || rg.sum/float64(rg.n) < paddleBoxThresh {
			continue
		}
		d := bw * bh * paddleUnclip / (2 * (bw + bh))
		box := image.Rect(
			int(math.Floor((float64(rg.x0)-d)*sx)), int(math.Floor((float64(rg.y0)-d)*sy)),
			int(math.Ceil((float64(rg.x1)+1+d)*sx)), int(math.Ceil((float64(rg.y1)+1+d)*sy)),
		).Add(b.Min).Intersect(b)
		if box.Dx() >= paddleMinBox && box.Dy() >= paddleMinBox {
			boxes = append(boxes, box)
		}
		if len(boxes) >= paddleMaxBoxes {
			break
		}
	}
	sort.SliceStable(boxes, func(i, j int) bool {
		if boxes[i].Min.Y != boxes[j].Min.Y {
			return boxes[i].Min.Y < boxes[j].Min.Y
		}
		return boxes[i].Min.X < boxes[j].Min.X
	})
	return boxes, nil
}

// region is a connected set of text pixels of the detector's map.
type region struct {
	x0, y0, x1, y1 int
	n              int
	sum            float64 // of the probabilities
}

// textRegions returns the 8-connected regions of the map's pixels above
// paddleDetThresh.
func textRegions(prob []float32, w, h int) []region {
	seen := make([]bool, w*h)
	var out []region
	var stack []int
	for start, p := range prob {
		if seen[start] || p <= paddleDetThresh {
			continue
		}
		rg := region{x0: w, y0: h, x1: -1, y1: -1}
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			rg.x0, rg.y0, rg.x1, rg.y1 = min(rg.x0, x), min(rg.y0, y), max(rg.x1, x), max(rg.y1, y)
			rg.n++
			rg.sum += float64(prob[i])
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					j := ny*w + nx
					if !seen[j] && prob[j] > paddleDetThresh {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		out = append(out, rg)
	}
	return out
}

// recognize reads the line in box and returns its words, in g's pixels.
func (r *paddleReader) recognize(g *image.Gray, box image.Rectangle) ([]ocrWord, error) {
	crop, ok := g.SubImage(box).(*image.Gray)
	if !ok || box.Dx() < 2 || box.Dy() < 2 {
		return nil, nil
	}
	ratio := float64(box.Dx()) / float64(box.Dy())
	rw := min(paddleRecMaxW, max(1, int(math.Ceil(paddleRecHeight*ratio))))
	W := max(paddleRecMinW, (rw+7)/8*8)
	scaled := resizeGray(crop, rw, paddleRecHeight)
	in := ort.Tensor{Shape: []int64{1, 3, paddleRecHeight, int64(W)}, Data: make([]float32, 3*W*paddleRecHeight)}
	for c := range 3 {
		plane := in.Data[c*W*paddleRecHeight:]
		for y := range paddleRecHeight {
			row := scaled.Pix[y*scaled.Stride : y*scaled.Stride+rw]
			for x, v := range row {
				plane[y*W+x] = float32(v)/127.5 - 1
			}
		}
	}
	out, err := r.rec.Run(in)
	if err != nil {
		return nil, fmt.Errorf("ocr recognize: %w", err)
	}
	if len(out.Shape) != 3 || out.Shape[0] != 1 || int(out.Shape[2]) != len(r.keys)+1 {
		return nil, fmt.Errorf("ocr recognize: output shape %v does not fit %d characters", out.Shape, len(r.keys))
	}
	steps, classes := int(out.Shape[1]), int(out.Shape[2])
	chars := ctcDecode(out.Data, steps, classes, r.keys)
	// A step covers W/steps input pixels, rw input pixels the crop's width.
	scale := float64(box.Dx()) / float64(rw)
	at := func(step int) float64 { return (float64(step) + 0.5) * float64(W) / float64(steps) * scale }
	return wordsOf(chars, at, inkGaps(crop), box), nil
}

// ctcChar is a character the recogniser read, at step (of its output)
// with probability p.
type ctcChar struct {
	text string
	step int
	p    float32
}

// ctcDecode takes the likeliest class of each step, drops repeats and
// blanks (class 0), and maps classes to keys[class-1].
func ctcDecode(probs []float32, steps, classes int, keys []string) []ctcChar {
	var out []ctcChar
	prev := 0
	for t := range steps {
		row := probs[t*classes : (t+1)*classes]
		best := 0
		for c, p := range row {
			if p > row[best] {
				best = c
			}
		}
		if best != 0 && best != prev && best-1 < len(keys) {
			out = append(out, ctcChar{text: keys[best-1], step: t, p: row[best]})
		}
		prev = best
	}
	return out
}

// wordsOf splits a line's characters into words, at the spaces read and
// at the blank gaps of the crop (inkGaps) that lie between two
// characters, and places them: at maps a step to a position in the crop,
// box is the crop on the page.
func wordsOf(chars []ctcChar, at func(int) float64, gaps [][2]float64, box image.Rectangle) []ocrWord {
	var words []ocrWord
	var cur []ctcChar
	var start float64 // where the current word starts in the crop
	flush := func(end float64) {
		if len(cur) == 0 {
			return
		}
		var text strings.Builder
		var conf float64
		for _, c := range cur {
			text.WriteString(c.text)
			conf += float64(c.p)
		}
		words = append(words, ocrWord{
			text: text.String(),
			box: Box{
				X0: float64(box.Min.X) + start, Y0: float64(box.Min.Y),
				X1: float64(box.Min.X) + end, Y1: float64(box.Max.Y),
			},
			conf: 100 * conf / float64(len(cur)),
		})
		cur = cur[:0]
	}
	for _, c := range chars {
		x := at(c.step)
		if len(cur) > 0 && !inNumber(cur, c) {
			px := at(cur[len(cur)-1].step)
			for _, g := range gaps {
				if g[0] >= px && g[1] <= x {
					flush(g[0])
					start = g[1]
					break
				}
			}
		}
		if c.text == " " {
			flush(x)
			start = x
			continue
		}
		if len(cur) == 0 && len(words) == 0 {
			start = 0
			for _, g := range gaps {
				if g[1] <= x {
					start = g[1]
				}
			}
		}
		cur = append(cur, c)
	}
	end := float64(box.Dx())
	for i := len(gaps) - 1; i >= 0; i-- {
		if len(cur) > 0 && gaps[i][0] >= at(cur[len(cur)-1].step) {
			end = gaps[i][0]
		}
	}
	flush(end)
	return words
}

// inNumber reports whether c continues a number that cur ends with: a
// decimal point or comma after a digit, or a digit after one that
// follows a digit ("1 .50" is read as 1.50).
func inNumber(cur []ctcChar, c ctcChar) bool {
	last := cur[len(cur)-1].text
	isDigit := func(s string) bool { return len(s) == 1 && s[0] >= '0' && s[0] <= '9' }
	switch {
	case (c.text == "." || c.text == ",") && isDigit(last):
		return true
	case isDigit(c.text) && (last == "." || last == ",") && len(cur) >= 2 && isDigit(cur[len(cur)-2].text):
		return true
	}
	return false
}

// inkGaps returns the runs of blank columns of a line's crop that are as
// wide as a space (see below). Ink is what is at or below Otsu's
// threshold of the crop.
func inkGaps(crop *image.Gray) [][2]float64 {
	b := crop.Bounds()
	t := otsuThreshold(crop)
	rows := make([]int, b.Dy())
	cols := make([]int, b.Dx())
	for y := range b.Dy() {
		row := crop.Pix[crop.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()]
		for x, v := range row {
			if int(v) <= t {
				rows[y]++
				cols[x]++
			}
		}
	}
	// The ink's height: rows holding at least a tenth of the busiest's.
	busiest := slices.Max(rows)
	top, bottom := -1, -1
	for y, n := range rows {
		if n > 0 && n*10 >= busiest {
			if top < 0 {
				top = y
			}
			bottom = y
		}
	}
	if top < 0 {
		return nil
	}
	// Blank runs between ink: within letters (dot-matrix print), between
	// letters and between words. Most are between letters: a space is at
	// least paddleSpaceVsGap times their median, and paddleSpace times
	// the ink's height.
	var runs [][2]int
	run := -1
	for x, n := range cols {
		switch {
		case n == 0 && run < 0:
			run = x
		case n > 0 && run >= 0:
			if run > 0 {
				runs = append(runs, [2]int{run, x})
			}
			run = -1
		}
	}
	if len(runs) == 0 {
		return nil
	}
	widths := make([]int, len(runs))
	for i, r := range runs {
		widths[i] = r[1] - r[0]
	}
	slices.Sort(widths)
	minRun := max(paddleSpace*float64(bottom-top+1), paddleSpaceVsGap*float64(widths[len(widths)/2]))
	var gaps [][2]float64
	for _, r := range runs {
		if float64(r[1]-r[0]) >= minRun {
			gaps = append(gaps, [2]float64{float64(r[0]), float64(r[1])})
		}
	}
	return gaps
}

// round32 rounds n to a multiple of 32, at least 32 (the detector halves
// its input five times).
func round32(n float64) int {
	return max(32, int(math.Round(n/32))*32)
}

// resizeGray scales g to w x h (bilinear; see scaleGray).
func resizeGray(g *image.Gray, w, h int) *image.Gray {
	b := g.Bounds()
	if b.Dx() == w && b.Dy() == h {
		return g
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	sx, sy := float64(b.Dx())/float64(w), float64(b.Dy())/float64(h)
	for y := range h {
		fy := max(0, (float64(y)+0.5)*sy-0.5)
		y0 := min(int(fy), b.Dy()-1)
		y1 := min(y0+1, b.Dy()-1)
		wy := fy - float64(y0)
		r0 := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y0):]
		r1 := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y1):]
		dst := out.Pix[y*out.Stride:]
		for x := range w {
			fx := max(0, (float64(x)+0.5)*sx-0.5)
			xa := min(int(fx), b.Dx()-1)
			xb := min(xa+1, b.Dx()-1)
			wx := fx - float64(xa)
			top := float64(r0[xa])*(1-wx) + float64(r0[xb])*wx
			bot := float64(r1[xa])*(1-wx) + float64(r1[xb])*wx
			dst[x] = byte(math.Round(top*(1-wy) + bot*wy))
		}
	}
	return out
}

// paddleCovers reports whether the models read every language of langs
// (Tesseract's names). Their characters lack letters of French, German
// and Spanish (ö, ß, ç, ñ, €): pages in those languages are left to
// Tesseract.
func paddleCovers(langs []string) bool {
	for _, l := range langs {
		if l != "eng" {
			return false
		}
	}
	return true
}

// extractImagePaddle reads a single-page image of pixels with the OCR
// models, in one of the Engine's OCR slots, counted against
// Config.OCRMemory.
func (e *Engine) extractImagePaddle(ctx context.Context, path string, pixels int64) (*Document, error) {
	if e.ocrMem != nil {
		// Counted as a Tesseract process on the same image, plus the
		// detector's activations at paddleDetMaxSide (an estimate).
		need := min(ocrMemory(pixels)+paddleDetMemory, e.cfg.OCRMemory)
		if err := e.ocrMem.Acquire(ctx, need); err != nil {
			return nil, ctxError(ctx)
		}
		defer e.ocrMem.Release(need)
	}
	select {
	case e.ocrSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctxError(ctx)
	}
	defer func() { <-e.ocrSlots }()
	g, err := decodeGray(path)
	if err != nil {
		return nil, newError(CodeCorruptDocument, "The image could not be decoded.", err)
	}
	start := time.Now()
	// A large scan is read at paddleMaxPixels: its text is still far
	// taller than the recogniser's input, and the boxes go back to the
	// image's pixels.
	b := g.Bounds()
	f := 1.0
	if px := float64(b.Dx()) * float64(b.Dy()); px > paddleMaxPixels {
		f = math.Sqrt(paddleMaxPixels / px)
		g = scaleGray(g, f)
	}
	p, err := e.paddle.read(ctx, g)
	if err != nil {
		return nil, err
	}
	if f != 1 {
		for i := range p.words {
			p.words[i].box = p.words[i].box.scale(1 / f)
		}
		for k, l := range p.lines {
			p.lines[k] = l.scale(1 / f)
		}
		p.width, p.height = float64(b.Dx()), float64(b.Dy())
	}
	run := &OCRRun{Pass: PassModels, Tried: []string{PassModels}, CPU: time.Since(start)}
	page := Page{Number: 1, Width: p.width, Height: p.height, OCR: run}
	if words := placeOCR(p, 1, 0, 0); len(words) > 0 {
		page.Lines = groupLines(words)
	}
	doc := &Document{Pages: []Page{page}}
	if !hasWords(doc) {
		return nil, newError(CodeEmptyDocument, "No text was found in the image.", nil)
	}
	return doc, nil
}

// scale returns b with every coordinate times f.
func (b Box) scale(f float64) Box {
	return Box{X0: b.X0 * f, Y0: b.Y0 * f, X1: b.X1 * f, Y1: b.Y1 * f}
}

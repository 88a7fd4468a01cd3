package extract

import (
	"bufio"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"os"
	"slices"
)

// Image preprocessing for OCR retries (see ocrpass.go), in pure Go on grey
// images: ink is dark (0), paper light (255). Every function returns a new
// image and leaves its input alone.

// toGray converts img to grey (BT.601 luma), transparent parts white as on
// paper. The common decoder outputs take a fast path.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+b.Dx()], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+b.Dx()], src.Y[src.YOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			pix := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			row := g.Pix[y*g.Stride:]
			for x := 0; x < b.Dx(); x++ {
				p := pix[4*x : 4*x+4]
				white := 255 - uint32(p[3]) // premultiplied over white
				r, gg, bl := uint32(p[0])+white, uint32(p[1])+white, uint32(p[2])+white
				row[x] = byte(min(255, (299*r+587*gg+114*bl)/1000))
			}
		}
	default:
		for y := 0; y < b.Dy(); y++ {
			row := g.Pix[y*g.Stride:]
			for x := 0; x < b.Dx(); x++ {
				r, gg, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				white := 0xffff - a
				row[x] = byte(min(0xffff, (299*(r+white)+587*(gg+white)+114*(bl+white))/1000) >> 8)
			}
		}
	}
	return g
}

// decodeGray decodes the image file at path (PNG, JPEG or GIF: the
// standard library's decoders) to grey. The caller has checked its size
// (imageInfo).
func decodeGray(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	return toGray(img), nil
}

// readPGM reads a binary 8-bit PGM as writePGM writes it.
func readPGM(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read pgm: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	var w, h, maxv int
	if _, err := fmt.Fscanf(r, "P5\n%d %d\n%d\n", &w, &h, &maxv); err != nil {
		return nil, fmt.Errorf("read pgm header: %w", err)
	}
	if w <= 0 || h <= 0 || maxv != 255 || int64(w)*int64(h) > 1<<30 {
		return nil, fmt.Errorf("read pgm: unexpected header %dx%d max %d", w, h, maxv)
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	if _, err := io.ReadFull(r, g.Pix); err != nil {
		return nil, fmt.Errorf("read pgm: %w", err)
	}
	return g, nil
}

// writeGrayPGM writes g as a binary PGM (see writePGM).
func writeGrayPGM(path string, g *image.Gray) error {
	b := g.Bounds()
	return writePGMRows(path, "write ocr image", b.Dx(), b.Dy(), func(i int) []byte {
		y := b.Min.Y + i
		return g.Pix[g.PixOffset(b.Min.X, y) : g.PixOffset(b.Min.X, y)+b.Dx()]
	})
}

// histogram counts the grey levels of g.
func histogram(g *image.Gray) (h [256]int) {
	b := g.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for _, v := range g.Pix[g.PixOffset(b.Min.X, y) : g.PixOffset(b.Min.X, y)+b.Dx()] {
			h[v]++
		}
	}
	return h
}

// stretchContrast maps the 0.5th percentile of g's levels to black and
// the 99.5th... no further than the paper: the level below which 99% of
// the pixels lie, to white, linearly. Faint grey print on grey paper
// becomes black on white. A flat image is returned as a copy.
func stretchContrast(g *image.Gray) *image.Gray {
	h := histogram(g)
	n := 0
	for _, c := range h {
		n += c
	}
	lo, hi := percentile(h, n, 0.005), percentile(h, n, 0.99)
	out := image.NewGray(g.Bounds())
	if hi-lo < 16 {
		copy(out.Pix, g.Pix)
		return out
	}
	var lut [256]byte
	for v := range lut {
		lut[v] = byte(min(255, max(0, (v-lo)*255/(hi-lo))))
	}
	for i, v := range g.Pix {
		out.Pix[i] = lut[v]
	}
	return out
}

// percentile returns the smallest level with at least q*n pixels at or
// below it.
func percentile(h [256]int, n int, q float64) int {
	want, sum := int(q*float64(n)), 0
	for v, c := range h {
		if sum += c; sum > want {
			return v
		}
	}
	return 255
}

// otsuThreshold returns the level that best separates g's levels into two
// classes (Otsu's method): ink is at or below it.
func otsuThreshold(g *image.Gray) int {
	h := histogram(g)
	total, sumAll := 0, 0.0
	for v, c := range h {
		total += c
		sumAll += float64(v * c)
	}
	best, bestVar := 127, -1.0
	wB, sumB := 0, 0.0
	for t := range 256 {
		wB += h[t]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * h[t])
		mB, mF := sumB/float64(wB), (sumAll-sumB)/float64(wF)
		if v := float64(wB) * float64(wF) * (mB - mF) * (mB - mF); v > bestVar {
			best, bestVar = t, v
		}
	}
	return best
}

// binarize makes g black and white at Otsu's threshold.
func binarize(g *image.Gray) *image.Gray {
	t := otsuThreshold(g)
	out := image.NewGray(g.Bounds())
	for i, v := range g.Pix {
		if int(v) > t {
			out.Pix[i] = 255
		}
	}
	return out
}

// thicken grows the ink by r pixels in every direction: a minimum filter
// over a (2r+1) square, separable (rows, then columns). The dots of
// dot-matrix and worn thermal print merge into strokes.
func thicken(g *image.Gray, r int) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	tmp := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		src := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
		dst := tmp.Pix[y*tmp.Stride:]
		for x := range w {
			m := byte(255)
			for k := max(0, x-r); k <= min(w-1, x+r); k++ {
				m = min(m, src[k])
			}
			dst[x] = m
		}
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		dst := out.Pix[y*out.Stride:]
		for x := range w {
			dst[x] = 255
		}
		for k := max(0, y-r); k <= min(h-1, y+r); k++ {
			src := tmp.Pix[k*tmp.Stride:]
			for x := range w {
				dst[x] = min(dst[x], src[x])
			}
		}
	}
	return out
}

// scaleGray resizes g by f (bilinear).
func scaleGray(g *image.Gray, f float64) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	nw, nh := max(1, int(math.Round(float64(w)*f))), max(1, int(math.Round(float64(h)*f)))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	sx, sy := float64(w)/float64(nw), float64(h)/float64(nh)
	x0s := make([]int, nw)
	fxs := make([]int, nw) // weights in 1/256
	for x := range nw {
		fx := max(0, (float64(x)+0.5)*sx-0.5)
		x0s[x] = min(int(fx), w-1)
		fxs[x] = int((fx - float64(x0s[x])) * 256)
	}
	for y := range nh {
		fy := max(0, (float64(y)+0.5)*sy-0.5)
		y0 := min(int(fy), h-1)
		y1 := min(y0+1, h-1)
		wy := int((fy - float64(y0)) * 256)
		r0 := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y0):]
		r1 := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y1):]
		dst := out.Pix[y*out.Stride:]
		for x := range nw {
			xa := x0s[x]
			xb := min(xa+1, w-1)
			wx := fxs[x]
			top := int(r0[xa])*(256-wx) + int(r0[xb])*wx
			bot := int(r1[xa])*(256-wx) + int(r1[xb])*wx
			dst[x] = byte((top*(256-wy) + bot*wy) >> 16)
		}
	}
	return out
}

// rotateQuarter turns g clockwise by quarter*90 degrees.
func rotateQuarter(g *image.Gray, quarter int) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	quarter = ((quarter % 4) + 4) % 4
	if quarter == 0 {
		out := image.NewGray(image.Rect(0, 0, w, h))
		draw.Draw(out, out.Bounds(), g, b.Min, draw.Src)
		return out
	}
	nw, nh := w, h
	if quarter%2 == 1 {
		nw, nh = h, w
	}
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	for y := range h {
		src := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			var nx, ny int
			switch quarter {
			case 1: // clockwise: (x, y) -> (h-1-y, x)
				nx, ny = h-1-y, x
			case 2:
				nx, ny = w-1-x, h-1-y
			case 3:
				nx, ny = y, w-1-x
			}
			out.Pix[ny*out.Stride+nx] = src[x]
		}
	}
	return out
}

// rotateSmall turns g by angle radians clockwise about its centre, keeping
// its size; what comes in from outside is white. For deskewing by a few
// degrees.
func rotateSmall(g *image.Gray, angle float64) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)/2
	sin, cos := math.Sincos(angle)
	for y := range h {
		dst := out.Pix[y*out.Stride:]
		dy := float64(y) + 0.5 - cy
		for x := range w {
			dx := float64(x) + 0.5 - cx
			// The source of (x, y) is (x, y) turned back by angle.
			sx := cos*dx + sin*dy + cx - 0.5
			sy := -sin*dx + cos*dy + cy - 0.5
			xi, yi := int(math.Floor(sx)), int(math.Floor(sy))
			if xi < 0 || yi < 0 || xi >= w-1 || yi >= h-1 {
				dst[x] = 255
				continue
			}
			fx, fy := sx-float64(xi), sy-float64(yi)
			p := g.Pix[g.PixOffset(b.Min.X+xi, b.Min.Y+yi):]
			q := g.Pix[g.PixOffset(b.Min.X+xi, b.Min.Y+yi+1):]
			top := float64(p[0])*(1-fx) + float64(p[1])*fx
			bot := float64(q[0])*(1-fx) + float64(q[1])*fx
			dst[x] = byte(top*(1-fy) + bot*fy + 0.5)
		}
	}
	return out
}

// inkShare is the share of g's pixels darker than the middle grey: next to
// none on a blank page.
func inkShare(g *image.Gray) float64 {
	h := histogram(g)
	dark, n := 0, 0
	for v, c := range h {
		n += c
		if v < 128 {
			dark += c
		}
	}
	if n == 0 {
		return 0
	}
	return float64(dark) / float64(n)
}

// median returns the median of v (sorted in place), 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig of GIF
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"sync"
	"time"
)

// imageHeaderLen is how much of an image file its size is read from. A
// JPEG's frame header may follow large EXIF or ICC segments, which
// image.DecodeConfig skips by reading through them.
const imageHeaderLen = 64

// imageInfo is what an image's header says.
type imageInfo struct {
	width, height int
	pages         int // 1, or the images of a TIFF
}

// imageInfo reads the size of the image at path from its header, without
// decoding any pixel, and checks it: the signature must be that of kind
// (Tesseract would read an unrecognised file as a list of paths to open),
// and no image may exceed Config.MaxImagePixels (a decompression bomb: a
// few kilobytes of PNG can claim 10 gigapixels). PNG, JPEG and GIF are read
// by image.DecodeConfig; BMP, TIFF and WebP, which the standard library
// does not decode, by hand.
func (e *Engine) imageInfo(path string, kind Kind) (imageInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return imageInfo{}, fmt.Errorf("open image: %w", err)
	}
	defer f.Close()
	var info imageInfo
	switch kind {
	case KindPNG, KindJPEG, KindGIF:
		cfg, format, err := image.DecodeConfig(io.LimitReader(f, 16<<20))
		if err != nil || kindOfFormat(format) != kind {
			return info, badImage(kind, err)
		}
		info = imageInfo{width: cfg.Width, height: cfg.Height, pages: 1}
	case KindBMP:
		info, err = bmpInfo(f)
	case KindWebP:
		info, err = webpInfo(f)
	case KindTIFF:
		info, err = e.tiffInfo(f)
	default:
		return info, errUnsupported(kind)
	}
	if err != nil {
		return info, badImage(kind, err)
	}
	if info.width <= 0 || info.height <= 0 {
		return info, badImage(kind, fmt.Errorf("size %dx%d", info.width, info.height))
	}
	if px := int64(info.width) * int64(info.height); px > int64(e.cfg.MaxImagePixels) {
		return info, newError(CodeTooLargeContent, fmt.Sprintf("The image is %dx%d pixels; at most %d megapixels are accepted.",
			info.width, info.height, max(1, e.cfg.MaxImagePixels/1_000_000)), nil)
	}
	return info, nil
}

func kindOfFormat(format string) Kind {
	switch format {
	case "png":
		return KindPNG
	case "jpeg":
		return KindJPEG
	case "gif":
		return KindGIF
	}
	return KindUnknown
}

func badImage(kind Kind, cause error) *Error {
	if e, ok := AsError(cause); ok {
		return e
	}
	return newError(CodeCorruptDocument, fmt.Sprintf("The %s image could not be read.", kindName(kind)), cause)
}

func kindName(k Kind) string {
	switch k {
	case KindJPEG:
		return "JPEG"
	case KindWebP:
		return "WebP"
	}
	return string(bytes.ToUpper([]byte(k)))
}

func readHeader(r io.ReaderAt, n int) ([]byte, error) {
	b := make([]byte, n)
	got, err := r.ReadAt(b, 0)
	if got < n {
		return nil, fmt.Errorf("header cut short: %w", err)
	}
	return b, nil
}

// bmpInfo reads a BMP's DIB header: BITMAPCOREHEADER (12 bytes, 16-bit
// sizes) or any later one (32-bit sizes, a negative height meaning top-down).
func bmpInfo(r io.ReaderAt) (imageInfo, error) {
	h, err := readHeader(r, 26)
	if err != nil {
		return imageInfo{}, err
	}
	if string(h[:2]) != "BM" {
		return imageInfo{}, fmt.Errorf("not a BMP")
	}
	le := binary.LittleEndian
	if le.Uint32(h[14:]) == 12 {
		return imageInfo{width: int(le.Uint16(h[18:])), height: int(le.Uint16(h[20:])), pages: 1}, nil
	}
	w, hgt := int64(int32(le.Uint32(h[18:]))), int64(int32(le.Uint32(h[22:])))
	if hgt < 0 {
		hgt = -hgt
	}
	return imageInfo{width: int(w), height: int(hgt), pages: 1}, nil
}

// webpInfo reads the size from the first chunk of a WebP: VP8 (lossy), VP8L
// (lossless) or VP8X (extended, the canvas size).
func webpInfo(r io.ReaderAt) (imageInfo, error) {
	h, err := readHeader(r, 30)
	if err != nil {
		return imageInfo{}, err
	}
	if string(h[:4]) != "RIFF" || string(h[8:12]) != "WEBP" {
		return imageInfo{}, fmt.Errorf("not a WebP")
	}
	le := binary.LittleEndian
	switch string(h[12:16]) {
	case "VP8 ":
		if h[23] != 0x9d || h[24] != 0x01 || h[25] != 0x2a {
			return imageInfo{}, fmt.Errorf("bad VP8 start code")
		}
		return imageInfo{width: int(le.Uint16(h[26:]) & 0x3fff), height: int(le.Uint16(h[28:]) & 0x3fff), pages: 1}, nil
	case "VP8L":
		if h[20] != 0x2f {
			return imageInfo{}, fmt.Errorf("bad VP8L signature")
		}
		v := le.Uint32(h[21:])
		return imageInfo{width: int(v&0x3fff) + 1, height: int(v>>14&0x3fff) + 1, pages: 1}, nil
	case "VP8X":
		w := int(h[24]) | int(h[25])<<8 | int(h[26])<<16
		hh := int(h[27]) | int(h[28])<<8 | int(h[29])<<16
		return imageInfo{width: w + 1, height: hh + 1, pages: 1}, nil
	}
	return imageInfo{}, fmt.Errorf("unknown WebP chunk %q", h[12:16])
}

// tiffInfo walks the chain of image file directories of a classic TIFF:
// one per page, each with its ImageWidth and ImageLength. Every page must be
// within the pixel limit, and there may be at most Config.MaxPages. A chain
// that loops is corrupt.
func (e *Engine) tiffInfo(r io.ReaderAt) (imageInfo, error) {
	h, err := readHeader(r, 8)
	if err != nil {
		return imageInfo{}, err
	}
	var bo binary.ByteOrder
	switch string(h[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return imageInfo{}, fmt.Errorf("not a classic TIFF")
	}
	var info imageInfo
	seen := map[uint32]bool{}
	for off := bo.Uint32(h[4:]); off != 0; {
		if seen[off] {
			return info, fmt.Errorf("directory chain loops at %d", off)
		}
		seen[off] = true
		if info.pages++; info.pages > e.cfg.MaxPages {
			return info, newError(CodeTooManyPages, fmt.Sprintf("The TIFF has more than %d pages.", e.cfg.MaxPages), nil)
		}
		var cnt [2]byte
		if _, err := r.ReadAt(cnt[:], int64(off)); err != nil {
			return info, fmt.Errorf("directory at %d: %w", off, err)
		}
		n := int(bo.Uint16(cnt[:]))
		dir := make([]byte, n*12+4)
		if _, err := r.ReadAt(dir, int64(off)+2); err != nil {
			return info, fmt.Errorf("directory at %d: %w", off, err)
		}
		w, hgt := 0, 0
		for i := range n {
			ent := dir[i*12 : i*12+12]
			tag, typ := bo.Uint16(ent), bo.Uint16(ent[2:])
			var v int
			switch typ {
			case 3: // SHORT
				v = int(bo.Uint16(ent[8:]))
			case 4: // LONG
				v = int(bo.Uint32(ent[8:]))
			default:
				continue
			}
			switch tag {
			case 256:
				w = v
			case 257:
				hgt = v
			}
		}
		if w <= 0 || hgt <= 0 {
			return info, fmt.Errorf("page %d has no size", info.pages)
		}
		if int64(w)*int64(hgt) > int64(info.width)*int64(info.height) {
			info.width, info.height = w, hgt // the largest page is checked
		}
		off = bo.Uint32(dir[n*12:])
	}
	if info.pages == 0 {
		return info, fmt.Errorf("no image directory")
	}
	return info, nil
}

// extractImage OCRs an image, after imageInfo accepted it. Tesseract reads
// the file itself (through Leptonica), every page of a TIFF included. A
// single-page PNG, JPEG or GIF of at most maxRenderPixels that reads
// poorly is read again, preprocessed (see ocrpass.go); it may then be
// turned upright, and its page's width and height are those of the turned
// image.
func (e *Engine) extractImage(ctx context.Context, path string, kind Kind, opts ExtractOptions) (*Document, error) {
	info, err := e.imageInfo(path, kind)
	if err != nil {
		return nil, err
	}
	pixels := int64(info.width) * int64(info.height)
	var langs []string
	if e.ocr != nil {
		langs = e.ocr.languages(opts.Languages)
	}
	if e.paddle != nil && info.pages == 1 && (kind == KindPNG || kind == KindJPEG || kind == KindGIF) &&
		(e.ocr == nil || paddleCovers(langs)) {
		return e.extractImagePaddle(ctx, path, pixels)
	}
	if e.ocr == nil {
		return nil, errOCRUnavailable(e.ocrErr)
	}
	pages, cpu, err := e.runOCR(ctx, path, 0, pixels, langs, 0)
	if err != nil {
		return nil, err
	}
	runs := make([]*OCRRun, len(pages))
	var alt, lines *ocrPage
	for i := range runs {
		runs[i] = &OCRRun{Pass: "original", Tried: []string{"original"}, CPU: cpu}
	}
	// Retries decode the image and make preprocessed copies of it: not
	// of one larger than a rendered page may be.
	retry := !opts.OCRSinglePass && len(pages) <= 1 && info.pages == 1 &&
		int64(info.width)*int64(info.height) <= maxRenderPixels
	if retry && (kind == KindPNG || kind == KindJPEG || kind == KindGIF) {
		first := ocrPage{lines: map[int]Box{}, width: float64(info.width), height: float64(info.height)}
		if len(pages) == 1 {
			first = pages[0]
		}
		// Decoded once, for the retries and the lines read again; the
		// preprocessing makes copies and leaves it as it is.
		gray := sync.OnceValues(func() (*image.Gray, error) { return decodeGray(path) })
		best, quarter, run, err := e.ocrBest(ctx, ocrInput{
			first: first, cpu: cpu, langs: langs, upright: true, gray: gray,
		})
		if err != nil {
			return nil, err
		}
		pages, runs = []ocrPage{best}, []*OCRRun{run}
		if quarter == 0 && len(best.words) > 0 && !run.Blank {
			if alt, err = e.secondReading(ctx, path, pixels, langs, cpu, run); err != nil {
				return nil, err
			}
			// Lines are read again only when the best pass was unsure.
			if passStats(best).meanConf < float64(e.cfg.RereadLinesBelow) {
				if lines, err = e.rereadLines(ctx, gray, best, langs, cpu, run); err != nil {
					return nil, err
				}
			}
		}
	}
	doc := &Document{}
	used := 0
	for i, p := range pages {
		page := Page{Number: i + 1, Width: p.width, Height: p.height, OCR: runs[i]}
		if page.Width == 0 && info.pages == 1 {
			page.Width, page.Height = float64(info.width), float64(info.height)
		}
		for _, w := range p.words {
			if used += len(w.text); used > e.cfg.MaxTextBytes {
				return nil, tooMuchText(e.cfg.MaxTextBytes)
			}
		}
		if words := placeOCR(p, 1, 0, 0); len(words) > 0 {
			page.Lines = groupLines(words)
		}
		if i == 0 {
			// The other readings, one after the other: their words are
			// not mixed into one line.
			for _, other := range []*ocrPage{alt, lines} {
				if other == nil {
					continue
				}
				if words := placeOCR(*other, 1, 0, 0); len(words) > 0 {
					page.Alt = append(page.Alt, groupLines(words)...)
				}
			}
		}
		doc.Pages = append(doc.Pages, page)
	}
	if !hasWords(doc) {
		return nil, newError(CodeEmptyDocument, "No text was found in the image.", nil)
	}
	return doc, nil
}

// secondReading reads a single-page image a second time, as one block of
// text (Tesseract's --psm 6) where the first reading let Tesseract find
// the page's blocks: on receipts and small print the two misread
// different characters, and together they hold the printed value more
// often than either (on 40 SROIE training receipts, the total 35 times
// against 30 and 33). Its words are in the image's pixels, as the first
// reading's when no pass turned the page. The pass runs within the CPU
// time of the first twice over (at least ocrBudgetMin); one that fails or
// overruns it leaves the page with one reading. It is counted in run.
func (e *Engine) secondReading(ctx context.Context, path string, pixels int64, langs []string, first time.Duration, run *OCRRun) (*ocrPage, error) {
	return e.readBlock(ctx, path, pixels, langs, first, run, "block")
}

// readBlock reads the single-page image at path (of pixels) as one block
// of text, within the CPU time of the first pass twice over (at least
// ocrBudgetMin), and records the run in run.Tried as name. A run that
// fails, overruns or reads nothing returns nil and no error; only the
// context's end is an error.
func (e *Engine) readBlock(ctx context.Context, path string, pixels int64, langs []string, first time.Duration, run *OCRRun, name string) (*ocrPage, error) {
	pages, cpu, err := e.runOCRSegmented(ctx, path, 0, pixels, langs, psmBlock, e.scaleBudget(max(ocrBudgetMin, 2*first)))
	run.CPU += cpu
	run.Tried = append(run.Tried, name)
	if cerr := ctxError(ctx); cerr != nil {
		return nil, cerr
	}
	if err != nil || len(pages) != 1 || len(pages[0].words) == 0 {
		return nil, nil
	}
	return &pages[0], nil
}

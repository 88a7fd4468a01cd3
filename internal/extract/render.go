package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// Preview limits of RenderPDFPage: a page is shown to a person, not read
// by OCR, so a modest resolution is enough and keeps the image small.
const (
	PreviewDPI       = 100
	PreviewMaxPixels = 2_000_000
)

// RenderPDFPage renders page n (1-based) of the PDF at path as a PNG at
// dpi, lowered so that the image holds at most maxPixels (an A4 page at
// 100 dpi is about 0.97 million pixels). A page that paints only greys is
// encoded as a grayscale PNG, a quarter of the size. Like Extract, it runs
// in a fresh PDFium instance, bounded by Config.Timeout and ctx. A PDF that
// cannot be opened, or a page holding an image over Config.MaxImagePixels
// (too_large_content), is an *Error, as from Extract; a page number out of
// range is ErrPageRange.
func (e *Engine) RenderPDFPage(ctx context.Context, path string, n, dpi, maxPixels int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	var out []byte
	err := e.withPDF(ctx, path, func(ctx context.Context, inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) error {
		count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
		if err != nil {
			return newError(CodeCorruptDocument, "The PDF could not be read.", err)
		}
		if n < 1 || n > count.PageCount {
			return fmt.Errorf("page %d of %d: %w", n, count.PageCount, ErrPageRange)
		}
		page := requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: n - 1}}
		size, err := inst.GetPageSize(&requests.GetPageSize{Page: page})
		if err != nil {
			return newError(CodeCorruptDocument, "The PDF page could not be read.", err)
		}
		// An image past Config.MaxImagePixels is refused before PDFium
		// decodes it to paint the page, as Extract refuses it before OCR.
		tf, err := pageTransform(inst, page, size.Width, size.Height)
		if err != nil {
			return newError(CodeCorruptDocument, "The PDF page could not be read.", err)
		}
		if scan, err := scanPage(inst, page, tf, size.Width, size.Height); err == nil {
			if big, ok := scan.oversized(Box{X1: size.Width, Y1: size.Height}, e.cfg.MaxImagePixels); ok {
				return errPDFImageTooLarge(n-1, big, e.cfg.MaxImagePixels)
			}
		}
		if px := size.Width * size.Height * float64(dpi*dpi) / (72 * 72); px > float64(maxPixels) {
			dpi = max(10, int(float64(dpi)*math.Sqrt(float64(maxPixels)/px)))
		}
		res, err := inst.RenderPageInDPI(&requests.RenderPageInDPI{Page: page, DPI: dpi, RenderFlags: enums.FPDF_RENDER_FLAG_ANNOT})
		if err != nil {
			return fmt.Errorf("render page %d: %w", n, err)
		}
		defer res.Cleanup()
		rgba, ok := res.Result.RenderedImage.(*image.RGBA)
		if !ok {
			return fmt.Errorf("render page %d: got %T, want *image.RGBA", n, res.Result.RenderedImage)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, grayIfGray(rgba)); err != nil {
			return fmt.Errorf("encode page %d: %w", n, err)
		}
		out = buf.Bytes()
		return nil
	})
	return out, err
}

// ErrPageRange: the page asked for is not in the document.
var ErrPageRange = errors.New("no such page")

// grayIfGray returns img as an *image.Gray when every pixel is grey, else
// img. The copy also detaches the pixels from PDFium's buffer.
func grayIfGray(img *image.RGBA) image.Image {
	b := img.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[(y-b.Min.Y)*img.Stride:]
		grow := g.Pix[(y-b.Min.Y)*g.Stride:]
		for x := 0; x < b.Dx(); x++ {
			p := row[x*4 : x*4+3]
			if p[0] != p[1] || p[1] != p[2] {
				return img
			}
			grow[x] = p[0]
		}
	}
	return g
}

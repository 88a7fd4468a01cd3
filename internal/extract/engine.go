package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"golang.org/x/sync/semaphore"
)

// Config bounds an Engine. The zero value of every field means its default.
type Config struct {
	// Workers is how many PDFium WebAssembly instances may run at once,
	// which is how many PDFs are read in parallel, and how many Tesseract
	// processes (OCR) may run at once. Default 2.
	Workers int
	// MaxPages is the most pages a PDF may have; more fails with
	// too_many_pages. Default 500.
	MaxPages int
	// MaxTextBytes is the most text (UTF-8 bytes) one file may yield, and
	// the largest text, CSV or HTML file read; more fails with
	// too_many_pages. It bounds the memory a Document takes. Default 4 MiB.
	MaxTextBytes int
	// MemoryLimitMB caps the memory of one PDFium instance, so PDFs take
	// at most Workers x MemoryLimitMB at once; a PDF that needs more (a
	// page stream that inflates to gigabytes) fails as too_large_content
	// the moment PDFium asks for more. Default 512, at least 64.
	MemoryLimitMB int
	// Timeout bounds every Pages and Extract call on top of the caller's
	// context. Default 2 minutes.
	Timeout time.Duration
	// CacheDir, when set, is a directory where the compiled PDFium module is
	// cached across restarts: NewEngine then takes about 0.1 s instead of
	// about 4 s. Several processes may share it. It holds machine code that
	// is loaded and run, so only docparse may be able to write to it.
	CacheDir string
	// TesseractPath is the Tesseract program used for OCR (Debian package
	// tesseract-ocr). Default: "tesseract" on the PATH. When it cannot be
	// found or run, the Engine starts anyway and files that need OCR fail
	// with ocr_unavailable. At most Workers Tesseract processes run at once.
	TesseractPath string
	// OCRLanguages are the Tesseract languages ("eng", or ISO 639-1 "en")
	// used when a call names none. Every one must be installed
	// (tesseract-ocr-deu and so on). Default: those of eng, fra, deu and
	// spa that are installed. Each language costs OCR time: four take
	// about twice as long as one.
	OCRLanguages []string
	// OCRModels, when set, is a directory of OCR models (see paddle.go;
	// scripts/ocr-models.sh lays one out): images are then read by them,
	// in this process, instead of by Tesseract. NewEngine fails when the
	// directory cannot be loaded.
	OCRModels string
	// OCRMemory, when above 0, is the memory (bytes) the Tesseract
	// processes may take together. Each is counted before it starts, by
	// the size of the image it reads (see ocrMemory: about 96 MB plus 4
	// bytes per pixel), and waits until its count fits beside those
	// running; one counted above OCRMemory runs alone. 0: no count, only
	// Workers processes at once.
	OCRMemory int64
	// MaxImagePixels is the largest image (width x height, read from its
	// header before anything is decoded) that is OCRed; larger fails with
	// too_large_content. It holds for images inside a PDF page that must
	// be rendered for OCR too (read from the image's dictionary before
	// PDFium decodes it: decoding a 60000 x 60000 image takes minutes
	// however small the page is rendered). Default 50 million.
	MaxImagePixels int
	// RereadLinesBelow is the mean word confidence (percent) of a single
	// image's best OCR pass below which its lines are read again one by
	// one (rereadLines): a page read with more confidence rarely gains
	// from it. Default 80; 101 reads every such page's lines again.
	RereadLinesBelow int
	// OCRBudgetPercent scales the Tesseract CPU time that one page's
	// retries and other readings may spend (ocrpass.go: twice the first
	// pass's, within 3 to 8 s; a reading of the page as one block: twice
	// the first pass's, at least 3 s). CPU time grows when the machine is
	// loaded, so a busy machine may cut a pass that an idle one finishes.
	// Default 100; 200 doubles the budgets.
	OCRBudgetPercent int
}

const (
	defaultWorkers       = 2
	defaultMaxPages      = 500
	defaultMaxTextBytes  = 4 << 20
	defaultMemoryLimitMB = 512
	defaultTimeout       = 2 * time.Minute
	minMemoryLimitMB     = 64
	defaultImagePixels   = 50_000_000
	// defaultRereadBelow: on the SROIE training receipts, not reading
	// again the lines of pages read at 80 or more (190 of 318) lost one
	// date and one total of 362 each (BENCHMARKS.md, issue 11, session 8).
	defaultRereadBelow = 80

	// killGrace is how long a cancelled call waits for the goroutine that
	// drove a killed PDFium instance to notice, before returning anyway.
	killGrace = 2 * time.Second
)

// withDefaults fills zero fields and reports every invalid one.
func (c Config) withDefaults() (Config, error) {
	var problems []string
	check := func(field string, v int, def, least int) int {
		switch {
		case v == 0:
			return def
		case v < least:
			problems = append(problems, fmt.Sprintf("%s: %d is below %d", field, v, least))
		}
		return v
	}
	c.Workers = check("Workers", c.Workers, defaultWorkers, 1)
	c.MaxPages = check("MaxPages", c.MaxPages, defaultMaxPages, 1)
	c.MaxTextBytes = check("MaxTextBytes", c.MaxTextBytes, defaultMaxTextBytes, 1)
	c.MemoryLimitMB = check("MemoryLimitMB", c.MemoryLimitMB, defaultMemoryLimitMB, minMemoryLimitMB)
	c.MaxImagePixels = check("MaxImagePixels", c.MaxImagePixels, defaultImagePixels, 1)
	c.RereadLinesBelow = check("RereadLinesBelow", c.RereadLinesBelow, defaultRereadBelow, 1)
	c.OCRBudgetPercent = check("OCRBudgetPercent", c.OCRBudgetPercent, 100, 10)
	if c.RereadLinesBelow > 101 {
		problems = append(problems, fmt.Sprintf("RereadLinesBelow: %d is above 101", c.RereadLinesBelow))
	}
	for _, l := range c.OCRLanguages {
		if l = strings.TrimSpace(l); l == "" || strings.ContainsAny(l, "+ /\\") {
			problems = append(problems, fmt.Sprintf("OCRLanguages: %q is not a language name", l))
		}
	}
	switch {
	case c.Timeout == 0:
		c.Timeout = defaultTimeout
	case c.Timeout < 0:
		problems = append(problems, fmt.Sprintf("Timeout: %v is negative", c.Timeout))
	}
	if c.OCRMemory < 0 {
		problems = append(problems, fmt.Sprintf("OCRMemory: %d is negative", c.OCRMemory))
	}
	if len(problems) > 0 {
		return c, fmt.Errorf("invalid extract config: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// Engine reads documents. It owns a pool of PDFium WebAssembly instances
// (pure Go through wazero, no cgo) and is safe for concurrent use: at most
// Config.Workers PDFs are read at once, other callers wait for a free
// instance or for their context.
//
// OCR runs Tesseract as a separate process per image or batch of images,
// at most Config.Workers at once across all calls, each killed when its
// call's context ends.
//
// Every PDF gets a fresh instance, which is discarded afterwards (creating
// one takes milliseconds once the module is compiled), so a hostile file
// cannot leave state or memory behind for the next one. An instance whose
// call overran its context is killed, never reused.
type Engine struct {
	cfg   Config
	pool  pdfium.Pool
	cache wazero.CompilationCache

	// ocr is nil when Tesseract is unavailable, and ocrErr says why.
	ocr      *tesseract
	ocrErr   error
	ocrSlots chan struct{}       // one per running Tesseract process
	ocrMem   *semaphore.Weighted // Config.OCRMemory; nil without
	// paddle reads images instead of Tesseract when Config.OCRModels is
	// set (see paddle.go).
	paddle *paddleReader
}

// ExtractOptions tune one ExtractWith call. The zero value is what Extract
// uses.
type ExtractOptions struct {
	// OCRPriority OCRs every page of a PDF, even one with a good text
	// layer, and prefers the OCR's words where both read the same place
	// (for text layers with broken encodings). Without Tesseract such a
	// call fails with ocr_unavailable.
	OCRPriority bool
	// Languages are the OCR languages of this call, as Tesseract names them
	// ("deu") or as ISO 639-1 codes ("de", "de-CH"). Those not installed
	// are ignored; when none is left, Config.OCRLanguages apply.
	Languages []string
	// OCRSinglePass reads every image and scanned page once, as it is,
	// without the preprocessed retries of a page that reads poorly (see
	// OCRRun): faster on poor scans, and what OCR read before retries
	// existed.
	OCRSinglePass bool
}

// NewEngine compiles the PDFium module and starts the pool. Compiling takes
// seconds (3.5-4.5 s on a 2-core machine) unless Config.CacheDir holds an
// earlier compilation; call it once at start-up. It also looks for
// Tesseract (see Config.TesseractPath and OCRLanguages): a missing program
// is no error (OCRLanguages reports it), but missing languages that
// Config.OCRLanguages names are. The caller must Close the Engine.
func NewEngine(cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ocr, ocrErr := findTesseract(cfg.TesseractPath)
	if ocr != nil {
		if err := ocr.setLanguages(cfg.OCRLanguages); err != nil {
			return nil, fmt.Errorf("invalid extract config: OCRLanguages: %w", err)
		}
	}
	rc := wazero.NewRuntimeConfig().
		// The bundled PDFium lowers setjmp/longjmp to WebAssembly
		// exception handling (see webassembly.Config.RuntimeConfig).
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		// Lets Kill interrupt a call stuck inside PDFium.
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(uint32(cfg.MemoryLimitMB) * 16) // 64 KiB pages
	var cache wazero.CompilationCache
	if cfg.CacheDir != "" {
		cache, err = wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("open pdfium compilation cache: %w", err)
		}
		rc = rc.WithCompilationCache(cache)
	}
	pool, err := webassembly.Init(webassembly.Config{
		// Instances are made under this context: their linear memory
		// comes from wasmMemory (memory_linux.go).
		Context:       experimental.WithMemoryAllocator(context.Background(), wasmMemory),
		MaxIdle:       cfg.Workers,
		MaxTotal:      cfg.Workers,
		RuntimeConfig: rc,
		// No mounts: PDFium sees no host file system. Files reach it
		// through an io.ReadSeeker only.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
	})
	if err != nil {
		closeCache(cache)
		return nil, fmt.Errorf("start pdfium pool: %w", err)
	}
	e := &Engine{cfg: cfg, pool: pool, cache: cache, ocr: ocr, ocrErr: ocrErr, ocrSlots: make(chan struct{}, cfg.Workers)}
	if cfg.OCRModels != "" {
		if e.paddle, err = openPaddle(cfg.OCRModels); err != nil {
			pool.Close()
			closeCache(cache)
			return nil, err
		}
	}
	if cfg.OCRMemory > 0 {
		e.ocrMem = semaphore.NewWeighted(cfg.OCRMemory)
	}
	// Instantiate once now, so that a module that cannot run fails here
	// and not on the first upload.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.withInstance(ctx, func(context.Context, pdfium.Pdfium) error { return nil }); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("start pdfium instance: %w", err)
	}
	return e, nil
}

// Close stops the pool and frees the compiled module. Call it once, after
// every Pages and Extract call has returned.
func (e *Engine) Close() error {
	err := e.pool.Close()
	closeCache(e.cache)
	if err != nil {
		return fmt.Errorf("close pdfium pool: %w", err)
	}
	return nil
}

// OCRLanguages returns the languages OCR uses by default, or nil and the
// reason when OCR is unavailable (Tesseract not found or not runnable).
func (e *Engine) OCRLanguages() ([]string, error) {
	if e.ocr == nil {
		return nil, e.ocrErr
	}
	return slices.Clone(e.ocr.langs), nil
}

func closeCache(c wazero.CompilationCache) {
	if c != nil {
		_ = c.Close(context.Background())
	}
}

// Pages counts the pages of the file at path, whose kind the caller got from
// Sniff. A PDF is opened through PDFium, which reads only the parts of the
// file it needs (the cross-reference table and the page tree), never the
// whole file into memory. An image counts 1, a TIFF one per image in it,
// after its header passed the checks of Extract (signature, size); a DOCX
// counts what docProps/app.xml says (as Word last laid it out), else 1; an
// XLSX counts its sheets; an e-mail counts 1 for its text plus the pages of
// its attachments; text, CSV, HTML and an XML e-invoice count 1; KindUnknown counts 0 with
// unsupported_type.
//
// An empty file counts 0 with empty_document; an encrypted or unreadable
// file counts 0 with the code Extract would fail with (encrypted_document,
// corrupt_document, too_large_content). With such an *Error the caller
// stores 0 and accepts the file, which will fail with the same code when
// extracted. Other errors (the file cannot be opened, the context was
// cancelled) are not about the document.
func (e *Engine) Pages(ctx context.Context, path string, kind Kind) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	return e.pages(ctx, path, kind, 0)
}

// pages is Pages inside an e-mail nested depth levels deep.
func (e *Engine) pages(ctx context.Context, path string, kind Kind, depth int) (n int, err error) {
	if err := ctxError(ctx); err != nil {
		return 0, err
	}
	size, err := fileSize(path)
	if err != nil {
		return 0, err
	}
	if size == 0 {
		return 0, errEmpty()
	}
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, newError(CodeCorruptDocument, "The document could not be read.", fmt.Errorf("panic: %v", p))
		}
	}()
	switch {
	case kind == KindPDF:
		err := e.withInstance(ctx, func(_ context.Context, inst pdfium.Pdfium) error {
			var err error
			n, err = countPDFPages(inst, path)
			return err
		})
		if err != nil {
			return 0, err
		}
		return n, nil
	case kind.IsImage():
		info, err := e.imageInfo(path, kind)
		if err != nil {
			return 0, err
		}
		return info.pages, nil
	case kind == KindDOCX:
		return e.docxPages(path)
	case kind == KindXLSX:
		return e.xlsxPages(path)
	case kind == KindEML:
		return e.emlPages(ctx, path, depth)
	case kind == KindUnknown || kind == "":
		return 0, errUnsupported(kind)
	default:
		return 1, nil
	}
}

// Extract is ExtractWith with the zero ExtractOptions.
func (e *Engine) Extract(ctx context.Context, path string, kind Kind) (*Document, error) {
	return e.ExtractWith(ctx, path, kind, ExtractOptions{})
}

// ExtractWith returns the text and layout of the file at path, whose kind
// the caller got from Sniff.
//
// Supported:
//   - PDF: words with boxes from the text layer (PDFium, in points),
//     grouped into lines top to bottom, a line holding every word on one
//     baseline so the cells of a table row stay together. Pages without a
//     text layer, and images on a page that its text layer does not cover,
//     are rendered at 200 dpi and OCRed (see pdfocr.go and
//     ExtractOptions.OCRPriority).
//   - Images (PNG, JPEG, TIFF with all its pages, GIF, BMP, WebP): OCR with
//     Tesseract, boxes in pixels, Word.Conf Tesseract's confidence.
//
// A page OCRed whole that reads poorly (a single-page PNG, JPEG or GIF, a
// scanned PDF page) is read again on preprocessed copies, within a budget
// of CPU time, and the best read is kept; Page.OCR says which (see
// ocrpass.go and ExtractOptions.OCRSinglePass).
//   - DOCX: paragraphs in order, headers first and footers last, a table
//     row (and each line of its cells) on one line with the cells set
//     apart by at least two spaces; explicit and last-rendered page breaks
//     start pages.
//   - XLSX: one page per sheet, one line per row, the cells in aligned
//     columns at least two spaces apart, numbers and dates formatted as
//     their cell format says (dates as 2006-01-02).
//   - E-mail (.eml): a first page with the From, To, Cc, Subject and Date
//     headers and the text/plain body (or the text/html one as text), then
//     the pages of every attachment, extracted the same way.
//   - Text and CSV (one Line per text line on a synthetic grid); HTML (tags
//     stripped, the cells of a table row on one line).
//   - XML e-invoices (CII, UBL): the invoice as a readable page of labelled
//     values (EInvoiceText), after einvoice.Parse's checks; hostile or
//     broken XML fails with corrupt_document or too_large_content.
//
// Formats without geometry (text, CSV, HTML, DOCX, XLSX, e-mail text) get
// a synthetic 6 x 12 point grid per character.
//
// Permanent failures are *Error: unsupported_type (zip, unknown),
// empty_document (empty file, or no word found, OCR included),
// encrypted_document (a PDF that needs a password), corrupt_document
// (unparseable, an image Tesseract cannot read), too_large_content (an
// image over Config.MaxImagePixels, alone or on a scanned PDF page; a PDF
// page over Config.MemoryLimitMB; an office file or e-mail that unpacks to
// too much, or an office file with one XML token, a text run say, over
// Config.MaxTextBytes, refused while reading it), too_many_pages (over
// Config.MaxPages, or over Config.MaxTextBytes of text), ocr_unavailable (a
// file that needs OCR while Tesseract is missing) and timeout (ctx or
// Config.Timeout expired, checked promptly even while PDFium is stuck in a
// page, whose instance is then killed, or while Tesseract runs, which is
// then killed). A panic in the engine becomes corrupt_document. A cancelled
// ctx (not a deadline) returns ctx.Err() wrapped: the work was interrupted,
// not the document at fault.
func (e *Engine) ExtractWith(ctx context.Context, path string, kind Kind, opts ExtractOptions) (*Document, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	return e.extract(ctx, path, kind, opts, 0)
}

// extract is ExtractWith inside an e-mail nested depth levels deep.
func (e *Engine) extract(ctx context.Context, path string, kind Kind, opts ExtractOptions, depth int) (doc *Document, err error) {
	if err := ctxError(ctx); err != nil {
		return nil, err
	}
	size, err := fileSize(path)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, errEmpty()
	}
	if kind == KindPDF {
		// out is read only when withInstance returns nil, that is after fn
		// returned: a killed fn may still write it, nobody reads it then.
		var out *Document
		err = e.withInstance(ctx, func(ctx context.Context, inst pdfium.Pdfium) error {
			var err error
			out, err = e.extractPDF(ctx, inst, path, opts)
			return err
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, newError(CodeCorruptDocument, "The document could not be read.", fmt.Errorf("panic: %v", p))
		}
	}()
	switch {
	case kind == KindText, kind == KindCSV, kind == KindHTML:
		text, err := e.readText(path, size)
		if err != nil {
			return nil, err
		}
		switch kind {
		case KindHTML:
			return htmlDocument(ctx, text)
		case KindCSV:
			return plainDocument(ctx, text, csvDelimiter(text))
		default:
			return plainDocument(ctx, text, "")
		}
	case kind.IsImage():
		return e.extractImage(ctx, path, kind, opts)
	case kind == KindDOCX:
		return e.extractDOCX(ctx, path)
	case kind == KindXLSX:
		return e.extractXLSX(ctx, path)
	case kind == KindEML:
		return e.extractEML(ctx, path, opts, depth)
	case kind == KindEInvoice:
		return e.extractEInvoice(ctx, path)
	default:
		return nil, errUnsupported(kind)
	}
}

// readText reads and decodes a text-like file of at most MaxTextBytes.
func (e *Engine) readText(path string, size int64) (string, error) {
	if size > int64(e.cfg.MaxTextBytes) {
		return "", tooMuchText(e.cfg.MaxTextBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open document: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(e.cfg.MaxTextBytes)+1))
	if err != nil {
		return "", fmt.Errorf("read document: %w", err)
	}
	if len(b) > e.cfg.MaxTextBytes {
		return "", tooMuchText(e.cfg.MaxTextBytes)
	}
	return decodeText(b), nil
}

// withInstance borrows a PDFium instance and runs fn with it on a goroutine
// of its own, so that ctx is honoured even while fn is stuck inside PDFium:
// when ctx ends first, the instance is killed (its module is closed, which
// interrupts the running call, and the pool replaces it), withInstance waits
// up to killGrace for fn to unwind and returns the context's error. fn must
// own every resource it opens (it may outlive withInstance after a kill)
// and should check ctx between steps. A panic in fn becomes
// corrupt_document.
func (e *Engine) withInstance(ctx context.Context, fn func(context.Context, pdfium.Pdfium) error) error {
	inst, err := e.pool.GetInstanceWithContext(ctx)
	if err != nil {
		if cerr := ctxError(ctx); cerr != nil {
			return cerr
		}
		return fmt.Errorf("get pdfium instance: %w", err)
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- newError(CodeCorruptDocument, "The document could not be read.", fmt.Errorf("panic: %v", p))
			}
		}()
		done <- fn(ctx, inst)
	}()
	select {
	case err := <-done:
		// Close discards the instance (the pool does not reuse workers),
		// releasing all of its memory. Its error changes nothing for the
		// caller: the work is done.
		_ = inst.Close()
		if cerr := ctxError(ctx); cerr != nil && err != nil {
			// fn gave up because of ctx (between pages).
			return cerr
		}
		return err
	case <-ctx.Done():
		_ = inst.Kill()
		timer := time.NewTimer(killGrace)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
		}
		return ctxError(ctx)
	}
}

// ctxError is nil while ctx is live, timeout when its deadline passed, and
// the wrapped cancellation otherwise.
func ctxError(ctx context.Context) error {
	err := ctx.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return newError(CodeTimeout, "The document took too long to process.", err)
	default:
		return fmt.Errorf("extract: %w", err)
	}
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("stat document: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("stat document: %s is not a regular file", path)
	}
	return fi.Size(), nil
}

func errEmpty() *Error {
	return newError(CodeEmptyDocument, "The file is empty.", nil)
}

func errUnsupported(kind Kind) *Error {
	if kind == KindUnknown || kind == "" {
		return newError(CodeUnsupportedType, "The file type is not supported.", nil)
	}
	return newError(CodeUnsupportedType, fmt.Sprintf("%s files are not supported.", strings.ToUpper(string(kind))), nil)
}

func tooMuchText(limit int) *Error {
	return newError(CodeTooManyPages, fmt.Sprintf("The document holds more than %d MB of text.", max(1, limit>>20)), nil)
}

// scaleBudget scales a CPU budget by Config.OCRBudgetPercent.
func (e *Engine) scaleBudget(d time.Duration) time.Duration {
	return d * time.Duration(e.cfg.OCRBudgetPercent) / 100
}

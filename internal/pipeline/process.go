package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/einvoice"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/store"
)

// ProcessFileArgs is the job that extracts one file. One is inserted per
// file, in the transaction that creates the batch.
type ProcessFileArgs struct{ fileOf }

// Kind is River's name of the job.
func (ProcessFileArgs) Kind() string { return "process_file" }

// InsertOpts puts the job on the extract queue.
func (ProcessFileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueExtract}
}

// extractJob is what the job of an extraction file does (fileJob): read
// the file and fill its batch's schema.
type extractJob struct{ s *Service }

// extractWork is what extracting a file needs: the file and the schema
// its batch was uploaded with.
type extractWork struct {
	f      docparse.File
	schema docparse.Schema
}

func (j extractJob) start(ctx context.Context, tx *store.Tx, accountID, fileID string) (extractWork, bool, error) {
	m, err := tx.MoveFile(ctx, accountID, fileID, docparse.FileProcessing, store.FileOutcome{}, j.s.Now())
	if err != nil || !m.Moved {
		return extractWork{}, false, err
	}
	schema, err := tx.BatchSchema(ctx, accountID, m.File.BatchID)
	return extractWork{f: m.File, schema: schema}, true, err
}

func (j extractJob) work(ctx context.Context, w extractWork) (docparse.FileStatus, store.FileOutcome, error) {
	return j.s.extractFile(ctx, w.f, w.schema)
}

func (extractJob) failed(e *docparse.FileError) store.FileOutcome { return store.FileOutcome{Error: e} }

func (j extractJob) finish(ctx context.Context, tx *store.Tx, accountID, fileID string, to docparse.FileStatus, out store.FileOutcome) ([]store.DeliveryTask, error) {
	m, err := tx.MoveFile(ctx, accountID, fileID, to, out, j.s.Now())
	if err != nil {
		return nil, err
	}
	return j.s.fileEvents(ctx, tx, m)
}

// extractFile reads a stored file and fills the schema. It returns the
// file's final status and what to store; an error is transient.
//
// An e-invoice (an XML upload, or a PDF with an invoice attachment) fills
// the schema from its XML first (fields.FromInvoice, confidence 1, source
// embedded_xml); the page reading fills the rest. Where a PDF's page
// contradicts its XML the file gets an einvoice_page_mismatch warning. A
// PDF whose invoice attachment cannot be read is read from its pages
// alone, with an einvoice_unreadable warning; one whose pages cannot be
// read (no text without OCR, too many pages) but whose attachment can is
// read from its XML alone, with a page_unreadable warning. A file with a
// warning goes to needs_review.
func (s *Service) extractFile(ctx context.Context, f docparse.File, schema docparse.Schema) (docparse.FileStatus, store.FileOutcome, error) {
	kind := extract.Kind(f.Kind)
	doc, ferr, err := s.readDocument(ctx, f.ID, f.Size, f.Kind, f.BlobKey, extract.ExtractOptions{
		OCRPriority: schema.Options.OCRPriority, Languages: OCRLanguages(schema.Language)})
	if err != nil {
		return "", store.FileOutcome{}, err
	}
	pageErr := ferr
	if ferr != nil && (kind != extract.KindPDF || !pageLess(ferr.Code)) {
		return docparse.FileFailed, store.FileOutcome{Error: ferr}, nil
	}
	var inv *einvoice.Invoice
	if kind != extract.KindPDF || doc == nil || doc.Attachments != 0 {
		// A PDF whose pages were read and that embeds no file holds no
		// e-invoice: no second look.
		inv, ferr, err = s.readEInvoice(ctx, f.ID, kind, f.BlobKey)
	} else {
		ferr = nil
	}
	if err != nil {
		return "", store.FileOutcome{}, err
	}
	var det fileDetails
	switch {
	case pageErr != nil && inv == nil:
		// Neither the page nor an attachment: the page's failure stands.
		return docparse.FileFailed, store.FileOutcome{Error: pageErr}, nil
	case pageErr != nil:
		// The XML answers, but nothing can check it against the page.
		det.Warnings = append(det.Warnings, fileWarning{Code: WarningPageUnreadable,
			Message: "The PDF's pages could not be read, so its e-invoice XML was not checked against them: " + pageErr.Message})
	case ferr != nil && kind == extract.KindEInvoice:
		return docparse.FileFailed, store.FileOutcome{Error: ferr}, nil
	case ferr != nil:
		det.Warnings = append(det.Warnings, fileWarning{Code: WarningEInvoiceUnreadable,
			Message: "The PDF's e-invoice attachment could not be read, so the values come from its pages: " + ferr.Message})
	}

	opts := fields.Options{Language: schema.Language, InferMissing: schema.Options.InferMissing}
	page := fields.Extract(doc, schema.Fields, opts)
	res := page
	if inv == nil {
		det.Sources = fields.Sources(schema.Fields, page.Values, pageSource(doc, kind))
		fields.MarkInferred(det.Sources, page.Inferred)
	} else {
		// An XML upload's page is the XML itself, rendered: nothing to
		// compare, and what it adds came from the XML too.
		src, shown := pageSource(doc, kind), doc
		if kind == extract.KindEInvoice {
			src, shown = fields.SourceEmbeddedXML, nil
		}
		m := fields.MergeInvoice(schema.Fields, inv, page, src, shown)
		res, det.Sources, det.EInvoice = m.Result, m.Sources, inv
		for _, mm := range m.Mismatches {
			det.Warnings = append(det.Warnings, fileWarning{Code: WarningEInvoiceMismatch, Field: mm.Field,
				PageValue: mm.PageValue, XMLValue: mm.XMLValue})
		}
	}
	det.Citations = fields.Citations(schema.Fields, det.Sources, page.Citations)
	result, err := json.Marshal(res.Values)
	if err != nil {
		return "", store.FileOutcome{}, fmt.Errorf("encode result: %w", err)
	}
	conf, err := json.Marshal(res.Confidence)
	if err != nil {
		return "", store.FileOutcome{}, fmt.Errorf("encode confidence: %w", err)
	}
	details, err := json.Marshal(det)
	if err != nil {
		return "", store.FileOutcome{}, fmt.Errorf("encode details: %w", err)
	}
	to := docparse.FileProcessed
	if fields.MinConfidence(res.Confidence) < schema.ReviewThreshold || len(det.Warnings) > 0 {
		to = docparse.FileNeedsReview
	}
	// strict_format: a document whose fields are mostly not found next to
	// their own labels does not look like the schema.
	if schema.Options.StrictFormat && res.LayoutMatch < fields.LayoutMatchMin {
		to = docparse.FileNeedsReview
	}
	return to, store.FileOutcome{Result: result, Confidence: conf, Details: details}, nil
}

// Warning codes of a file result.
const (
	// WarningEInvoiceMismatch: a value printed on the page contradicts the
	// e-invoice's XML (field, page_value, xml_value say which).
	WarningEInvoiceMismatch = "einvoice_page_mismatch"
	// WarningEInvoiceUnreadable: the PDF carries an e-invoice attachment
	// that could not be read (malformed, hostile or too large XML).
	WarningEInvoiceUnreadable = "einvoice_unreadable"
	// WarningPageUnreadable: the values come from the PDF's e-invoice XML
	// alone, its pages could not be read (no text and no OCR, too many
	// pages, too long to read) to check them.
	WarningPageUnreadable = "page_unreadable"
)

// pageLess reports whether a PDF that failed with code may still be read
// from its e-invoice attachment: its pages could not be read, but the
// file itself opens.
func pageLess(code string) bool {
	switch code {
	case extract.CodeEmptyDocument, extract.CodeOCRUnavailable, extract.CodeTooManyPages, extract.CodeTimeout, extract.CodeTooLargeContent:
		return true
	}
	return false
}

// fileDetails is the JSON object stored as docparse.File.Details.
type fileDetails struct {
	Sources map[string]any `json:"sources"`
	// Citations is shaped like Sources: where on its page each value was
	// read (fields.Citations).
	Citations map[string]any    `json:"citations"`
	EInvoice  *einvoice.Invoice `json:"einvoice,omitempty"`
	Warnings  []fileWarning     `json:"warnings,omitempty"`
}

// fileWarning is one entry of a file result's warnings.
type fileWarning struct {
	Code      string `json:"code"`
	Message   string `json:"message,omitempty"`
	Field     string `json:"field,omitempty"`
	PageValue any    `json:"page_value,omitempty"`
	XMLValue  any    `json:"xml_value,omitempty"`
}

// pageSource says how the page engine read doc: ocr for an image, or for
// a document most of whose words came from OCR (a text layer's words have
// confidence 1, OCR's Tesseract's own), text otherwise.
func pageSource(doc *extract.Document, kind extract.Kind) string {
	if doc == nil {
		return fields.SourceText
	}
	if kind.IsImage() {
		return fields.SourceOCR
	}
	ocr, all := 0, 0
	for _, p := range doc.Pages {
		for _, l := range p.Lines {
			for _, w := range l.Words {
				all++
				if w.Conf < 1 {
					ocr++
				}
			}
		}
	}
	if all > 0 && 2*ocr >= all {
		return fields.SourceOCR
	}
	return fields.SourceText
}

// readEInvoice reads the e-invoice of a stored file (an XML upload, or a
// PDF's attachment) within the file timeout: nil when it holds none; a
// FileError when it holds a broken one; an error is transient.
func (s *Service) readEInvoice(ctx context.Context, fileID string, kind extract.Kind, blobKey string) (*einvoice.Invoice, *docparse.FileError, error) {
	if kind != extract.KindPDF && kind != extract.KindEInvoice {
		return nil, nil, nil
	}
	return readStored(ctx, s, blobKey, "read e-invoice of "+fileID, func(ctx context.Context, path string) (*einvoice.Invoice, error) {
		inv, _, err := s.engine.EInvoice(ctx, path, kind)
		return inv, err
	})
}

// readDocument reads the text and layout of a stored file within the file
// timeout. A document's own problems (empty, unsupported, corrupt,
// encrypted, too long to read) come back as a FileError that fails the
// file for good; an error is transient.
func (s *Service) readDocument(ctx context.Context, fileID string, size int64, kind, blobKey string, opts extract.ExtractOptions) (*extract.Document, *docparse.FileError, error) {
	if size == 0 {
		return nil, &docparse.FileError{Code: "empty_document", Message: "the file is empty"}, nil
	}
	if extract.Kind(kind) == extract.KindUnknown {
		return nil, &docparse.FileError{Code: "unsupported_type", Message: "the file's content is not a supported document type"}, nil
	}
	return readStored(ctx, s, blobKey, "extract "+fileID, func(ctx context.Context, path string) (*extract.Document, error) {
		doc, err := s.engine.ExtractWith(ctx, path, extract.Kind(kind), opts)
		if err == nil {
			s.metrics.ocrPages(doc)
		}
		return doc, err
	})
}

// readStored runs read on a local copy of the stored document behind
// blobKey, within the file timeout. The document's own problem (an
// *extract.Error) comes back as a FileError, which fails the file for
// good; any other error is transient, and read's is wrapped naming op.
func readStored[T any](ctx context.Context, s *Service, blobKey, op string, read func(ctx context.Context, path string) (T, error)) (T, *docparse.FileError, error) {
	var zero T
	ctx, cancel := context.WithTimeout(ctx, s.cfg.FileTimeout)
	defer cancel()
	path, release, err := s.blobs.Local(ctx, blobKey)
	if err != nil {
		return zero, nil, err
	}
	defer release()
	v, err := read(ctx, path)
	if e, ok := extract.AsError(err); ok {
		return zero, &docparse.FileError{Code: e.Code, Message: e.Message}, nil
	}
	if err != nil {
		return zero, nil, fmt.Errorf("%s: %w", op, err)
	}
	return v, nil, nil
}

// OCRLanguages maps an extraction's language to OCR languages: one
// language reads faster and better than four; Multi-Lingual (or a
// language OCR does not know) uses the engine's default set (nil).
func OCRLanguages(language string) []string {
	switch strings.ToLower(strings.TrimSpace(language)) {
	case "english":
		return []string{"eng"}
	case "french", "français", "francais":
		return []string{"fra"}
	case "german", "deutsch":
		return []string{"deu"}
	case "spanish", "español", "espanol":
		return []string{"spa"}
	}
	return nil
}

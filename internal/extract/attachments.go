package extract

import (
	"context"
	"fmt"
	"strings"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// Attachment is a file embedded in a PDF (an entry of its EmbeddedFiles
// name tree), such as the factur-x.xml of a Factur-X invoice.
type Attachment struct {
	Name string
	// Data is the file's decoded bytes; nil when Size is over the limit
	// given to Attachments.
	Data []byte
	Size int
}

// maxAttachments bounds how many embedded files Attachments reads.
const maxAttachments = 100

// Attachments returns the files embedded in the PDF at path, in the PDF's
// order, with the contents of those of at most maxBytes (larger ones come
// with Data nil). It reads on a PDFium instance of its own, under ctx and
// the engine's memory limit: a stream that inflates past that limit (an
// attachment bomb) aborts the instance and gives too_large_content, never
// more memory (the instance's memory is a mapping of at most the limit,
// outside the Go heap: memory_linux.go). Errors: the open errors of
// Extract (corrupt_document, encrypted_document, empty_document),
// too_large_content for more than 100 attachments or an attachment that
// inflates past the memory limit, corrupt_document for an attachment
// PDFium cannot decode, timeout when ctx's deadline passes.
func (e *Engine) Attachments(ctx context.Context, path string, maxBytes int) ([]Attachment, error) {
	var out []Attachment
	err := e.withPDF(ctx, path, func(ctx context.Context, inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) error {
		n, err := inst.FPDFDoc_GetAttachmentCount(&requests.FPDFDoc_GetAttachmentCount{Document: doc})
		if err != nil {
			return newError(CodeCorruptDocument, "The PDF's attachments could not be read.", err)
		}
		if n.AttachmentCount > maxAttachments {
			return newError(CodeTooLargeContent, fmt.Sprintf("The PDF holds %d attachments; at most %d are read.", n.AttachmentCount, maxAttachments), nil)
		}
		atts := make([]Attachment, 0, n.AttachmentCount)
		for i := range n.AttachmentCount {
			if err := ctxError(ctx); err != nil {
				return err
			}
			a, err := inst.FPDFDoc_GetAttachment(&requests.FPDFDoc_GetAttachment{Document: doc, Index: i})
			if err != nil {
				return newError(CodeCorruptDocument, fmt.Sprintf("Attachment %d of the PDF could not be read.", i+1), err)
			}
			name, err := inst.FPDFAttachment_GetName(&requests.FPDFAttachment_GetName{Attachment: a.Attachment})
			if err != nil {
				return newError(CodeCorruptDocument, fmt.Sprintf("Attachment %d of the PDF could not be read.", i+1), err)
			}
			f, err := inst.FPDFAttachment_GetFile(&requests.FPDFAttachment_GetFile{Attachment: a.Attachment})
			if err != nil {
				if strings.Contains(err.Error(), "wasm error") {
					// PDFium aborted while decoding: it ran out of the
					// instance's memory (what an attachment bomb does;
					// a broken stream gives an ordinary failure).
					return newError(CodeTooLargeContent, fmt.Sprintf("Attachment %d of the PDF (%q) inflates past the %d MB memory limit of the PDF reader.", i+1, name.Name, e.cfg.MemoryLimitMB), err)
				}
				return newError(CodeCorruptDocument, fmt.Sprintf("Attachment %d of the PDF could not be decoded.", i+1), err)
			}
			att := Attachment{Name: name.Name, Size: len(f.Contents)}
			if att.Size <= maxBytes {
				att.Data = f.Contents
			}
			atts = append(atts, att)
		}
		out = atts
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

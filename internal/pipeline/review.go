package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/store"
)

// ErrNotInReview: the file is not waiting for review: it was confirmed
// already, or never needed review, or is not done yet. It wraps
// docparse.ErrConflict (HTTP 409).
var ErrNotInReview = fmt.Errorf("file is not waiting for review: %w", docparse.ErrConflict)

// ConfirmReview confirms the reviewed result of the account's needs_review
// file: corrected is the whole result as a JSON object, every key of the
// batch's schema present (null for a value the document lacks). It is
// checked against the schema (a *docparse.ValidationError names every bad
// path, such as "line_items[0].amount"), stored as the file's result, and
// the file moves to processed with its batch's counts and version, the
// reviewer (reviewerID, a user id; may be empty) and the time recorded, and
// a file.processed event emitted, all in one transaction; the event's
// deliveries go to the dispatcher after the commit.
//
// The confidence stored beside the result keeps the API's shapes (nested
// maps for objects, arrays for lists): a value the reviewer changed gets
// 1.0, a value left as extracted keeps its confidence, and null is 0, as
// API.md says of missing values. The batch's status does not change: a
// needs_review file already counted as done for it.
//
// A file of another account, or unknown, is docparse.ErrNotFound. A file
// that is not in needs_review (a second confirmation, or two racing) is
// ErrNotInReview and changes nothing: no second event.
func (s *Service) ConfirmReview(ctx context.Context, accountID, fileID string, corrected json.RawMessage, reviewerID string) (docparse.File, error) {
	var tasks []store.DeliveryTask
	var out docparse.File
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		f, err := tx.FileForWork(ctx, accountID, fileID)
		if err != nil {
			return err
		}
		if !f.Status.CanConfirm() {
			return fmt.Errorf("confirm file %s (%s): %w", fileID, f.Status, ErrNotInReview)
		}
		schema, err := tx.BatchSchema(ctx, accountID, f.BatchID)
		if err != nil {
			return err
		}
		vals, err := docparse.ValidateResult(schema.Fields, corrected)
		if err != nil {
			return err
		}
		var oldVals, oldConf map[string]any
		if f.Result != nil {
			if err := json.Unmarshal(f.Result, &oldVals); err != nil {
				return fmt.Errorf("decode stored result: %w", err)
			}
		}
		if f.Confidence != nil {
			if err := json.Unmarshal(f.Confidence, &oldConf); err != nil {
				return fmt.Errorf("decode stored confidence: %w", err)
			}
		}
		result, err := json.Marshal(vals)
		if err != nil {
			return fmt.Errorf("encode result: %w", err)
		}
		conf, err := json.Marshal(reviewedConfidence(schema.Fields, oldVals, oldConf, vals))
		if err != nil {
			return fmt.Errorf("encode confidence: %w", err)
		}
		details, err := reviewedDetails(schema.Fields, oldVals, f.Details, vals)
		if err != nil {
			return err
		}
		m, err := tx.ConfirmReview(ctx, accountID, fileID, result, conf, details, reviewerID, s.Now())
		if err != nil {
			return err
		}
		if !m.Moved {
			return fmt.Errorf("confirm file %s (%s): %w", fileID, m.File.Status, ErrNotInReview)
		}
		out = m.File
		tasks, err = s.fileEvents(ctx, tx, m)
		return err
	})
	if err != nil {
		return docparse.File{}, err
	}
	s.dispatch.Enqueue(tasks)
	s.log.Info("file review confirmed", "account_id", accountID, "file_id", fileID, "user_id", reviewerID)
	return out, nil
}

// reviewedDetails returns the stored details with the sources and
// citations of the reviewed result vals: a value the reviewer changed or
// added comes from review (and cites no page), one left as extracted
// keeps its source and citation, null has neither. nil details (a result
// stored before details existed) stay nil; details stored before
// citations existed get none.
func reviewedDetails(fields []docparse.Field, oldVals map[string]any, details []byte, vals map[string]any) ([]byte, error) {
	if details == nil {
		return nil, nil
	}
	var d map[string]any
	if err := json.Unmarshal(details, &d); err != nil {
		return nil, fmt.Errorf("decode stored details: %w", err)
	}
	oldSrc, _ := d["sources"].(map[string]any)
	d["sources"] = reviewedSources(fields, oldVals, oldSrc, vals)
	if oldCit, ok := d["citations"].(map[string]any); ok {
		d["citations"] = annotation{scalar: scalarCitation, missingList: nil}.of(fields, oldVals, oldCit, vals)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode details: %w", err)
	}
	return b, nil
}

func reviewedSources(fields []docparse.Field, oldVals, oldSrc, vals map[string]any) map[string]any {
	return annotation{scalar: scalarSource, missingList: nil}.of(fields, oldVals, oldSrc, vals)
}

// scalarSource: null has no source, an unchanged value keeps its source, a
// changed one comes from review.
func scalarSource(old, oldSrc, v any) any {
	if v == nil {
		return nil
	}
	if s, ok := oldSrc.(string); ok && sameJSON(old, v) {
		return s
	}
	return fields.SourceReview
}

// scalarCitation: null has no citation, an unchanged value keeps its
// citation, a changed one comes from review.
func scalarCitation(old, oldCit, v any) any {
	if v == nil {
		return nil
	}
	if sameJSON(old, v) {
		return oldCit
	}
	return fields.Elsewhere(fields.SourceReview)
}

// reviewedConfidence is the confidence of a reviewed result vals, given
// the result and confidence the extraction stored (either may be nil).
func reviewedConfidence(fields []docparse.Field, oldVals, oldConf, vals map[string]any) map[string]any {
	// 0 for a missing list, as fields reports one.
	return annotation{scalar: scalarConfidence, missingList: 0.0}.of(fields, oldVals, oldConf, vals)
}

// scalarConfidence: null is 0, an unchanged value keeps its confidence, a
// changed one is 1.
func scalarConfidence(old, oldConf, v any) any {
	if v == nil {
		return 0.0
	}
	if c, ok := oldConf.(float64); ok && sameJSON(old, v) {
		return c
	}
	return 1.0
}

// annotation is what a result stores beside its values, shaped like them
// (sources, confidence), as a review changes it: of walks the reviewed
// result vals beside the stored result oldVals and its annotation old
// (either may be nil); scalar annotates one scalar from its stored value,
// its stored annotation and its reviewed value; missingList annotates a
// list field whose reviewed value is not a list.
type annotation struct {
	scalar      func(old, oldAnn, v any) any
	missingList any
}

func (a annotation) of(fields []docparse.Field, oldVals, old, vals map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		out[f.Key] = a.field(f, oldVals[f.Key], old[f.Key], vals[f.Key])
	}
	return out
}

func (a annotation) field(f docparse.Field, old, oldAnn, v any) any {
	switch f.Type {
	case docparse.TypeObject:
		vm, _ := v.(map[string]any)
		om, _ := old.(map[string]any)
		am, _ := oldAnn.(map[string]any)
		return a.of(f.Fields, om, am, vm)
	case docparse.TypeListString, docparse.TypeListObject:
		list, ok := v.([]any)
		if !ok {
			return a.missingList
		}
		ol, _ := old.([]any)
		al, _ := oldAnn.([]any)
		out := make([]any, len(list))
		for i, x := range list {
			if f.Type == docparse.TypeListString {
				out[i] = a.scalar(at(ol, i), at(al, i), x)
				continue
			}
			xm, _ := x.(map[string]any)
			om, _ := at(ol, i).(map[string]any)
			am, _ := at(al, i).(map[string]any)
			out[i] = a.of(f.Fields, om, am, xm)
		}
		return out
	}
	return a.scalar(old, oldAnn, v)
}

func at(list []any, i int) any {
	if i < len(list) {
		return list[i]
	}
	return nil
}

// sameJSON reports whether a and b encode alike: 3 and 3.0 are the same
// number, whatever Go type holds them.
func sameJSON(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// Preview is how a document is shown beside its fields.
type Preview int

// Previews.
const (
	PreviewNone  Preview = iota // nothing to show (an unknown kind, a TIFF)
	PreviewPages                // a PDF: each page rendered as PNG (PageImage)
	PreviewImage                // an image browsers show: sent as it is (PageImage, page 1)
	PreviewText                 // its extracted text (DocumentText); an XML e-invoice's is the invoice as readable text
)

// PreviewOf says how a file of kind is shown. TIFF is not shown: browsers
// do not display it, and decoding it would need an image library docparse
// does not carry.
func PreviewOf(kind string) Preview {
	switch k := extract.Kind(kind); {
	case k == extract.KindPDF:
		return PreviewPages
	case k == extract.KindTIFF:
		return PreviewNone
	case k.IsImage():
		return PreviewImage
	case k.IsTextLike(), k == extract.KindDOCX, k == extract.KindXLSX, k == extract.KindEInvoice:
		return PreviewText
	}
	return PreviewNone
}

// imageTypes are the content types of the images PageImage sends as they
// are: formats every current browser displays.
var imageTypes = map[extract.Kind]string{
	extract.KindPNG: "image/png", extract.KindJPEG: "image/jpeg", extract.KindGIF: "image/gif",
	extract.KindWebP: "image/webp", extract.KindBMP: "image/bmp",
}

// PageImage returns page n (1-based) of the file f, which the caller read
// for its account, as an image and its content type: a PDF page rendered as
// PNG at extract.PreviewDPI; an image file as it is, as page 1. Any other
// page, or a file without such a preview, is docparse.ErrNotFound; an
// unreadable PDF is an *extract.Error.
func (s *Service) PageImage(ctx context.Context, f docparse.File, n int) ([]byte, string, error) {
	notFound := docparse.NotFound(fmt.Sprintf("page %d of file", n), f.ID)
	switch PreviewOf(f.Kind) {
	case PreviewPages:
		path, release, err := s.blobs.Local(ctx, f.BlobKey)
		if err != nil {
			return nil, "", err
		}
		defer release()
		png, err := s.engine.RenderPDFPage(ctx, path, n, extract.PreviewDPI, extract.PreviewMaxPixels)
		if errors.Is(err, extract.ErrPageRange) {
			return nil, "", notFound
		}
		if err != nil {
			return nil, "", fmt.Errorf("render %s page %d: %w", f.ID, n, err)
		}
		return png, "image/png", nil
	case PreviewImage:
		if n != 1 {
			return nil, "", notFound
		}
		rc, _, err := s.blobs.Open(ctx, f.BlobKey)
		if err != nil {
			return nil, "", err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return nil, "", fmt.Errorf("read %s: %w", f.ID, err)
		}
		return b, imageTypes[extract.Kind(f.Kind)], nil
	}
	return nil, "", notFound
}

// OpenDocument opens the stored upload behind a blob key of a file the
// caller read for its account, for reading and seeking. The caller closes
// it.
func (s *Service) OpenDocument(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	rc, _, err := s.blobs.Open(ctx, key)
	return rc, err
}

// MaxPreviewText bounds the text DocumentText returns, in bytes.
const MaxPreviewText = 100 << 10

// DocumentText returns the text extracted from the file f (which the
// caller read for its account), at most MaxPreviewText bytes of it, and
// whether it was cut. Only files whose preview is PreviewText are read;
// for others it returns "".
func (s *Service) DocumentText(ctx context.Context, f docparse.File) (string, bool, error) {
	if PreviewOf(f.Kind) != PreviewText {
		return "", false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.FileTimeout)
	defer cancel()
	path, release, err := s.blobs.Local(ctx, f.BlobKey)
	if err != nil {
		return "", false, err
	}
	defer release()
	doc, err := s.engine.Extract(ctx, path, extract.Kind(f.Kind))
	if err != nil {
		return "", false, fmt.Errorf("extract %s: %w", f.ID, err)
	}
	text := doc.Text()
	if len(text) <= MaxPreviewText {
		return text, false, nil
	}
	cut := MaxPreviewText
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut], true, nil
}

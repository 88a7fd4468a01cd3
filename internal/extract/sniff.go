package extract

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/einvoice"
)

// Kind is the real type of a file, decided from its content by Sniff.
type Kind string

// The kinds Sniff knows. Every kind but KindZIP and KindUnknown can be
// extracted (images through OCR); those two are recognised so that a file
// can fail with a precise unsupported_type instead of a parse error.
const (
	KindPDF  Kind = "pdf"
	KindText Kind = "text"
	KindPNG  Kind = "png"
	KindJPEG Kind = "jpeg"
	KindTIFF Kind = "tiff"
	KindGIF  Kind = "gif"
	KindBMP  Kind = "bmp"
	KindWebP Kind = "webp"
	KindDOCX Kind = "docx"
	KindXLSX Kind = "xlsx"
	KindHTML Kind = "html"
	KindCSV  Kind = "csv"
	KindEML  Kind = "eml"
	// KindEInvoice is an XML e-invoice: CII (Factur-X, ZUGFeRD, XRechnung)
	// or UBL (XRechnung, PEPPOL), recognised by its root element.
	KindEInvoice Kind = "einvoice"
	KindZIP      Kind = "zip"
	KindUnknown  Kind = "unknown"
)

// SniffLen is how many leading bytes Sniff looks at. Sniff works with as few
// as 512, but OOXML (docx, xlsx) and CSV are recognised more reliably with
// the full SniffLen.
const SniffLen = 4096

// HeadLen is how many leading bytes a caller should pass to Sniff: SniffLen
// for every kind but an XML e-invoice, whose root element may follow a
// few KB of comment (ZUGFeRD 1.0 opens with its licence).
const HeadLen = einvoice.SniffSize

// IsImage reports whether k is a raster image kind (which needs OCR).
func (k Kind) IsImage() bool {
	switch k {
	case KindPNG, KindJPEG, KindTIFF, KindGIF, KindBMP, KindWebP:
		return true
	}
	return false
}

// IsTextLike reports whether k is a text format read without an engine.
func (k Kind) IsTextLike() bool {
	switch k {
	case KindText, KindCSV, KindHTML, KindEML:
		return true
	}
	return false
}

var mimeTypes = map[Kind]string{
	KindPDF:      "application/pdf",
	KindText:     "text/plain",
	KindPNG:      "image/png",
	KindJPEG:     "image/jpeg",
	KindTIFF:     "image/tiff",
	KindGIF:      "image/gif",
	KindBMP:      "image/bmp",
	KindWebP:     "image/webp",
	KindDOCX:     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	KindXLSX:     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	KindHTML:     "text/html",
	KindCSV:      "text/csv",
	KindEML:      "message/rfc822",
	KindEInvoice: "application/xml",
	KindZIP:      "application/zip",
	KindUnknown:  "application/octet-stream",
}

// Sniff decides the kind of a file from head, its first bytes (pass up to
// HeadLen, at least 512 when the file has them; the whole file when it is
// shorter). Only an XML e-invoice is looked for past SniffLen: XML whose
// root element is a CII CrossIndustryInvoice or CrossIndustryDocument, or
// a UBL Invoice or CreditNote, is KindEInvoice; other XML is text. It never trusts name for the format: a file called invoice.pdf
// holding text is text. name (the uploaded file name, may be empty) only
// breaks ties where the content is ambiguous: among text-like kinds (text,
// csv, html, eml) when the content shows no strong sign of one of them, and
// between docx, xlsx and zip when head does not reach the archive entry that
// tells them apart.
//
// mime is the media type to store and serve the file with; text kinds carry
// "; charset=utf-8" when head is valid UTF-8. Empty head gives KindUnknown.
// Sniff is pure and safe for concurrent use.
func Sniff(head []byte, name string) (kind Kind, mime string) {
	kind, utf8Text := sniff(head, strings.ToLower(filepath.Ext(name)))
	mime = mimeTypes[kind]
	if kind.IsTextLike() && kind != KindEML && utf8Text {
		mime += "; charset=utf-8"
	}
	return kind, mime
}

func sniff(head []byte, ext string) (kind Kind, utf8Text bool) {
	if len(head) == 0 {
		return KindUnknown, false
	}
	full := head
	head = head[:min(len(head), SniffLen)]
	switch {
	case isPDF(head):
		return KindPDF, false
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return KindPNG, false
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return KindJPEG, false
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return KindGIF, false
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return KindTIFF, false
	case len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "WEBP":
		return KindWebP, false
	case isBMP(head):
		return KindBMP, false
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return sniffZIP(head, ext), false
	}
	text, isUTF8, ok := asText(head)
	if !ok {
		return KindUnknown, false
	}
	if strings.HasPrefix(strings.TrimLeft(strings.TrimPrefix(text, "\ufeff"), " \t\r\n"), "<") {
		if _, ok := einvoice.Sniff(full); ok {
			return KindEInvoice, false
		}
	}
	return sniffText(text, ext), isUTF8
}

// isPDF looks for the header where PDF readers (PDFium included) look for it:
// anywhere in the first 1024 bytes, after junk some producers prepend.
func isPDF(head []byte) bool {
	return bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-"))
}

// isBMP checks more than the two-byte "BM" signature, which plain text such
// as "BMW invoice" also starts with: the reserved words must be zero and the
// DIB header size one of the defined ones.
func isBMP(head []byte) bool {
	if len(head) < 18 || !bytes.HasPrefix(head, []byte("BM")) {
		return false
	}
	if binary.LittleEndian.Uint32(head[6:10]) != 0 {
		return false
	}
	switch binary.LittleEndian.Uint32(head[14:18]) {
	case 12, 16, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// sniffZIP walks the local file headers that head holds: an OOXML package
// has an entry under word/ (docx) or xl/ (xlsx). When head ends before such an
// entry, the name breaks the tie.
func sniffZIP(head []byte, ext string) Kind {
	for off := 0; off+30 <= len(head) && string(head[off:off+4]) == "PK\x03\x04"; {
		flags := binary.LittleEndian.Uint16(head[off+6:])
		csize := int(binary.LittleEndian.Uint32(head[off+18:]))
		nlen := int(binary.LittleEndian.Uint16(head[off+26:]))
		xlen := int(binary.LittleEndian.Uint16(head[off+28:]))
		end := min(off+30+nlen, len(head))
		name := string(head[off+30 : end])
		switch {
		case strings.HasPrefix(name, "word/"):
			return KindDOCX
		case strings.HasPrefix(name, "xl/"):
			return KindXLSX
		}
		if flags&0x8 != 0 {
			// Sizes follow the data in a descriptor: the next header
			// cannot be found without inflating.
			break
		}
		off += 30 + nlen + xlen + csize
	}
	switch ext {
	case ".docx", ".docm":
		return KindDOCX
	case ".xlsx", ".xlsm":
		return KindXLSX
	}
	return KindZIP
}

// asText decides whether head is text and returns it decoded. UTF-16 needs a
// byte order mark; other text is UTF-8, or failing that Windows-1252. NUL
// bytes or more than 1% other control characters mean binary.
func asText(head []byte) (text string, isUTF8, ok bool) {
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		text = decodeText(head)
	} else {
		isUTF8 = validUTF8Prefix(head)
		text = decodeText(head)
	}
	controls := 0
	for _, r := range text {
		switch {
		case r == 0:
			return "", false, false
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f', r == 0x7f:
			controls++
		}
	}
	if controls*100 > len(text) {
		return "", false, false
	}
	if !isUTF8 && !bytes.HasPrefix(head, []byte{0xff, 0xfe}) && !bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		// Windows-1252 decodes every byte, so random binary without NULs
		// would pass: demand mostly ASCII.
		high := 0
		for _, b := range head {
			if b >= 0x80 {
				high++
			}
		}
		if high*10 > len(head) {
			return "", false, false
		}
	}
	return text, isUTF8, true
}

// validUTF8Prefix is utf8.Valid that tolerates a rune cut by the end of head.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:]) {
			return true
		}
	}
	return false
}

// sniffText tells text, csv, html and eml apart. Strong signs in the content
// (an HTML tag at the start, a block of mail headers) win; otherwise a
// text-like extension decides; otherwise consistent delimiters mean csv.
func sniffText(text, ext string) Kind {
	trimmed := strings.TrimLeft(strings.TrimPrefix(text, "\ufeff"), " \t\r\n\f")
	if looksHTML(trimmed) {
		return KindHTML
	}
	if looksEML(trimmed) {
		return KindEML
	}
	switch ext {
	case ".txt", ".text", ".log", ".md":
		return KindText
	case ".csv", ".tsv":
		return KindCSV
	case ".html", ".htm", ".xhtml":
		return KindHTML
	case ".eml":
		return KindEML
	}
	if looksCSV(text) {
		return KindCSV
	}
	return KindText
}

// htmlStarts are the openings http.DetectContentType treats as HTML, plus an
// XHTML prologue.
var htmlStarts = []string{
	"<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div",
	"<font", "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--",
}

func looksHTML(s string) bool {
	if strings.HasPrefix(s, "<?xml") {
		i := strings.Index(s, "?>")
		if i < 0 {
			return false
		}
		s = strings.TrimLeft(s[i+2:], " \t\r\n")
		lower := strings.ToLower(s[:min(len(s), 512)])
		return strings.Contains(lower, "<html") || strings.HasPrefix(lower, "<!doctype html")
	}
	lower := strings.ToLower(s[:min(len(s), 64)])
	for _, p := range htmlStarts {
		if strings.HasPrefix(lower, p) && len(lower) > len(p) {
			switch lower[len(p)] {
			case ' ', '>', '\t', '\n', '\r':
				return true
			}
		}
	}
	return false
}

// mailHeaders are header fields that open real messages; two of them in the
// leading header block, and nothing but header lines before them, make eml.
var mailHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "subject": true, "date": true,
	"received": true, "return-path": true, "mime-version": true,
	"message-id": true, "delivered-to": true, "reply-to": true,
	"content-type": true, "x-mailer": true, "dkim-signature": true,
	"authentication-results": true, "sender": true, "in-reply-to": true,
}

func looksEML(s string) bool {
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && strings.HasPrefix(lines[0], "From ") {
		lines = lines[1:] // mbox separator
	}
	known := 0
	for i, line := range lines {
		line = strings.TrimRight(line, "\r")
		if line == "" || i == len(lines)-1 {
			break // end of the header block, or a line cut by head
		}
		if line[0] == ' ' || line[0] == '\t' {
			if i == 0 {
				return false
			}
			continue // folded continuation
		}
		name, _, found := strings.Cut(line, ":")
		if !found || name == "" || strings.ContainsAny(name, " \t") {
			return false
		}
		if mailHeaders[strings.ToLower(name)] {
			known++
		}
	}
	return known >= 2
}

// looksCSV reports whether the complete lines of s all split into the same
// number (at least two) of fields on one delimiter, with quotes respected.
// One delimiter per line needs three lines: two lines with a comma each are
// as likely prose.
func looksCSV(s string) bool {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if !strings.HasSuffix(s, "\n") {
		lines = lines[:len(lines)-1] // cut by the end of head
	}
	var kept []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	if len(kept) < 2 {
		return false
	}
	for _, d := range []byte{',', ';', '\t', '|'} {
		n := countFields(kept[0], d)
		if n < 2 || (n == 2 && len(kept) < 3) {
			continue
		}
		same := true
		for _, l := range kept[1:] {
			if countFields(l, d) != n {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

func countFields(line string, delim byte) int {
	n, quoted := 1, false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case delim:
			if !quoted {
				n++
			}
		}
	}
	return n
}

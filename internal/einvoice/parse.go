package einvoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on what Parse accepts beyond the caller's byte limit. A real
// invoice nests about 12 elements deep; its largest token is an embedded
// attachment (base64 of a PDF, a few MB) in an EXTENDED or XRechnung
// invoice.
const (
	// MaxDepth is the deepest element nesting Parse accepts.
	MaxDepth = 128
	// MaxTokenBytes is the most bytes one token (a tag, a text run, a
	// comment) may take, give or take the decoder's 4 KiB read-ahead; a
	// smaller byte limit given to Parse lowers it.
	MaxTokenBytes = 32 << 20
)

// Parse reads an e-invoice from r: at most limit bytes, which it holds in
// memory (with the decoded invoice, memory stays within a small multiple
// of limit). Failures the bytes cause are *Error: too_large_content for
// more than limit bytes, a token over MaxTokenBytes or nesting over
// MaxDepth; corrupt_document for malformed XML, a DOCTYPE (entities are
// never declared, so none is ever expanded or fetched), or a value not of
// its element's type (an amount that is not a decimal, a date that is not
// one); unsupported_type, wrapping ErrNotInvoice, for XML whose root is
// not an invoice. An error reading r is returned wrapped, as is.
func Parse(r io.Reader, limit int64) (*Invoice, error) {
	if limit <= 0 {
		return nil, errors.New("parse e-invoice: limit must be positive")
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read e-invoice: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(fmt.Sprintf("The XML is larger than %d bytes.", limit))
	}
	maxToken := MaxTokenBytes
	if limit < int64(maxToken) {
		maxToken = int(limit)
	}
	return parse(b, maxToken)
}

func parse(b []byte, maxToken int) (*Invoice, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	syntax, err := check(b, maxToken)
	if err != nil {
		return nil, err
	}
	d := newDecoder(bytes.NewReader(b))
	switch syntax {
	case SyntaxUBL:
		var doc ublDoc
		if err := d.Decode(&doc); err != nil {
			return nil, corrupt("The XML could not be read.", err)
		}
		return doc.invoice()
	default:
		var doc ciiDoc
		if err := d.Decode(&doc); err != nil {
			return nil, corrupt("The XML could not be read.", err)
		}
		return doc.invoice(syntax)
	}
}

// Sniff reports whether head, the beginning of a file, is an e-invoice and
// in which syntax, by the root element's name and namespace (never by the
// file's name). head must reach past the root's start tag; a ZUGFeRD 1.0
// file may open with 3 KB of licence comment, so 16 KB is a safe head.
// A DOCTYPE before the root is skipped, not read (its entities are never
// declared): an invoice behind one is still an invoice, which Parse then
// refuses as corrupt_document, rather than a text file.
func Sniff(head []byte) (Syntax, bool) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	d := newDecoder(bytes.NewReader(head))
	for {
		tok, err := d.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return rootSyntax(t.Name)
		}
	}
}

// Root namespaces.
const (
	nsCII     = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
	nsCII1    = "urn:ferd:CrossIndustryDocument:invoice:1p0"
	nsUBLInv  = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsUBLCred = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
)

func rootSyntax(n xml.Name) (Syntax, bool) {
	switch {
	case n.Local == "CrossIndustryInvoice" && n.Space == nsCII:
		return SyntaxCII, true
	case n.Local == "CrossIndustryDocument" && n.Space == nsCII1:
		return SyntaxCII1, true
	case n.Local == "Invoice" && n.Space == nsUBLInv, n.Local == "CreditNote" && n.Space == nsUBLCred:
		return SyntaxUBL, true
	}
	return "", false
}

// check walks every token of b once before anything is decoded into
// structs, enforcing the depth and token limits and refusing directives,
// and returns the syntax of the root. It reads raw tokens (no namespace
// translation, no end-tag matching: Decode checks those afterwards).
func check(b []byte, maxToken int) (Syntax, error) {
	g := &guardReader{b: b, maxToken: maxToken}
	d := newDecoder(g)
	var syntax Syntax
	depth := 0
	for {
		tok, err := d.RawToken()
		switch {
		case errors.Is(err, io.EOF):
			if syntax == "" {
				return "", corrupt("The XML has no root element.", nil)
			}
			return syntax, nil
		case errors.Is(err, errTokenTooLarge):
			return "", tooLarge(fmt.Sprintf("The XML holds a token larger than %d bytes.", maxToken))
		case err != nil:
			return "", corrupt("The XML is not well-formed.", err)
		}
		g.mark = g.off
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				s, ok := rootSyntax(rawRootName(t))
				if !ok {
					return "", &Error{Code: CodeUnsupportedType, Message: fmt.Sprintf("The XML's root element {%s}%s is not an invoice.", t.Name.Space, t.Name.Local), cause: ErrNotInvoice}
				}
				syntax = s
			}
			depth++
			if depth > MaxDepth {
				return "", tooLarge(fmt.Sprintf("The XML nests elements more than %d deep.", MaxDepth))
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return "", corrupt("The XML declares a DOCTYPE or another directive; an invoice has none.", nil)
		}
	}
}

// rawRootName returns the root element's name with its namespace, which
// the root itself must declare, as RawToken leaves the prefix in Space.
func rawRootName(t xml.StartElement) xml.Name {
	want := xml.Name{Space: "xmlns", Local: t.Name.Space}
	if t.Name.Space == "" {
		want = xml.Name{Local: "xmlns"}
	}
	for _, a := range t.Attr {
		if a.Name == want {
			return xml.Name{Space: a.Value, Local: t.Name.Local}
		}
	}
	return xml.Name{Local: t.Name.Local}
}

var errTokenTooLarge = errors.New("token too large")

// guardReader hands b to the decoder and fails once more than maxToken
// bytes were read since mark, which check moves to the reader's offset
// after each token. The decoder reads ahead (4 KiB), so a token is
// refused once it is over maxToken plus that read-ahead, never below
// maxToken.
type guardReader struct {
	b        []byte
	off      int
	mark     int
	maxToken int
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.off >= len(g.b) {
		return 0, io.EOF
	}
	budget := g.mark + g.maxToken + 1 - g.off
	if budget <= 0 {
		return 0, errTokenTooLarge
	}
	n := copy(p[:min(len(p), budget)], g.b[g.off:])
	g.off += n
	return n, nil
}

func newDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = charsetReader
	return d
}

// charsetReader accepts the single-byte encodings invoices are seen in
// besides UTF-8: ISO-8859-1, and Windows-1252 read as ISO-8859-1 except
// for its 0x80-0x9F block.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
		return &singleByteReader{r: asByteReader(input)}, nil
	case "windows-1252", "cp1252":
		return &singleByteReader{r: asByteReader(input), cp1252: true}, nil
	case "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", charset)
}

func asByteReader(r io.Reader) io.ByteReader {
	if br, ok := r.(io.ByteReader); ok {
		return br
	}
	return &onebyte{r: r}
}

type onebyte struct {
	r   io.Reader
	buf [1]byte
}

func (o *onebyte) ReadByte() (byte, error) {
	_, err := io.ReadFull(o.r, o.buf[:])
	return o.buf[0], err
}

// singleByteReader decodes a single-byte encoding to UTF-8, a byte at a
// time.
type singleByteReader struct {
	r       io.ByteReader
	cp1252  bool
	pending []byte
}

var cp1252High = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

func (s *singleByteReader) ReadByte() (byte, error) {
	if len(s.pending) > 0 {
		c := s.pending[0]
		s.pending = s.pending[1:]
		return c, nil
	}
	c, err := s.r.ReadByte()
	if err != nil {
		return 0, err
	}
	if c < 0x80 {
		return c, nil
	}
	r := rune(c)
	if s.cp1252 && c < 0xA0 {
		r = cp1252High[c-0x80]
	}
	s.pending = []byte(string(r))
	return s.ReadByte()
}

func (s *singleByteReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := s.ReadByte()
		if err != nil {
			if n > 0 && errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		p[n] = c
		n++
	}
	return n, nil
}

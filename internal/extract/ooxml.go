package extract

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Office Open XML (DOCX, XLSX) is a ZIP of XML parts. A ZIP is a
// decompression bomb waiting to happen, so a package is read under caps:
// the entries are counted from the central directory before anything is
// inflated, each part read is refused when its declared size exceeds what
// is left of the budget, and every read goes through a limit as well
// (archive/zip itself refuses an entry that inflates past its declared
// size). XML is parsed as a stream, never held whole, and no single token
// (a run of text, a tag with its attributes) may exceed the package's
// token limit: the decoder buffers a token whole before returning it, so
// without the limit one 98 MB <w:t> run would cost hundreds of MB before
// any text budget could be checked.
const (
	maxZipEntries  = 10000
	maxUnpackBytes = 100 << 20
)

var errUnpackBudget = errors.New("unpack budget spent")

// ooxmlPackage is an open DOCX or XLSX. It is not safe for concurrent use.
type ooxmlPackage struct {
	zr       *zip.ReadCloser
	files    map[string]*zip.File // by lower-case name: part names ignore case
	budget   int64
	maxToken int    // bytes one XML token may take; see openOOXML
	what     string // "DOCX" or "XLSX", for messages
}

// tokenLimit is the largest XML token of an office file: the text budget
// (Config.MaxTextBytes), as a text run larger than that could not be kept
// anyway, but at least 1 MB, as a root element declaring its namespaces
// takes a few KB whatever the budget.
func (e *Engine) tokenLimit() int { return max(e.cfg.MaxTextBytes, 1<<20) }

// openOOXML opens the package at p. maxToken bounds every XML token read
// from it: a token whose bytes exceed it fails the read with
// too_large_content while the decoder is still reading it, so the memory
// one token takes stays near maxToken. The engine passes tokenLimit.
func openOOXML(p, what string, maxToken int) (*ooxmlPackage, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, newError(CodeCorruptDocument, fmt.Sprintf("The %s file could not be read.", what), err)
	}
	if len(zr.File) > maxZipEntries {
		zr.Close()
		return nil, newError(CodeTooLargeContent, fmt.Sprintf("The %s file holds more than %d parts.", what, maxZipEntries), nil)
	}
	pkg := &ooxmlPackage{zr: zr, files: make(map[string]*zip.File, len(zr.File)), budget: maxUnpackBytes, maxToken: maxToken, what: what}
	for _, f := range zr.File {
		pkg.files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	return pkg, nil
}

func (p *ooxmlPackage) Close() error { return p.zr.Close() }

func (p *ooxmlPackage) has(name string) bool {
	_, ok := p.files[strings.ToLower(strings.TrimPrefix(name, "/"))]
	return ok
}

// open returns a reader of the part name, which spends the package's
// budget as it is read. A missing part is corrupt_document.
func (p *ooxmlPackage) open(name string) (io.ReadCloser, error) {
	f, ok := p.files[strings.ToLower(strings.TrimPrefix(name, "/"))]
	if !ok {
		return nil, newError(CodeCorruptDocument, fmt.Sprintf("The %s file has no %s part.", p.what, name), nil)
	}
	if f.UncompressedSize64 > uint64(p.budget) {
		return nil, p.tooLarge()
	}
	rc, err := f.Open()
	if err != nil {
		return nil, newError(CodeCorruptDocument, fmt.Sprintf("The %s file could not be read.", p.what), err)
	}
	return &budgetReader{rc: rc, pkg: p}, nil
}

func (p *ooxmlPackage) tooLarge() *Error {
	return newError(CodeTooLargeContent, fmt.Sprintf("The %s file unpacks to more than %d MB.", p.what, maxUnpackBytes>>20), nil)
}

type budgetReader struct {
	rc  io.ReadCloser
	pkg *ooxmlPackage
}

func (r *budgetReader) Read(b []byte) (int, error) {
	if r.pkg.budget <= 0 {
		return 0, errUnpackBudget
	}
	if int64(len(b)) > r.pkg.budget {
		b = b[:r.pkg.budget]
	}
	n, err := r.rc.Read(b)
	r.pkg.budget -= int64(n)
	return n, err
}

func (r *budgetReader) Close() error { return r.rc.Close() }

// decoder returns a streaming XML tokenizer of the part name. Go's decoder
// expands no DTD or external entity, so an XML bomb cannot grow it; the
// nesting depth is bounded here (the decoder keeps a stack of open
// elements, and so do the walkers).
func (p *ooxmlPackage) decoder(name string) (*xmlTokens, io.Closer, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, nil, err
	}
	// The limiter is read through a bufio.Reader of the decoder's own
	// (it is no io.ByteReader), which reads ahead at most 4 KB: what the
	// decoder holds of one token stays within limit plus that.
	lim := &tokenLimiter{r: rc, limit: int64(p.maxToken)}
	d := xml.NewDecoder(lim)
	d.Strict = true
	return &xmlTokens{d: d, lim: lim}, rc, nil
}

// errXMLToken: one XML token is larger than the package's token limit.
var errXMLToken = errors.New("xml token over the size limit")

// tokenLimiter counts the bytes read since the last token was returned
// and fails with errXMLToken once they pass limit. A limit of 0 or less
// means no limit.
type tokenLimiter struct {
	r     io.Reader
	n     int64 // bytes read since the last token
	limit int64
	over  bool // the limit was hit: the token being read is cut short
}

func (l *tokenLimiter) Read(b []byte) (int, error) {
	if l.limit > 0 {
		left := l.limit + 1 - l.n
		if left <= 0 {
			l.over = true
			return 0, errXMLToken
		}
		if int64(len(b)) > left {
			b = b[:left]
		}
	}
	n, err := l.r.Read(b)
	l.n += int64(n)
	return n, err
}

// maxXMLDepth bounds element nesting: Word nests a few dozen levels (tables
// in text boxes in tables), an attack millions.
const maxXMLDepth = 1000

var errXMLDepth = errors.New("elements nested too deeply")

// xmlTokens is an xml.Decoder that fails past maxXMLDepth.
type xmlTokens struct {
	d     *xml.Decoder
	lim   *tokenLimiter
	depth int
}

func (x *xmlTokens) Token() (xml.Token, error) {
	tok, err := x.d.Token()
	if x.lim.over {
		// The decoder returns the text read so far as a token of its
		// own before the reader's error: never let that pass for the
		// whole run.
		return nil, errXMLToken
	}
	x.lim.n = 0
	switch tok.(type) {
	case xml.StartElement:
		if x.depth++; x.depth > maxXMLDepth {
			return nil, errXMLDepth
		}
	case xml.EndElement:
		x.depth--
	}
	return tok, err
}

// Skip reads past the end of the element whose start was just read.
func (x *xmlTokens) Skip() error {
	for target := x.depth - 1; x.depth > target; {
		if _, err := x.Token(); err != nil {
			return err
		}
	}
	return nil
}

// xmlError maps an error met while reading a part: a spent budget or a
// token over the limit is too_large_content, a timeout stays a timeout,
// anything else is corrupt.
func (p *ooxmlPackage) xmlError(part string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errUnpackBudget):
		return p.tooLarge()
	case errors.Is(err, errXMLToken):
		return newError(CodeTooLargeContent, fmt.Sprintf("The %s file holds a single run of text or markup larger than %s (in %s).", p.what, sizeText(p.maxToken), part), err)
	case errors.Is(err, errTextBudget):
		return err
	}
	if _, ok := AsError(err); ok {
		return err
	}
	return newError(CodeCorruptDocument, fmt.Sprintf("The %s file could not be read.", p.what), fmt.Errorf("%s: %w", part, err))
}

// ooxmlRel is one relationship of a part: its Id, its type (the last
// segment of the type URI, "officeDocument", "header") and its target part.
type ooxmlRel struct {
	id, typ, target string
}

// relationships reads a .rels part, resolving targets against base (the
// folder of the part the relationships belong to). External targets are
// left out; a missing .rels part has none.
func (p *ooxmlPackage) relationships(relsPart, base string) ([]ooxmlRel, error) {
	if !p.has(relsPart) {
		return nil, nil
	}
	var rels []ooxmlRel
	err := p.eachToken(relsPart, func(tok xml.Token) error {
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" || attr(se, "TargetMode") == "External" {
			return nil
		}
		target := attr(se, "Target")
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join(base, target)
		}
		typ := attr(se, "Type")
		if i := strings.LastIndexByte(typ, '/'); i >= 0 {
			typ = typ[i+1:]
		}
		rels = append(rels, ooxmlRel{id: attr(se, "Id"), typ: typ, target: target})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rels, nil
}

// eachToken calls fn with each token of the part, in order, until the end
// of the part (nil) or the first error: a read error mapped by xmlError, or
// fn's own error as fn returned it.
func (p *ooxmlPackage) eachToken(part string, fn func(tok xml.Token) error) error {
	d, c, err := p.decoder(part)
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.xmlError(part, err)
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

// relsOf is the .rels part of a part: word/document.xml ->
// word/_rels/document.xml.rels.
func relsOf(part string) string {
	dir, file := path.Split(part)
	return dir + "_rels/" + file + ".rels"
}

// mainPart finds the package's main document through _rels/.rels, falling
// back to the usual name, and reads the main document's relationships.
func (p *ooxmlPackage) mainPart(fallback string) (string, []ooxmlRel, error) {
	rels, err := p.relationships("_rels/.rels", "")
	if err != nil {
		return "", nil, err
	}
	main := fallback
	for _, r := range rels {
		if r.typ == "officeDocument" && p.has(r.target) {
			main = r.target
			break
		}
	}
	mainRels, err := p.relationships(relsOf(main), path.Dir(main))
	if err != nil {
		return "", nil, err
	}
	return main, mainRels, nil
}

// attr returns the value of the attribute with the given local name.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// gridLines lays out rows of cells as text lines: each cell a column (its
// width the widest of its cells, up to maxColumnWidth runes), cells at least
// two spaces apart so that a reader of the line sees separate cells. A
// cell may hold several lines: a row then takes as many text lines, the
// n-th line of every cell on the n-th, as it shows on a page.
func gridLines(rows [][]gridCell) []string {
	const maxColumnWidth = 40
	var widths []int
	for _, row := range rows {
		col := 0
		for _, c := range row {
			for len(widths) < col+c.span {
				widths = append(widths, 0)
			}
			if c.span == 1 {
				for _, l := range c.lines {
					widths[col] = max(widths[col], min(runeLen(l), maxColumnWidth))
				}
			}
			col += c.span
		}
	}
	var out []string
	for _, row := range rows {
		height := 1 // a row without cells is a blank line
		for _, c := range row {
			height = max(height, len(c.lines))
		}
		for k := range height {
			var b strings.Builder
			pos, start, col := 0, 0, 0 // runes written; where the cell's column starts; its grid column
			for _, c := range row {
				if k < len(c.lines) && c.lines[k] != "" {
					need := start - pos
					if pos > 0 {
						need = max(need, 2)
					}
					if need > 0 {
						b.WriteString(strings.Repeat(" ", need))
						pos += need
					}
					b.WriteString(c.lines[k])
					pos += runeLen(c.lines[k])
				}
				for range c.span {
					start += widths[col] + 2
					col++
				}
			}
			if s := b.String(); s != "" || k == 0 {
				out = append(out, s)
			}
		}
	}
	return out
}

// gridCell is one cell of gridLines: its text lines and how many grid
// columns it spans.
type gridCell struct {
	lines []string
	span  int
}

func runeLen(s string) int { return len([]rune(s)) }

// sizeText writes a byte count for a message: "4 MB", "512 KB".
func sizeText(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 || n >= 10<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(1, n>>10))
}

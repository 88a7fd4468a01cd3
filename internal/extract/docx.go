package extract

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WordprocessingML namespaces: transitional (what Word and LibreOffice
// write) and strict.
var wordNS = map[string]bool{
	"http://schemas.openxmlformats.org/wordprocessingml/2006/main": true,
	"http://purl.oclc.org/ooxml/wordprocessingml/main":             true,
}

const mcNS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

// docxPages is what docProps/app.xml says: the pages Word counted when it
// last saved the file. Without it, or with a count outside 1..MaxPages
// (which no one can check without laying the document out), 1.
func (e *Engine) docxPages(p string) (int, error) {
	pkg, err := openOOXML(p, "DOCX", e.tokenLimit())
	if err != nil {
		return 0, err
	}
	defer pkg.Close()
	if !pkg.has("docProps/app.xml") {
		return 1, nil
	}
	d, c, err := pkg.decoder("docProps/app.xml")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	inPages := false
	for {
		tok, err := d.Token()
		if err != nil {
			return 1, nil // an unreadable app.xml says nothing about the body
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inPages = t.Name.Local == "Pages"
		case xml.EndElement:
			inPages = false
		case xml.CharData:
			if inPages {
				n, err := strconv.Atoi(strings.TrimSpace(string(t)))
				if err != nil || n < 1 || n > e.cfg.MaxPages {
					return 1, nil
				}
				return n, nil
			}
		}
	}
}

// extractDOCX reads the main document's body, and its headers and footers
// (each distinct one once: headers on top of the first page, footers at the
// end of the last).
func (e *Engine) extractDOCX(ctx context.Context, p string) (*Document, error) {
	pkg, err := openOOXML(p, "DOCX", e.tokenLimit())
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	main, rels, err := pkg.mainPart("word/document.xml")
	if err != nil {
		return nil, err
	}
	budget := e.cfg.MaxTextBytes
	var headers, footers []string
	seen := map[string]bool{}
	for _, r := range rels {
		if (r.typ != "header" && r.typ != "footer") || !pkg.has(r.target) {
			continue
		}
		w := &docxWalker{budget: &budget, flat: true}
		if err := w.walk(ctx, pkg, r.target); err != nil {
			return nil, err
		}
		lines := w.pages[0]
		key := strings.Join(lines, "\n")
		if strings.TrimSpace(key) == "" || seen[key] {
			continue
		}
		seen[key] = true
		if r.typ == "header" {
			headers = append(headers, lines...)
		} else {
			footers = append(footers, lines...)
		}
	}
	w := &docxWalker{budget: &budget}
	if err := w.walk(ctx, pkg, main); err != nil {
		return nil, err
	}
	if budget < 0 {
		return nil, tooMuchText(e.cfg.MaxTextBytes)
	}
	pages := w.pages
	pages[0] = append(headers, pages[0]...)
	pages[len(pages)-1] = append(pages[len(pages)-1], footers...)
	if len(pages) > e.cfg.MaxPages {
		return nil, newError(CodeTooManyPages, fmt.Sprintf("The DOCX has %d pages; at most %d are accepted.", len(pages), e.cfg.MaxPages), nil)
	}
	return linesDocument(ctx, pages)
}

// docxWalker turns a WordprocessingML part into text lines, page by page.
type docxWalker struct {
	pages  [][]string
	paras  []*strings.Builder // open paragraphs, innermost last (text boxes nest)
	tables []*docxTable       // open tables, innermost last
	budget *int               // text bytes left; below 0 means too much
	flat   bool               // ignore page breaks (headers, footers)
	blank  bool               // the last body line was blank
}

type docxTable struct {
	rows [][]gridCell
	row  []gridCell
	cell *gridCell
}

func (w *docxWalker) walk(ctx context.Context, pkg *ooxmlPackage, part string) error {
	w.pages = [][]string{nil}
	d, c, err := pkg.decoder(part)
	if err != nil {
		return err
	}
	defer c.Close()
	inText, inRun := 0, 0
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctxError(ctx); err != nil {
				return err
			}
		}
		if *w.budget < 0 {
			return nil
		}
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return pkg.xmlError(part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == mcNS && t.Name.Local == "Fallback" {
				// mc:Choice holds the same content (a text box in
				// DrawingML, the fallback in VML): read it once.
				if err := d.Skip(); err != nil {
					return pkg.xmlError(part, err)
				}
				continue
			}
			if !wordNS[t.Name.Space] {
				continue
			}
			switch t.Name.Local {
			case "p":
				w.paras = append(w.paras, &strings.Builder{})
			case "r":
				inRun++
			case "t":
				inText++
			case "tab", "ptab":
				if inRun > 0 {
					w.write(" \t")
				}
			case "br":
				if inRun > 0 {
					if attr(t, "type") == "page" {
						w.pageBreak()
					} else {
						w.write("\n")
					}
				}
			case "cr":
				if inRun > 0 {
					w.write("\n")
				}
			case "noBreakHyphen":
				w.write("-")
			case "lastRenderedPageBreak":
				w.pageBreak()
			case "tbl":
				w.tables = append(w.tables, &docxTable{})
			case "tr":
				if tb := w.table(); tb != nil {
					tb.row = nil
				}
			case "tc":
				if tb := w.table(); tb != nil {
					tb.cell = &gridCell{span: 1}
				}
			case "gridSpan":
				if tb := w.table(); tb != nil && tb.cell != nil {
					if n, err := strconv.Atoi(attr(t, "val")); err == nil && n > 1 && n <= 64 {
						tb.cell.span = n
					}
				}
			}
		case xml.EndElement:
			if !wordNS[t.Name.Space] {
				continue
			}
			switch t.Name.Local {
			case "p":
				if len(w.paras) > 0 {
					text := w.paras[len(w.paras)-1].String()
					w.paras = w.paras[:len(w.paras)-1]
					for _, l := range strings.Split(text, "\n") {
						w.emit(l)
					}
				}
			case "r":
				inRun = max(0, inRun-1)
			case "t":
				inText = max(0, inText-1)
			case "tc":
				if tb := w.table(); tb != nil && tb.cell != nil {
					tb.row = append(tb.row, *tb.cell)
					tb.cell = nil
				}
			case "tr":
				if tb := w.table(); tb != nil {
					tb.rows = append(tb.rows, tb.row)
					tb.row = nil
				}
			case "tbl":
				if tb := w.table(); tb != nil {
					w.tables = w.tables[:len(w.tables)-1]
					for _, l := range gridLines(tb.rows) {
						w.emit(l)
					}
				}
			}
		case xml.CharData:
			if inText > 0 {
				w.write(string(t))
			}
		}
	}
}

func (w *docxWalker) table() *docxTable {
	if len(w.tables) == 0 {
		return nil
	}
	return w.tables[len(w.tables)-1]
}

// write adds text to the innermost open paragraph.
func (w *docxWalker) write(s string) {
	if len(w.paras) == 0 {
		return
	}
	w.paras[len(w.paras)-1].WriteString(s)
	*w.budget -= len(s)
}

// emit ends a line: into the open table cell, or onto the current page.
// Blank lines in cells are dropped, and runs of them on a page kept once.
// Spacing inside a line is kept: a nested table's lines hold the gaps
// between its cells.
func (w *docxWalker) emit(line string) {
	line = strings.TrimRight(line, " \t")
	if tb := w.table(); tb != nil && tb.cell != nil {
		// Tabs would break the columns of the row: make them spaces.
		if s := strings.TrimSpace(strings.ReplaceAll(line, "\t", " ")); s != "" {
			tb.cell.lines = append(tb.cell.lines, s)
		}
		return
	}
	if line == "" {
		if w.blank {
			return
		}
		w.blank = true
	} else {
		w.blank = false
	}
	last := len(w.pages) - 1
	w.pages[last] = append(w.pages[last], line)
}

// pageBreak starts a new page, unless inside a table or a text box, or in
// a header, or when the current page is still empty. The text of the open
// paragraph so far stays on the old page.
func (w *docxWalker) pageBreak() {
	if w.flat || len(w.tables) > 0 || len(w.paras) > 1 {
		return
	}
	if len(w.paras) == 1 {
		if s := w.paras[0].String(); strings.TrimSpace(s) != "" {
			for _, l := range strings.Split(s, "\n") {
				w.emit(l)
			}
			w.paras[0].Reset()
		}
	}
	last := len(w.pages) - 1
	if len(w.pages[last]) > 0 {
		w.pages = append(w.pages, nil)
		w.blank = false
	}
}

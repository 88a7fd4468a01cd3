package extract

import (
	"context"
	"html"
	"strings"
	"unicode"
)

// htmlBlocks are the elements that start a new line where a browser starts a
// new block. Table cells are not among them: cells of a row share a line.
var htmlBlocks = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"br": true, "caption": true, "center": true, "dd": true, "details": true,
	"div": true, "dl": true, "dt": true, "fieldset": true, "figcaption": true,
	"figure": true, "footer": true, "form": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "header": true, "hr": true,
	"li": true, "main": true, "nav": true, "ol": true, "p": true, "pre": true,
	"section": true, "summary": true, "table": true, "tbody": true,
	"tfoot": true, "thead": true, "title": true, "tr": true, "ul": true,
}

// htmlRaw are the elements whose content is not text shown to a reader.
var htmlRaw = map[string]bool{
	"script": true, "style": true, "template": true, "noscript": true,
	"svg": true, "object": true,
}

// htmlLines renders HTML to the lines a reader sees: tags stripped, entities
// decoded, white space collapsed (kept inside <pre>), a line break at every
// block element, and the cells of a table row on one line separated by
// spaces. Content of <head>, <script>, <style> and the like is dropped. It is
// a forgiving scanner, not a full HTML5 parser: it never fails.
func htmlLines(ctx context.Context, src string) ([]string, error) {
	var (
		lines   []string
		cur     strings.Builder
		space   bool // a space is due before the next visible rune
		inHead  bool
		preDeep int
	)
	emit := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			lines = append(lines, s)
		}
		cur.Reset()
		space = false
	}
	addText := func(t string) {
		if inHead || t == "" {
			return
		}
		for _, r := range html.UnescapeString(t) {
			switch {
			case r == '\n' && preDeep > 0:
				emit()
			case unicode.IsSpace(r):
				space = true
			case unicode.IsControl(r):
			default:
				if space && cur.Len() > 0 {
					cur.WriteByte(' ')
				}
				space = false
				cur.WriteRune(r)
			}
		}
	}

	for i, n := 0, 0; i < len(src); n++ {
		if n%4096 == 0 {
			if err := ctxError(ctx); err != nil {
				return nil, err
			}
		}
		lt := strings.IndexByte(src[i:], '<')
		if lt < 0 {
			addText(src[i:])
			break
		}
		addText(src[i : i+lt])
		i += lt
		rest := src[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				i = len(src)
			} else {
				i += 4 + end + 3
			}
			continue
		case len(rest) > 1 && (rest[1] == '!' || rest[1] == '?'):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				i = len(src)
			} else {
				i += end + 1
			}
			continue
		}
		name, closing, end := scanTag(rest)
		if name == "" {
			// A lone '<' is text ("a < b").
			addText("<")
			i++
			continue
		}
		i += end
		switch {
		case htmlRaw[name] && !closing && !strings.HasSuffix(rest[:end], "/>"):
			// Skip to the matching end tag; its content is not markup. An
			// unclosed script or style runs to the end, as in browsers.
			endTag := indexEndTag(src[i:], name)
			switch {
			case endTag >= 0:
				i += endTag
			case name == "script" || name == "style":
				i = len(src)
			}
		case name == "head":
			inHead = !closing
		case name == "body" || name == "html":
			inHead = false
		case name == "td" || name == "th":
			space = true
		case name == "pre":
			emit()
			if closing {
				preDeep = max(0, preDeep-1)
			} else {
				preDeep++
			}
		case htmlBlocks[name]:
			emit()
		}
	}
	emit()
	return lines, nil
}

// scanTag reads the tag at the start of s ("<name ...>" or "</name>") and
// returns its lower-case name, whether it is an end tag and the length of
// the whole tag. name is empty when s does not start a tag. Quoted attribute
// values may contain '>'.
func scanTag(s string) (name string, closing bool, length int) {
	j := 1
	if j < len(s) && s[j] == '/' {
		closing = true
		j++
	}
	start := j
	for j < len(s) && (isASCIILetter(s[j]) || (j > start && (s[j] >= '0' && s[j] <= '9' || s[j] == '-' || s[j] == ':'))) {
		j++
	}
	if j == start {
		return "", false, 0
	}
	name = strings.ToLower(s[start:j])
	var quote, prev byte
	for ; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && prev == '=':
			// Quotes only open an attribute value, as in browsers: a stray
			// quote elsewhere must not swallow the rest of the page.
			quote = c
		case c == '>':
			return name, closing, j + 1
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			prev = c
		}
	}
	return name, closing, len(s)
}

// indexEndTag returns the index of the first "</name" in s, in any case, or
// -1.
func indexEndTag(s, name string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], "</")
		if i < 0 {
			return -1
		}
		at := off + i
		if end := at + 2 + len(name); end <= len(s) && strings.EqualFold(s[at+2:end], name) {
			return at
		}
		off = at + 2
	}
}

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// htmlDocument lays the rendered lines of an HTML page out on the synthetic
// grid, one Line each.
func htmlDocument(ctx context.Context, src string) (*Document, error) {
	lines, err := htmlLines(ctx, src)
	if err != nil {
		return nil, err
	}
	return plainDocument(ctx, strings.Join(lines, "\n"), "")
}

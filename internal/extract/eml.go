package extract

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
)

// E-mail (RFC 5322 with MIME) is read with net/mail and mime/multipart as a
// stream: attachments are decoded into files of a temporary directory,
// never held in memory, and extracted like uploads of their own.
const (
	// maxMIMEDepth bounds the nesting of multiparts in one message; deeper
	// fails the message as corrupt.
	maxMIMEDepth = 16
	// maxMIMEParts bounds the parts of one message, attachments included.
	maxMIMEParts = 500
	// maxMessageDepth bounds messages attached to messages: a forward of a
	// forward of a forward is read, anything deeper is left out.
	maxMessageDepth = 3
)

// emailHeaders are the header fields shown on the first page, in order.
var emailHeaders = []string{"From", "To", "Cc", "Subject", "Date"}

// attachment is a part of a message written to a file.
type attachment struct {
	path string
	kind Kind
}

// emlMessage is a message taken apart: the lines of its first page and
// its attachments, which live in dir until Close.
type emlMessage struct {
	lines       []string
	body        bool // the body has text
	attachments []attachment
	dir         string
}

func (m *emlMessage) Close() {
	if m.dir != "" {
		os.RemoveAll(m.dir)
	}
}

// extractEML gives the message's headers and body as the first page and
// appends the pages of each attachment. An attachment that fails with a
// permanent error (unreadable, no text, too deep) is left out, but when the
// body is empty and every attachment failed, the message fails with the
// first attachment's error. A timeout fails the message.
func (e *Engine) extractEML(ctx context.Context, path string, opts ExtractOptions, depth int) (*Document, error) {
	m, err := e.readEML(ctx, path, depth)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	doc, err := linesDocument(ctx, [][]string{m.lines})
	if IsCode(err, CodeEmptyDocument) {
		doc, err = &Document{Pages: []Page{{Number: 1}}}, nil
	}
	if err != nil {
		return nil, err
	}
	used := len(doc.Text())
	var firstErr error
	for _, a := range m.attachments {
		sub, err := e.extract(ctx, a.path, a.kind, opts, depth+1)
		if _, ok := AsError(err); ok && !IsCode(err, CodeTimeout) {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if used += len(sub.Text()); used > e.cfg.MaxTextBytes {
			return nil, tooMuchText(e.cfg.MaxTextBytes)
		}
		for _, p := range sub.Pages {
			p.Number = len(doc.Pages) + 1
			doc.Pages = append(doc.Pages, p)
		}
		if len(doc.Pages) > e.cfg.MaxPages {
			return nil, newError(CodeTooManyPages, fmt.Sprintf("The e-mail and its attachments have more than %d pages.", e.cfg.MaxPages), nil)
		}
	}
	switch {
	case firstErr != nil && !m.body && len(doc.Pages) == 1:
		// Nothing but headers around attachments that all failed: the
		// attachment's failure says best what is wrong.
		return nil, firstErr
	case !hasWords(doc):
		return nil, newError(CodeEmptyDocument, "The e-mail contains no text.", nil)
	}
	return doc, nil
}

// emlPages counts 1 for the message and the pages of its attachments; an
// attachment that cannot be counted counts 0, as it will be left out.
func (e *Engine) emlPages(ctx context.Context, path string, depth int) (int, error) {
	m, err := e.readEML(ctx, path, depth)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	n := 1
	for _, a := range m.attachments {
		k, err := e.pages(ctx, a.path, a.kind, depth+1)
		if _, ok := AsError(err); ok && !IsCode(err, CodeTimeout) {
			continue
		}
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

// readEML parses the message at path. The caller must Close the result.
func (e *Engine) readEML(ctx context.Context, path string, depth int) (*emlMessage, error) {
	if depth > maxMessageDepth {
		return nil, newError(CodeCorruptDocument, fmt.Sprintf("The e-mail nests messages more than %d deep.", maxMessageDepth), nil)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open document: %w", err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(bufio.NewReader(f))
	if err != nil {
		return nil, newError(CodeCorruptDocument, "The e-mail could not be read.", err)
	}
	m := &emlMessage{}
	for _, name := range emailHeaders {
		if v := strings.TrimSpace(msg.Header.Get(name)); v != "" {
			m.lines = append(m.lines, name+": "+decodeHeader(v))
		}
	}
	w := &emlWalker{e: e, ctx: ctx, m: m, budget: e.cfg.MaxTextBytes}
	err = w.entity(textproto.MIMEHeader(msg.Header), msg.Body, 0, false)
	if err != nil {
		m.Close()
		return nil, err
	}
	if len(w.body) > 0 {
		m.lines = append(m.lines, "")
		m.lines = append(m.lines, w.body...)
	}
	for _, l := range w.body {
		if strings.TrimSpace(l) != "" {
			m.body = true
			break
		}
	}
	return m, nil
}

// emlWalker walks the MIME tree of one message.
type emlWalker struct {
	e      *Engine
	ctx    context.Context
	m      *emlMessage
	body   []string
	parts  int
	budget int // text bytes left for the body
}

// entity reads one MIME entity. inRelated is set for the inline parts of
// a multipart/related, which are left out unless named.
func (w *emlWalker) entity(h textproto.MIMEHeader, body io.Reader, depth int, inRelated bool) error {
	if err := ctxError(w.ctx); err != nil {
		return err
	}
	if w.parts++; w.parts > maxMIMEParts {
		return newError(CodeTooLargeContent, fmt.Sprintf("The e-mail has more than %d parts.", maxMIMEParts), nil)
	}
	if depth > maxMIMEDepth {
		return newError(CodeCorruptDocument, fmt.Sprintf("The e-mail nests parts more than %d deep.", maxMIMEDepth), nil)
	}
	ctype, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ctype, params = "text/plain", map[string]string{}
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := decodeHeader(dparams["filename"])
	if name == "" {
		name = decodeHeader(params["name"])
	}
	if strings.HasPrefix(ctype, "multipart/") {
		return w.multipart(ctype, params["boundary"], body, depth)
	}
	body = transferDecoder(h.Get("Content-Transfer-Encoding"), body)
	isAttachment := disposition == "attachment" || name != "" || ctype == "message/rfc822"
	switch {
	case !isAttachment && (ctype == "text/plain" || ctype == "text/html"):
		return w.text(ctype, body)
	case inRelated && !isAttachment:
		return nil // an inline picture of an HTML body
	case !isAttachment && !strings.HasPrefix(ctype, "image/") && ctype != "application/pdf":
		return nil // calendar data, signatures, ...
	}
	return w.attach(body, name, ctype)
}

func (w *emlWalker) multipart(ctype, boundary string, body io.Reader, depth int) error {
	if boundary == "" {
		return newError(CodeCorruptDocument, "The e-mail has a multipart without a boundary.", nil)
	}
	mr := multipart.NewReader(body, boundary)
	var (
		chosen []string // the alternative kept so far
		plain  bool     // chosen is the text/plain one
	)
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if i > 0 {
				break // a cut last boundary: keep what was read
			}
			return newError(CodeCorruptDocument, "The e-mail could not be read.", err)
		}
		if ctype != "multipart/alternative" {
			// In multipart/related, the parts after the first are what
			// the first (an HTML body) shows inline.
			if err := w.entity(p.Header, p, depth+1, ctype == "multipart/related" && i > 0); err != nil {
				return err
			}
			continue
		}
		// Read each alternative on its own; keep the text/plain one, else
		// the last one (the richest).
		saved := w.body
		w.body = nil
		if err := w.entity(p.Header, p, depth+1, false); err != nil {
			return err
		}
		got := w.body
		w.body = saved
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch {
		case len(got) == 0 || plain:
		case pt == "text/plain":
			chosen, plain = got, true
		default:
			chosen = got
		}
	}
	w.addBody(chosen)
	return nil
}

// addBody appends lines to the body, a blank line after what was there.
func (w *emlWalker) addBody(lines []string) {
	if len(lines) == 0 {
		return
	}
	if len(w.body) > 0 {
		w.body = append(w.body, "")
	}
	w.body = append(w.body, lines...)
}

// text adds a text/plain or text/html part to the body.
func (w *emlWalker) text(ctype string, body io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(body, int64(w.budget)+1))
	if err != nil {
		return newError(CodeCorruptDocument, "The e-mail could not be read.", err)
	}
	if w.budget -= len(b); w.budget < 0 {
		return tooMuchText(w.e.cfg.MaxTextBytes)
	}
	s := decodeText(b)
	var lines []string
	if ctype == "text/html" {
		lines, err = htmlLines(w.ctx, s)
		if err != nil {
			return err
		}
	} else {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		lines = strings.Split(strings.TrimRight(s, "\n"), "\n")
	}
	w.addBody(lines)
	return nil
}

// attach writes a part to a file of the message's directory and notes it
// when its sniffed kind can be extracted.
func (w *emlWalker) attach(body io.Reader, name, ctype string) error {
	if w.m.dir == "" {
		dir, err := os.MkdirTemp("", "docparse-eml-")
		if err != nil {
			return fmt.Errorf("e-mail temp dir: %w", err)
		}
		w.m.dir = dir
	}
	path := filepath.Join(w.m.dir, fmt.Sprintf("part%d", w.parts))
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write attachment: %w", err)
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return fmt.Errorf("write attachment: %w", err)
	}
	// Any other error is in the part's encoding (bad base64, a cut
	// message): what decoded is extracted, and judged on its own.
	head := make([]byte, HeadLen)
	hf, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read attachment: %w", err)
	}
	n, _ := io.ReadFull(hf, head)
	hf.Close()
	if n == 0 {
		return nil
	}
	kind, _ := Sniff(head[:n], name)
	if ctype == "message/rfc822" && kind.IsTextLike() {
		kind = KindEML
	}
	switch kind {
	case KindUnknown, KindZIP:
		return nil
	}
	w.m.attachments = append(w.m.attachments, attachment{path: path, kind: kind})
	return nil
}

// transferDecoder undoes a Content-Transfer-Encoding. multipart.Reader
// already undoes quoted-printable in parts (and drops the header).
func transferDecoder(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Cleaner drops what base64.NewDecoder does not skip by itself (it
// skips only CR and LF): spaces and tabs that mailers leave at line ends.
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		k := 0
		for _, b := range p[:n] {
			if b != ' ' && b != '\t' {
				p[k] = b
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// decodeHeader decodes RFC 2047 encoded words ("=?utf-8?q?...?="). Any
// charset is accepted: UTF-8 as is, anything else as decodeText reads
// bytes (UTF-8 when valid, else Windows-1252), which is right for the
// Latin-1 family and readable enough for the rest.
func decodeHeader(s string) string {
	if s == "" {
		return ""
	}
	d := mime.WordDecoder{CharsetReader: func(_ string, r io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			return nil, err
		}
		return strings.NewReader(decodeText(b)), nil
	}}
	out, err := d.DecodeHeader(s)
	if err != nil {
		return s
	}
	return strings.Join(strings.Fields(out), " ")
}

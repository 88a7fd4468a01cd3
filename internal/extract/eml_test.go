package extract

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"math"
	"strings"
	"testing"
)

func TestExtractEML(t *testing.T) {
	// testdata/invoice.eml: a quoted-printable text/plain body with an
	// HTML alternative, an RFC 2047 subject, and AzureInterior.pdf
	// attached in base64.
	path := "testdata/invoice.eml"
	kind := sniffFile(t, path)
	if kind != KindEML {
		t.Fatalf("Sniff = %s, want eml", kind)
	}
	if n, err := engine.Pages(context.Background(), path, kind); n != 2 || err != nil {
		t.Errorf("Pages = %d, %v; want 2 (the message and a one-page PDF)", n, err)
	}
	d := mustExtract(t, path, kind)
	if len(d.Pages) != 2 || d.Pages[1].Number != 2 {
		t.Fatalf("%d pages, want 2 numbered 1 and 2", len(d.Pages))
	}
	first := pageTexts(d)[0]
	wantFirst := []string{
		"From: Azure Interior Buchhaltung <billing@azure-interior.example>",
		"To: ap@wholesaler.example",
		"Subject: Rechnung INV/2023/03/0008 – Fälligkeit 04/04/2023",
		"Date: Mon, 20 Mar 2023 09:15:00 +0100",
		"Guten Tag,",
		"anbei erhalten Sie unsere Rechnung.",
		"Rechnungsnummer:  INV/2023/03/0008",
		"Betrag:           $ 279.84",
		"Fällig am:        04/04/2023",
		"Mit freundlichen Grüßen",
		"Azure Interior",
	}
	if strings.Join(first, "\n") != strings.Join(wantFirst, "\n") {
		t.Errorf("first page:\n%s\nwant (the text/plain alternative only):\n%s", strings.Join(first, "\n"), strings.Join(wantFirst, "\n"))
	}
	// The attachment is read like an uploaded PDF: its text layer, in
	// points.
	p := d.Pages[1]
	if math.Abs(p.Width-595) > 0.5 {
		t.Errorf("attachment page width = %g, want 595", p.Width)
	}
	if pi, _ := lineIndex(d, "Invoice INV/2023/03/0008"); pi != 1 {
		t.Errorf("the PDF's invoice number line is on page index %d, want 1", pi)
	}
}

// message builds a message from header lines and a body.
func message(headers, body string) []byte {
	return []byte(strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n" + body)
}

func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + " \r\n") // a trailing space, as some mailers leave
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

func TestExtractEMLParts(t *testing.T) {
	pdf := minimalPDF([]string{textOps(textRun{72, 700, 12, "Attached invoice 4711"})}, true)
	body := "--b1\r\n" +
		"Content-Type: multipart/related; boundary=b2\r\n\r\n" +
		"--b2\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<html><body><p>Gr=FC=DFe</p><table><tr><td>Rechnungsnummer</td><td>INV-9</td></tr></table><img src=3D\"cid:logo\"></body></html>\r\n" +
		"--b2\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(readTestdata(t, "scan-invoice.png")[:2000]) +
		"--b2--\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"=?utf-8?q?Rechnung_4711.pdf?=\"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(pdf) +
		"--b1\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"all.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(zipHead(t, "a.txt")) +
		"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"broken.pdf\"\r\n\r\n%PDF-1.4 cut\r\n" +
		"--b1--\r\n"
	msg := message("From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <j@example.com>\nSubject: Invoice\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b1\n", body)
	path := writeFile(t, "parts.eml", msg)
	d := mustExtract(t, path, sniffFile(t, path))
	want := [][]string{{
		"From: Jürgen Müller <j@example.com>",
		"Subject: Invoice",
		"Grüße",
		"Rechnungsnummer INV-9",
	}, {
		"Attached invoice 4711",
	}}
	// The inline logo, the zip and the broken PDF are left out.
	if got := pageTexts(d); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages = %q, want %q", got, want)
	}
	if n, err := engine.Pages(context.Background(), path, KindEML); n != 2 || err != nil {
		t.Errorf("Pages = %d, %v; want 2", n, err)
	}
}

func TestExtractEMLImageAttachment(t *testing.T) {
	needTesseract(t)
	var img bytes.Buffer
	if err := png.Encode(&img, scanCrop(t)); err != nil {
		t.Fatal(err)
	}
	body := "--b\r\nContent-Type: text/plain\r\n\r\nSee the scan.\r\n" +
		"--b\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"scan.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(img.Bytes()) +
		"--b--\r\n"
	path := writeFile(t, "scan.eml", message("From: a@example.com\nTo: b@example.com\nContent-Type: multipart/mixed; boundary=b\n", body))
	d := mustExtract(t, path, KindEML)
	if p, _ := lineIndex(d, "Invoice INV/2023/03/0008"); p != 1 {
		t.Errorf("OCRed invoice number on page index %d, want 1:\n%s", p, d.Text())
	}
	checkOCRWords(t, &Document{Pages: d.Pages[1:]})
}

// nested wraps a message in depth messages, each saying its level.
func nested(depth int) []byte {
	msg := "From: a@example.com\r\nSubject: level 0\r\n\r\nLevel0 text\r\n"
	for i := 1; i <= depth; i++ {
		msg = fmt.Sprintf("From: a@example.com\r\nSubject: level %d\r\nContent-Type: multipart/mixed; boundary=n%d\r\n\r\n"+
			"--n%d\r\nContent-Type: text/plain\r\n\r\nLevel%d text\r\n"+
			"--n%d\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--n%d--\r\n", i, i, i, i, i, msg, i)
	}
	return []byte(msg)
}

func TestExtractEMLNesting(t *testing.T) {
	// Six messages deep: the top one and three levels of attached
	// messages are read, deeper ones left out.
	d := mustExtract(t, writeFile(t, "deep.eml", nested(6)), KindEML)
	text := d.Text()
	for level := 6; level >= 0; level-- {
		found := strings.Contains(text, fmt.Sprintf("Level%d text", level))
		if want := level >= 6-maxMessageDepth; found != want {
			t.Errorf("Level%d text found = %v, want %v", level, found, want)
		}
	}
	if len(d.Pages) != 1+maxMessageDepth {
		t.Errorf("%d pages, want %d", len(d.Pages), 1+maxMessageDepth)
	}
}

func TestEMLFailures(t *testing.T) {
	var deepParts strings.Builder
	for i := range maxMIMEDepth + 2 {
		fmt.Fprintf(&deepParts, "--x%d\r\nContent-Type: multipart/mixed; boundary=x%d\r\n\r\n", i, i+1)
	}
	var manyParts strings.Builder
	for range maxMIMEParts + 1 {
		manyParts.WriteString("--m\r\nContent-Type: text/plain\r\n\r\nx\r\n")
	}
	manyParts.WriteString("--m--\r\n")
	brokenOnly := "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 cut\r\n--b--\r\n"
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"not a message", []byte("no headers here at all\n\x01"), CodeCorruptDocument},
		{"multiparts nested too deep", message("From: a@example.com\nContent-Type: multipart/mixed; boundary=x0\n", deepParts.String()), CodeCorruptDocument},
		{"too many parts", message("From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n", manyParts.String()), CodeTooLargeContent},
		{"multipart without boundary", message("From: a@example.com\nContent-Type: multipart/mixed\n", "x"), CodeCorruptDocument},
		{"only a broken attachment", message("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n", brokenOnly), CodeCorruptDocument},
		{"headers and nothing", message("Received: x\nMessage-ID: <a@b>\n", ""), CodeEmptyDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := engine.Extract(context.Background(), writeFile(t, "m.eml", tt.data), KindEML)
			if d != nil {
				t.Errorf("got a document with a failure:\n%s", d.Text())
			}
			wantCode(t, "Extract", err, tt.code)
		})
	}
}

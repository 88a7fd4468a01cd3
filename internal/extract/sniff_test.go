package extract

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"testing"
)

func TestSniff(t *testing.T) {
	azure, err := os.ReadFile("testdata/AzureInterior.pdf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		head     []byte
		fileName string
		kind     Kind
		mime     string
	}{
		{"real pdf", azure[:SniffLen], "invoice.pdf", KindPDF, "application/pdf"},
		{"real pdf, misleading name", azure[:512], "invoice.txt", KindPDF, "application/pdf"},
		{"pdf after junk", []byte("garbage\r\n%PDF-1.4\n1 0 obj"), "", KindPDF, "application/pdf"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "scan.pdf", KindPNG, "image/png"},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "", KindJPEG, "image/jpeg"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "", KindGIF, "image/gif"},
		{"tiff little-endian", []byte("II*\x00\x08\x00\x00\x00"), "", KindTIFF, "image/tiff"},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), "", KindTIFF, "image/tiff"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "", KindWebP, "image/webp"},
		{"bmp", bmpHeader(), "", KindBMP, "image/bmp"},
		{"text starting with BM", []byte("BMW invoice 2024\nTotal 12.00\n"), "", KindText, "text/plain; charset=utf-8"},
		{"zip", zipHead(t, "notes.txt", "report.csv"), "files.zip", KindZIP, "application/zip"},
		{"docx by content", zipHead(t, "word/document.xml", "[Content_Types].xml"), "upload.bin", KindDOCX, mimeTypes[KindDOCX]},
		{"xlsx by content", zipHead(t, "xl/workbook.xml", "[Content_Types].xml"), "", KindXLSX, mimeTypes[KindXLSX]},
		{"ooxml, parts past head, name says docx", zipHead(t, "[Content_Types].xml")[:40], "letter.docx", KindDOCX, mimeTypes[KindDOCX]},
		{"ooxml, parts past head, name says xlsx", zipHead(t, "[Content_Types].xml")[:40], "sheet.XLSX", KindXLSX, mimeTypes[KindXLSX]},
		{"ooxml, parts past head, no name", zipHead(t, "[Content_Types].xml")[:40], "", KindZIP, "application/zip"},
		{"plain text", []byte("Invoice 123\nTotal: 45.00 EUR\n"), "invoice.txt", KindText, "text/plain; charset=utf-8"},
		{"text named .pdf", []byte("Invoice 123\nTotal: 45.00 EUR\n"), "invoice.pdf", KindText, "text/plain; charset=utf-8"},
		{"text cut inside a rune", []byte("Gebühr 5 €")[:12], "", KindText, "text/plain; charset=utf-8"},
		{"windows-1252 text", []byte("Caf\xe9 au lait \x80 3,50\nTotal \x80 3,50\n"), "", KindText, "text/plain"},
		{"utf-16 text", utf16LE("Invoice 42\r\nTotal 10.00\r\n"), "", KindText, "text/plain"},
		{"html", []byte("<!DOCTYPE html>\n<html><body><p>Invoice</p></body></html>"), "", KindHTML, "text/html; charset=utf-8"},
		{"html fragment", []byte("  <table><tr><td>Total</td><td>5</td></tr></table>"), "", KindHTML, "text/html; charset=utf-8"},
		{"html named .txt", []byte("<html><body>Invoice</body></html>"), "mail.txt", KindHTML, "text/html; charset=utf-8"},
		{"xhtml", []byte("<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"), "", KindHTML, "text/html; charset=utf-8"},
		{"text named .html", []byte("Invoice 123\n"), "page.html", KindHTML, "text/html; charset=utf-8"},
		{"csv by content", []byte("invoice,date,total\n1,2024-01-02,10.00\n2,2024-01-03,12.50\n"), "", KindCSV, "text/csv; charset=utf-8"},
		{"semicolon csv", []byte("Rechnung;Datum;Betrag\n1;02.01.2024;10,00\n"), "export.csv", KindCSV, "text/csv; charset=utf-8"},
		{"csv named .txt is text", []byte("invoice,date,total\n1,2024-01-02,10.00\n2,2024-01-03,12.50\n"), "list.txt", KindText, "text/plain; charset=utf-8"},
		{"prose with commas is text", []byte("Dear customer, thank you.\nBest regards, Acme\n"), "", KindText, "text/plain; charset=utf-8"},
		{"single column named .csv", []byte("total\n10.00\n"), "t.csv", KindCSV, "text/csv; charset=utf-8"},
		{"eml", []byte("Received: from mx.example.com\r\nFrom: Billing <billing@example.com>\r\nTo: me@example.org\r\nSubject: Invoice 42\r\n\r\nHello"), "", KindEML, "message/rfc822"},
		{"header-like text named .txt is text", []byte("Note: pay soon\nTotal: 12\n"), "n.txt", KindText, "text/plain; charset=utf-8"},
		{"random binary", randomBytes(1, 4096), "invoice.pdf", KindUnknown, "application/octet-stream"},
		{"binary with NULs", []byte("abc\x00\x00\x00def"), "a.txt", KindUnknown, "application/octet-stream"},
		{"empty", nil, "empty.pdf", KindUnknown, "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, mime := Sniff(tt.head, tt.fileName)
			if kind != tt.kind || mime != tt.mime {
				t.Errorf("Sniff(%q..., %q) = %q, %q; want %q, %q", tt.head[:min(len(tt.head), 16)], tt.fileName, kind, mime, tt.kind, tt.mime)
			}
		})
	}
}

// randomBytes returns n reproducible random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// zipHead returns the start of a real zip archive holding the named entries
// (in that order), as an upload's first SniffLen bytes would show it.
func zipHead(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		// CreateRaw writes sizes in the local header (no data descriptor),
		// as Office does.
		content := []byte("<xml/>")
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CompressedSize64: uint64(len(content)), UncompressedSize64: uint64(len(content))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()[:min(buf.Len(), SniffLen)]
}

func bmpHeader() []byte {
	b := make([]byte, 54)
	copy(b, "BM")
	binary.LittleEndian.PutUint32(b[2:], 54+4)
	binary.LittleEndian.PutUint32(b[10:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40) // BITMAPINFOHEADER
	binary.LittleEndian.PutUint32(b[18:], 1)
	binary.LittleEndian.PutUint32(b[22:], 1)
	return b
}

func utf16LE(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, r := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(r))
	}
	return b
}

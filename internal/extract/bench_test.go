package extract

import (
	"context"
	"path/filepath"
	"testing"
)

// Figures, not thresholds: go test -run '^$' -bench . ./internal/extract/
// B/op includes the WebAssembly memory of the PDFium instance, which is a
// Go allocation.

// BenchmarkNewEngine measures a cold start: compiling the PDFium module
// without a cache.
func BenchmarkNewEngine(b *testing.B) {
	for b.Loop() {
		e, err := NewEngine(Config{})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkNewEngineCached measures a start from Config.CacheDir.
func BenchmarkNewEngineCached(b *testing.B) {
	for b.Loop() {
		e, err := NewEngine(Config{CacheDir: cacheDir})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

var benchFiles = []string{"AzureInterior.pdf", "AmazonWebServices.pdf", "QualityHosting.pdf"}

func BenchmarkPages(b *testing.B) {
	benchEachFile(b, func(path string) error {
		_, err := engine.Pages(context.Background(), path, KindPDF)
		return err
	})
}

func BenchmarkExtract(b *testing.B) {
	benchEachFile(b, func(path string) error {
		_, err := engine.Extract(context.Background(), path, KindPDF)
		return err
	})
}

// benchEachFile runs op on each of benchFiles, a sub-benchmark a file.
func benchEachFile(b *testing.B, op func(path string) error) {
	for _, name := range benchFiles {
		path := filepath.Join("testdata", name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := op(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExtractOCR measures OCR throughput: two callers at once (the
// default Workers) extract one-page scans, in the default languages and in
// English alone. Run it short: -benchtime=6x.
func BenchmarkExtractOCR(b *testing.B) {
	if _, err := engine.OCRLanguages(); err != nil {
		b.Skip("OCR unavailable:", err)
	}
	for _, tc := range []struct {
		name  string
		file  string
		kind  Kind
		langs []string
	}{
		{"scan-pdf-200dpi/default-langs", "scan-invoice.pdf", KindPDF, nil},
		{"scan-pdf-200dpi/eng", "scan-invoice.pdf", KindPDF, []string{"eng"}},
		{"png-150dpi/default-langs", "scan-invoice.png", KindPNG, nil},
		{"png-150dpi/eng", "scan-invoice.png", KindPNG, []string{"eng"}},
		{"text-pdf-with-image-regions/default-langs", "saeco.pdf", KindPDF, nil},
	} {
		path := filepath.Join("testdata", tc.file)
		b.Run(tc.name, func(b *testing.B) {
			b.SetParallelism(1) // GOMAXPROCS callers
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := engine.ExtractWith(context.Background(), path, tc.kind, ExtractOptions{Languages: tc.langs}); err != nil {
						b.Error(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkExtractOffice measures the formats read without an engine.
func BenchmarkExtractOffice(b *testing.B) {
	for _, tc := range []struct {
		file string
		kind Kind
	}{
		{"invoice.docx", KindDOCX},
		{"invoice.xlsx", KindXLSX},
		{"invoice.eml", KindEML},
	} {
		path := filepath.Join("testdata", tc.file)
		b.Run(tc.file, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.Extract(context.Background(), path, tc.kind); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

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
	for _, name := range benchFiles {
		path := filepath.Join("testdata", name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.Pages(context.Background(), path, KindPDF); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkExtract(b *testing.B) {
	for _, name := range benchFiles {
		path := filepath.Join("testdata", name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.Extract(context.Background(), path, KindPDF); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

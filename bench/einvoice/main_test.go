package main

import (
	"testing"
	"time"
)

func TestLoadAndMeasure(t *testing.T) {
	files, other, err := load([]string{"../../internal/einvoice/testdata"})
	if err != nil {
		t.Fatal(err)
	}
	// The 8 example invoices; the hybrid PDF is no .xml.
	if len(files) != 8 || other != 0 {
		t.Fatalf("load = %d invoices, %d other; want 8, 0", len(files), other)
	}
	n, el := measure(files, 2, 10*time.Millisecond, func(file) {})
	if n < len(files) || el <= 0 {
		t.Errorf("measure = %d calls in %v; want at least one pass of %d", n, el, len(files))
	}
}

func TestReserved(t *testing.T) {
	for dir, want := range map[string]bool{
		"/work/.mirror/ZUGFeRD+corpus/repo": true,
		"/tmp/x/zugferd/corpus":             true,
		"/tmp/x/ZUGFeRD/corpus/sub":         true,
		"/tmp/einv/ZUGFeRD+mustangproject":  false,
		"/tmp/corpus":                       false,
	} {
		if got := reserved(dir); got != want {
			t.Errorf("reserved(%s) = %v, want %v", dir, got, want)
		}
	}
}

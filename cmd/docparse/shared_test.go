package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/docparse/docparse/internal/extract"
)

// The tests of this package share what is slow to make and the same for
// all of them: the docparse binary, built once, and a compiled PDFium
// module. Both live in sharedDir, removed when the tests end.
var (
	sharedOnce sync.Once
	sharedDir  string
	sharedErr  error

	binOnce sync.Once
	binPath string
	binErr  error

	pdfiumOnce  sync.Once
	pdfiumCache string
	pdfiumErr   error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// sharedTemp returns the package's shared temporary directory.
func sharedTemp(t *testing.T) string {
	t.Helper()
	sharedOnce.Do(func() { sharedDir, sharedErr = os.MkdirTemp("", "docparse-cmd-test-") })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedDir
}

// buildBinary returns the docparse binary, built once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	dir := sharedTemp(t)
	binOnce.Do(func() {
		bin := filepath.Join(dir, "docparse")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("go build: %w", err)
			return
		}
		binPath = bin
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// seedPDFiumCache puts a copy of a PDFium compilation into the cache
// directory of the data directory dataDir (where serve keeps it,
// cache/pdfium), as a server that ran there before leaves it. A server
// then starts in a fraction of a second instead of compiling PDFium for
// several seconds (over ten on a loaded machine), which no test here is
// about (internal/extract's tests cover compiling it, with and without a
// cache). The module is compiled once
// per test run; each data directory gets its own copy, so that what a
// test finds under its data directory is what a server wrote there.
func seedPDFiumCache(t *testing.T, dataDir string) {
	t.Helper()
	dir := sharedTemp(t)
	pdfiumOnce.Do(func() {
		cache := filepath.Join(dir, "pdfium")
		e, err := extract.NewEngine(extract.Config{Workers: 1, CacheDir: cache})
		if err != nil {
			pdfiumErr = fmt.Errorf("compile PDFium: %w", err)
			return
		}
		e.Close()
		pdfiumCache = cache
	})
	if pdfiumErr != nil {
		t.Fatal(pdfiumErr)
	}
	dst := filepath.Join(dataDir, "cache", "pdfium")
	err := filepath.WalkDir(pdfiumCache, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(pdfiumCache, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		return copyFile(path, target)
	})
	if err != nil {
		t.Fatalf("seed PDFium cache: %v", err)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

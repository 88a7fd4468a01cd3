// Package doccache keeps what internal/extract read from a document (its
// *extract.Document, or its permanent failure) on disk, so that the
// accuracy benchmark and the scorer's training OCR a scanned receipt once
// and then iterate on internal/fields in seconds.
//
// An entry is keyed by the SHA-256 of the file's bytes and by an engine key
// (EngineKey): a short hash of the extract options, of the Tesseract
// version and of internal/extract's source files. Changing any of them
// misses the cache, so a stale reading is never used; internal/fields is
// not part of the key.
package doccache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/extract"
)

// PDFiumCacheDir is the directory where the programs that read dataset
// documents in process (bench/accuracy, bench/train, bench/wordings) keep
// the compiled PDFium module (extract.Config.CacheDir), so that only the
// first run compiles it.
func PDFiumCacheDir() string {
	return filepath.Join(os.TempDir(), "docparse-accuracy-pdfium-cache")
}

// EngineKey returns a short hash of what decides an extraction besides
// the file: opts, the output of `tesseract --version` (empty when it does
// not run), the files of the OCR models directory models
// (extract.Config.OCRModels; "" for none), and the non-test Go files of
// internal/extract under moduleRoot (none when moduleRoot is empty or
// holds no such folder).
func EngineKey(ctx context.Context, moduleRoot string, opts extract.ExtractOptions, models string) (string, error) {
	h := sha256.New()
	o, err := json.Marshal(opts)
	if err != nil {
		return "", fmt.Errorf("engine key: %w", err)
	}
	h.Write(o)
	if models != "" {
		for _, f := range []string{"det.onnx", "rec.onnx", "keys.txt"} {
			sum, err := FileSum(filepath.Join(models, f))
			if err != nil {
				return "", fmt.Errorf("engine key: %w", err)
			}
			io.WriteString(h, "\x00models\x00"+f+"\x00"+sum)
		}
	}
	if v, err := exec.CommandContext(ctx, "tesseract", "--version").CombinedOutput(); err == nil {
		// The first line names the version; the rest lists libraries.
		first, _, _ := strings.Cut(string(v), "\n")
		io.WriteString(h, "\x00"+first)
	}
	if moduleRoot != "" {
		files, err := filepath.Glob(filepath.Join(moduleRoot, "internal", "extract", "*.go"))
		if err != nil {
			return "", fmt.Errorf("engine key: %w", err)
		}
		slices.Sort(files)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				return "", fmt.Errorf("engine key: %w", err)
			}
			io.WriteString(h, "\x00"+filepath.Base(f)+"\x00")
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// Cache is a directory of extracted documents. It is safe for concurrent
// use by goroutines and by processes: entries are written to a temporary
// file and renamed.
type Cache struct {
	dir, key string
}

// Open returns the cache in dir (created if missing) for documents read
// with the engine key key (EngineKey).
func Open(dir, key string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open document cache: %w", err)
	}
	return &Cache{dir: dir, key: key}, nil
}

// entry is one cached reading: a document, or the permanent failure.
type entry struct {
	Doc   *extract.Document `json:"doc,omitempty"`
	Code  string            `json:"code,omitempty"`
	Error string            `json:"error,omitempty"`
}

// OpenForModule opens the cache in dir for documents read with opts (and
// the OCR models in models, "" for none) by the code of the module the
// command runs in (go env GOMOD): the engine key is that module's
// (EngineKey), and it is returned too.
func OpenForModule(ctx context.Context, dir string, opts extract.ExtractOptions, models string) (*Cache, string, error) {
	root, err := harness.ModuleRoot(ctx)
	if err != nil {
		return nil, "", err
	}
	key, err := EngineKey(ctx, root, opts, models)
	if err != nil {
		return nil, "", err
	}
	c, err := Open(dir, key)
	return c, key, err
}

// FileSum returns the hex SHA-256 of the file at path.
func FileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Path is where the entry of the file whose SHA-256 is sum lives.
func (c *Cache) Path(sum string) string {
	return filepath.Join(c.dir, sum[:2], sum+"-"+c.key+".json")
}

// Extract returns the reading of the file whose SHA-256 is sum
// (FileSum): from the cache when it holds one, else from read (which the
// caller makes call the engine with the options the key was made of),
// which is then stored. A permanent failure (*extract.Error) is cached and
// returned as an *extract.Error; a timeout and any other error are
// returned and not cached. cached reports a hit.
func (c *Cache) Extract(sum string, read func() (*extract.Document, error)) (doc *extract.Document, cached bool, err error) {
	p := c.Path(sum)
	if b, err := os.ReadFile(p); err == nil {
		var e entry
		if err := json.Unmarshal(b, &e); err == nil {
			if e.Code != "" {
				return nil, true, &extract.Error{Code: e.Code, Message: e.Error}
			}
			if e.Doc != nil {
				return e.Doc, true, nil
			}
		}
	}
	doc, err = read()
	var e entry
	if extract.IsCode(err, extract.CodeTimeout) {
		// A timeout says how busy the machine was, not what the file
		// is: read it again next time.
		return nil, false, err
	}
	if xe, ok := extract.AsError(err); ok {
		e = entry{Code: xe.Code, Error: xe.Message}
	} else if err != nil {
		return nil, false, err
	} else {
		e = entry{Doc: doc}
	}
	b, merr := json.Marshal(e)
	if merr != nil {
		return doc, false, errors.Join(err, fmt.Errorf("store in document cache: %w", merr))
	}
	if werr := writeFile(p, b); werr != nil {
		return doc, false, errors.Join(err, werr)
	}
	return doc, false, err
}

// Text returns the text cached under name for the file whose SHA-256 is
// sum (a baseline's OCR, say), or computes it with read and stores it.
// name must be a plain word; errors from read are not cached.
func (c *Cache) Text(sum, name string, read func() (string, error)) (string, bool, error) {
	p := filepath.Join(c.dir, sum[:2], sum+"-"+name+".txt")
	if b, err := os.ReadFile(p); err == nil {
		return string(b), true, nil
	}
	s, err := read()
	if err != nil {
		return "", false, err
	}
	return s, false, writeFile(p, []byte(s))
}

// writeFile writes b to p through a temporary file and a rename, so a
// reader never sees half an entry.
func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("store in document cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("store in document cache: %w", err)
	}
	_, werr := f.Write(b)
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("store in document cache: %w", err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("store in document cache: %w", err)
	}
	return nil
}

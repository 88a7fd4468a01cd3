package doccache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/docparse/docparse/internal/extract"
)

func TestExtractCachesDocumentsAndPermanentFailures(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.jpg")
	if err := os.WriteFile(file, []byte("image bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := FileSum(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(filepath.Join(dir, "cache"), "k1")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	want := &extract.Document{Pages: []extract.Page{{Number: 1, Lines: []extract.Line{{Text: "TOTAL 60.30", Words: []extract.Word{{Text: "TOTAL", Conf: 0.9}}}}}}}
	read := func() (*extract.Document, error) { calls++; return want, nil }
	for i, wantCached := range []bool{false, true} {
		doc, cached, err := c.Extract(sum, read)
		if err != nil || cached != wantCached || doc.Text() != "TOTAL 60.30\n" || doc.Pages[0].Lines[0].Words[0].Conf != 0.9 {
			t.Fatalf("call %d: %+v, cached %v, %v", i, doc, cached, err)
		}
	}
	if calls != 1 {
		t.Fatalf("the engine was called %d times, want 1", calls)
	}

	// Another engine key misses.
	c2, _ := Open(filepath.Join(dir, "cache"), "k2")
	if _, cached, _ := c2.Extract(sum, read); cached || calls != 2 {
		t.Fatalf("another engine key hit the cache (calls %d)", calls)
	}

	// A permanent failure is cached; a transient one is not.
	c3, _ := Open(filepath.Join(dir, "cache"), "k3")
	if _, _, err := c3.Extract(sum, func() (*extract.Document, error) { return nil, errors.New("context canceled") }); err == nil {
		t.Fatal("transient error lost")
	}
	timeout := func() (*extract.Document, error) {
		return nil, &extract.Error{Code: extract.CodeTimeout, Message: "Too long."}
	}
	if _, _, err := c3.Extract(sum, timeout); !extract.IsCode(err, extract.CodeTimeout) {
		t.Fatalf("timeout lost: %v", err)
	}
	if _, err := os.Stat(c3.Path(sum)); !os.IsNotExist(err) {
		t.Fatalf("a timeout was cached: %v", err)
	}
	fail := func() (*extract.Document, error) {
		return nil, &extract.Error{Code: extract.CodeEmptyDocument, Message: "No text."}
	}
	if _, cached, err := c3.Extract(sum, fail); cached || !extract.IsCode(err, extract.CodeEmptyDocument) {
		t.Fatalf("first failure: cached %v, %v", cached, err)
	}
	if _, cached, err := c3.Extract(sum, read); !cached || !extract.IsCode(err, extract.CodeEmptyDocument) {
		t.Fatalf("cached failure: cached %v, %v", cached, err)
	}

	text := func() (string, error) { return "baseline text", nil }
	if s, cached, err := c.Text(sum, "baseline", text); s != "baseline text" || cached || err != nil {
		t.Fatalf("Text: %q %v %v", s, cached, err)
	}
	if s, cached, _ := c.Text(sum, "baseline", func() (string, error) { return "", errors.New("not again") }); s != "baseline text" || !cached {
		t.Fatalf("Text again: %q %v", s, cached)
	}
}

func TestEngineKeyChangesWithOptionsAndCode(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	src := filepath.Join(root, "internal", "extract")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ocr.go", "package extract\n")
	key := func(opts extract.ExtractOptions) string {
		k, err := EngineKey(ctx, root, opts, "")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k1 := key(extract.ExtractOptions{})
	if k1 != key(extract.ExtractOptions{}) {
		t.Fatal("engine key not stable")
	}
	if k1 == key(extract.ExtractOptions{Languages: []string{"eng"}}) {
		t.Error("OCR languages do not change the key")
	}
	write("ocr_test.go", "package extract\n// a test\n")
	if k1 != key(extract.ExtractOptions{}) {
		t.Error("a test file changed the key")
	}
	write("ocr.go", "package extract\n// changed\n")
	if k1 == key(extract.ExtractOptions{}) {
		t.Error("a change to internal/extract does not change the key")
	}
}

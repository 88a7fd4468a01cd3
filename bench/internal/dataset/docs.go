package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/docparse/docparse/internal/extract"
)

// Documents extracts dataset files with the real engine, keeping what it
// read in a cache directory so that training and benchmarks do not OCR the
// same receipt twice. The cache is keyed by the file's SHA-256 and
// CacheVersion; remove the directory when extraction changes.
type Documents struct {
	Engine *extract.Engine
	Cache  string // "" for no cache
}

// CacheVersion names what the cache holds; bump it when internal/extract
// reads documents differently.
const CacheVersion = "v1"

// Extract returns the document of the file at path.
func (d *Documents) Extract(ctx context.Context, path string) (*extract.Document, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	key := filepath.Join(d.Cache, CacheVersion+"-"+hex.EncodeToString(sum[:16])+".json")
	if d.Cache != "" {
		if c, err := os.ReadFile(key); err == nil {
			var doc extract.Document
			if err := json.Unmarshal(c, &doc); err == nil {
				return &doc, nil
			}
		}
	}
	kind, _ := extract.Sniff(b[:min(len(b), 4096)], filepath.Base(path))
	doc, err := d.Engine.Extract(ctx, path, kind)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", path, err)
	}
	if d.Cache != "" {
		if err := os.MkdirAll(d.Cache, 0o755); err != nil {
			return nil, err
		}
		c, _ := json.Marshal(doc)
		if err := os.WriteFile(key, c, 0o644); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

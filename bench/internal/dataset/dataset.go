// Package dataset is the layout of the labelled documents that the
// accuracy benchmark and the scorer's training read: real documents
// fetched from public repositories (never committed), laid out by
// `go run ./bench/dataset` into one directory with a manifest.
//
// A dataset directory holds manifest.jsonl, one Item a line, and the
// documents under it at Item.File. Every item belongs to a split decided
// by a stable hash of its source and id (Split), so the same document is
// in the same split on every machine and in every run: the scorer and the
// calibration are fitted on "train" only, and the figures in BENCHMARKS.md
// are measured on "validation".
//
// Some documents are reserved for independent checks and never enter a
// dataset at all (Reserved): the layout command does not even read them.
package dataset

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Splits.
const (
	Train      = "train"
	Validation = "validation"
)

// Kinds of documents; each is read with its own schema.
const (
	KindReceipt = "receipt" // truth keys: company, date, total
	KindInvoice = "invoice" // truth keys: see bench/dataset's README
)

// Item is one labelled document.
type Item struct {
	Source string `json:"source"` // "sroie", "einvoice", ...
	ID     string `json:"id"`     // unique within its source, stable across runs
	Split  string `json:"split"`  // Train or Validation
	Kind   string `json:"kind"`   // KindReceipt or KindInvoice
	File   string `json:"file"`   // path relative to the dataset directory
	// Truth maps a field key to its expected value, in normal form: dates
	// YYYY-MM-DD, amounts with two decimals ("60.30"), text as printed.
	// A field absent from Truth is not scored.
	Truth map[string]string `json:"truth"`
	// Origin says where the document came from (repository and path), for
	// people reading a failure.
	Origin string `json:"origin,omitempty"`
}

// trainShare is the share of items, in tenths, that go to Train.
const trainShare = 6

// Split returns the split of the item id of source: a stable hash, 60%
// train and 40% validation.
func Split(source, id string) string {
	h := fnv.New64a()
	io.WriteString(h, source+"/"+id)
	if h.Sum64()%10 < trainShare {
		return Train
	}
	return Validation
}

// Reserved reports whether the document id of source is kept for
// independent checks: SROIE receipts whose number is divisible by 20
// (000, 020, ..., 620). No dataset holds them, in any split.
func Reserved(source, id string) bool {
	if source != "sroie" {
		return false
	}
	n, err := strconv.Atoi(id)
	return err != nil || n%20 == 0
}

// ManifestName is the manifest's file name inside a dataset directory.
const ManifestName = "manifest.jsonl"

// Write writes items as the manifest of dir.
func Write(dir string, items []Item) error {
	f, err := os.Create(filepath.Join(dir, ManifestName))
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			f.Close()
			return fmt.Errorf("write manifest: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	return f.Close()
}

// Read returns the items of the dataset in dir whose split is split (all
// of them when split is empty), with File made absolute. It refuses a
// manifest that names a reserved document.
func Read(dir, split string) ([]Item, error) {
	f, err := os.Open(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, fmt.Errorf("read dataset: %w (lay one out with go run ./bench/dataset)", err)
	}
	defer f.Close()
	var items []Item
	dec := json.NewDecoder(f)
	for {
		var it Item
		if err := dec.Decode(&it); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("read dataset %s: %w", dir, err)
		}
		if Reserved(it.Source, it.ID) {
			return nil, fmt.Errorf("read dataset %s: %s %s is reserved for independent checks", dir, it.Source, it.ID)
		}
		if split != "" && it.Split != split {
			continue
		}
		it.File = filepath.Join(dir, it.File)
		items = append(items, it)
	}
	return items, nil
}

// ReadAll returns the items of split (all of them when split is empty)
// of every dataset in dirs, dataset after dataset, each in manifest order
// (Read).
func ReadAll(dirs []string, split string) ([]Item, error) {
	var items []Item
	for _, dir := range dirs {
		its, err := Read(dir, split)
		if err != nil {
			return nil, err
		}
		items = append(items, its...)
	}
	return items, nil
}

// Sort orders items by source, then id, keeping the order of items with
// both equal.
func Sort(items []Item) {
	slices.SortStableFunc(items, func(a, b Item) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// Dirs is a flag of dataset directories (-data): it may be repeated, and
// each value may hold several, comma-separated.
type Dirs []string

func (d *Dirs) String() string { return strings.Join(*d, ",") }

// Set adds the comma-separated directories of s, without blanks.
func (d *Dirs) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*d = append(*d, v)
		}
	}
	return nil
}

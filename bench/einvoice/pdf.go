package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
)

// comparePDFs reads every PDF under dirs as the pipeline does: its page
// with the field engine, its invoice attachment with einvoice, merged with
// fields.MergeInvoice. It prints each hybrid PDF's contradictions between
// page and XML (the einvoice_page_mismatch warnings a genuine invoice
// would wrongly get, or a stale one rightly) and how often page and XML
// agree where both answer.
func comparePDFs(dirs []string) error {
	eng, err := extract.NewEngine(extract.Config{Workers: 1})
	if err != nil {
		return err
	}
	defer eng.Close()
	var paths []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".pdf") {
				paths = append(paths, path)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("read %s: %w", dir, err)
		}
	}
	sort.Strings(paths)
	hybrids, warned, both, agree := 0, 0, 0, 0
	byField := map[string]int{}
	unreadable := 0
	start := time.Now()
	for _, p := range paths {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		inv, from, err := eng.EInvoice(ctx, p, extract.KindPDF)
		if err != nil {
			cancel()
			if _, ok := extract.AsError(err); ok {
				unreadable++
				fmt.Printf("%s: attachment or PDF unreadable: %v\n", p, err)
				continue
			}
			return err
		}
		if inv == nil {
			cancel()
			continue
		}
		doc, err := eng.Extract(ctx, p, extract.KindPDF)
		cancel()
		if err != nil {
			fmt.Printf("%s: page unreadable: %v\n", p, err)
			continue
		}
		hybrids++
		xml := fields.FromInvoice(inv, schema)
		page := fields.Extract(doc, schema, fields.Options{})
		m := fields.MergeInvoice(schema, inv, page, fields.SourceText, doc)
		n := countBoth(xml.Values, page.Values)
		both += n
		agree += n - len(m.Mismatches)
		if len(m.Mismatches) > 0 {
			warned++
		}
		var parts []string
		for _, mm := range m.Mismatches {
			byField[mm.Field]++
			parts = append(parts, fmt.Sprintf("%s page %v (confidence %v) xml %v", mm.Field, mm.PageValue, lookup(page.Confidence, mm.Field), mm.XMLValue))
		}
		fmt.Printf("%s (%s, %s %s): %d compared, %d mismatches %s\n", p, from, inv.Syntax, inv.Profile, n, len(m.Mismatches), strings.Join(parts, "; "))
	}
	fmt.Printf("\n%d PDFs, %d hybrid (invoice read), %d with an unreadable PDF or attachment, in %.1fs\n", len(paths), hybrids, unreadable, time.Since(start).Seconds())
	fmt.Printf("hybrids with at least one einvoice_page_mismatch: %d of %d\n", warned, hybrids)
	if both > 0 {
		fmt.Printf("top-level and object scalars answered by both page and XML: %d, agreeing %d (%.1f%%)\n", both, agree, 100*float64(agree)/float64(both))
	}
	keys := make([]string, 0, len(byField))
	for k := range byField {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  mismatches on %-20s %d\n", k, byField[k])
	}
	return nil
}

// countBoth counts the scalar values (at the top level and in objects)
// that both results hold.
func countBoth(a, b map[string]any) int {
	n := 0
	for k, av := range a {
		bv := b[k]
		switch av := av.(type) {
		case nil:
		case map[string]any:
			bm, _ := bv.(map[string]any)
			n += countBoth(av, bm)
		case []any:
		default:
			if bv != nil {
				n++
			}
		}
	}
	return n
}

// lookup returns the value at a dotted path ("seller.vat_id") of m.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, _ := v.(map[string]any)
		v = mm[k]
	}
	return v
}

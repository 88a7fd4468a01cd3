// Command dataset lays out labelled public documents for the accuracy
// benchmark and the scorer's training: it reads fetched repositories from
// where they landed (a checkout or a bare git directory), copies their
// documents into one directory and writes its manifest
// (bench/internal/dataset), every item in a stable train or validation
// split. Reserved documents are never read.
//
//	go run ./bench/dataset -out DIR [-sroie REPO] [-einvoice REPO1,REPO2,...]
//
// An existing manifest in DIR keeps the items of the sources not laid out
// again, so the sources may be laid out by separate runs. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/docparse/docparse/bench/internal/dataset"
	"github.com/docparse/docparse/bench/internal/harness"
)

func main() { harness.Main("dataset", layout) }

// layout is the command: it parses args, lays out every source named and
// writes the manifest. (Not named run: einvoice.go has a run of its own.)
func layout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := harness.FlagSet("dataset", stderr)
	out := fs.String("out", "", "dataset directory to write (created if missing)")
	sroie := fs.String("sroie", "", "zzzDavid/ICDAR-2019-SROIE: a checkout or a bare git directory")
	einv := fs.String("einvoice", "", "comma-separated e-invoice repositories (checkouts or bare git directories)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("usage: dataset -out DIR [-sroie REPO] [-einvoice REPO1,REPO2,...]")
	}
	if *sroie == "" && *einv == "" {
		return errors.New("no source: give -sroie and/or -einvoice")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("lay out dataset: %w", err)
	}

	var items []dataset.Item
	replaced := map[string]bool{}
	if *sroie != "" {
		its, err := sroieItems(ctx, *sroie, *out, stderr)
		if err != nil {
			return err
		}
		items = append(items, its...)
		replaced["sroie"] = true
	}
	if *einv != "" {
		var repos []string
		for _, r := range strings.Split(*einv, ",") {
			if r = strings.TrimSpace(r); r != "" {
				repos = append(repos, r)
			}
		}
		its, err := einvoiceItems(repos, *out)
		if err != nil {
			return err
		}
		items = append(items, its...)
		replaced["einvoice"] = true
	}
	for _, it := range items {
		replaced[it.Source] = true
	}

	kept, err := keptItems(*out, replaced)
	if err != nil {
		return err
	}
	all := append(kept, items...)
	dataset.Sort(all)
	if err := dataset.Write(*out, all); err != nil {
		return err
	}
	printCounts(stdout, *out, all)
	return nil
}

// keptItems returns the items of dir's existing manifest whose source is
// not in replaced, with File relative to dir again. No manifest: none.
func keptItems(dir string, replaced map[string]bool) ([]dataset.Item, error) {
	if _, err := os.Stat(filepath.Join(dir, dataset.ManifestName)); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	old, err := dataset.Read(dir, "")
	if err != nil {
		return nil, err
	}
	var kept []dataset.Item
	for _, it := range old {
		if replaced[it.Source] {
			continue
		}
		rel, err := filepath.Rel(dir, it.File)
		if err != nil {
			return nil, fmt.Errorf("keep %s %s: %w", it.Source, it.ID, err)
		}
		it.File = filepath.ToSlash(rel)
		kept = append(kept, it)
	}
	return kept, nil
}

// printCounts prints how many items each source has in each split.
func printCounts(w io.Writer, dir string, items []dataset.Item) {
	type counts struct{ train, validation int }
	per := map[string]*counts{}
	var sources []string
	for _, it := range items {
		c := per[it.Source]
		if c == nil {
			c = &counts{}
			per[it.Source] = c
			sources = append(sources, it.Source)
		}
		if it.Split == dataset.Train {
			c.train++
		} else {
			c.validation++
		}
	}
	fmt.Fprintf(w, "%s: %d items\n", filepath.Join(dir, dataset.ManifestName), len(items))
	fmt.Fprintf(w, "  %-10s %6s %11s\n", "source", "train", "validation")
	for _, s := range sources {
		fmt.Fprintf(w, "  %-10s %6d %11d\n", s, per[s].train, per[s].validation)
	}
}

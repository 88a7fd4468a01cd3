package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/docparse/docparse/bench/internal/dataset"
	"github.com/docparse/docparse/bench/internal/doccache"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/pipeline"
)

// schemaOf returns the schema of a kind of document (dataset.Schema).
func schemaOf(kind string) ([]docparse.Field, error) {
	if s := dataset.Schema(kind); s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("no schema for documents of kind %q", kind)
}

// keysOf returns the keys of schema, in order.
func keysOf(schema []docparse.Field) []string {
	var ks []string
	for _, f := range schema {
		ks = append(ks, f.Key)
	}
	return ks
}

// reading is what one item yielded: the engine's document (or why not)
// and the baseline's text.
type reading struct {
	doc      *extract.Document
	err      error
	baseText string
	baseErr  error
	cached   bool
	took     time.Duration
}

// dumpRecord is one scored field, as -dump writes it.
type dumpRecord struct {
	Source     string  `json:"source"`
	ID         string  `json:"id"`
	Split      string  `json:"split"`
	Kind       string  `json:"kind"`
	Field      string  `json:"field"`
	Expected   string  `json:"expected"`
	Got        any     `json:"got"`
	Confidence float64 `json:"confidence"`
	Right      bool    `json:"right"`
}

// runData scores every item of the -data directories' -split, per source.
func runData(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.ocrModels != "" && !strings.EqualFold(o.language, "English") {
		// The service reads with the models only for extractions in
		// English, and the language decides how fields are read (an
		// ambiguous date's order): measure what a user gets.
		return fmt.Errorf("-ocr-models: the service reads with the OCR models only for extractions in English; add -language English (the extraction's language is %q)", o.language)
	}
	items, err := dataset.ReadAll(o.data, o.split)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("no %s items in %s", o.split, strings.Join(o.data, ", "))
	}
	dataset.Sort(items)
	for _, tool := range []string{"pdftotext", "tesseract"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: apt-get install -y poppler-utils tesseract-ocr: %w", tool, err)
		}
	}

	xopts := extract.ExtractOptions{Languages: pipeline.OCRLanguages(o.language)}
	if o.ocrLanguages != "" {
		xopts.Languages = strings.Split(o.ocrLanguages, ",")
	}
	eng, err := extract.NewEngine(extract.Config{CacheDir: doccache.PDFiumCacheDir(), Workers: o.jobs, OCRModels: o.ocrModels})
	if err != nil {
		return err
	}
	defer eng.Close()
	var cache *doccache.Cache
	if o.cache != "" {
		var key string
		if cache, key, err = doccache.OpenForModule(ctx, o.cache, xopts, o.ocrModels); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "document cache %s, engine key %s\n", o.cache, key)
	}

	readings := readAll(ctx, eng, cache, xopts, items, o.jobs, stderr)
	if err := ctx.Err(); err != nil {
		return err
	}

	var dump *json.Encoder
	if o.dump != "" {
		f, err := os.Create(o.dump)
		if err != nil {
			return fmt.Errorf("dump: %w", err)
		}
		defer f.Close()
		dump = json.NewEncoder(f)
	}

	fopts := fields.Options{Language: o.language, InferMissing: o.infer}
	type perSource struct {
		keys              []string
		ours, base        []outcome
		failed, ocrFailed int
		pages             int
		took              time.Duration
	}
	bySource := map[string]*perSource{}
	var sources []string
	var fieldsTime time.Duration
	for i, it := range items {
		schema, err := schemaOf(it.Kind)
		if err != nil {
			return fmt.Errorf("%s %s: %w", it.Source, it.ID, err)
		}
		ps := bySource[it.Source]
		if ps == nil {
			ps = &perSource{keys: keysOf(schema)}
			bySource[it.Source] = ps
			sources = append(sources, it.Source)
		}
		r := readings[i]
		e := fromItem(it)
		var res fields.Result
		if r.err != nil {
			ps.failed++
			fmt.Fprintf(stderr, "%s %s: %v\n", it.Source, it.ID, r.err)
		} else {
			t0 := time.Now()
			res = fields.Extract(r.doc, schema, fopts)
			fieldsTime += time.Since(t0)
			ps.pages += len(r.doc.Pages)
		}
		ps.took += r.took
		out := score(e, res.Values, res.Confidence)
		ps.ours = append(ps.ours, out)
		if r.baseErr != nil {
			ps.ocrFailed++
		}
		ps.base = append(ps.base, score(e, baselineOf(it.Kind, r.baseText), nil))
		if dump != nil {
			for _, k := range ps.keys {
				f, ok := out.fields[k]
				if !ok {
					continue
				}
				rec := dumpRecord{Source: it.Source, ID: it.ID, Split: it.Split, Kind: it.Kind, Field: k,
					Expected: it.Truth[k], Got: f.got, Confidence: f.conf, Right: f.right}
				if err := dump.Encode(rec); err != nil {
					return fmt.Errorf("dump: %w", err)
				}
			}
		}
	}

	fmt.Fprintf(stdout, "\n%s split of %s: %d documents; docparse in process (language %q, infer_missing %v, OCR languages %v); fields.Extract %.1f ms in all\n",
		o.split, strings.Join(o.data, ", "), len(items), o.language, o.infer, langsOrDefault(eng, xopts.Languages), float64(fieldsTime.Microseconds())/1000)
	for _, s := range sources {
		ps := bySource[s]
		so, sb := summarise(ps.ours), summarise(ps.base)
		fmt.Fprintf(stdout, "\nsource %s: %d documents, %d pages", s, len(ps.ours), ps.pages)
		if ps.failed > 0 {
			fmt.Fprintf(stdout, ", %d the engine could not read", ps.failed)
		}
		if ps.ocrFailed > 0 {
			fmt.Fprintf(stdout, ", %d the baseline could not read", ps.ocrFailed)
		}
		fmt.Fprintln(stdout)
		printSourceTable(stdout, ps.keys, so, sb)
		printReview(stdout, so)
		printCalibration(stdout, "  calibration, values found:", so)
		if o.verbose {
			fmt.Fprintf(stdout, "  failures (id, field, expected, got, confidence):\n")
			for _, out := range ps.ours {
				for _, k := range ps.keys {
					f, ok := out.fields[k]
					if !ok || f.right {
						continue
					}
					fmt.Fprintf(stdout, "    %-10s %-14s %-32q %-32s %.3f\n", out.name, k, fmt.Sprint(f.want), gotString(f.got), f.conf)
				}
			}
		}
	}
	return nil
}

// gotString prints a found value, or "-" when there is none.
func gotString(v any) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%q", fmt.Sprint(v))
}

func langsOrDefault(eng *extract.Engine, langs []string) []string {
	if len(langs) > 0 {
		return langs
	}
	l, _ := eng.OCRLanguages()
	return l
}

// fromItem is the expectation of a dataset item: its truth.
func fromItem(it dataset.Item) expected {
	e := expected{name: it.ID, scalars: map[string]any{}}
	for k, v := range it.Truth {
		e.scalars[k] = v
	}
	return e
}

// readAll reads every item with the engine (through the cache, when there
// is one) and with the baseline's tool, jobs at a time, printing progress
// to stderr. It stops early when ctx ends.
func readAll(ctx context.Context, eng *extract.Engine, cache *doccache.Cache, xopts extract.ExtractOptions, items []dataset.Item, jobs int, stderr io.Writer) []reading {
	out := make([]reading, len(items))
	next := make(chan int)
	var mu sync.Mutex
	done, hits := 0, 0
	start := time.Now()
	var wg sync.WaitGroup
	for range max(jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = readOne(ctx, eng, cache, xopts, items[i])
				mu.Lock()
				done++
				if out[i].cached {
					hits++
				}
				if !out[i].cached || done%50 == 0 || done == len(items) {
					fmt.Fprintf(stderr, "\r[%d/%d] %s %s %.1f s (%d from the cache, %.0f s in all)   ",
						done, len(items), items[i].Source, items[i].ID, out[i].took.Seconds(), hits, time.Since(start).Seconds())
				}
				mu.Unlock()
			}
		}()
	}
	for i := range items {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	fmt.Fprintln(stderr)
	return out
}

// readOne reads one item with the engine and the baseline's tool.
func readOne(ctx context.Context, eng *extract.Engine, cache *doccache.Cache, xopts extract.ExtractOptions, it dataset.Item) reading {
	var r reading
	t0 := time.Now()
	head := make([]byte, 4096)
	f, err := os.Open(it.File)
	if err != nil {
		r.err, r.baseErr = err, err
		return r
	}
	n, _ := io.ReadFull(f, head)
	f.Close()
	kind, _ := extract.Sniff(head[:n], filepath.Base(it.File))
	read := func() (*extract.Document, error) { return eng.ExtractWith(ctx, it.File, kind, xopts) }
	readBase := func() (string, error) { return baselineFileText(ctx, it.File) }
	if cache == nil {
		r.doc, r.err = read()
		r.baseText, r.baseErr = readBase()
	} else {
		sum, err := doccache.FileSum(it.File)
		if err != nil {
			r.err, r.baseErr = err, err
			return r
		}
		var c1, c2 bool
		r.doc, c1, r.err = cache.Extract(sum, read)
		r.baseText, c2, r.baseErr = cache.Text(sum, "baseline", readBase)
		r.cached = c1 && c2
	}
	r.took = time.Since(t0)
	return r
}

// baselineFileText is the baseline's text of a file: `pdftotext -layout`
// for a PDF, plain `tesseract FILE -` (its default language, no
// preprocessing) for anything else.
func baselineFileText(ctx context.Context, path string) (string, error) {
	if strings.EqualFold(filepath.Ext(path), ".pdf") {
		text, _, err := baselineText(ctx, path)
		return text, err
	}
	if strings.EqualFold(filepath.Ext(path), ".txt") {
		b, err := os.ReadFile(path)
		return string(b), err
	}
	out, err := exec.CommandContext(ctx, "tesseract", path, "-").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("tesseract %s: %s: %w", path, strings.TrimSpace(string(ee.Stderr)), err)
		}
		return "", fmt.Errorf("tesseract %s: %w", path, err)
	}
	return string(out), nil
}

// Command train fits the learned scorer of internal/fields on the
// training split of labelled documents, and writes what the repository
// commits: the samples (every candidate's features and whether it was
// right, no document text) and the models fitted on them.
//
//	go run ./bench/train -data DIR[,DIR...] [-cache DIR] [-ocr-languages eng] [-ocr-models DIR] [-j 2]
//
// DIR is a dataset laid out by `go run ./bench/dataset` (see its README);
// only items of the "train" split are read. -cache keeps what the engine
// read of each file (OCR is slow), keyed like bench/accuracy's, so that
// the two share one cache. With -ocr-models (scripts/ocr-models.sh), the
// images those models read are read by Tesseract too: the models'
// readings train models of their own, as the service reads with either.
// It writes internal/fields/testdata/scorer_samples.gz and
// internal/fields/scorer_model.go (run it from the module root);
// `go test ./internal/fields -run TestScorerModel` then checks that the
// model is what the samples give.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/docparse/docparse/bench/internal/dataset"
	"github.com/docparse/docparse/bench/internal/doccache"
	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/fields/synth"
	"github.com/docparse/docparse/internal/fields/truth"
)

func main() { harness.Main("train", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := harness.FlagSet("train", stderr)
	var data dataset.Dirs
	fs.Var(&data, "data", "dataset directories, comma-separated (required)")
	cache := fs.String("cache", "", "directory caching what the engine read of each document (bench/internal/doccache; shared with bench/accuracy -cache)")
	ocrLangs := fs.String("ocr-languages", "", "comma-separated OCR languages, as bench/accuracy's -ocr-languages (default: the engine's)")
	workers := fs.Int("j", 2, "documents extracted at once")
	ocrModels := fs.String("ocr-models", "", "OCR models directory, as bench/accuracy's -ocr-models")
	out := fs.String("out", "internal/fields", "the fields package directory to write to")
	nSynth := fs.Int("synthetic", 300, "synthetic invoices (internal/fields/synth, training seed) added to the real documents")
	winnersOut := fs.String("winners", "", "write what the cross-fitted models chose for each field of each training document to this file, a JSON line each (the training split's errors, to study before the validation split)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("-data is required: lay a dataset out with go run ./bench/dataset")
	}
	items, err := dataset.ReadAll(data, dataset.Train)
	if err != nil {
		return err
	}
	var xopts extract.ExtractOptions
	if *ocrLangs != "" {
		xopts.Languages = strings.Split(*ocrLangs, ",")
	}
	// One reader: Tesseract. With -ocr-models, the images the models read
	// are read by both, and each reading is a training document: the
	// models' readings train the scorer's models of their own
	// ("amount:total@models"), Tesseract's the plain ones, which also rank
	// text PDFs and the synthetic invoices.
	tess, err := newReader(ctx, extract.Config{CacheDir: doccache.PDFiumCacheDir(), Workers: *workers}, xopts, *cache, stderr)
	if err != nil {
		return err
	}
	defer tess.close()
	readers := []*reader{tess}
	if *ocrModels != "" {
		models, err := newReader(ctx, extract.Config{CacheDir: doccache.PDFiumCacheDir(), Workers: *workers, OCRModels: *ocrModels}, xopts, *cache, stderr)
		if err != nil {
			return err
		}
		defer models.close()
		readers = append(readers, models)
	}

	// Documents are read by the last reader first; an earlier one reads
	// only what the models read (a page whose OCR pass is theirs).
	type job struct {
		item int
		doc  *extract.Document
	}
	var (
		jobs   []job
		mu     sync.Mutex
		done   int
		failed []string
		wg     sync.WaitGroup
	)
	next := make(chan int)
	for range max(*workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				it := items[i]
				var read []job
				var errs []error
				for r := len(readers) - 1; r >= 0; r-- {
					if r < len(readers)-1 && (len(read) == 0 || !read[0].doc.ReadByModels()) {
						break
					}
					doc, err := readers[r].read(it.File)
					if err != nil {
						errs = append(errs, err)
						break
					}
					read = append(read, job{item: i, doc: doc})
				}
				mu.Lock()
				done++
				if err := errors.Join(errs...); err != nil {
					failed = append(failed, fmt.Sprintf("%s %s: %v", it.Source, it.ID, err))
				}
				jobs = append(jobs, read...)
				fmt.Fprintf(stderr, "\r%d/%d documents", done, len(items))
				mu.Unlock()
			}
		}()
	}
	for i := range items {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	fmt.Fprintln(stderr)
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, f := range failed {
		fmt.Fprintln(stderr, "not read:", f)
	}
	slices.SortStableFunc(jobs, func(a, b job) int { return a.item - b.item })
	samples := make([][]fields.Sample, len(jobs))
	for j, jb := range jobs {
		samples[j] = label(j, items[jb.item], jb.doc)
	}
	synthItems, synthDocs := synthetic(*nSynth)
	for i, it := range synthItems {
		samples = append(samples, label(len(jobs)+i, it, synthDocs[i]))
	}
	all := slices.Concat(samples...)
	// The calibration curves are fitted on what models choose on real
	// documents they were not fitted on: the real documents fall in
	// `folds` groups; the models fitted without a group (synthetic
	// invoices included) choose on it. Synthetic invoices are read right
	// far more often than real ones and would make real values look
	// surer than they are, so they calibrate nothing.
	var winners []fields.Winner
	var chosen []choice
	for k := range folds {
		var in []fields.Sample
		for j := range samples {
			if j >= len(jobs) || jobs[j].item%folds != k {
				in = append(in, samples[j]...)
			}
		}
		sc := fields.FitScorer(in, nil)
		for _, jb := range jobs {
			if jb.item%folds == k {
				ws, cs := choose(items[jb.item], jb.doc, sc)
				winners = append(winners, ws...)
				chosen = append(chosen, cs...)
			}
		}
	}

	if *winnersOut != "" {
		if err := writeChoices(*winnersOut, chosen); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := fields.WriteSamples(&buf, all, winners); err != nil {
		return err
	}
	samplesPath := filepath.Join(*out, "testdata", "scorer_samples.gz")
	if err := os.WriteFile(samplesPath, buf.Bytes(), 0o644); err != nil {
		return err
	}
	// Fit on the samples as written (features rounded), so that the
	// test can refit them and get the same model.
	back, wback, err := fields.ReadSamples(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return err
	}
	models := fields.FitScorer(back, wback)
	modelPath := filepath.Join(*out, "scorer_model.go")
	if err := os.WriteFile(modelPath, fields.RenderScorerModel(models), 0o644); err != nil {
		return err
	}
	counts := map[string][2]int{}
	for _, s := range back {
		c := counts[s.Kind]
		c[0]++
		if s.Right {
			c[1]++
		}
		counts[s.Kind] = c
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	fmt.Fprintf(stdout, "%d training documents (%d readings) and %d synthetic invoices, %d candidates\n", len(items)-len(failed), len(jobs), *nSynth, len(back))
	fitted := map[string]bool{}
	for _, m := range models.Models() {
		fitted[m] = true
	}
	for _, k := range kinds {
		fmt.Fprintf(stdout, "  %-22s %6d candidates, %5d right, model: %-5v curve: %v\n", k, counts[k][0], counts[k][1], fitted[k], models.HasCurve(k))
	}
	// What the cross-fitted models chose: how often they were right, and
	// how often when the calibrated confidence was 0.7 or more.
	type tally struct{ n, right, sure, sureRight int }
	picked := map[string]*tally{}
	var names []string
	for _, wn := range wback {
		t := picked[wn.Model]
		if t == nil {
			t = &tally{}
			picked[wn.Model] = t
			names = append(names, wn.Model)
		}
		t.n++
		if wn.Right {
			t.right++
		}
		if models.Calibrated(wn.Model, wn.P) >= 0.7 {
			t.sure++
			if wn.Right {
				t.sureRight++
			}
		}
	}
	slices.Sort(names)
	fmt.Fprintln(stdout, "cross-fitted winners on the real training documents:")
	for _, m := range names {
		t := picked[m]
		fmt.Fprintf(stdout, "  %-22s %4d chosen, %5.1f%% right; confidence >= 0.7: %4d, %5.1f%% right\n", m, t.n, pct(t.right, t.n), t.sure, pct(t.sureRight, t.sure))
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", samplesPath, modelPath)
	return nil
}

// reader reads documents with one engine, through the cache when there
// is one.
type reader struct {
	ctx   context.Context
	eng   *extract.Engine
	cache *doccache.Cache
	opts  extract.ExtractOptions
}

func newReader(ctx context.Context, cfg extract.Config, opts extract.ExtractOptions, cacheDir string, stderr io.Writer) (*reader, error) {
	eng, err := extract.NewEngine(cfg)
	if err != nil {
		return nil, err
	}
	r := &reader{ctx: ctx, eng: eng, opts: opts}
	if cacheDir != "" {
		c, key, err := doccache.OpenForModule(ctx, cacheDir, opts, cfg.OCRModels)
		if err != nil {
			eng.Close()
			return nil, err
		}
		fmt.Fprintf(stderr, "document cache %s, engine key %s\n", cacheDir, key)
		r.cache = c
	}
	return r, nil
}

func (r *reader) read(path string) (*extract.Document, error) {
	extractFile := func() (*extract.Document, error) {
		head, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		kind, _ := extract.Sniff(head[:min(len(head), 4096)], filepath.Base(path))
		return r.eng.ExtractWith(r.ctx, path, kind, r.opts)
	}
	if r.cache == nil {
		return extractFile()
	}
	sum, err := doccache.FileSum(path)
	if err != nil {
		return nil, err
	}
	doc, _, err := r.cache.Extract(sum, extractFile)
	return doc, err
}

func (r *reader) close() { r.eng.Close() }

// label returns the scorer's candidates for doc, each marked right when it
// equals the item's truth for its field. Fields without truth are left
// out: nothing says whether their candidates are right.
//
// The candidates of one field of document n form one group.
func label(n int, it dataset.Item, doc *extract.Document) []fields.Sample {
	var out []fields.Sample
	for k, c := range fields.TrainingCandidates(doc, dataset.Schema(it.Kind), readerOptions(doc)) {
		want, ok := it.Truth[c.Path]
		if !ok || want == "" {
			continue
		}
		for i, v := range c.Values {
			out = append(out, fields.Sample{Kind: c.Kind, Group: n*maxFields + k, Features: c.Features[i], Right: truth.Correct(c.Path, want, v)})
		}
	}
	return out
}

// readerOptions are the options the service reads doc's fields with: the
// OCR models read only for extractions in English (pipeline.OCRLanguages),
// and the language decides how an ambiguous date is read.
func readerOptions(doc *extract.Document) fields.Options {
	if doc.ReadByModels() {
		return fields.Options{Language: "English"}
	}
	return fields.Options{}
}

// maxFields is more than the fields of any schema of the dataset.
const maxFields = 100

// folds is how many groups of documents the calibration is cross-fitted
// in.
const folds = 5

// synthKeys maps the invoice schema's keys (dataset.Schema) to the
// synthetic generator's.
var synthKeys = map[string]string{
	"invoice_number": synth.KeyNumber, "date": synth.KeyDate, "due_date": synth.KeyDue,
	"seller_name": synth.KeySeller, "seller_vat_id": synth.KeyVATID, "buyer_name": synth.KeyBuyer,
	"total": synth.KeyTotal, "net": synth.KeySubtotal, "tax": synth.KeyTax, "iban": synth.KeyIBAN,
}

// synthetic returns n synthetic invoices of the training seed as items,
// with the values their pages show as truth, and their documents.
func synthetic(n int) ([]dataset.Item, []*extract.Document) {
	var items []dataset.Item
	var docs []*extract.Document
	for _, d := range synth.Generate(synth.TrainSeed, n) {
		it := dataset.Item{Kind: dataset.KindInvoice, Truth: map[string]string{}}
		exp := d.Expected()
		for key, sk := range synthKeys {
			switch v := exp[sk].(type) {
			case string:
				it.Truth[key] = v
			case float64:
				it.Truth[key] = strconv.FormatFloat(v, 'f', 2, 64)
			}
		}
		items = append(items, it)
		docs = append(docs, d.Document())
	}
	return items, docs
}

// choice is one line of -winners: what a cross-fitted model chose.
type choice struct {
	ID     string  `json:"id"`
	Models bool    `json:"read_by_models"`
	Field  string  `json:"field"`
	Curve  string  `json:"curve"`
	Want   string  `json:"want"`
	Got    any     `json:"got"`
	P      float64 `json:"p"`
	Right  bool    `json:"right"`
}

func writeChoices(path string, cs []choice) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, c := range cs {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// choose returns what the scorer sc (its weights, no curves) chose for
// each field of doc that has truth and a model: the probability of the
// winner and whether it was right, and the same with the values.
func choose(it dataset.Item, doc *extract.Document, sc *fields.Scorer) ([]fields.Winner, []choice) {
	schema := dataset.Schema(it.Kind)
	opts := readerOptions(doc)
	opts.Scorer = sc
	res := fields.Extract(doc, schema, opts)
	keys := sc.ModelKeysFor(doc, schema)
	curves := sc.CurveKeysFor(doc, schema)
	has := map[string]bool{}
	for _, m := range sc.Models() {
		has[m] = true
	}
	var out []fields.Winner
	var cs []choice
	for _, f := range schema {
		want, ok := it.Truth[f.Key]
		got := res.Values[f.Key]
		if !ok || want == "" || got == nil || !has[keys[f.Key]] {
			continue
		}
		p, _ := res.Confidence[f.Key].(float64)
		w := fields.Winner{Model: curves[f.Key], P: p, Right: truth.Correct(f.Key, want, got)}
		out = append(out, w)
		cs = append(cs, choice{ID: it.ID, Models: doc.ReadByModels(), Field: f.Key, Curve: w.Model, Want: want, Got: got, P: p, Right: w.Right})
	}
	return out, cs
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Command accuracy measures how well docparse fills a generic invoice
// schema, through the real service, and compares it with a baseline.
//
//	go run ./bench/accuracy [-corpus DIR] [-db sqlite|postgres] [-bin PATH] [-synthetic 300] [-repeat 3] [-v]
//
// It builds ./cmd/docparse (or takes -bin), starts `docparse serve` on
// 127.0.0.1 with a fresh SQLite data directory or PostgreSQL schema,
// creates an extraction with one generic invoice schema (schemaJSON:
// invoice_number, date, amount, amount_untaxed, amount_tax, vat,
// partner_name, iban, and lines with description, quantity, unit_price,
// amount), uploads every document of -corpus (its PDFs and text files,
// each next to a JSON of expected values) in one batch, waits for it,
// reads every file's result and confidences, and prints:
//
//   - per-field exact-match accuracy after normalisation (see normalise),
//     and line-item row recall, next to the baseline's: `pdftotext
//     -layout` and one regular expression per field (baseline.go);
//   - the calibration table: how often the values found are right, per
//     confidence band, and the precision at confidence >= 0.7;
//   - the same calibration table on -synthetic held-out invoices
//     (internal/fields/synth with a seed the calibration never saw),
//     uploaded as text files through the same service;
//   - pages per second end to end, on the server the corpus batch warmed
//     up: the whole corpus uploaded -repeat times (the engine OCRs the
//     images, logos included, that some PDFs carry), then the PDFs that
//     pdfimages lists no image in, repeated to 30 files; from the first
//     upload to the last batch's completed_at.
//
// With -local it skips the server and runs internal/extract and
// internal/fields in this process: the same scores, for developing the
// matcher.
//
// With -data DIR (datasets laid out by ./bench/dataset) it scores the
// datasets' -split instead, in process, per source and per field, next to
// a naive baseline (see runData and README.md); -corpus as well runs both.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/docparse/docparse/bench/internal/dataset"
	"github.com/docparse/docparse/bench/internal/doccache"
	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/fields/synth"
)

func main() { harness.Main("accuracy", run) }

type options struct {
	corpus    string
	db        string
	bin       string
	local     bool
	synthetic int
	seed      int64
	repeat    int
	infer     bool
	language  string
	verbose   bool
	failures  int

	data         dataset.Dirs // dataset directories (bench/dataset)
	split        string
	cache        string
	jobs         int
	dump         string
	ocrLanguages string
	ocrModels    string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := harness.FlagSet("accuracy", stderr)
	var o options
	fs.StringVar(&o.corpus, "corpus", "", "directory of documents with expected JSON (default ../shared/corpus/invoice2data from the module root)")
	fs.StringVar(&o.db, "db", "sqlite", "sqlite or postgres")
	fs.StringVar(&o.bin, "bin", "", "docparse binary (default: go build ./cmd/docparse)")
	fs.BoolVar(&o.local, "local", false, "extract in this process, without the server (for developing the matcher)")
	fs.IntVar(&o.synthetic, "synthetic", 300, "held-out synthetic invoices to score (0: none)")
	fs.Int64Var(&o.seed, "seed", synth.HeldOutSeed, "seed of the synthetic invoices (the calibration uses synth.TrainSeed)")
	fs.IntVar(&o.repeat, "repeat", 2, "upload the corpus this many times more for pages/s on a warm server (0: skip)")
	fs.BoolVar(&o.infer, "infer-missing", true, "the extraction's infer_missing option")
	fs.StringVar(&o.language, "language", "Multi-Lingual", "the extraction's language")
	fs.BoolVar(&o.verbose, "v", false, "print every scored field of every document")
	fs.IntVar(&o.failures, "failures", 0, "print up to this many wrong synthetic readings per field, with the document")
	fs.Var(&o.data, "data", "dataset directory laid out by bench/dataset (repeatable, or comma-separated); without -corpus, only the datasets are scored")
	fs.StringVar(&o.split, "split", dataset.Validation, "split of the datasets to score: validation or train")
	fs.StringVar(&o.cache, "cache", "", "directory caching what the engine and the baseline read from each dataset document (OCR), keyed by file and engine")
	fs.IntVar(&o.jobs, "j", 2, "datasets: documents read at once")
	fs.StringVar(&o.dump, "dump", "", "datasets: write every scored field as a JSON line to this file")
	fs.StringVar(&o.ocrLanguages, "ocr-languages", "", "datasets: comma-separated OCR languages (default: as the service does for -language)")
	fs.StringVar(&o.ocrModels, "ocr-models", "", "datasets: OCR models directory (scripts/ocr-models.sh) to read images with instead of Tesseract")
	if err := fs.Parse(args); err != nil {
		return err
	}
	corpusSet := false
	fs.Visit(func(f *flag.Flag) { corpusSet = corpusSet || f.Name == "corpus" })
	if o.split != dataset.Validation && o.split != dataset.Train {
		return fmt.Errorf("-split %q: want %s or %s", o.split, dataset.Validation, dataset.Train)
	}
	if len(o.data) > 0 {
		if err := runData(ctx, o, stdout, stderr); err != nil {
			return err
		}
		if !corpusSet {
			return nil
		}
		fmt.Fprintln(stdout)
	}
	if o.corpus == "" {
		root, err := harness.ModuleRoot(ctx)
		if err != nil {
			return err
		}
		o.corpus = filepath.Join(root, "..", "shared", "corpus", "invoice2data")
	}
	exps, docs, err := loadCorpus(o.corpus)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "corpus %s: %d documents\n", o.corpus, len(exps))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(stdout, "load average at start: %s\n", strings.Join(strings.Fields(string(la))[:3], " "))
	}
	synthDocs := synth.Generate(o.seed, o.synthetic)

	var ours, synthOuts []outcome
	var thr string
	if o.local {
		ours, synthOuts, err = runLocal(ctx, o, exps, docs, synthDocs, stdout)
	} else {
		ours, synthOuts, thr, err = runService(ctx, o, exps, docs, synthDocs, stdout)
	}
	if err != nil {
		return err
	}

	base, baseTime, err := runBaseline(ctx, exps, docs)
	if err != nil {
		return err
	}
	so, sb := summarise(ours), summarise(base)
	fmt.Fprintf(stdout, "\nper-field exact-match accuracy after normalisation, %d documents (docparse: language %q, infer_missing %v)\n", len(exps), o.language, o.infer)
	printComparison(stdout, []string{"docparse", "pdftotext+regex"}, []summary{so, sb})
	if o.verbose {
		fmt.Fprintln(stdout, "\ndocparse, per document:")
		printDetails(stdout, ours)
		fmt.Fprintln(stdout, "\nbaseline, per document:")
		printDetails(stdout, base)
	}
	fmt.Fprintln(stdout)
	printCalibration(stdout, "calibration on the corpus (held out: never used to fit), scalar values found:", so)
	if len(synthOuts) > 0 {
		ss := summarise(synthOuts)
		var baseSynth []outcome
		for _, d := range synthDocs {
			baseSynth = append(baseSynth, score(fromSynth(d), baselineExtract(d.Text()), nil))
		}
		fmt.Fprintf(stdout, "\nheld-out synthetic invoices (seed %d, %d text documents, never used to fit), same scoring\n", o.seed, len(synthOuts))
		printComparison(stdout, []string{"docparse", "regex baseline"}, []summary{ss, summarise(baseSynth)})
		fmt.Fprintln(stdout)
		printCalibration(stdout, "calibration on the held-out synthetic invoices, scalar values found:", ss)
		if o.failures > 0 {
			texts := map[string]string{}
			for _, d := range synthDocs {
				texts[d.Name] = d.Text()
			}
			printFailures(stdout, synthOuts, texts, o.failures)
		}
	}
	fmt.Fprintln(stdout)
	if thr != "" {
		fmt.Fprint(stdout, thr)
	}
	fmt.Fprintf(stdout, "baseline: pdftotext -layout took %.2f s for the corpus\n", baseTime.Seconds())
	return nil
}

// runBaseline scores pdftotext -layout + regular expressions.
func runBaseline(ctx context.Context, exps []expected, docs map[string]string) ([]outcome, time.Duration, error) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return nil, 0, errors.New("pdftotext not found: apt-get install -y poppler-utils")
	}
	var outs []outcome
	var total time.Duration
	for _, e := range exps {
		text, d, err := baselineText(ctx, docs[e.name])
		if err != nil {
			return nil, 0, err
		}
		total += d
		outs = append(outs, score(e, baselineExtract(text), nil))
	}
	return outs, total, nil
}

// schemaFields is schemaJSON as the domain's fields, for -local.
func schemaFields() []docparse.Field {
	var conv func(ms []map[string]any) []docparse.Field
	conv = func(ms []map[string]any) []docparse.Field {
		var out []docparse.Field
		for _, m := range ms {
			f := docparse.Field{Key: m["key"].(string), Type: docparse.FieldType(m["type"].(string))}
			f.Description, _ = m["description"].(string)
			if kids, ok := m["fields"].([]map[string]any); ok {
				f.Fields = conv(kids)
			}
			out = append(out, f)
		}
		return out
	}
	return conv(schemaJSON)
}

// runLocal extracts in this process.
func runLocal(ctx context.Context, o options, exps []expected, docs map[string]string, synthDocs []synth.Doc, stdout io.Writer) ([]outcome, []outcome, error) {
	eng, err := extract.NewEngine(extract.Config{CacheDir: doccache.PDFiumCacheDir()})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	schema := schemaFields()
	opts := fields.Options{Language: o.language, InferMissing: o.infer}
	var outs []outcome
	var engineTime, fieldsTime time.Duration
	pages := 0
	for _, e := range exps {
		path := docs[e.name]
		head, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		kind, _ := extract.Sniff(head[:min(len(head), 4096)], filepath.Base(path))
		t0 := time.Now()
		doc, err := eng.Extract(ctx, path, kind)
		if err != nil {
			return nil, nil, fmt.Errorf("extract %s: %w", path, err)
		}
		t1 := time.Now()
		res := fields.Extract(doc, schema, opts)
		engineTime += t1.Sub(t0)
		fieldsTime += time.Since(t1)
		pages += len(doc.Pages)
		outs = append(outs, score(e, res.Values, res.Confidence))
	}
	fmt.Fprintf(stdout, "[local] corpus, %d pages, one at a time: internal/extract %.0f ms, fields.Extract %.1f ms (%.2f ms a page; the first call includes warming up)\n",
		pages, float64(engineTime.Microseconds())/1000, float64(fieldsTime.Microseconds())/1000, float64(fieldsTime.Microseconds())/1000/float64(pages))
	var sOuts []outcome
	for _, d := range synthDocs {
		res := fields.Extract(textDocument(d.Text()), schema, opts)
		sOuts = append(sOuts, score(fromSynth(d), res.Values, res.Confidence))
	}
	return outs, sOuts, nil
}

// textDocument lays text out as extract does for a text file: one line a
// text line, 6 x 12 points a character.
func textDocument(text string) *extract.Document {
	page := extract.Page{Number: 1}
	for i, raw := range strings.Split(text, "\n") {
		l := extract.Line{Text: raw}
		col := 0
		for _, f := range strings.Split(raw, " ") {
			if n := len([]rune(f)); n > 0 {
				l.Words = append(l.Words, extract.Word{Text: f, Conf: 1,
					Box: extract.Box{X0: float64(col) * 6, Y0: float64(i) * 12, X1: float64(col+n) * 6, Y1: float64(i+1) * 12}})
			}
			col += len([]rune(f)) + 1
		}
		page.Lines = append(page.Lines, l)
	}
	return &extract.Document{Pages: []extract.Page{page}}
}

// fromSynth is a synthetic invoice's expectation: what its page shows,
// of the generic schema's scalar keys.
func fromSynth(d synth.Doc) expected {
	e := expected{name: d.Name, scalars: map[string]any{}, hasRows: len(d.Items) > 0}
	exp := d.Expected()
	for _, k := range scalarKeys {
		if v, ok := exp[k]; ok {
			e.scalars[k] = v
		}
	}
	for _, it := range d.Items {
		r := expRow{texts: []string{it.Description}}
		if it.ShowsAmount {
			r.prices = append(r.prices, it.Amount)
		}
		e.rows = append(e.rows, r)
	}
	return e
}

// runService runs everything through `docparse serve`.
func runService(ctx context.Context, o options, exps []expected, docs map[string]string, synthDocs []synth.Doc, stdout io.Writer) (ours, synthOuts []outcome, thr string, err error) {
	w, err := harness.Prepare(ctx, "", "docparse-accuracy-", o.bin, io.Discard)
	if err != nil {
		return nil, nil, "", err
	}
	defer w.Close()
	inst, err := w.Launch(ctx, harness.LaunchOptions{Engine: o.db, Label: "accuracy", Accounts: []string{"acct_accuracy"},
		Args: []string{"--rate-limit", "1000000", "--rate-burst", "1000000"}})
	if err != nil {
		return nil, nil, "", err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	c := api{inst.Client(0)}
	ext, err := c.createExtraction(ctx, o.language, o.infer)
	if err != nil {
		return nil, nil, "", err
	}

	// The corpus, in one batch.
	var parts []harness.Part
	for _, e := range exps {
		p, err := harness.FilePart(docs[e.name], e.name)
		if err != nil {
			return nil, nil, "", err
		}
		parts = append(parts, p)
	}
	br, err := c.runBatches(ctx, ext, parts, true)
	if err != nil {
		return nil, nil, "", err
	}
	fmt.Fprintf(stdout, "[%s] corpus batch: %d files, %d pages in %.2f s end to end (%.1f pages/s), file statuses %v\n",
		o.db, len(parts), br.pages, br.elapsed.Seconds(), float64(br.pages)/br.elapsed.Seconds(), br.status)
	for _, e := range exps {
		r := br.results[e.name]
		ours = append(ours, score(e, r.Result, r.Confidence))
	}

	// Held-out synthetic invoices, as text files.
	if len(synthDocs) > 0 {
		var sp []harness.Part
		for _, d := range synthDocs {
			sp = append(sp, harness.BytesPart(d.Name, []byte(d.Text())))
		}
		sr, err := c.runBatches(ctx, ext, sp, true)
		if err != nil {
			return nil, nil, "", err
		}
		fmt.Fprintf(stdout, "[%s] synthetic batches: %d text files in %.2f s end to end, file statuses %v\n",
			o.db, len(sp), sr.elapsed.Seconds(), sr.status)
		for _, d := range synthDocs {
			r := sr.results[d.Name]
			synthOuts = append(synthOuts, score(fromSynth(d), r.Result, r.Confidence))
		}
	}

	// Throughput, on a warm server: every corpus document -repeat times
	// (OCR of the images some PDFs carry included), then the PDFs without
	// any image, repeated to at least 30 files: the corpus batch's parts
	// under other names.
	if o.repeat > 0 {
		var all, plain, textOnly []harness.Part
		var names []string
		for i, e := range exps {
			for r := range o.repeat {
				all = append(all, renamed(parts[i], fmt.Sprintf("%d-%s", r, e.name)))
			}
			if path := docs[e.name]; strings.HasSuffix(path, ".pdf") && textLayerOnly(ctx, path) {
				names = append(names, e.name)
				textOnly = append(textOnly, parts[i])
			}
		}
		for i := 0; len(textOnly) > 0 && len(plain) < 30; i++ {
			p := textOnly[i%len(textOnly)]
			plain = append(plain, renamed(p, fmt.Sprintf("plain-%d-%s", i, p.Name)))
		}
		tr, err := c.runBatches(ctx, ext, all, false)
		if err != nil {
			return nil, nil, "", err
		}
		thr = fmt.Sprintf("[%s] throughput, whole corpus x %d = %d files, %d pages in %.2f s end to end: %.1f pages/s (PDFs with images are OCRed)\n",
			o.db, o.repeat, len(all), tr.pages, tr.elapsed.Seconds(), float64(tr.pages)/tr.elapsed.Seconds())
		if len(plain) > 0 {
			pr, err := c.runBatches(ctx, ext, plain, false)
			if err != nil {
				return nil, nil, "", err
			}
			thr += fmt.Sprintf("[%s] throughput, text-layer PDFs without images (%s) repeated to %d files, %d pages in %.2f s end to end: %.1f pages/s (goal >= 50)\n",
				o.db, strings.Join(names, ", "), len(plain), pr.pages, pr.elapsed.Seconds(), float64(pr.pages)/pr.elapsed.Seconds())
		}
	}
	return ours, synthOuts, thr, nil
}

// renamed returns p uploaded under the file name name.
func renamed(p harness.Part, name string) harness.Part {
	p.Name = name
	return p
}

// textLayerOnly reports whether pdfimages lists no image in the PDF: its
// text comes from the text layer alone, with no OCR.
func textLayerOnly(ctx context.Context, path string) bool {
	out, err := exec.CommandContext(ctx, "pdfimages", "-list", path).Output()
	if err != nil {
		return false
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return len(lines) <= 2 // the header and its rule
}

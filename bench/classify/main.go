// Command classify measures the document classifier (internal/classify)
// against the goals of issue #7.
//
//	go run ./bench/classify [-n 880] [-v]
//	go run ./bench/classify -e2e [-files 200] [-per 30] [-bin PATH]
//
// Without -e2e it runs in this process, on documents it generates (the
// held-out split of internal/classify/synth: a seed and templates the
// calibration never saw, eleven kinds, four languages, 30% with OCR-like
// noise) and on the real invoices of ../shared/corpus/invoice2data
// (text by `pdftotext -layout`), under the three category sets of
// synth.CategorySets (one of them, "french", never used in calibration),
// and prints:
//
//   - accuracy on files that belong to a category, the share of files that
//     fit none left unclassified (threshold 0.5), and the precision of
//     decisions with confidence >= 0.9;
//   - a reliability table: for every file, the best category and its
//     confidence (threshold 0), per confidence band;
//   - accuracy per kind of document;
//   - for the confusable pairs of synth.Pairs, accuracy on held-out files
//     of the pair before and after 10 corrections taken from the training
//     split;
//   - classifier-only speed: files/s on one goroutine and on GOMAXPROCS,
//     and the time to build a model with 10 examples.
//
// With -e2e it builds ./cmd/docparse (or takes -bin), starts `docparse
// serve` on 127.0.0.1 with a fresh SQLite data directory
// (bench/internal/harness), creates a classification with the "keywords"
// categories, writes -files held-out documents as one-page text PDFs,
// uploads them as classification batches of -per files, polls every batch
// to the end and prints files/s from the first upload to the last
// completed_at, and the accuracy of what the service answered.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/classify"
	"github.com/docparse/docparse/internal/classify/synth"
)

func main() { harness.Main("classify", run) }

type options struct {
	n       int
	corpus  string
	verbose bool
	e2e     bool
	files   int
	per     int
	bin     string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := harness.FlagSet("classify", stderr)
	var o options
	fs.IntVar(&o.n, "n", 880, "held-out synthetic documents (spread over 11 kinds)")
	fs.StringVar(&o.corpus, "corpus", "../shared/corpus/invoice2data", "directory of real invoices (PDF, text); the default is beside the repository, run from its root")
	fs.BoolVar(&o.verbose, "v", false, "print every wrong decision")
	fs.BoolVar(&o.e2e, "e2e", false, "measure files/s through the HTTP API instead")
	fs.IntVar(&o.files, "files", 200, "-e2e: files to upload")
	fs.IntVar(&o.per, "per", 30, "-e2e: files per batch")
	fs.StringVar(&o.bin, "bin", "", "-e2e: docparse binary (default: build ./cmd/docparse)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "machine: %s; GOMAXPROCS %d\n", harness.Machine(), runtime.GOMAXPROCS(0))
	if o.e2e {
		return runE2E(ctx, o, stdout)
	}
	return runLocal(o, stdout)
}

// doc is a document with the index of its true category, -1 for none.
type doc struct {
	name string
	kind string
	text string
	want int
}

func categories(set []synth.CategorySpec) []classify.Category {
	out := make([]classify.Category, len(set))
	for i, c := range set {
		out[i] = classify.Category{ID: fmt.Sprintf("cat_%d", i), Name: c.Name, Description: c.Description, Keywords: c.Keywords}
	}
	return out
}

func labelled(set []synth.CategorySpec, docs []synth.Doc) []doc {
	out := make([]doc, len(docs))
	for i, d := range docs {
		out[i] = doc{name: d.Name, kind: string(d.Kind), text: d.Text, want: synth.CategoryOf(set, d.Kind)}
	}
	return out
}

// realInvoices returns the texts of the corpus's PDFs (pdftotext -layout)
// and text files.
func realInvoices(dir string) ([]doc, error) {
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	txts, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	var out []doc
	for _, p := range pdfs {
		b, err := exec.Command("pdftotext", "-layout", p, "-").Output()
		if err != nil {
			return nil, fmt.Errorf("pdftotext %s: %w", p, err)
		}
		out = append(out, doc{name: filepath.Base(p), kind: "real invoice", text: string(b)})
	}
	for _, p := range txts {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, doc{name: filepath.Base(p), kind: "real invoice", text: string(b)})
	}
	return out, nil
}

// outcome is one decision: at the threshold (got) and the best category
// whatever its confidence (top).
type outcome struct {
	d         doc
	got, top  int
	conf      float64
	reasoning string
}

func classifyAll(m *classify.Model, cats []classify.Category, docs []doc) []outcome {
	idx := map[string]int{}
	for i, c := range cats {
		idx[c.ID] = i
	}
	out := make([]outcome, len(docs))
	for i, d := range docs {
		top := m.Classify(d.text, 0)
		o := outcome{d: d, got: -1, top: idx[top.CategoryID], conf: top.Confidence, reasoning: top.Reasoning}
		if top.Confidence >= 0.5 {
			o.got = o.top
		}
		out[i] = o
	}
	return out
}

// share is how many of some decisions were right.
type share struct{ right, of int }

// add counts one decision.
func (s *share) add(right bool) {
	s.of++
	if right {
		s.right++
	}
}

// String is "0.950 (19/20)", or "  -  " for no decision.
func (s share) String() string {
	if s.of == 0 {
		return "  -  "
	}
	return fmt.Sprintf("%.3f (%d/%d)", float64(s.right)/float64(s.of), s.right, s.of)
}

// tally is the figures of a set of decisions: files of a category put in
// it, files of none left unclassified, and decisions at confidence >= 0.9
// that are right.
type tally struct{ inCat, none, high share }

func count(os []outcome) tally {
	var t tally
	for _, o := range os {
		if o.d.want >= 0 {
			t.inCat.add(o.got == o.d.want)
		} else {
			t.none.add(o.got < 0)
		}
		if o.got >= 0 && o.conf >= 0.9 {
			t.high.add(o.got == o.d.want)
		}
	}
	return t
}

func runLocal(o options, w io.Writer) error {
	held := synth.Generate(synth.HeldOutSeed, synth.HeldOut, o.n)
	real, err := realInvoices(o.corpus)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out synthetic documents: %d (seed %d, held-out split), %d kinds; real invoices: %d (%s)\n\n", len(held), synth.HeldOutSeed, len(synth.Kinds), len(real), o.corpus)

	fmt.Fprintf(w, "%-9s  %-22s  %-26s  %-22s  %s\n", "set", "in-category accuracy", "no-category unclassified", "precision conf>=0.9", "real invoices right")
	var pooled []outcome
	perKind := map[string]share{}
	for _, name := range []string{"keywords", "terse", "french"} {
		set := synth.CategorySets[name]
		cats := categories(set)
		m := classify.NewModel(cats, nil)
		os := classifyAll(m, cats, labelled(set, held))
		pooled = append(pooled, os...)
		t := count(os)
		inv := synth.CategoryOf(set, synth.Invoice)
		for i := range real {
			real[i].want = inv
		}
		ro := classifyAll(m, cats, real)
		rt := count(ro)
		fmt.Fprintf(w, "%-9s  %-22s  %-26s  %-22s  %s\n", name, t.inCat, t.none, t.high, rt.inCat)
		for _, x := range os {
			k := perKind[x.d.kind]
			k.add(x.got == x.d.want)
			perKind[x.d.kind] = k
		}
		if o.verbose {
			for _, x := range append(os, ro...) {
				if x.got != x.d.want {
					fmt.Fprintf(w, "  %s: %s, want %d, got %d (%.2f): %s\n", name, x.d.name, x.d.want, x.got, x.conf, x.reasoning)
				}
			}
		}
	}

	fmt.Fprintf(w, "\nreliability, all three sets pooled (best category of every file, whatever its confidence):\n")
	fmt.Fprintf(w, "%-12s  %6s  %10s  %10s\n", "confidence", "files", "right", "mean conf")
	bands := []float64{0, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0001}
	for i := 0; i+1 < len(bands); i++ {
		n, right, sum := 0, 0, 0.0
		for _, x := range pooled {
			if x.conf >= bands[i] && x.conf < bands[i+1] {
				n++
				sum += x.conf
				if x.top == x.d.want {
					right++
				}
			}
		}
		mean := 0.0
		if n > 0 {
			mean = sum / float64(n)
		}
		fmt.Fprintf(w, "[%.2f,%.2f)   %6d  %10s  %10.3f\n", bands[i], min(bands[i+1], 1), n, pct(right, n), mean)
	}

	fmt.Fprintf(w, "\nper kind, all three sets pooled (right = its category, or unclassified for a kind that fits none):\n")
	for _, k := range synth.Kinds {
		fmt.Fprintf(w, "  %-15s %s\n", k, perKind[string(k)])
	}

	fmt.Fprintf(w, "\ncorrections on confusable pairs (held-out files of the pair; 10 corrections from the training split):\n")
	train := synth.Generate(synth.TrainSeed, synth.Train, 440)
	for _, p := range synth.Pairs {
		cats := categories(p.Cats[:])
		docs := pairDocs(p.Cats[:], held)
		before := pairRight(classify.NewModel(cats, nil), cats, docs)
		exs := corrections(cats, pairDocs(p.Cats[:], train), 10)
		after := pairRight(classify.NewModel(cats, exs), cats, docs)
		fmt.Fprintf(w, "  %-24s %d files: %s before, %s after\n", p.Name, len(docs), share{before, len(docs)}, share{after, len(docs)})
	}

	unknown(w, held, train)
	speed(w, held)
	return nil
}

// unknown measures categories the vocabulary has no concept for
// (synth.Unknown), zero-shot and after corrections: 5 files of each
// category and 4 that fit none, from the training split.
func unknown(w io.Writer, held, train []synth.Doc) {
	set := synth.Unknown
	cats := categories(set)
	docs := labelled(set, held)
	var exs []classify.Example
	per := map[int]int{}
	for _, d := range labelled(set, train) {
		if per[d.want] < 5 && (d.want >= 0 || per[-1] < 4) {
			per[d.want]++
			id := ""
			if d.want >= 0 {
				id = cats[d.want].ID
			}
			exs = append(exs, classify.Example{Text: d.text, CategoryID: id})
		}
	}
	fmt.Fprintf(w, "\ncategories outside the built-in vocabulary (synth.Unknown: recipes, news, timetables, technical notes; the other kinds fit none):\n")
	fmt.Fprintf(w, "  %-22s  %-22s  %-26s  %s\n", "", "in-category accuracy", "no-category unclassified", "precision conf>=0.9")
	for _, c := range []struct {
		name string
		exs  []classify.Example
	}{{"zero-shot", nil}, {fmt.Sprintf("%d corrections", len(exs)), exs}} {
		t := count(classifyAll(classify.NewModel(cats, c.exs), cats, docs))
		fmt.Fprintf(w, "  %-22s  %-22s  %-26s  %s\n", c.name, t.inCat, t.none, t.high)
	}
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func pairDocs(cats []synth.CategorySpec, docs []synth.Doc) []doc {
	var out []doc
	for _, d := range docs {
		if c := synth.CategoryOf(cats, d.Kind); c >= 0 {
			out = append(out, doc{name: d.Name, kind: string(d.Kind), text: d.Text, want: c})
		}
	}
	return out
}

func pairRight(m *classify.Model, cats []classify.Category, docs []doc) int {
	right := 0
	for _, x := range classifyAll(m, cats, docs) {
		if x.got == x.d.want {
			right++
		}
	}
	return right
}

// corrections takes n training files, alternating between the two
// categories, as a user fixing files one by one would.
func corrections(cats []classify.Category, train []doc, n int) []classify.Example {
	var out []classify.Example
	used := map[int]bool{}
	for len(out) < n {
		want := len(out) % 2
		found := false
		for i, d := range train {
			if !used[i] && d.want == want {
				used[i] = true
				out = append(out, classify.Example{Text: d.text, CategoryID: cats[want].ID})
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return out
}

// speed times Classify alone over the held-out texts.
func speed(w io.Writer, held []synth.Doc) {
	set := synth.CategorySets["keywords"]
	cats := categories(set)
	m := classify.NewModel(cats, nil)
	texts := make([]string, len(held))
	for i, d := range held {
		texts[i] = d.Text
	}
	for _, t := range texts { // warm up
		m.Classify(t, 0.5)
	}
	durs := make([]time.Duration, 0, len(texts)*3)
	start := time.Now()
	for range 3 {
		for _, t := range texts {
			t0 := time.Now()
			m.Classify(t, 0.5)
			durs = append(durs, time.Since(t0))
		}
	}
	one := time.Since(start)
	slices.Sort(durs)

	par := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	start = time.Now()
	for g := range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 3 {
				for i := g; i < len(texts); i += par {
					m.Classify(texts[(i+r)%len(texts)], 0.5)
				}
			}
		}()
	}
	wg.Wait()
	all := time.Since(start)

	train := synth.Generate(synth.TrainSeed, synth.Train, 22)
	exs := make([]classify.Example, 10)
	for i := range exs {
		exs[i] = classify.Example{Text: train[i].Text, CategoryID: cats[i%len(cats)].ID}
	}
	t0 := time.Now()
	for range 20 {
		classify.NewModel(cats, exs)
	}
	build := time.Since(t0) / 20
	mx := classify.NewModel(cats, exs)
	t0 = time.Now()
	for _, t := range texts {
		mx.Classify(t, 0.5)
	}
	withEx := time.Since(t0)

	n := float64(len(durs))
	fmt.Fprintf(w, "\nclassifier-only speed (%d classifications of one-page texts, mean %d bytes):\n", len(durs), meanLen(texts))
	fmt.Fprintf(w, "  1 goroutine:  %.0f files/s; per file p50 %s, p99 %s, max %s\n", n/one.Seconds(), us(harness.Percentile(durs, 50)), us(harness.Percentile(durs, 99)), us(durs[len(durs)-1]))
	fmt.Fprintf(w, "  %d goroutines: %.0f files/s\n", par, n/all.Seconds())
	fmt.Fprintf(w, "  with 10 examples: %.0f files/s on 1 goroutine; NewModel with 10 examples %s\n", float64(len(texts))/withEx.Seconds(), us(build))
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func meanLen(ts []string) int {
	s := 0
	for _, t := range ts {
		s += len(t)
	}
	return s / max(len(ts), 1)
}

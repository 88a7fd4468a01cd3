// Command ocr measures the OCR of internal/extract on real receipts: the
// SROIE images of one split, read once as they are (ExtractOptions
// OCRSinglePass) and with the preprocessed retries of pages that read
// poorly (the default).
//
//	go run ./bench/ocr [-split train] [-lang eng] [-modes single,retry,models] [-ocr-models DIR] [-v] SROIE-MIRROR N
//
// SROIE-MIRROR is a bare git mirror of github.com/zzzDavid/ICDAR-2019-SROIE
// (or a checkout of it); N is how many receipts to read: the first N whose
// number is not reserved (dataset.Reserved: never read) and whose
// dataset.Split is -split, in number order. For each mode it prints the
// share of the truth's total and date (data/key/NNN.json) found verbatim in
// the text, and found after folding case and dropping spaces; the words
// read; the passes that won; and the mean wall-clock seconds and
// Tesseract CPU seconds per page (for the models mode, -ocr-models, the
// CPU time of this process: the models run in it). See README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/docparse/docparse/bench/internal/dataset"
	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/extract"
)

func main() { harness.Main("ocr", run) }

// receipt is one SROIE receipt, its image written to a temporary file.
type receipt struct {
	id          string
	path        string
	total, date string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := harness.FlagSet("ocr", stderr)
	split := fs.String("split", dataset.Train, "the split to read: train or validation")
	lang := fs.String("lang", "", "OCR languages, comma-separated (default: the engine's)")
	verbose := fs.Bool("v", false, "print one line per receipt and mode")
	modes := fs.String("modes", "single,retry", "the modes to run, comma-separated: single (one pass), retry (the default OCR), models (the OCR models of -ocr-models)")
	models := fs.String("ocr-models", "", "OCR models directory (scripts/ocr-models.sh) for the models mode")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: ocr [flags] SROIE-MIRROR N")
	}
	var n int
	if _, err := fmt.Sscan(fs.Arg(1), &n); err != nil || n <= 0 {
		return fmt.Errorf("N = %q, want a positive number", fs.Arg(1))
	}
	if *split != dataset.Train && *split != dataset.Validation {
		return fmt.Errorf("-split %q, want %s or %s", *split, dataset.Train, dataset.Validation)
	}
	tmp, err := os.MkdirTemp("", "bench-ocr-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	receipts, err := load(ctx, fs.Arg(0), *split, n, tmp)
	if err != nil {
		return err
	}
	if len(receipts) == 0 {
		return errors.New("no receipt found")
	}
	e, err := extract.NewEngine(extract.Config{Workers: 1})
	if err != nil {
		return err
	}
	defer e.Close()
	var langs []string
	if *lang != "" {
		langs = strings.Split(*lang, ",")
	}
	if got, err := e.OCRLanguages(); err != nil {
		return fmt.Errorf("ocr unavailable: %w", err)
	} else if len(langs) == 0 {
		langs = got
	}
	fmt.Fprintf(stdout, "%d SROIE receipts (%s split), languages %s, Workers 1\n", len(receipts), *split, strings.Join(langs, "+"))
	fmt.Fprintf(stdout, "%-8s %9s %9s %9s %9s %7s %8s %8s  %s\n", "mode", "total", "date", "total~", "date~", "words", "wall s", "cpu s", "passes that won")
	var withModels *extract.Engine
	if slices.Contains(strings.Split(*modes, ","), "models") {
		if *models == "" {
			return errors.New("-modes models needs -ocr-models DIR")
		}
		if withModels, err = extract.NewEngine(extract.Config{Workers: 1, OCRModels: *models}); err != nil {
			return err
		}
		defer withModels.Close()
	}
	for _, mode := range strings.Split(*modes, ",") {
		if mode != "single" && mode != "retry" && mode != "models" {
			return fmt.Errorf("-modes: unknown mode %q", mode)
		}
		single := mode == "single"
		eng := e
		if mode == "models" {
			// The models read in this process: its CPU time is theirs.
			eng = withModels
		}
		var s summary
		for _, r := range receipts {
			if err := ctx.Err(); err != nil {
				return err
			}
			before := processCPU()
			res := measure(ctx, eng, r, extract.ExtractOptions{Languages: langs, OCRSinglePass: single})
			if mode == "models" {
				res.cpu = processCPU() - before
			}
			s.add(res)
			if *verbose {
				fmt.Fprintf(stdout, "  %s %s total=%v date=%v words=%d conf=%.2f height=%.0f wall=%.2f cpu=%.2f pass=%s tried=%s %v\n", mode, r.id,
					res.total, res.date, res.words, res.conf, res.height, res.wall.Seconds(), res.cpu.Seconds(), res.pass, strings.Join(res.tried, ","), res.err)
			}
		}
		fmt.Fprintf(stdout, "%-8s %9s %9s %9s %9s %7d %8.2f %8.2f  %s\n", mode,
			share(s.total, s.n), share(s.date, s.n), share(s.totalLoose, s.n), share(s.dateLoose, s.n),
			s.words, s.wall.Seconds()/float64(s.n), s.cpu.Seconds()/float64(s.n), s.passes())
	}
	return nil
}

// load writes the first n receipts of split in the SROIE repository
// mirror (a bare mirror or a checkout) to dir.
func load(ctx context.Context, mirror, split string, n int, dir string) ([]receipt, error) {
	t, err := dataset.OpenTree(mirror)
	if err != nil {
		return nil, err
	}
	var out []receipt
	for num := 1; num < 1000 && len(out) < n; num++ {
		id := fmt.Sprintf("%03d", num)
		// Reserved receipts are never read, not even their truth.
		if dataset.Reserved("sroie", id) || dataset.Split("sroie", id) != split {
			continue
		}
		key, err := t.Read(ctx, "data/key/"+id+".json")
		if err != nil {
			continue // no such receipt
		}
		var truth struct{ Total, Date string }
		if err := json.Unmarshal(key, &truth); err != nil {
			return nil, fmt.Errorf("truth of %s: %w", id, err)
		}
		img, err := t.Read(ctx, "data/img/"+id+".jpg")
		if err != nil {
			continue
		}
		path := filepath.Join(dir, id+".jpg")
		if err := os.WriteFile(path, img, 0o600); err != nil {
			return nil, err
		}
		out = append(out, receipt{id: id, path: path, total: truth.Total, date: truth.Date})
	}
	return out, nil
}

// result is what one read of one receipt gave.
type result struct {
	total, date           bool // found verbatim
	totalLoose, dateLoose bool // found after fold
	words                 int
	conf, height          float64 // mean word confidence (0-1), median word height
	wall, cpu             time.Duration
	pass                  string
	tried                 []string
	err                   error
}

func measure(ctx context.Context, e *extract.Engine, r receipt, opts extract.ExtractOptions) result {
	var res result
	start := time.Now()
	d, err := e.ExtractWith(ctx, r.path, extract.KindJPEG, opts)
	res.wall = time.Since(start)
	if err != nil {
		res.err = err
		res.pass = "error"
		return res
	}
	var heights []float64
	for _, p := range d.Pages {
		for _, l := range p.Lines {
			res.words += len(l.Words)
			for _, w := range l.Words {
				res.conf += w.Conf
				heights = append(heights, w.Box.Y1-w.Box.Y0)
			}
		}
		if p.OCR != nil {
			res.cpu += p.OCR.CPU
			res.pass = p.OCR.Pass
			res.tried = p.OCR.Tried
		}
	}
	if res.words > 0 {
		res.conf /= float64(res.words)
		slices.Sort(heights)
		res.height = heights[len(heights)/2]
	}
	text := d.Text()
	res.total = r.total != "" && strings.Contains(text, r.total)
	res.date = r.date != "" && strings.Contains(text, r.date)
	res.totalLoose = r.total != "" && strings.Contains(fold(text), fold(r.total))
	res.dateLoose = r.date != "" && strings.Contains(fold(text), fold(r.date))
	return res
}

// processCPU returns the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fold lowers s and drops its white space.
func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), "")
}

type summary struct {
	n, total, date, totalLoose, dateLoose, words int
	wall, cpu                                    time.Duration
	won                                          map[string]int
}

func (s *summary) add(r result) {
	s.n++
	s.words += r.words
	s.wall += r.wall
	s.cpu += r.cpu
	for _, c := range []struct {
		ok bool
		n  *int
	}{{r.total, &s.total}, {r.date, &s.date}, {r.totalLoose, &s.totalLoose}, {r.dateLoose, &s.dateLoose}} {
		if c.ok {
			*c.n++
		}
	}
	if s.won == nil {
		s.won = map[string]int{}
	}
	s.won[deskewAngle.ReplaceAllString(r.pass, "deskew")]++
}

// deskewAngle is the angle in a pass's name, dropped when passes are
// counted.
var deskewAngle = regexp.MustCompile(`deskew-?[0-9.]+`)

func (s *summary) passes() string {
	var names []string
	for k := range s.won {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return s.won[b] - s.won[a] })
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.won[k]))
	}
	return strings.Join(parts, ", ")
}

func share(k, n int) string {
	return fmt.Sprintf("%d/%d", k, n)
}

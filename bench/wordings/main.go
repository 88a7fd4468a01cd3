// Command wordings measures how the field engine copes with the many ways
// users name a field: for every wording of the suite that the development
// corpus can score, it extracts the corpus with the generic invoice schema
// in which that one field is worded the suite's way, and prints the
// accuracy next to that of the canonical wording, the worst wording, and
// the development wordings and each round of held-out wordings apart.
//
//	go run ./bench/wordings                 # from the module root
//	go run ./bench/wordings -v              # and every miss
//
// Flags: -suite (default internal/fields/testdata/wordings.json), -corpus
// (default ../shared/corpus/invoice2data), -cache (PDFium compilation
// cache, default in the temporary directory).
package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/docparse/docparse/bench/internal/doccache"
	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/fields/wordings"
)

func main() { harness.Main("wordings", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := harness.FlagSet("wordings", stderr)
	suite := fs.String("suite", filepath.Join("internal", "fields", "testdata", "wordings.json"), "the wording suite")
	corpus := fs.String("corpus", filepath.Join("..", "shared", "corpus", "invoice2data"), "the invoice2data development corpus")
	cache := fs.String("cache", doccache.PDFiumCacheDir(), "PDFium compilation cache")
	verbose := fs.Bool("v", false, "print every miss")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ws, err := wordings.Load(*suite)
	if err != nil {
		return err
	}
	t0 := time.Now()
	docs, err := wordings.LoadCorpus(ctx, *corpus, *cache)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "corpus %s: %d documents extracted in %.1f s; suite %s: %d wordings\n",
		*corpus, len(docs), time.Since(t0).Seconds(), *suite, len(ws))
	t1 := time.Now()
	scores := wordings.Run(docs, ws)
	fmt.Fprintf(stdout, "%d wordings scored in %.1f s\n\n", len(scores), time.Since(t1).Seconds())

	fmt.Fprintf(stdout, "%-8s %-5s %-4s %-62s %9s %9s\n", "set", "lang", "", "wording", "accuracy", "canonical")
	for _, s := range scores {
		set := "dev"
		if s.Wording.HeldOut > 0 {
			set = fmt.Sprintf("held-%d", s.Wording.HeldOut)
		}
		mark := ""
		if s.Right < s.Canonical {
			mark = "<"
		}
		fmt.Fprintf(stdout, "%-8s %-5s %-4s %-62s %4d/%-4d %4d/%-4d\n", set, s.Wording.Lang, mark, clip(s.Wording.String(), 62), s.Right, s.Docs, s.Canonical, s.Docs)
		if *verbose {
			for _, m := range s.Misses {
				fmt.Fprintf(stdout, "%24s%s\n", "", m)
			}
		}
	}

	fmt.Fprintln(stdout)
	for held := 0; held <= wordings.LatestRound; held++ {
		name := wordings.RoundName(held) + " wordings"
		var n, right, docs, goal int
		for _, s := range scores {
			if s.Wording.HeldOut != held {
				continue
			}
			n++
			right += s.Right
			docs += s.Docs
			if s.Accuracy() >= 0.98 {
				goal++
			}
		}
		if n == 0 {
			continue
		}
		fmt.Fprintf(stdout, "%s: %d, values right %d/%d (%.1f%%), wordings at >= 98%%: %d/%d\n",
			name, n, right, docs, 100*float64(right)/float64(docs), goal, n)
	}
	if len(scores) > 0 {
		worst := slices.MinFunc(scores, func(a, b wordings.Score) int {
			switch {
			case a.Accuracy() < b.Accuracy():
				return -1
			case a.Accuracy() > b.Accuracy():
				return 1
			}
			return 0
		})
		fmt.Fprintf(stdout, "worst wording: %s -> %s: %d/%d (%.1f%%; canonical %d/%d)\n", worst.Wording, worst.Wording.Truth,
			worst.Right, worst.Docs, 100*worst.Accuracy(), worst.Canonical, worst.Docs)
		for _, m := range worst.Misses {
			fmt.Fprintf(stdout, "  %s\n", m)
		}
	}
	return nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

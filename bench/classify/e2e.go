package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/classify/synth"
)

// runE2E measures files/s through the HTTP API on SQLite.
func runE2E(ctx context.Context, o options, w io.Writer) (err error) {
	wd, err := harness.Prepare(ctx, "", "bench-classify-", o.bin, w)
	if err != nil {
		return err
	}
	defer wd.Close()
	inst, err := wd.Launch(ctx, harness.LaunchOptions{Engine: "sqlite", Label: "classify", Accounts: []string{"acct_bench"}})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	c := inst.Client(0)
	c.HTTP.Timeout = 5 * time.Minute

	set := synth.CategorySets["keywords"]
	catIDs, clsID, err := createClassification(ctx, c, set)
	if err != nil {
		return err
	}
	docs := synth.Generate(synth.HeldOutSeed+100, synth.HeldOut, o.files)
	type part struct {
		name string
		pdf  []byte
		want string // category ID, "" for none
	}
	parts := make([]part, len(docs))
	want := map[string]string{}
	for i, d := range docs {
		p := part{name: fmt.Sprintf("%04d-%s.pdf", i, d.Kind), pdf: onePagePDF(firstPage(d.Text))}
		if k := synth.CategoryOf(set, d.Kind); k >= 0 {
			p.want = catIDs[k]
		}
		parts[i] = p
		want[p.name] = p.want
	}
	fmt.Fprintf(w, "classification %s: %d categories (\"keywords\" set); %d one-page text PDFs (held-out generator, seed %d), batches of %d\n",
		clsID, len(catIDs), len(parts), synth.HeldOutSeed+100, o.per)

	start := time.Now()
	var batches []string
	for i := 0; i < len(parts); i += o.per {
		var files []harness.Part
		for _, p := range parts[i:min(i+o.per, len(parts))] {
			files = append(files, harness.BytesPart(p.name, p.pdf))
		}
		a, err := c.UploadClassification(ctx, clsID, files)
		if err != nil {
			return err
		}
		batches = append(batches, a.Batch.ID)
	}
	uploaded := time.Since(start)
	var last time.Time
	right, unclassified, failed, total := 0, 0, 0, 0
	for _, id := range batches {
		b, err := c.WaitClassificationBatch(ctx, clsID, id, 100*time.Millisecond)
		if err != nil {
			return err
		}
		if b.Batch.CompletedAt != nil && b.Batch.CompletedAt.After(last) {
			last = *b.Batch.CompletedAt
		}
		for _, f := range b.Files {
			total++
			got := ""
			if f.CategoryID != nil {
				got = *f.CategoryID
			}
			switch {
			case f.Status != "processed":
				failed++
			case got == want[f.FileName]:
				right++
			}
			if got == "" {
				unclassified++
			}
		}
	}
	elapsed := last.Sub(start)
	if last.IsZero() {
		elapsed = time.Since(start)
	}
	fmt.Fprintf(w, "uploads took %s; last batch completed %s after the first upload\n", uploaded.Round(time.Millisecond), elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "end to end: %.1f files/s (%d files)\n", float64(total)/elapsed.Seconds(), total)
	fmt.Fprintf(w, "answers: %d/%d right (category, or none for files that fit none), %d unclassified, %d not processed\n", right, total, unclassified, failed)
	return nil
}

// firstPage returns the lines of a document's first page, at most 60 so
// that they fit one PDF page.
func firstPage(text string) []string {
	page, _, _ := strings.Cut(text, "\f")
	lines := strings.Split(page, "\n")
	return lines[:min(len(lines), 60)]
}

// createClassification creates a classification with the categories of
// set and returns their ids, in order, and its own.
func createClassification(ctx context.Context, c *harness.Client, set []synth.CategorySpec) (catIDs []string, id string, err error) {
	type cat struct {
		Name        string   `json:"name"`
		Description string   `json:"description,omitempty"`
		Keywords    []string `json:"keywords,omitempty"`
	}
	in := struct {
		Name       string `json:"name"`
		Categories []cat  `json:"categories"`
	}{Name: "bench mixed inbox"}
	for _, s := range set {
		in.Categories = append(in.Categories, cat{s.Name, s.Description, s.Keywords})
	}
	var out struct {
		Classification struct {
			ID         string `json:"id"`
			Categories []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"categories"`
		} `json:"classification"`
	}
	if err := c.Call(ctx, http.MethodPost, "/v1/classifications", in, http.StatusCreated, &out); err != nil {
		return nil, "", err
	}
	for i, s := range set {
		if i >= len(out.Classification.Categories) || out.Classification.Categories[i].Name != s.Name {
			return nil, "", fmt.Errorf("create classification: categories came back as %+v", out.Classification.Categories)
		}
		catIDs = append(catIDs, out.Classification.Categories[i].ID)
	}
	return catIDs, out.Classification.ID, nil
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/classify/synth"
)

// runE2E measures files/s through the HTTP API on SQLite.
func runE2E(ctx context.Context, o options, w io.Writer) (err error) {
	tmp, err := os.MkdirTemp("", "bench-classify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := o.bin
	if bin == "" {
		fmt.Fprintln(w, "building ./cmd/docparse ...")
		if bin, err = harness.Build(ctx, tmp); err != nil {
			return err
		}
	}
	db, err := harness.NewDatabase(ctx, "sqlite", tmp, "classify")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	key, err := harness.CreateKey(ctx, bin, db, "acct_bench")
	if err != nil {
		return err
	}
	srv, err := harness.Start(ctx, bin, db, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, srv.Stop()) }()
	c := &apiClient{base: srv.URL, key: key, http: &http.Client{Timeout: 5 * time.Minute}}

	set := synth.CategorySets["keywords"]
	catIDs, clsID, err := c.createClassification(ctx, set)
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
		var files []namedBytes
		for _, p := range parts[i:min(i+o.per, len(parts))] {
			files = append(files, namedBytes{p.name, p.pdf})
		}
		id, err := c.upload(ctx, clsID, files)
		if err != nil {
			return err
		}
		batches = append(batches, id)
	}
	uploaded := time.Since(start)
	var last time.Time
	right, unclassified, failed, total := 0, 0, 0, 0
	for _, id := range batches {
		b, err := c.wait(ctx, clsID, id)
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

type apiClient struct {
	base, key string
	http      *http.Client
}

func (c *apiClient) do(ctx context.Context, method, path, ctype string, body []byte, want int, out any) error {
	for {
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.key)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s %s: read answer: %w", method, path, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			select {
			case <-time.After(time.Second):
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, bytes.TrimSpace(b))
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
			}
		}
		return nil
	}
}

func (c *apiClient) createClassification(ctx context.Context, set []synth.CategorySpec) (catIDs []string, id string, err error) {
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
	body, err := json.Marshal(in)
	if err != nil {
		return nil, "", err
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
	if err := c.do(ctx, http.MethodPost, "/v1/classifications", "application/json", body, http.StatusCreated, &out); err != nil {
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

type namedBytes struct {
	name string
	b    []byte
}

func (c *apiClient) upload(ctx context.Context, clsID string, files []namedBytes) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename="%s"`, f.name))
		h.Set("Content-Type", "application/pdf")
		pw, err := mw.CreatePart(h)
		if err != nil {
			return "", err
		}
		if _, err := pw.Write(f.b); err != nil {
			return "", err
		}
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	var out batchAnswer
	if err := c.do(ctx, http.MethodPost, "/v1/classifications/"+clsID+"/batches", mw.FormDataContentType(), buf.Bytes(), http.StatusAccepted, &out); err != nil {
		return "", err
	}
	return out.Batch.ID, nil
}

type batchAnswer struct {
	Batch struct {
		ID          string     `json:"id"`
		Status      string     `json:"status"`
		CompletedAt *time.Time `json:"completed_at"`
	} `json:"batch"`
	Files []struct {
		FileName   string   `json:"file_name"`
		Status     string   `json:"status"`
		CategoryID *string  `json:"classified_category_id"`
		Confidence *float64 `json:"confidence"`
	} `json:"files"`
}

// wait polls a batch every 100 ms until it is terminal.
func (c *apiClient) wait(ctx context.Context, clsID, id string) (batchAnswer, error) {
	for {
		var b batchAnswer
		if err := c.do(ctx, http.MethodGet, "/v1/classifications/"+clsID+"/batches/"+id, "", nil, http.StatusOK, &b); err != nil {
			return b, err
		}
		switch b.Batch.Status {
		case "processed", "partial", "failed":
			return b, nil
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return b, fmt.Errorf("batch %s still %s: %w", id, b.Batch.Status, ctx.Err())
		}
	}
}

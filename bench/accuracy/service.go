package main

import (
	"context"
	"net/http"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
)

// api adds the calls the harness client lacks: an extraction with our own
// schema, and a file's result with its confidences.
type api struct {
	*harness.Client
}

// createExtraction creates the benchmark's extraction and returns its id.
func (a api) createExtraction(ctx context.Context, language string, inferMissing bool) (string, error) {
	var out struct {
		Extraction struct {
			ID string `json:"id"`
		} `json:"extraction"`
	}
	in := map[string]any{
		"name":     "accuracy bench",
		"language": language,
		"fields":   schemaJSON,
		"options":  map[string]any{"infer_missing": inferMissing},
	}
	if err := a.Call(ctx, http.MethodPost, "/v1/extractions", in, http.StatusCreated, &out); err != nil {
		return "", err
	}
	return out.Extraction.ID, nil
}

// fileResult is a file's result and confidences.
type fileResult struct {
	File struct {
		FileName string `json:"file_name"`
		Status   string `json:"status"`
	} `json:"file"`
	Result     map[string]any `json:"result"`
	Confidence map[string]any `json:"confidence"`
}

func (a api) fileResult(ctx context.Context, ext, batch, file string) (fileResult, error) {
	var out fileResult
	err := a.Call(ctx, http.MethodGet, "/v1/extractions/"+ext+"/batches/"+batch+"/files/"+file, nil, http.StatusOK, &out)
	return out, err
}

// batchRun is the outcome of uploading parts as batches of at most 30
// files and waiting for all of them.
type batchRun struct {
	results map[string]fileResult // by file name
	pages   int
	elapsed time.Duration // first upload to the last completed_at
	status  map[string]int
}

// runBatches uploads parts in batches of at most 30 files, waits for every
// batch, and (with fetch) reads every file's result.
func (a api) runBatches(ctx context.Context, ext string, parts []harness.Part, fetch bool) (batchRun, error) {
	run := batchRun{results: map[string]fileResult{}, status: map[string]int{}}
	start := time.Now()
	var ids []string
	for i := 0; i < len(parts); i += 30 {
		ans, err := a.Upload(ctx, ext, parts[i:min(i+30, len(parts))])
		if err != nil {
			return run, err
		}
		ids = append(ids, ans.Batch.ID)
		run.pages += ans.Batch.PageCount
	}
	var last time.Time
	for _, id := range ids {
		ans, err := a.WaitBatch(ctx, ext, id, 100*time.Millisecond)
		if err != nil {
			return run, err
		}
		if c := ans.Batch.CompletedAt; c != nil && c.After(last) {
			last = *c
		}
		for _, f := range ans.Files {
			run.status[f.Status]++
			if !fetch {
				continue
			}
			if f.Error != nil {
				run.results[f.FileName] = fileResult{}
				continue
			}
			r, err := a.fileResult(ctx, ext, id, f.ID)
			if err != nil {
				return run, err
			}
			run.results[f.FileName] = r
		}
	}
	if last.IsZero() {
		last = time.Now()
	}
	run.elapsed = last.Sub(start)
	return run, nil
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/docparse/docparse/client"
)

const classificationsUsage = `usage: docparse classifications SUBCOMMAND
  create --file FILE [--name NAME]   a classification from JSON ({name, threshold?, categories: [...]})
  list | get ID | delete ID
  batches ID                         the classification's batches, newest first
  batch ID BATCH_ID                  a batch's files with category, confidence and reason
  override ID BATCH_ID FILE_ID CATEGORY_ID|none
                                     file a document by hand; "none" clears the override
`

// classificationsCmd: docparse classifications ...
func classificationsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, classificationsUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	newSub := func(usage string) *cli {
		return newCLI(ctx, "classifications "+sub, "classifications "+usage, getenv, stdout, stderr)
	}
	switch sub {
	case "create":
		c := newSub("create --file FILE [--name NAME]")
		file := c.fs.String("file", "", "JSON file: {name, description?, threshold?, categories: [{name, description?, keywords?, linked_extraction_id?}]}")
		name := c.fs.String("name", "", "name of the classification (overrides the file's)")
		if _, err := c.parse(rest, 0, 0); err != nil {
			return err
		}
		if *file == "" {
			c.fs.Usage()
			return errUsage
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			return fmt.Errorf("read classification: %w", err)
		}
		var p client.ClassificationParams
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("read classification %s: %w", *file, err)
		}
		if *name != "" {
			p.Name = *name
		}
		api, err := c.client()
		if err != nil {
			return err
		}
		cls, err := api.CreateClassification(ctx, p)
		if err != nil {
			return apiError(stderr, err)
		}
		if c.asJSON {
			return c.printJSON(cls)
		}
		fmt.Fprintln(stdout, cls.ID)
		return nil
	case "list":
		c := newSub("list")
		if _, err := c.parse(rest, 0, 0); err != nil {
			return err
		}
		api, err := c.client()
		if err != nil {
			return err
		}
		var all []client.Classification
		var rows [][]string
		for cls, err := range api.ListClassifications(ctx, client.ListParams{Limit: 100}) {
			if err != nil {
				return apiError(stderr, err)
			}
			all = append(all, cls)
			rows = append(rows, []string{cls.ID, cls.Name, fmt.Sprint(len(cls.Categories)), fmt.Sprint(cls.Threshold), fmtTime(&cls.CreatedAt)})
		}
		if c.asJSON {
			return c.printJSON(all)
		}
		c.table("ID\tNAME\tCATEGORIES\tTHRESHOLD\tCREATED", rows)
		return nil
	case "get", "delete", "batches":
		c := newSub(sub + " CLASSIFICATION_ID")
		pos, err := c.parse(rest, 1, 1)
		if err != nil {
			return err
		}
		api, err := c.client()
		if err != nil {
			return err
		}
		switch sub {
		case "get":
			cls, err := api.GetClassification(ctx, pos[0])
			if err != nil {
				return apiError(stderr, err)
			}
			return c.printJSON(cls)
		case "delete":
			if err := api.DeleteClassification(ctx, pos[0]); err != nil {
				return apiError(stderr, err)
			}
			fmt.Fprintf(stdout, "deleted %s\n", pos[0])
			return nil
		}
		var all []client.ClassificationBatch
		var rows [][]string
		for b, err := range api.ListClassificationBatches(ctx, pos[0], client.BatchListParams{}) {
			if err != nil {
				return apiError(stderr, err)
			}
			all = append(all, b)
			rows = append(rows, []string{b.ID, string(b.Status), fmt.Sprint(b.FileCount), b.Name, fmtTime(&b.CreatedAt)})
		}
		if c.asJSON {
			return c.printJSON(all)
		}
		c.table("ID\tSTATUS\tFILES\tNAME\tCREATED", rows)
		return nil
	case "batch":
		c := newSub("batch CLASSIFICATION_ID BATCH_ID")
		pos, err := c.parse(rest, 2, 2)
		if err != nil {
			return err
		}
		api, err := c.client()
		if err != nil {
			return err
		}
		res, err := api.GetClassificationBatch(ctx, pos[0], pos[1])
		if err != nil {
			return apiError(stderr, err)
		}
		if c.asJSON {
			return c.printJSON(res)
		}
		fmt.Fprintf(stdout, "batch %s %s\n", res.Batch.ID, res.Batch.Status)
		c.classifiedTable(res.Files)
		return nil
	case "override":
		c := newSub("override CLASSIFICATION_ID BATCH_ID FILE_ID CATEGORY_ID|none")
		pos, err := c.parse(rest, 4, 4)
		if err != nil {
			return err
		}
		api, err := c.client()
		if err != nil {
			return err
		}
		cat := pos[3]
		if cat == "none" {
			cat = ""
		}
		f, err := api.SetClassificationOverride(ctx, pos[0], pos[1], pos[2], cat)
		if err != nil {
			return apiError(stderr, err)
		}
		if c.asJSON {
			return c.printJSON(f)
		}
		c.classifiedTable([]client.ClassificationFile{*f})
		return nil
	}
	fmt.Fprintf(stderr, "docparse classifications: unknown subcommand %q\n\n%s", sub, classificationsUsage)
	return errUsage
}

// classifyCmd: docparse classify CLASSIFICATION_ID FILES... [--wait].
func classifyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newCLI(ctx, "classify", "classify CLASSIFICATION_ID FILES... [--name NAME] [--wait]", getenv, stdout, stderr)
	name, wait, idem := c.uploadFlags("wait until the batch ends and print each file's category; exit 3 if it ends failed or partial")
	pos, err := c.parse(args, 2, -1)
	if err != nil {
		return err
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	clsID := pos[0]
	files, total, closeFiles, err := openFiles(pos[1:])
	if err != nil {
		return err
	}
	defer closeFiles()
	tty := isTerminal(stdout) && !c.asJSON
	opts := client.UploadOptions{Name: *name, IdempotencyKey: *idem}
	var up *client.ClassificationBatchResult
	err = withUploadBar(stdout, tty, total, &opts, func() (err error) {
		up, err = api.UploadClassificationBatch(ctx, clsID, files, opts)
		return err
	})
	if err != nil {
		return apiError(stderr, err)
	}
	b := up.Batch
	if !c.asJSON {
		fmt.Fprintf(stdout, "batch %s: %d files, %s\n", b.ID, b.FileCount, b.Status)
	}
	if !*wait {
		if c.asJSON {
			return c.printJSON(up)
		}
		return nil
	}
	live := &liveLine{w: stdout, tty: tty, quiet: c.asJSON}
	res, err := api.WaitForClassificationBatch(ctx, clsID, b.ID, client.WaitOptions{OnProgressClassification: func(b client.ClassificationBatch) {
		n := b.Counts
		live.show(fmt.Sprintf("%s: %d queued, %d processing, %d processed, %d failed", b.Status, n.Queued, n.Processing, n.Processed, n.Failed))
	}})
	live.end()
	if err != nil {
		return apiError(stderr, err)
	}
	if c.asJSON {
		if err := c.printJSON(res); err != nil {
			return err
		}
	} else {
		c.classifiedTable(res.Files)
		fmt.Fprintf(stdout, "batch %s %s\n", res.Batch.ID, res.Batch.Status)
	}
	if res.Batch.Status != client.BatchProcessed {
		return errBatchNotProcessed
	}
	return nil
}

// classifiedTable prints classification files: category (or why none),
// confidence, reason and the chained extraction batch.
func (c *cli) classifiedTable(files []client.ClassificationFile) {
	var rows [][]string
	for _, f := range files {
		cat, conf, reason, linked := "-", "-", "", "-"
		switch {
		case f.Error != nil:
			cat, reason = string(f.Status), f.Error.Message+" ("+f.Error.Code+")"
		case f.Category() != "":
			cat = f.Category()
		case f.Confidence != nil:
			cat = "(unclassified)"
		}
		if f.Overridden {
			cat += " (override)"
		}
		if f.Confidence != nil {
			conf = fmt.Sprintf("%.2f", *f.Confidence)
		}
		if f.ClassificationReasoning != nil {
			reason = *f.ClassificationReasoning
		}
		if f.LinkedBatchID != nil {
			linked = *f.LinkedBatchID
		}
		rows = append(rows, []string{f.ID, f.FileName, cat, conf, linked, reason})
	}
	c.table("FILE_ID\tFILE\tCATEGORY\tCONFIDENCE\tLINKED_BATCH\tREASON", rows)
}

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
		file := c.requiredString("file", "JSON file: {name, description?, threshold?, categories: [{name, description?, keywords?, linked_extraction_id?}]}")
		name := c.fs.String("name", "", "name of the classification (overrides the file's)")
		if _, err := c.parse(rest, 0, 0); err != nil {
			return err
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
		return create(c, p, (*client.Client).CreateClassification, func(cls *client.Classification) { fmt.Fprintln(stdout, cls.ID) })
	case "list":
		c := newSub("list")
		_, api, err := c.parseClient(rest, 0, 0)
		if err != nil {
			return err
		}
		return printList(c, api.ListClassifications(ctx, client.ListParams{Limit: 100}), "ID\tNAME\tCATEGORIES\tTHRESHOLD\tCREATED", func(cls client.Classification) []string {
			return []string{cls.ID, cls.Name, fmt.Sprint(len(cls.Categories)), fmt.Sprint(cls.Threshold), fmtTime(&cls.CreatedAt)}
		})
	case "get", "delete", "batches":
		c := newSub(sub + " CLASSIFICATION_ID")
		pos, api, err := c.parseClient(rest, 1, 1)
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
		return printList(c, api.ListClassificationBatches(ctx, pos[0], client.BatchListParams{}), "ID\tSTATUS\tFILES\tNAME\tCREATED", func(b client.ClassificationBatch) []string {
			return []string{b.ID, string(b.Status), fmt.Sprint(b.FileCount), b.Name, fmtTime(&b.CreatedAt)}
		})
	case "batch":
		c := newSub("batch CLASSIFICATION_ID BATCH_ID")
		pos, api, err := c.parseClient(rest, 2, 2)
		if err != nil {
			return err
		}
		res, err := api.GetClassificationBatch(ctx, pos[0], pos[1])
		return printOne(c, res, err, func(res *client.ClassificationBatchResult) {
			fmt.Fprintf(stdout, "batch %s %s\n", res.Batch.ID, res.Batch.Status)
			c.classifiedTable(res.Files)
		})
	case "override":
		c := newSub("override CLASSIFICATION_ID BATCH_ID FILE_ID CATEGORY_ID|none")
		pos, api, err := c.parseClient(rest, 4, 4)
		if err != nil {
			return err
		}
		cat := pos[3]
		if cat == "none" {
			cat = ""
		}
		f, err := api.SetClassificationOverride(ctx, pos[0], pos[1], pos[2], cat)
		return printOne(c, f, err, func(f *client.ClassificationFile) { c.classifiedTable([]client.ClassificationFile{*f}) })
	}
	fmt.Fprintf(stderr, "docparse classifications: unknown subcommand %q\n\n%s", sub, classificationsUsage)
	return errUsage
}

// classifyCmd: docparse classify CLASSIFICATION_ID FILES... [--wait].
func classifyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newCLI(ctx, "classify", "classify CLASSIFICATION_ID FILES... [--name NAME] [--wait]", getenv, stdout, stderr)
	return sendBatch(c, args, "wait until the batch ends and print each file's category; exit 3 if it ends failed or partial", batchSteps[*client.ClassificationBatchResult]{
		upload: (*client.Client).UploadClassificationBatch,
		sent: func(up *client.ClassificationBatchResult) string {
			return fmt.Sprintf("batch %s: %d files, %s", up.Batch.ID, up.Batch.FileCount, up.Batch.Status)
		},
		wait: func(api *client.Client, clsID string, up *client.ClassificationBatchResult, show func(string)) (*client.ClassificationBatchResult, error) {
			return api.WaitForClassificationBatch(ctx, clsID, up.Batch.ID, client.WaitOptions{OnProgressClassification: func(b client.ClassificationBatch) {
				n := b.Counts
				show(fmt.Sprintf("%s: %d queued, %d processing, %d processed, %d failed", b.Status, n.Queued, n.Processing, n.Processed, n.Failed))
			}})
		},
		ended: func(res *client.ClassificationBatchResult) {
			c.classifiedTable(res.Files)
			fmt.Fprintf(stdout, "batch %s %s\n", res.Batch.ID, res.Batch.Status)
		},
		status: func(res *client.ClassificationBatchResult) string { return res.Batch.Status },
	})
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

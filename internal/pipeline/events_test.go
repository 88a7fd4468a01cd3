package pipeline

import (
	"encoding/json"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// The data of a batch's event keeps its fields in API.md's order: the
// owner's id, then what every kind says of the ended batch, then the
// files; an extraction batch's files carry no error, the failed batch
// does.
func TestEndedBatchData(t *testing.T) {
	core := docparse.BatchCore{ID: "btc_1", Status: docparse.BatchFailed, FileCount: 1, PageCount: 2, Counts: docparse.Counts{Failed: 1}}
	b := docparse.Batch{BatchCore: core, ExtractionID: "ext_1"}
	failed := &docparse.FileError{Code: "corrupt_document", Message: "unreadable"}
	typ, data := batchEvent(b, []docparse.File{{FileCore: docparse.FileCore{ID: "file_1", FileName: "a.pdf", Status: docparse.FileFailed, PageCount: 2, Error: failed}}})
	cb := docparse.ClassificationBatch{BatchCore: core, ClassificationID: "cls_1"}
	tests := []struct {
		data any
		want string
	}{
		{data,
			`{"extraction_id":"ext_1","batch_id":"btc_1","status":"failed","file_count":1,"page_count":2,` +
				`"counts":{"queued":0,"processing":0,"processed":0,"needs_review":0,"failed":1},` +
				`"files":[{"id":"file_1","file_name":"a.pdf","status":"failed","page_count":2}],` +
				`"error":{"code":"all_files_failed","message":"every file of the batch failed"}}`},
		{classificationBatchEvent(cb, nil),
			`{"classification_id":"cls_1","batch_id":"btc_1","status":"failed","file_count":1,"page_count":2,` +
				`"counts":{"queued":0,"processing":0,"processed":0,"needs_review":0,"failed":1},"files":[]}`},
	}
	if typ != "extraction.failed" {
		t.Errorf("batchEvent(failed batch) type = %q, want extraction.failed", typ)
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.data)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("json.Marshal(%T) =\n%s\nwant\n%s", tt.data, got, tt.want)
		}
	}
}

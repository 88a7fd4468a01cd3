package pipeline

import (
	"encoding/json"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// The data of a batch's event keeps its fields in API.md's order: the
// owner's id, then what every kind says of the ended batch (endedBatch),
// then the files.
func TestEndedBatchData(t *testing.T) {
	eb := endedBatch{BatchID: "btc_1", Status: docparse.BatchFailed, FileCount: 1, PageCount: 2, Counts: docparse.Counts{Failed: 1}}
	tests := []struct {
		data any
		want string
	}{
		{batchEventData{ExtractionID: "ext_1", endedBatch: eb, Files: []batchEventFile{{ID: "file_1", FileName: "a.pdf", Status: docparse.FileFailed, PageCount: 2}},
			Error: &docparse.FileError{Code: "all_files_failed", Message: "every file of the batch failed"}},
			`{"extraction_id":"ext_1","batch_id":"btc_1","status":"failed","file_count":1,"page_count":2,` +
				`"counts":{"queued":0,"processing":0,"processed":0,"needs_review":0,"failed":1},` +
				`"files":[{"id":"file_1","file_name":"a.pdf","status":"failed","page_count":2}],` +
				`"error":{"code":"all_files_failed","message":"every file of the batch failed"}}`},
		{classificationCompletedData{ClassificationID: "cls_1", endedBatch: eb, Files: []classifiedFile{}},
			`{"classification_id":"cls_1","batch_id":"btc_1","status":"failed","file_count":1,"page_count":2,` +
				`"counts":{"queued":0,"processing":0,"processed":0,"needs_review":0,"failed":1},"files":[]}`},
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

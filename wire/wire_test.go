package wire

import (
	"encoding/json"
	"slices"
	"testing"
)

// Each answer and event payload, as the server sends it, decodes into its
// wire type and encodes back to the same bytes: names, order, null and
// left-out fields are the contract.
func TestRoundTrip(t *testing.T) {
	const (
		t0     = `"2026-05-24T10:00:00.123456789Z"`
		t1     = `"2026-05-24T11:00:00Z"`
		counts = `{"queued":0,"processing":0,"processed":1,"needs_review":2,"failed":1}`
		failed = `{"code":"corrupt_document","message":"unreadable"}`
	)
	tests := []struct {
		v    any // a pointer to the wire type
		json string
	}{
		{&APIKey{}, `{"id":"key_1","name":"ci","last4":"abcd","created_at":` + t0 + `,"last_used_at":null}`},
		{&Page[APIKey]{}, `{"data":[{"id":"key_1","name":"","last4":"abcd","created_at":` + t0 + `,"last_used_at":` + t1 + `}],"has_more":true,"next_cursor":"a2V5XzE"}`},
		{&Page[Event]{}, `{"data":[],"has_more":false}`},
		{&Extraction{}, `{"id":"ext_1","name":"Invoices","description":"","language":"Multi-Lingual","fields":[` +
			`{"key":"total","type":"number","description":"Total","example":12.5},` +
			`{"key":"seller","type":"object","fields":[{"key":"name","type":"string"}]}],` +
			`"options":{"ocr_priority":false,"infer_missing":true,"strict_format":false},"review_threshold":0.7,"status":"ready",` +
			`"created_at":` + t0 + `,"updated_at":` + t1 + `}`},
		{&BatchResult{}, `{"batch":{"id":"btc_1","extraction_id":"ext_1","name":"May","status":"partial","file_count":2,"page_count":3,` +
			`"counts":` + counts + `,"created_at":` + t0 + `,"updated_at":` + t1 + `,"completed_at":` + t1 + `},` +
			`"files":[{"id":"file_1","file_name":"a.pdf","status":"processed","page_count":1},` +
			`{"id":"file_2","file_name":"b.pdf","status":"failed","page_count":0,"error":` + failed + `}]}`},
		{&Batch{}, `{"id":"btc_1","extraction_id":"ext_1","name":"","status":"queued","file_count":1,"page_count":1,` +
			`"counts":` + counts + `,"created_at":` + t0 + `,"updated_at":` + t0 + `,"completed_at":null}`},
		{&FileInfo{}, `{"id":"file_1","extraction_id":"ext_1","batch_id":"btc_1","file_name":"a.pdf","content_type":"application/pdf",` +
			`"size":0,"status":"failed","page_count":0,"error":` + failed + `,"created_at":` + t0 + `,"updated_at":` + t1 + `}`},
		{&FileResult{}, `{"file":{"id":"file_1","extraction_id":"ext_1","batch_id":"btc_1","file_name":"a.pdf","content_type":"application/pdf",` +
			`"size":3,"status":"queued","page_count":1,"created_at":` + t0 + `,"updated_at":` + t0 + `},"result":null,"confidence":null,"sources":null,"citations":null}`},
		{&BatchExport{}, `{"batch":{"id":"btc_1","extraction_id":"ext_1","name":"","status":"processed","file_count":1,"page_count":1,` +
			`"counts":` + counts + `,"created_at":` + t0 + `,"updated_at":` + t1 + `,"completed_at":` + t1 + `},"files":[{"file":{"id":"file_1",` +
			`"extraction_id":"ext_1","batch_id":"btc_1","file_name":"a.xml","content_type":"application/xml","size":3,"status":"needs_review",` +
			`"page_count":1,"created_at":` + t0 + `,"updated_at":` + t1 + `},"result":{"total":12.50},"confidence":{"total":0.5},` +
			`"sources":{"total":"embedded_xml"},"citations":{"total":{"page":null,"source":"embedded_xml"}},"einvoice":{"syntax":"CII"},"warnings":[{"code":"einvoice_page_mismatch","field":"total"}]}]}`},
		{&Classification{}, `{"id":"cls_1","name":"Mail","description":"","threshold":0.5,"categories":[` +
			`{"id":"cat_1","name":"Invoice","description":"","keywords":[],"linked_extraction_id":"ext_1"},` +
			`{"id":"cat_2","name":"Letter","description":"d","keywords":["dear"],"linked_extraction_id":null}],` +
			`"created_at":` + t0 + `,"updated_at":` + t1 + `}`},
		{&ClassificationBatchResult{}, `{"batch":{"id":"cbtc_1","classification_id":"cls_1","name":"","status":"processed","file_count":2,` +
			`"page_count":2,"counts":` + counts + `,"created_at":` + t0 + `,"updated_at":` + t1 + `,"completed_at":` + t1 + `},"files":[` +
			`{"id":"file_1","file_name":"a.pdf","status":"processed","page_count":1,"classified_category_id":"cat_1",` +
			`"classified_category_name":"Invoice","confidence":0.8,"classification_reasoning":"r","overridden":true,"linked_batch_id":"btc_9"},` +
			`{"id":"file_2","file_name":"b.pdf","status":"failed","page_count":0,"classified_category_id":null,"classified_category_name":null,` +
			`"confidence":null,"classification_reasoning":null,"overridden":false,"linked_batch_id":null,"error":` + failed + `}]}`},
		{&ClassificationFile{}, `{"id":"file_1","file_name":"a.pdf","status":"queued","page_count":1,"classified_category_id":null,` +
			`"classified_category_name":null,"confidence":null,"classification_reasoning":null,"overridden":false,"linked_batch_id":null,` +
			`"classification_id":"cls_1","batch_id":"cbtc_1","content_type":"application/pdf","size":3,"created_at":` + t0 + `,"updated_at":` + t1 + `}`},
		{&WebhookEndpoint{}, `{"id":"we_1","url":"https://example.com/hook","description":"","event_types":[],"enabled":false,` +
			`"status":"disabled","disabled_reason":"410 Gone","last_success_at":null,"failing_since":` + t0 + `,"created_at":` + t0 + `,"updated_at":` + t1 + `}`},
		{&Recovery{}, `{"since":` + t0 + `,"message":"m"}`},
		{&TestResult{}, `{"status_code":null,"latency_ms":1.5,"response_body":"","error":"dial tcp: refused"}`},
		{&Attempt{}, `{"id":"att_1","event_id":"evt_1","event_type":"file.failed","endpoint_id":"we_1","attempt_number":2,"status_code":503,` +
			`"latency_ms":12.5,"request_headers":{"a":"2","b":"1"},"request_body":"{\"x\":1}","response_headers":{},"response_body":"",` +
			`"error":null,"created_at":` + t0 + `,"next_attempt_at":` + t1 + `}`},
		{&Event{}, `{"id":"evt_1","type":"file.failed","timestamp":"2026-05-24T10:00:00.5+02:00","data":{"b":1,"a":2.50},` +
			`"created_at":` + t0 + `,"deliveries":[]}`},
		{&Delivery{}, `{"endpoint_id":"we_1","status":"delivered","attempts":1,"last_status_code":200,"last_error":null,"next_attempt_at":null}`},
		{&BatchEventData{}, `{"extraction_id":"ext_1","batch_id":"btc_1","status":"failed","file_count":1,"page_count":2,"counts":` + counts + `,` +
			`"files":[{"id":"file_1","file_name":"a.pdf","status":"failed","page_count":2}],` +
			`"error":{"code":"all_files_failed","message":"every file of the batch failed"}}`},
		{&FileEventData{}, `{"extraction_id":"ext_1","batch_id":"btc_1","file":{"id":"file_1","file_name":"a.pdf","page_count":0,"status":"failed","error":` + failed + `}}`},
		{&FileClassifiedEventData{}, `{"classification_id":"cls_1","batch_id":"cbtc_1","file":{"id":"file_1","file_name":"a.pdf","status":"processed",` +
			`"page_count":1,"category_id":null,"category_name":null,"confidence":0.2,"overridden":false}}`},
		{&ClassificationEventData{}, `{"classification_id":"cls_1","batch_id":"cbtc_1","status":"processed","file_count":1,"page_count":1,` +
			`"counts":` + counts + `,"files":[{"id":"file_1","file_name":"a.pdf","status":"processed","page_count":1,"category_id":"cat_1",` +
			`"category_name":"Invoice","confidence":1,"overridden":true,"linked_batch_id":"btc_9"}]}`},
		{&TestEventData{}, `{"message":"hello"}`},
	}
	for _, tt := range tests {
		if err := json.Unmarshal([]byte(tt.json), tt.v); err != nil {
			t.Fatalf("json.Unmarshal(%T): %v", tt.v, err)
		}
		got, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", tt.v, err)
		}
		if string(got) != tt.json {
			t.Errorf("json.Marshal(%T) =\n%s\nwant\n%s", tt.v, got, tt.json)
		}
	}
}

func TestSplitEventTypes(t *testing.T) {
	tests := []struct {
		list string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"file.failed", []string{"file.failed"}},
		{" file.failed,,extraction.completed , ", []string{"file.failed", "extraction.completed"}},
	}
	for _, tt := range tests {
		if got := SplitEventTypes(tt.list); !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("SplitEventTypes(%q) = %q, want %q", tt.list, got, tt.want)
		}
	}
}

package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/servertest"
)

// api calls the JSON API with key and decodes the answer.
func api(t *testing.T, base, key, method, path, ct string, body []byte) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if len(b) > 0 && resp.StatusCode != http.StatusNotModified {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, v, resp.Header
}

// reviewSchema asks for fields a short text invoice lacks (paid, the
// seller's VAT number), so that its file needs review.
var reviewSchema = map[string]any{"name": "Invoices", "review_threshold": 0.99, "fields": []map[string]any{
	{"key": "invoice_number", "type": "string", "description": "Invoice number"},
	{"key": "total", "type": "number", "description": "Total amount"},
	{"key": "paid", "type": "boolean", "description": "Whether it is paid"},
	{"key": "seller", "type": "object", "fields": []map[string]any{
		{"key": "name", "type": "string"}, {"key": "vat_id", "type": "string"}}},
	{"key": "tags", "type": "list<string>"},
	{"key": "line_items", "type": "list<object>", "fields": []map[string]any{
		{"key": "description", "type": "string"}, {"key": "amount", "type": "number"}}},
}}

// needsReview uploads a text invoice to a new extraction with key and
// waits for its batch to end; it returns the extraction, batch and file
// ids of the file, which is in needs_review.
func needsReview(t *testing.T, base, key string) (eid, bid, fid string) {
	t.Helper()
	schema, _ := json.Marshal(reviewSchema)
	st, v, _ := api(t, base, key, "POST", "/v1/extractions", "application/json", schema)
	if st != http.StatusCreated {
		t.Fatalf("create extraction = %d %v", st, v)
	}
	eid = v["extraction"].(map[string]any)["id"].(string)
	ct, body := servertest.UploadForm(nil, servertest.File{Name: "invoice.txt", Content: []byte("ACME Supplies\nInvoice No: 42183017\nTotal: 12.00 EUR\n")})
	st, v, _ = api(t, base, key, "POST", "/v1/extractions/"+eid+"/batches", ct, body)
	if st != http.StatusAccepted {
		t.Fatalf("upload = %d %v", st, v)
	}
	bid = v["batch"].(map[string]any)["id"].(string)
	ended := servertest.Eventually(60*time.Second, func() bool {
		_, v, _ = api(t, base, key, "GET", "/v1/extractions/"+eid+"/batches/"+bid, "", nil)
		s := v["batch"].(map[string]any)["status"]
		return s == "processed" || s == "partial" || s == "failed"
	})
	if !ended {
		t.Fatalf("batch never ended: %v", v)
	}
	f := v["files"].([]any)[0].(map[string]any)
	if f["status"] != "needs_review" {
		t.Fatalf("file status = %v, want needs_review: %v", f["status"], v)
	}
	return eid, bid, f["id"].(string)
}

// fileEvent summarizes a delivery as its type, file ID and file status,
// separated by spaces.
func fileEvent(d servertest.Delivery) string {
	var ev struct {
		Type string `json:"type"`
		Data struct {
			File struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"file"`
		} `json:"data"`
	}
	json.Unmarshal(d.Body, &ev)
	return ev.Type + " " + ev.Data.File.ID + " " + ev.Data.File.Status
}

// waitFileEvent returns the summary (fileEvent) of the next delivery
// whose summary starts with prefix.
func waitFileEvent(rc *servertest.Receiver, prefix string) string {
	return fileEvent(rc.Wait(30*time.Second, prefix, func(d servertest.Delivery) bool { return strings.HasPrefix(fileEvent(d), prefix) }))
}

func TestConfirmReview(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		ctx := context.Background()
		key := srv.Key("acme")
		otherKey := srv.Key("other")
		acme, err := srv.DB.AccountByName(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		other, err := srv.DB.AccountByName(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		rc := servertest.NewReceiver(t)
		body, _ := json.Marshal(map[string]any{"url": rc.URL + "/hooks"})
		if st, v, _ := api(t, srv.URL, key, "POST", "/v1/webhook_endpoints", "application/json", body); st != http.StatusCreated {
			t.Fatalf("create endpoint = %d %v", st, v)
		}
		eid, bid, fid := needsReview(t, srv.URL, key)
		waitFileEvent(rc, "file.needs_review "+fid)
		batchPath := "/v1/extractions/" + eid + "/batches/" + bid
		_, before, etag := api(t, srv.URL, key, "GET", batchPath, "", nil)
		_, fileBefore, _ := api(t, srv.URL, key, "GET", batchPath+"/files/"+fid, "", nil)
		stored := fileBefore["result"].(map[string]any)
		storedConf := fileBefore["confidence"].(map[string]any)
		storedCites, _ := fileBefore["citations"].(map[string]any)
		if storedCites == nil {
			t.Fatalf("the extracted file has no citations: %v", fileBefore)
		}

		// Invalid corrections are rejected, naming every bad path; nothing
		// changes.
		bad := `{"invoice_number":"42183017","total":"twelve","paid":"yes","seller":{"name":"ACME","vat_id":7},"tags":[],
			"line_items":[{"description":"Bolts","amount":"x"}]}`
		_, err = srv.Service.ConfirmReview(ctx, acme.ID, fid, json.RawMessage(bad), "")
		var ve *docparse.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("ConfirmReview(bad) = %v, want a *docparse.ValidationError", err)
		}
		var paths []string
		for p := range ve.Fields {
			paths = append(paths, p)
		}
		if d := cmp.Diff([]string{"line_items[0].amount", "paid", "seller.vat_id", "total"}, sorted(paths)); d != "" {
			t.Errorf("invalid paths (-want +got):\n%s\n%v", d, ve.Fields)
		}

		// Another account's confirmation finds nothing.
		good := `{"invoice_number":"42183017","total":12.5,"paid":true,"seller":{"name":"ACME Supplies","vat_id":null},
			"tags":["urgent"],"line_items":[{"description":"Bolts","amount":12.5}]}`
		if _, err := srv.Service.ConfirmReview(ctx, other.ID, fid, json.RawMessage(good), ""); !errors.Is(err, docparse.ErrNotFound) {
			t.Fatalf("ConfirmReview(other account) = %v, want ErrNotFound", err)
		}
		if st, _, _ := api(t, srv.URL, otherKey, "GET", batchPath+"/files/"+fid, "", nil); st != http.StatusNotFound {
			t.Fatalf("other account GET file = %d, want 404", st)
		}

		f, err := srv.Service.ConfirmReview(ctx, acme.ID, fid, json.RawMessage(good), "")
		if err != nil {
			t.Fatalf("ConfirmReview = %v", err)
		}
		if f.Status != docparse.FileProcessed {
			t.Errorf("confirmed file status = %s, want processed", f.Status)
		}

		// The API shows the corrected result; a changed value has
		// confidence 1, an unchanged one keeps the extracted confidence,
		// null is 0, and the shapes follow API.md.
		_, got, _ := api(t, srv.URL, key, "GET", batchPath+"/files/"+fid, "", nil)
		if s := got["file"].(map[string]any)["status"]; s != "processed" {
			t.Errorf("API file status = %v, want processed", s)
		}
		var wantResult map[string]any
		json.Unmarshal([]byte(good), &wantResult)
		if d := cmp.Diff(wantResult, got["result"]); d != "" {
			t.Errorf("stored result (-want +got):\n%s", d)
		}
		conf := got["confidence"].(map[string]any)
		wantConf := map[string]any{
			"total": 1.0, "paid": 1.0,
			"seller":     map[string]any{"name": 1.0, "vat_id": 0.0},
			"tags":       []any{1.0},
			"line_items": []any{map[string]any{"description": 1.0, "amount": 1.0}},
		}
		if stored["invoice_number"] == "42183017" {
			wantConf["invoice_number"] = storedConf["invoice_number"] // unchanged
		} else {
			wantConf["invoice_number"] = 1.0
		}
		if stored["seller"].(map[string]any)["name"] == "ACME Supplies" {
			wantConf["seller"].(map[string]any)["name"] = storedConf["seller"].(map[string]any)["name"]
		}
		if d := cmp.Diff(wantConf, conf); d != "" {
			t.Errorf("stored confidence (-want +got):\n%s", d)
		}
		// Citations: a value the reviewer set cites no page and says it
		// came from review; an unchanged one keeps where it was read; null
		// cites nothing.
		review := map[string]any{"page": nil, "source": "review"}
		wantCites := map[string]any{
			"total": review, "paid": review,
			"seller":     map[string]any{"name": review, "vat_id": nil},
			"tags":       []any{review},
			"line_items": []any{map[string]any{"description": review, "amount": review}},
		}
		if stored["invoice_number"] == "42183017" {
			wantCites["invoice_number"] = storedCites["invoice_number"]
			// A text file's page has no geometry: page 1, no box.
			if c, _ := storedCites["invoice_number"].(map[string]any); c == nil || c["page"] != 1.0 || c["box"] != nil {
				t.Errorf("the extracted invoice number cites %v, want page 1 without a box (a text file)", storedCites["invoice_number"])
			}
		} else {
			wantCites["invoice_number"] = review
		}
		if stored["seller"].(map[string]any)["name"] == "ACME Supplies" {
			wantCites["seller"].(map[string]any)["name"] = storedCites["seller"].(map[string]any)["name"]
		}
		if d := cmp.Diff(wantCites, got["citations"]); d != "" {
			t.Errorf("citations after review (-want +got):\n%s", d)
		}

		// The polling endpoint: counts moved, version (ETag) changed, the
		// terminal status did not.
		st, after, _ := api(t, srv.URL, key, "GET", batchPath, "", nil)
		if st != http.StatusOK {
			t.Fatalf("poll = %d", st)
		}
		b0, b1 := before["batch"].(map[string]any), after["batch"].(map[string]any)
		if c := b1["counts"].(map[string]any); c["needs_review"] != 0.0 || c["processed"] != 1.0 {
			t.Errorf("counts after review = %v, want needs_review 0, processed 1", c)
		}
		if b1["status"] != b0["status"] || b1["completed_at"] != b0["completed_at"] {
			t.Errorf("batch status %v (completed %v) -> %v (%v); a terminal status never changes", b0["status"], b0["completed_at"], b1["status"], b1["completed_at"])
		}
		if f := after["files"].([]any)[0].(map[string]any); f["status"] != "processed" {
			t.Errorf("polled file status = %v, want processed", f["status"])
		}
		req, _ := http.NewRequest("GET", srv.URL+batchPath, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("If-None-Match", etag.Get("ETag"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("poll with the ETag from before the review = %d, want 200 (the batch changed)", resp.StatusCode)
		}

		// A second confirmation is refused and emits nothing.
		if _, err := srv.Service.ConfirmReview(ctx, acme.ID, fid, json.RawMessage(good), ""); !errors.Is(err, pipeline.ErrNotInReview) {
			t.Fatalf("second ConfirmReview = %v, want ErrNotInReview", err)
		}

		// Exactly one file.processed, in the feed and at the receiver.
		if got := waitFileEvent(rc, "file.processed"); got != "file.processed "+fid+" processed" {
			t.Errorf("receiver got %q", got)
		}
		_, evs, _ := api(t, srv.URL, key, "GET", "/v1/events?type=file.processed&limit=100", "", nil)
		n := 0
		for _, e := range evs["data"].([]any) {
			if strings.Contains(mustJSON(e), fid) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("GET /v1/events lists %d file.processed events for the file, want 1: %v", n, evs)
		}
		if d, ok := rc.Next(300 * time.Millisecond); ok && strings.HasPrefix(fileEvent(d), "file.processed") {
			t.Errorf("a second file.processed reached the receiver: %q", fileEvent(d))
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

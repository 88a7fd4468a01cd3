package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/extract/pdftest"
	"github.com/docparse/docparse/internal/servertest"
)

// Documents of the three categories of mailroomClassification.
var (
	invoiceDoc = []string{"INVOICE", "Invoice No: 2026-118", "Bill to: Globex Corporation, 12 Harbour Road",
		"Consulting services, May 2026          1,200.00", "Amount due: 1,200.00 EUR", "Payment terms: 30 days net"}
	letterDoc = []string{"Dear Mrs Holloway,", "Thank you for your kind letter of last week and for the warm welcome",
		"you gave our team during the visit. We look forward to meeting again in the autumn.", "Yours sincerely,", "Jonathan Reed"}
	receiptDoc = []string{"CORNER CAFE", "RECEIPT #5531", "2 x Cappuccino       7.00", "1 x Croissant        2.50",
		"Total paid (card)    9.50", "Change               0.00", "Thank you for your purchase!"}
	unrelatedDoc = []string{"The quick brown fox jumps over the lazy dog near the riverbank at dawn."}
)

func lines(doc []string) []byte { return []byte(strings.Join(doc, "\n") + "\n") }

// copies is n uploads of doc, named by nameFormat with their index.
func copies(n int, nameFormat string, doc []string) []upload {
	files := make([]upload, n)
	for i := range files {
		files[i] = upload{fmt.Sprintf(nameFormat, i), lines(doc)}
	}
	return files
}

// mailroomClassification is a classification of invoices (linked to
// extID when not empty), letters and receipts.
func mailroomClassification(extID string) map[string]any {
	invoices := map[string]any{"name": "Invoices",
		"description": "A bill from a supplier asking for payment, with an invoice number, the amount due and payment terms.",
		"keywords":    []string{"invoice", "amount due", "payment terms", "bill to", "invoice no"}}
	if extID != "" {
		invoices["linked_extraction_id"] = extID
	}
	return map[string]any{
		"name": "Mailroom",
		"categories": []map[string]any{
			invoices,
			{"name": "Letters", "description": "Correspondence addressed to a person, opening with a salutation such as Dear and ending with a closing such as Yours sincerely.",
				"keywords": []string{"dear", "yours sincerely", "kind regards", "letter"}},
			{"name": "Receipts", "description": "Proof of a payment already made at a shop, cafe or restaurant: items, total paid by cash or card, change.",
				"keywords": []string{"receipt", "total paid", "change", "purchase", "cash"}},
		},
	}
}

func (e *env) createClassification(body map[string]any) map[string]any {
	e.t.Helper()
	r := e.doJSON("POST", "/v1/classifications", body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create classification: %d %s", r.status, r.body)
	}
	return r.json(e.t)["classification"].(map[string]any)
}

func (e *env) uploadClassification(clsID string, files []upload) response {
	e.t.Helper()
	ct, body := multipartBody(e.t, "mail", files)
	return e.do("POST", "/v1/classifications/"+clsID+"/batches", e.key, ct, bytes.NewReader(body))
}

// waitClassificationBatch polls like a client until the batch ends.
func (e *env) waitClassificationBatch(clsID, batchID string) map[string]any {
	e.t.Helper()
	return e.waitEnded("/v1/classifications/"+clsID+"/batches/"+batchID, "classification batch "+batchID)
}

// filesByName indexes a batch answer's files.
func filesByName(v map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, f := range v["files"].([]any) {
		fm := f.(map[string]any)
		out[fm["file_name"].(string)] = fm
	}
	return out
}

func categoryIDs(c map[string]any) map[string]string {
	out := map[string]string{}
	for _, x := range c["categories"].([]any) {
		cm := x.(map[string]any)
		out[cm["name"].(string)] = cm["id"].(string)
	}
	return out
}

func TestClassificationValidation(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		otherExt := func() string {
			// An extraction of another account.
			key := e.newKey("globex")
			b, _ := json.Marshal(invoiceSchema)
			r := e.do("POST", "/v1/extractions", key, "application/json", bytes.NewReader(b))
			return r.json(t)["extraction"].(map[string]any)["id"].(string)
		}()
		cat := func(name string, extra ...any) map[string]any {
			m := map[string]any{"name": name}
			for i := 0; i+1 < len(extra); i += 2 {
				m[extra[i].(string)] = extra[i+1]
			}
			return m
		}
		many := func(n int) []map[string]any {
			out := make([]map[string]any, n)
			for i := range out {
				out[i] = cat(fmt.Sprint("c", i))
			}
			return out
		}
		kw := make([]string, 21)
		for i := range kw {
			kw[i] = fmt.Sprint("k", i)
		}
		tests := []struct {
			name   string
			body   map[string]any
			status int
			code   string
			path   string
		}{
			{"missing name", map[string]any{"categories": many(2)}, 400, "invalid_request", "name"},
			{"missing categories", map[string]any{"name": "x"}, 400, "invalid_request", "categories"},
			{"threshold", map[string]any{"name": "x", "categories": many(2), "threshold": 1.5}, 400, "invalid_request", "threshold"},
			{"one category", map[string]any{"name": "x", "categories": many(1)}, 422, "invalid_schema", "categories"},
			{"51 categories", map[string]any{"name": "x", "categories": many(51)}, 422, "invalid_schema", "categories"},
			{"21 keywords", map[string]any{"name": "x", "categories": []map[string]any{cat("a"), cat("b"), cat("c", "keywords", kw)}}, 422, "invalid_schema", "categories[2].keywords"},
			{"empty keyword", map[string]any{"name": "x", "categories": []map[string]any{cat("a", "keywords", []string{"ok", " "}), cat("b")}}, 422, "invalid_schema", "categories[0].keywords[1]"},
			{"duplicate name", map[string]any{"name": "x", "categories": []map[string]any{cat("Bills"), cat("bills")}}, 422, "invalid_schema", "categories[1].name"},
			{"unnamed category", map[string]any{"name": "x", "categories": []map[string]any{cat("a"), cat("")}}, 422, "invalid_schema", "categories[1].name"},
			{"unknown extraction", map[string]any{"name": "x", "categories": []map[string]any{cat("a"), cat("b", "linked_extraction_id", "ext_01NOPE")}}, 422, "invalid_schema", "categories[1].linked_extraction_id"},
			{"extraction of another account", map[string]any{"name": "x", "categories": []map[string]any{cat("a", "linked_extraction_id", otherExt), cat("b")}}, 422, "invalid_schema", "categories[0].linked_extraction_id"},
			{"id on create", map[string]any{"name": "x", "categories": []map[string]any{cat("a", "id", "cat_01X"), cat("b")}}, 422, "invalid_schema", "categories[0].id"},
			{"unknown parameter", map[string]any{"name": "x", "categories": many(2), "colour": 1}, 400, "unknown_parameter", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				expectRefused(t, e.doJSON("POST", "/v1/classifications", tt.body), tt.status, tt.code, tt.path)
			})
		}
		if n := len(e.doJSON("GET", "/v1/classifications", nil).json(t)["data"].([]any)); n != 0 {
			t.Errorf("%d classifications stored by refused creates", n)
		}
	})
}

func TestClassificationCRUD(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		c := e.createClassification(mailroomClassification(extID))
		clsID := c["id"].(string)
		if !strings.HasPrefix(clsID, "cls_") || c["threshold"] != 0.5 || len(c["categories"].([]any)) != 3 {
			t.Fatalf("created: %v", c)
		}
		cats := c["categories"].([]any)
		inv := cats[0].(map[string]any)
		if !strings.HasPrefix(inv["id"].(string), "cat_") || inv["linked_extraction_id"] != extID || len(inv["keywords"].([]any)) != 5 {
			t.Errorf("invoices category: %v", inv)
		}
		if cats[1].(map[string]any)["linked_extraction_id"] != nil {
			t.Errorf("letters linked: %v", cats[1])
		}
		got := e.doJSON("GET", "/v1/classifications/"+clsID, nil)
		if got.status != 200 || got.json(t)["classification"].(map[string]any)["name"] != "Mailroom" {
			t.Fatalf("get: %d %s", got.status, got.body)
		}
		// PATCH: rename, new threshold; keep two categories by id, drop one,
		// add one.
		ids := categoryIDs(c)
		patch := map[string]any{"name": "Post", "threshold": 0.7, "categories": []map[string]any{
			{"id": ids["Invoices"], "name": "Bills", "linked_extraction_id": nil},
			{"id": ids["Letters"], "name": "Letters"},
			{"name": "Contracts", "keywords": []string{"agreement"}},
		}}
		r := e.doJSON("PATCH", "/v1/classifications/"+clsID, patch)
		if r.status != 200 {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		p := r.json(t)["classification"].(map[string]any)
		pids := categoryIDs(p)
		if p["name"] != "Post" || p["threshold"] != 0.7 || pids["Bills"] != ids["Invoices"] || pids["Letters"] != ids["Letters"] ||
			pids["Contracts"] == "" || pids["Receipts"] != "" {
			t.Errorf("after patch: %v", p)
		}
		if p["categories"].([]any)[0].(map[string]any)["linked_extraction_id"] != nil {
			t.Errorf("link not cleared: %v", p["categories"])
		}
		// A bad PATCH changes nothing.
		for _, bad := range []map[string]any{
			{"categories": []map[string]any{{"id": "cat_01UNKNOWN", "name": "x"}, {"name": "y"}}},
			{"categories": []map[string]any{{"name": "x", "linked_extraction_id": "ext_01NOPE"}, {"name": "y"}}},
			{"threshold": -1},
		} {
			if r := e.doJSON("PATCH", "/v1/classifications/"+clsID, bad); r.status != 422 && r.status != 400 {
				t.Errorf("bad patch %v: %d %s", bad, r.status, r.body)
			}
		}
		after := e.doJSON("GET", "/v1/classifications/"+clsID, nil).json(t)["classification"].(map[string]any)
		if after["threshold"] != 0.7 || len(after["categories"].([]any)) != 3 {
			t.Errorf("after bad patches: %v", after)
		}
		// Lists, with pagination.
		e.createClassification(mailroomClassification(""))
		l := e.doJSON("GET", "/v1/classifications?limit=1", nil).json(t)
		if len(l["data"].([]any)) != 1 || l["has_more"] != true {
			t.Errorf("list: %v", l)
		}
		l2 := e.doJSON("GET", "/v1/classifications?limit=1&cursor="+l["next_cursor"].(string), nil).json(t)
		if len(l2["data"].([]any)) != 1 || l2["data"].([]any)[0].(map[string]any)["id"] != clsID {
			t.Errorf("second page: %v", l2)
		}
		// Another account sees none of it.
		other := e.newKey("globex")
		for _, req := range []struct{ method, path string }{
			{"GET", "/v1/classifications/" + clsID},
			{"PATCH", "/v1/classifications/" + clsID},
			{"DELETE", "/v1/classifications/" + clsID},
			{"GET", "/v1/classifications/" + clsID + "/batches"},
		} {
			r := e.do(req.method, req.path, other, "application/json", strings.NewReader(`{"name":"stolen"}`))
			if r.status != 404 {
				t.Errorf("other account %s %s: %d %s", req.method, req.path, r.status, r.body)
			}
		}
		if r := e.do("GET", "/v1/classifications", other, "", nil); len(r.json(t)["data"].([]any)) != 0 {
			t.Errorf("other account lists: %s", r.body)
		}
		// Delete.
		e.mustDelete("/v1/classifications/" + clsID)
		if r := e.doJSON("GET", "/v1/classifications/"+clsID, nil); r.status != 404 {
			t.Errorf("get after delete: %d", r.status)
		}
		if r := e.doJSON("DELETE", "/v1/classifications/"+clsID, nil); r.status != 404 {
			t.Errorf("delete twice: %d", r.status)
		}
	})
}

// TestClassificationBatch uploads a mixed batch with a bad file: each good
// file lands in its category with a reason, the unrelated one in none, the
// bad one fails with a code while its neighbours finish; events reach the
// feed and a real webhook receiver; another account sees nothing.
func TestClassificationBatch(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		hooks := servertest.NewReceiver(t)
		if r := e.doJSON("POST", "/v1/webhook_endpoints", map[string]any{"url": hooks.URL,
			"event_types": []string{"file.classified", "classification.completed"}}); r.status != 201 {
			t.Fatalf("create endpoint: %d %s", r.status, r.body)
		}
		c := e.createClassification(mailroomClassification(""))
		clsID, ids := c["id"].(string), categoryIDs(c)
		files := []upload{
			{"invoice.pdf", pdftest.Text(invoiceDoc)},
			{"letter.txt", lines(letterDoc)},
			{"receipt.pdf", pdftest.Text(receiptDoc)},
			{"fox.txt", lines(unrelatedDoc)},
			{"broken.pdf", pdftest.Text(invoiceDoc)[:200]},
		}
		r := e.uploadClassification(clsID, files)
		if r.status != 202 {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		up := r.json(t)
		b := up["batch"].(map[string]any)
		batchID := b["id"].(string)
		if !strings.HasPrefix(batchID, "cbtc_") || b["status"] != "queued" || b["file_count"].(float64) != 5 || b["classification_id"] != clsID {
			t.Fatalf("upload answer: %s", r.body)
		}
		for _, f := range up["files"].([]any) {
			if id := f.(map[string]any)["id"].(string); !strings.HasPrefix(id, "cfile_") {
				t.Errorf("file id %s", id)
			}
		}
		done := e.waitClassificationBatch(clsID, batchID)
		batch := done["batch"].(map[string]any)
		counts := batch["counts"].(map[string]any)
		if batch["status"] != "partial" || counts["processed"].(float64) != 4 || counts["failed"].(float64) != 1 || batch["completed_at"] == nil {
			t.Fatalf("batch: %v", batch)
		}
		byName := filesByName(done)
		want := map[string]string{"invoice.pdf": "Invoices", "letter.txt": "Letters", "receipt.pdf": "Receipts"}
		for name, cat := range want {
			f := byName[name]
			if f["status"] != "processed" || f["classified_category_id"] != ids[cat] || f["classified_category_name"] != cat {
				t.Errorf("%s: %v, want %s", name, f, cat)
				continue
			}
			if conf := f["confidence"].(float64); conf < 0.5 || conf > 1 {
				t.Errorf("%s: confidence %v", name, conf)
			}
			if reason, _ := f["classification_reasoning"].(string); len(reason) < 10 {
				t.Errorf("%s: reasoning %q", name, reason)
			}
			if f["overridden"] != false || f["linked_batch_id"] != nil {
				t.Errorf("%s: %v", name, f)
			}
		}
		fox := byName["fox.txt"]
		if fox["status"] != "processed" || fox["classified_category_id"] != nil || fox["classified_category_name"] != nil ||
			fox["confidence"].(float64) >= 0.5 || fox["classification_reasoning"] == "" {
			t.Errorf("unrelated file: %v, want processed with no category below 0.5", fox)
		}
		broken := byName["broken.pdf"]
		if broken["status"] != "failed" || broken["error"].(map[string]any)["code"] != "corrupt_document" || broken["classified_category_id"] != nil {
			t.Errorf("broken file: %v", broken)
		}
		// The file detail and the original content.
		fpath := "/v1/classifications/" + clsID + "/batches/" + batchID + "/files/" + byName["letter.txt"]["id"].(string)
		fr := e.doJSON("GET", fpath, nil)
		if fr.status != 200 || fr.json(t)["file"].(map[string]any)["classified_category_name"] != "Letters" ||
			fr.json(t)["file"].(map[string]any)["content_type"] == "" {
			t.Errorf("file: %d %s", fr.status, fr.body)
		}
		if cr := e.doJSON("GET", fpath+"/content", nil); cr.status != 200 || !bytes.Equal(cr.body, lines(letterDoc)) {
			t.Errorf("content: %d %q", cr.status, cr.body)
		}
		// Polling: ETag, 304.
		path := "/v1/classifications/" + clsID + "/batches/" + batchID
		first := e.doJSON("GET", path, nil)
		if again := e.doJSON("GET", path, nil, "If-None-Match", first.header.Get("ETag")); again.status != 304 {
			t.Errorf("If-None-Match: %d", again.status)
		}
		// Lists.
		if l := e.doJSON("GET", "/v1/classifications/"+clsID+"/batches?status=partial", nil); len(l.json(t)["data"].([]any)) != 1 {
			t.Errorf("list partial: %s", l.body)
		}
		if l := e.doJSON("GET", "/v1/classifications/"+clsID+"/batches?status=processed", nil); len(l.json(t)["data"].([]any)) != 0 {
			t.Errorf("list processed: %s", l.body)
		}
		// Events: one file.classified per file, then one
		// classification.completed, in the feed and delivered.
		ev := e.doJSON("GET", "/v1/events?type=file.classified,classification.completed&limit=100", nil).json(t)["data"].([]any)
		var types []string
		classified := map[string]map[string]any{}
		for _, x := range ev {
			xm := x.(map[string]any)
			types = append(types, xm["type"].(string))
			data := xm["data"].(map[string]any)
			if data["classification_id"] != clsID || data["batch_id"] != batchID {
				t.Errorf("event data lacks its parents: %v", data)
			}
			if xm["type"] == "file.classified" {
				f := data["file"].(map[string]any)
				classified[f["file_name"].(string)] = f
			}
		}
		if len(types) != 6 || types[5] != "classification.completed" {
			t.Fatalf("events = %v, want 5 file.classified then classification.completed", types)
		}
		if f := classified["invoice.pdf"]; f["category_id"] != ids["Invoices"] || f["category_name"] != "Invoices" || f["confidence"] == nil {
			t.Errorf("file.classified of the invoice: %v", f)
		}
		if f := classified["fox.txt"]; f["category_id"] != nil {
			t.Errorf("file.classified of the unrelated file: %v", f)
		}
		completed := ev[5].(map[string]any)["data"].(map[string]any)
		if completed["status"] != "partial" || completed["file_count"].(float64) != 5 || len(completed["files"].([]any)) != 5 {
			t.Errorf("classification.completed: %v", completed)
		}
		got := map[string]int{}
		for _, d := range hooks.WaitN(30*time.Second, 6) {
			if d.Header.Get("webhook-signature") == "" {
				t.Errorf("unsigned delivery %s", d.Body)
			}
			got[d.Type()]++
		}
		if got["classification.completed"] != 1 || got["file.classified"] != 5 {
			t.Errorf("webhooks received %v", got)
		}
		// Another account sees nothing of the batch.
		other := e.newKey("globex")
		for _, p := range []string{path, fpath, fpath + "/content"} {
			if r := e.do("GET", p, other, "", nil); r.status != 404 {
				t.Errorf("other account GET %s: %d", p, r.status)
			}
		}
		if r := e.do("PATCH", fpath, other, "application/json", strings.NewReader(`{"classified_category_id": null}`)); r.status != 404 {
			t.Errorf("other account PATCH file: %d", r.status)
		}
		ct, body := multipartBody(t, "", files[:1])
		if r := e.do("POST", "/v1/classifications/"+clsID+"/batches", other, ct, bytes.NewReader(body)); r.status != 404 {
			t.Errorf("other account upload: %d", r.status)
		}
		// Deleting the classification removes its documents.
		e.mustDelete("/v1/classifications/" + clsID)
		if r := e.doJSON("GET", path, nil); r.status != 404 {
			t.Errorf("batch after delete: %d", r.status)
		}
		if n := countFiles(t, e.blobDir); n != 0 {
			t.Errorf("%d blobs left after delete", n)
		}
	})
}

// TestClassificationThreshold: below the classification's threshold a
// file is processed with a null category; the confidence is still shown.
func TestClassificationThreshold(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		body := mailroomClassification("")
		body["threshold"] = 0
		c := e.createClassification(body)
		clsID := c["id"].(string)
		// A document with one weak cue: classified, short of certain.
		weak := []byte("Please see the attached letter about the parking spaces.\n")
		classifyOne := func() map[string]any {
			r := e.uploadClassification(clsID, []upload{{"weak.txt", weak}})
			done := e.waitClassificationBatch(clsID, r.json(t)["batch"].(map[string]any)["id"].(string))
			if done["batch"].(map[string]any)["status"] != "processed" {
				t.Fatalf("batch: %v", done["batch"])
			}
			return done["files"].([]any)[0].(map[string]any)
		}
		f := classifyOne()
		conf, _ := f["confidence"].(float64)
		if f["classified_category_name"] != "Letters" || conf <= 0 || conf >= 1 {
			t.Fatalf("with threshold 0: %v; the test needs a document classified as a letter with a confidence in (0, 1)", f)
		}
		// Over its confidence, the same document gets no category.
		if r := e.doJSON("PATCH", "/v1/classifications/"+clsID, map[string]any{"threshold": (conf + 1) / 2}); r.status != 200 {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		f = classifyOne()
		if f["status"] != "processed" || f["classified_category_id"] != nil || f["classified_category_name"] != nil ||
			f["confidence"] != conf || f["classification_reasoning"] == "" {
			t.Fatalf("with threshold %v: %v, want processed without a category, confidence %v", (conf+1)/2, f, conf)
		}
	})
}

// facilitiesMemo is an internal memo: none of mailroomClassification's
// categories matches it out of the box.
func facilitiesMemo(subject, body string) []byte {
	return []byte(fmt.Sprintf("MEMO\nTo: all staff\nFrom: facilities\nSubject: %s\n%s\n", subject, body))
}

// TestClassificationOverride: PATCH sets and clears a sticky override and
// refuses unknown categories; the classification learns from overrides: a
// user who files a batch of memos under Letters by hand finds the next
// memo filed there by the classifier.
func TestClassificationOverride(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		c := e.createClassification(mailroomClassification(""))
		clsID, ids := c["id"].(string), categoryIDs(c)
		memos := []upload{
			{"maintenance.txt", facilitiesMemo("quarterly maintenance schedule", "The elevator inspection and boiler check take place on Friday morning.")},
			{"fire-drill.txt", facilitiesMemo("fire drill", "The fire alarm test takes place on Monday at noon; please leave the building by the east stairs.")},
			{"parking.txt", facilitiesMemo("parking", "The car park is closed on Wednesday for resurfacing; please use the street.")},
			{"kitchen.txt", facilitiesMemo("kitchen", "The kitchen on floor 2 will be cleaned on Thursday afternoon.")},
			{"windows.txt", facilitiesMemo("windows", "The window cleaners visit the building on Tuesday morning.")},
		}
		probe := []upload{{"heating.txt", facilitiesMemo("heating", "The heating in the west wing is switched off on Tuesday for repairs.")}}
		batch := func(files []upload) (string, map[string]any) {
			r := e.uploadClassification(clsID, files)
			if r.status != 202 {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
			id := r.json(t)["batch"].(map[string]any)["id"].(string)
			return id, e.waitClassificationBatch(clsID, id)
		}
		// Before any override, the memos are no letters.
		_, before := batch(probe)
		if f := before["files"].([]any)[0].(map[string]any); f["classified_category_id"] == ids["Letters"] {
			t.Fatalf("a memo is a letter before any override: %v", f)
		}
		batchID, done := batch(append(memos, upload{"invoice.txt", lines(invoiceDoc)}))
		files := filesByName(done)
		path := func(name string) string {
			return "/v1/classifications/" + clsID + "/batches/" + batchID + "/files/" + files[name]["id"].(string)
		}
		etag := e.doJSON("GET", "/v1/classifications/"+clsID+"/batches/"+batchID, nil).header.Get("ETag")

		// Unknown category, wrong type, missing field: refused.
		if r := e.doJSON("PATCH", path("parking.txt"), map[string]any{"classified_category_id": "cat_01NOPE"}); r.status != 422 || errorCode(t, r) != "invalid_schema" {
			t.Errorf("unknown category: %d %s", r.status, r.body)
		}
		if r := e.doJSON("PATCH", path("parking.txt"), map[string]any{"classified_category_id": 7}); r.status != 400 {
			t.Errorf("number: %d %s", r.status, r.body)
		}
		if r := e.doJSON("PATCH", path("parking.txt"), map[string]any{}); r.status != 400 {
			t.Errorf("missing: %d %s", r.status, r.body)
		}
		if r := e.doJSON("PATCH", "/v1/classifications/"+clsID+"/batches/"+batchID+"/files/cfile_01NOPE", map[string]any{"classified_category_id": nil}); r.status != 404 {
			t.Errorf("unknown file: %d %s", r.status, r.body)
		}
		// Set: every memo is filed under Letters, the invoice confirmed.
		for _, m := range memos {
			r := e.doJSON("PATCH", path(m.name), map[string]any{"classified_category_id": ids["Letters"]})
			if r.status != 200 {
				t.Fatalf("override: %d %s", r.status, r.body)
			}
			got := r.json(t)["file"].(map[string]any)
			if got["overridden"] != true || got["classified_category_id"] != ids["Letters"] || got["classified_category_name"] != "Letters" || got["confidence"] != 1.0 {
				t.Errorf("after override: %v", got)
			}
		}
		if r := e.doJSON("PATCH", path("invoice.txt"), map[string]any{"classified_category_id": ids["Invoices"]}); r.status != 200 {
			t.Fatalf("confirm: %d %s", r.status, r.body)
		}
		// The poll shows them: the ETag changed.
		poll := e.doJSON("GET", "/v1/classifications/"+clsID+"/batches/"+batchID, nil, "If-None-Match", etag)
		if poll.status != 200 || filesByName(poll.json(t))["kitchen.txt"]["overridden"] != true {
			t.Errorf("poll after override: %d %s", poll.status, poll.body)
		}
		// The classification learned: the next memo is a letter, without
		// an override of its own.
		_, after := batch(probe)
		if f := after["files"].([]any)[0].(map[string]any); f["classified_category_id"] != ids["Letters"] || f["overridden"] != false {
			t.Errorf("after the overrides, a new memo is %v, want Letters without an override", f)
		}
		// Clear: the classifier's decision shows again.
		r := e.doJSON("PATCH", path("parking.txt"), map[string]any{"classified_category_id": nil})
		if r.status != 200 {
			t.Fatalf("clear: %d %s", r.status, r.body)
		}
		if f := r.json(t)["file"].(map[string]any); f["overridden"] != false || f["classified_category_id"] != files["parking.txt"]["classified_category_id"] ||
			f["confidence"] != files["parking.txt"]["confidence"] {
			t.Errorf("after clearing: %v, want the decision %v", f, files["parking.txt"])
		}
	})
}

// TestOneOverrideIsLearnt: after a single override, the same document
// uploaded again, and a copy of it with other days and times, land in
// the corrected category, saying why; an unrelated memo does not.
func TestOneOverrideIsLearnt(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		c := e.createClassification(mailroomClassification(""))
		clsID, ids := c["id"].(string), categoryIDs(c)
		memo := facilitiesMemo("maintenance in March", "The elevator inspection and the boiler check take place on Friday 13 March from 8:00 to 12:00.")
		var batchID string
		batch := func(files ...upload) map[string]map[string]any {
			r := e.uploadClassification(clsID, files)
			if r.status != 202 {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
			batchID = r.json(t)["batch"].(map[string]any)["id"].(string)
			return filesByName(e.waitClassificationBatch(clsID, batchID))
		}
		first := batch(upload{"memo.txt", memo})["memo.txt"]
		if first["classified_category_id"] == ids["Letters"] {
			t.Fatalf("the memo is a letter before any override: %v", first)
		}
		path := "/v1/classifications/" + clsID + "/batches/" + batchID + "/files/" + first["id"].(string)
		if r := e.doJSON("PATCH", path, map[string]any{"classified_category_id": ids["Letters"]}); r.status != 200 {
			t.Fatalf("override: %d %s", r.status, r.body)
		}
		again := batch(upload{"memo-again.txt", memo},
			upload{"memo-moved.txt", facilitiesMemo("maintenance in March", "The elevator inspection and the boiler check take place on Friday 20 March from 9:00 to 13:00.")},
			upload{"parking.txt", facilitiesMemo("parking", "The car park is closed on Wednesday for resurfacing; please use the street.")})
		for _, name := range []string{"memo-again.txt", "memo-moved.txt"} {
			f := again[name]
			if f["classified_category_id"] != ids["Letters"] || f["overridden"] != false || !strings.Contains(fmt.Sprint(f["classification_reasoning"]), "by hand") {
				t.Errorf("%s after one override: %v, want Letters, learnt, saying why", name, f)
			}
		}
		if f := again["parking.txt"]; f["classified_category_id"] == ids["Letters"] {
			t.Errorf("an unrelated memo follows the override: %v", f)
		}
	})
}

// TestClassificationChaining: invoices and receipts go on to their linked
// extractions, one new extraction batch per extraction, processed by the extraction pipeline with its
// own events, over the same stored documents; deleting either side keeps
// the documents the other still uses.
func TestClassificationChaining(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		receiptsExt := e.createExtraction()
		body := mailroomClassification(extID)
		body["categories"].([]map[string]any)[2]["linked_extraction_id"] = receiptsExt
		c := e.createClassification(body)
		clsID := c["id"].(string)
		invoice2 := append([]string{}, invoiceDoc...)
		invoice2[1] = "Invoice No: 2026-119"
		r := e.uploadClassification(clsID, []upload{
			{"a-invoice.pdf", pdftest.Text(invoiceDoc)},
			{"letter.txt", lines(letterDoc)},
			{"b-invoice.txt", lines(invoice2)},
			{"receipt.txt", lines(receiptDoc)},
		})
		batchID := r.json(t)["batch"].(map[string]any)["id"].(string)
		done := e.waitClassificationBatch(clsID, batchID)
		byName := filesByName(done)
		linked, _ := byName["a-invoice.pdf"]["linked_batch_id"].(string)
		receiptBatch, _ := byName["receipt.txt"]["linked_batch_id"].(string)
		if linked == "" || byName["b-invoice.txt"]["linked_batch_id"] != linked || byName["letter.txt"]["linked_batch_id"] != nil ||
			receiptBatch == "" || receiptBatch == linked {
			t.Fatalf("linked batches: %v", done["files"])
		}
		// The receipt went to the receipts' extraction, alone.
		rb := e.waitBatch(receiptsExt, receiptBatch)
		if rf := rb["files"].([]any); len(rf) != 1 || rf[0].(map[string]any)["file_name"] != "receipt.txt" {
			t.Errorf("receipts' batch: %v", rb)
		}
		// One extraction batch, of the two invoices, processed.
		l := e.doJSON("GET", "/v1/extractions/"+extID+"/batches", nil).json(t)["data"].([]any)
		if len(l) != 1 || l[0].(map[string]any)["id"] != linked {
			t.Fatalf("extraction batches: %v", l)
		}
		eb := e.waitBatch(extID, linked)
		if eb["batch"].(map[string]any)["status"] != "processed" && eb["batch"].(map[string]any)["status"] != "partial" {
			t.Fatalf("extraction batch: %v", eb["batch"])
		}
		efiles := filesByName(eb)
		if len(efiles) != 2 || efiles["a-invoice.pdf"] == nil || efiles["b-invoice.txt"] == nil {
			t.Fatalf("extraction files: %v", eb["files"])
		}
		res := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+linked+"/files/"+efiles["b-invoice.txt"]["id"].(string), nil).json(t)
		if res["result"].(map[string]any)["total"] != 1200.0 {
			t.Errorf("extracted result: %v", res["result"])
		}
		// Its own events: extraction.completed for that batch.
		ev := e.doJSON("GET", "/v1/events?type=extraction.completed", nil).json(t)["data"].([]any)
		if len(ev) != 2 {
			t.Errorf("extraction.completed events: %v", ev)
		}
		// Nothing copied: four uploads, four blobs.
		if n := countFiles(t, e.blobDir); n != 4 {
			t.Fatalf("%d blobs, want 4 (chaining must not copy)", n)
		}
		// Deleting the classification keeps the invoices' documents, which
		// the extraction batch still serves.
		e.mustDelete("/v1/classifications/" + clsID)
		if n := countFiles(t, e.blobDir); n != 3 {
			t.Errorf("%d blobs after deleting the classification, want 3", n)
		}
		content := e.doJSON("GET", "/v1/extractions/"+extID+"/batches/"+linked+"/files/"+efiles["b-invoice.txt"]["id"].(string)+"/content", nil)
		if content.status != 200 || !bytes.Equal(content.body, lines(invoice2)) {
			t.Errorf("content after deleting the classification: %d", content.status)
		}
		e.mustDelete("/v1/extractions/" + extID)
		if n := countFiles(t, e.blobDir); n != 1 {
			t.Errorf("%d blobs after deleting the invoices' extraction, want 1", n)
		}
		e.mustDelete("/v1/extractions/" + receiptsExt)
		if n := countFiles(t, e.blobDir); n != 0 {
			t.Errorf("%d blobs after deleting everything", n)
		}
	})
}

// TestDeleteClassificationWhileProcessing: a delete in the middle of a
// batch answers 204 at once; the jobs left find nothing, and no stored
// document is left behind.
func TestDeleteClassificationWhileProcessing(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		clsID := e.createClassification(mailroomClassification(extID))["id"].(string)
		r := e.uploadClassification(clsID, copies(12, "invoice-%d.txt", invoiceDoc))
		if r.status != 202 {
			t.Fatalf("upload: %d", r.status)
		}
		// Delete once the batch has started: some file has left the queue.
		batchPath := "/v1/classifications/" + clsID + "/batches/" + r.json(t)["batch"].(map[string]any)["id"].(string)
		started := servertest.Eventually(30*time.Second, func() bool {
			b := e.doJSON("GET", batchPath, nil).json(t)["batch"].(map[string]any)
			return b["status"] != "queued" || b["counts"].(map[string]any)["queued"].(float64) < 12
		})
		if !started {
			t.Fatal("no file of the batch started within 30s")
		}
		e.mustDelete("/v1/classifications/" + clsID)
		// Documents already chained stay with their extraction batch;
		// every other one is gone once the jobs have drained.
		var n, chained int
		drained := servertest.Eventually(30*time.Second, func() bool {
			chained = 0
			for _, b := range e.doJSON("GET", "/v1/extractions/"+extID+"/batches", nil).json(t)["data"].([]any) {
				chained += int(b.(map[string]any)["file_count"].(float64))
			}
			n = countFiles(t, e.blobDir)
			return n == chained
		})
		if !drained {
			t.Fatalf("%d blobs left, %d chained", n, chained)
		}
	})
}

// TestDeleteExtractionKeepsClassificationBlobs: the other order; and once
// the classification goes too, no stored document is left.
func TestDeleteExtractionKeepsClassificationBlobs(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		extID := e.createExtraction()
		c := e.createClassification(mailroomClassification(extID))
		clsID := c["id"].(string)
		r := e.uploadClassification(clsID, []upload{{"invoice.txt", lines(invoiceDoc)}})
		batchID := r.json(t)["batch"].(map[string]any)["id"].(string)
		done := e.waitClassificationBatch(clsID, batchID)
		f := done["files"].([]any)[0].(map[string]any)
		if f["linked_batch_id"] == nil {
			t.Fatalf("not chained: %v", f)
		}
		e.waitBatch(extID, f["linked_batch_id"].(string))
		e.mustDelete("/v1/extractions/" + extID)
		content := e.doJSON("GET", "/v1/classifications/"+clsID+"/batches/"+batchID+"/files/"+f["id"].(string)+"/content", nil)
		if content.status != 200 || !bytes.Equal(content.body, lines(invoiceDoc)) {
			t.Errorf("classification content after deleting the extraction: %d %s", content.status, content.body)
		}
		// A batch uploaded after the linked extraction is gone is classified
		// and chained nowhere.
		r = e.uploadClassification(clsID, []upload{{"invoice.txt", lines(invoiceDoc)}})
		done = e.waitClassificationBatch(clsID, r.json(t)["batch"].(map[string]any)["id"].(string))
		if f := done["files"].([]any)[0].(map[string]any); f["classified_category_name"] != "Invoices" || f["linked_batch_id"] != nil {
			t.Errorf("after the extraction is gone: %v", f)
		}
		e.mustDelete("/v1/classifications/" + clsID)
		if !servertest.Eventually(10*time.Second, func() bool { return countFiles(t, e.blobDir) == 0 }) {
			t.Fatalf("%d blobs left after deleting the extraction and the classification", countFiles(t, e.blobDir))
		}
	})
}

// TestClassificationUploadLimits: the limits of extraction uploads, 413
// and nothing stored.
func TestClassificationUploadLimits(t *testing.T) {
	eachEnv(t, envOptions{maxFiles: 2, maxFileSize: 1000}, func(t *testing.T, e *env) {
		clsID := e.createClassification(mailroomClassification(""))["id"].(string)
		small := lines(letterDoc)
		if r := e.uploadClassification(clsID, []upload{{"a.txt", small}, {"b.txt", small}, {"c.txt", small}}); r.status != 413 {
			t.Errorf("3 files with max 2: %d %s", r.status, r.body)
		}
		if r := e.uploadClassification(clsID, []upload{{"a.txt", small}, {"big.txt", bytes.Repeat([]byte("x"), 1001)}}); r.status != 413 {
			t.Errorf("1001 bytes with max 1000: %d %s", r.status, r.body)
		}
		if r := e.do("POST", "/v1/classifications/"+clsID+"/batches", e.key, "application/json", strings.NewReader("{}")); r.status != 415 {
			t.Errorf("json upload: %d", r.status)
		}
		ct, body := multipartBody(t, "no files", nil)
		if r := e.do("POST", "/v1/classifications/"+clsID+"/batches", e.key, ct, bytes.NewReader(body)); r.status != 400 {
			t.Errorf("no files: %d", r.status)
		}
		if r := e.uploadClassification("cls_01NOPE", []upload{{"a.txt", small}}); r.status != 404 {
			t.Errorf("unknown classification: %d", r.status)
		}
		if n := countFiles(t, e.blobDir); n != 0 {
			t.Errorf("%d blobs stored by refused uploads", n)
		}
		if l := e.doJSON("GET", "/v1/classifications/"+clsID+"/batches", nil); len(l.json(t)["data"].([]any)) != 0 {
			t.Errorf("batches stored by refused uploads: %s", l.body)
		}
	})
}

// TestOverrideWhileProcessing: overrides set while the batch's files are
// being classified all succeed, survive the classifier's decisions and
// show in the ended batch; the batch ends once.
func TestOverrideWhileProcessing(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		c := e.createClassification(mailroomClassification(""))
		clsID, ids := c["id"].(string), categoryIDs(c)
		r := e.uploadClassification(clsID, copies(16, "letter-%02d.txt", letterDoc))
		if r.status != 202 {
			t.Fatalf("upload: %d", r.status)
		}
		up := r.json(t)
		batchID := up["batch"].(map[string]any)["id"].(string)
		var wg sync.WaitGroup
		for i, f := range up["files"].([]any) {
			if i%2 == 1 {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := "/v1/classifications/" + clsID + "/batches/" + batchID + "/files/" + f.(map[string]any)["id"].(string)
				if r := e.doJSON("PATCH", p, map[string]any{"classified_category_id": ids["Receipts"]}); r.status != 200 {
					t.Errorf("override: %d %s", r.status, r.body)
				}
			}()
		}
		wg.Wait()
		done := e.waitClassificationBatch(clsID, batchID)
		if b := done["batch"].(map[string]any); b["status"] != "processed" || b["counts"].(map[string]any)["processed"].(float64) != 16 {
			t.Fatalf("batch: %v", b)
		}
		for i, f := range done["files"].([]any) {
			fm := f.(map[string]any)
			if i%2 == 0 {
				if fm["classified_category_name"] != "Receipts" || fm["overridden"] != true {
					t.Errorf("%s: %v, want Receipts, overridden", fm["file_name"], fm)
				}
				continue
			}
			// Not overridden: the classifier's decision, a letter, unless
			// it was made after an override of the same letter, which it
			// then follows (TestOneOverrideIsLearnt).
			learnt := fm["classified_category_name"] == "Receipts" && strings.Contains(fmt.Sprint(fm["classification_reasoning"]), "by hand")
			if fm["overridden"] != false || fm["classified_category_name"] != "Letters" && !learnt {
				t.Errorf("%s: %v, want Letters (or Receipts learnt from an override), not overridden", fm["file_name"], fm)
			}
		}
		var completed int
		for _, ev := range e.doJSON("GET", "/v1/events?type=classification.completed", nil).json(t)["data"].([]any) {
			if ev.(map[string]any)["data"].(map[string]any)["batch_id"] == batchID {
				completed++
			}
		}
		if completed != 1 {
			t.Errorf("%d classification.completed events, want 1", completed)
		}
	})
}

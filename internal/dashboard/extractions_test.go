package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
)

// invoiceText is a small text invoice that processes in milliseconds.
const invoiceText = "ACME Supplies\nInvoice No: 42183017\nDate: 2026-03-14\nTotal: 12.00 EUR\n"

// multipartBody builds an upload body. A non-empty token is sent as the
// first part, named csrf_token, as the page's plain form sends it.
func multipartBody(t *testing.T, token, batchName string, files ...upload) (*bytes.Buffer, string) {
	t.Helper()
	parts := make([]servertest.File, len(files))
	for i, f := range files {
		parts[i] = servertest.File{Name: f.name, Content: []byte(f.content)}
	}
	ct, body := servertest.UploadForm([]string{"csrf_token", token, "name", batchName}, parts...)
	return bytes.NewBuffer(body), ct
}

// postUpload posts an upload body with extra headers.
func (b *browser) postUpload(path string, body io.Reader, ctype string, header map[string]string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, body)
	req.Header.Set("Content-Type", ctype)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	return read(b.t, resp)
}

// checkRefusedUploads posts uploads that the page at uploadPath refuses
// and checks each answer: without a CSRF token or with a wrong one (403),
// more files than a batch holds (413, on the page named name, and as JSON
// to the page's script), and no file (400). doc is a file to upload;
// stored counts the batches, which must stay none.
func checkRefusedUploads(t *testing.T, b *browser, uploadPath, csrf, name string, doc upload, stored func() int) {
	t.Helper()
	for what, c := range map[string]struct {
		token  string
		header map[string]string
	}{
		"no token":     {"", nil},
		"wrong header": {"", map[string]string{"X-CSRF-Token": "wrong"}},
		"wrong field":  {"wrong", nil},
	} {
		body, ct := multipartBody(t, c.token, "", doc)
		if p := b.postUpload(uploadPath, body, ct, c.header); p.status != http.StatusForbidden {
			t.Errorf("upload with %s = %d, want 403", what, p.status)
		}
	}
	if n := stored(); n != 0 {
		t.Fatalf("refused uploads stored %d batches", n)
	}

	// Too many files: 413 with a clear message; the script's request gets
	// the message as JSON.
	many := make([]upload, 31)
	for i := range many {
		many[i] = upload{fmt.Sprintf("%02d-%s", i, doc.name), doc.content}
	}
	body, ct := multipartBody(t, csrf, "", many...)
	p := b.postUpload(uploadPath, body, ct, nil)
	if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "Too many files: a batch holds at most 30 files.") ||
		!strings.Contains(p.body, `id="upload-input"`) || !strings.Contains(p.body, name) {
		t.Fatalf("upload of 31 files = %d, want 413 on the page of %s with the message:\n%s", p.status, name, p.body)
	}
	body, ct = multipartBody(t, "", "", many...)
	p = b.postUpload(uploadPath, body, ct, map[string]string{"X-CSRF-Token": csrf, "Accept": "application/json"})
	var je struct{ Error string }
	if err := json.Unmarshal([]byte(p.body), &je); p.status != http.StatusRequestEntityTooLarge || err != nil ||
		!strings.HasPrefix(je.Error, "Too many files: a batch holds at most 30 files.") {
		t.Fatalf("script upload of 31 files = %d %s, want 413 with the message as JSON", p.status, p.body)
	}
	body, ct = multipartBody(t, csrf, "")
	if p := b.postUpload(uploadPath, body, ct, nil); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Choose at least one file to upload.") {
		t.Fatalf("upload of no file = %d, want 400 asking for a file", p.status)
	}
	if n := stored(); n != 0 {
		t.Fatalf("failed uploads stored %d batches", n)
	}
}

// accountID returns the id of the account named name.
func accountID(t *testing.T, db *store.DB, name string) string {
	t.Helper()
	a, err := db.AccountByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// batchCount returns how many batches the extraction holds.
func batchCount(t *testing.T, db *store.DB, accountID, extID string) int {
	t.Helper()
	bs, _, err := db.ListBatches(context.Background(), accountID, extID, store.BatchFilter{}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(bs)
}

// batchStatus is the dashboard's live status answer.
type batchStatus struct {
	Status    string          `json:"status"`
	Terminal  bool            `json:"terminal"`
	FileCount int             `json:"file_count"`
	Done      int             `json:"done"`
	Counts    docparse.Counts `json:"counts"`
	Files     []struct {
		ID     string              `json:"id"`
		Status string              `json:"status"`
		Error  *docparse.FileError `json:"error"`
	} `json:"files"`
}

func TestExtractionPages(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		srv.User("other", "bob@example.com", password)
		acct := accountID(t, srv.DB, "acme")
		ctx := context.Background()
		b := newBrowser(t, srv.URL)
		csrf := b.login(email, password).csrf(t)

		p := b.get("/dashboard/extractions")
		if p.status != http.StatusOK || !strings.Contains(p.body, "No extractions yet.") || !strings.Contains(p.body, `href="/dashboard/extractions/new"`) {
			t.Fatalf("empty extraction list = %d, want the empty state and a New extraction link:\n%s", p.status, p.body)
		}
		p = b.get("/dashboard/extractions/new")
		if p.status != http.StatusOK || !strings.Contains(p.body, `name="fields.0.key"`) || !strings.Contains(p.body, `<option value="list&lt;object&gt;"`) {
			t.Fatalf("new extraction form = %d, want a first field row offering every type:\n%s", p.status, p.body)
		}

		// An invalid nested type: 400, the error names the field's path,
		// and every input is kept. Row indexes need not be contiguous (the
		// script removes rows): fields.5 is the second field.
		form := url.Values{"csrf_token": {csrf}, "name": {"Invoices"}, "description": {"Supplier invoices"},
			"language": {"English"}, "review_threshold": {"0.8"}, "strict_format": {"1"},
			"fields.0.key": {"invoice_number"}, "fields.0.type": {"string"}, "fields.0.description": {"Invoice number"},
			"fields.0.example": {"INV-001"},
			"fields.5.key":     {"supplier"}, "fields.5.type": {"object"},
			"fields.5.fields.0.key": {"name"}, "fields.5.fields.0.type": {"text"},
			"fields.5.fields.3.key": {"vat_id"}, "fields.5.fields.3.type": {"string"},
			"fields.7.key": {"lines"}, "fields.7.type": {"list<object>"},
			"fields.7.fields.0.key": {"amount"}, "fields.7.fields.0.type": {"number"}, "fields.7.fields.0.example": {"12.5"},
			"fields.9.key": {""}, "fields.9.type": {"string"}, // a blank row: ignored
		}
		p = b.post("/dashboard/extractions", form)
		body := html.UnescapeString(p.body)
		if p.status != http.StatusBadRequest || !strings.Contains(body, `fields[1].fields[0].type: unknown type "text"`) {
			t.Fatalf("create with an unknown nested type = %d, want 400 naming fields[1].fields[0].type:\n%s", p.status, p.body)
		}
		for _, kept := range []string{`name="name" value="Invoices"`, `name="fields.1.fields.1.key" value="vat_id"`,
			`name="fields.2.fields.0.example" value="12.5"`, `Supplier invoices</textarea>`, `name="strict_format" value="1" checked`,
			`value="0.8"`, `<option value="text" selected>text</option>`} {
			if !strings.Contains(body, kept) {
				t.Errorf("the failed form lost %s", kept)
			}
		}
		if n := len(mustList(t, srv.DB, acct)); n != 0 {
			t.Fatalf("a failed create stored %d extractions", n)
		}
		// A threshold that is not a number is reported with the schema's
		// own problems.
		bad := url.Values{"csrf_token": {csrf}, "name": {"X"}, "review_threshold": {"high"}, "fields.0.key": {"Bad Key"}, "fields.0.type": {"string"}}
		p = b.post("/dashboard/extractions", bad)
		if body := html.UnescapeString(p.body); p.status != http.StatusBadRequest || !strings.Contains(body, `review_threshold: must be a number from 0 to 1, not "high"`) ||
			!strings.Contains(body, `fields[0].key: "Bad Key" must match`) {
			t.Fatalf("create with a bad threshold and key = %d, want both named:\n%s", p.status, p.body)
		}

		// Fixed: created, and the nested fields are stored in form order.
		form.Set("fields.5.fields.0.type", "string")
		p = b.post("/dashboard/extractions", form)
		extID := landedOn(t, p, extPathRE, "No batches yet.", `id="upload-input"`)
		e := must(srv.DB.Extraction(ctx, acct, extID))(t)
		want := []docparse.Field{
			{Key: "invoice_number", Type: "string", Description: "Invoice number", Example: "INV-001"},
			{Key: "supplier", Type: "object", Fields: []docparse.Field{{Key: "name", Type: "string"}, {Key: "vat_id", Type: "string"}}},
			{Key: "lines", Type: "list<object>", Fields: []docparse.Field{{Key: "amount", Type: "number", Example: 12.5}}},
		}
		if diff := cmp.Diff(want, e.Fields); diff != "" {
			t.Errorf("stored fields (-want +got):\n%s", diff)
		}
		if e.Name != "Invoices" || e.Language != "English" || e.ReviewThreshold != 0.8 || !e.Options.StrictFormat || e.Options.OCRPriority {
			t.Errorf("stored extraction = %+v", e)
		}
		p = b.get("/dashboard/extractions")
		if !strings.Contains(p.body, `href="/dashboard/extractions/`+extID+`"`) || !strings.Contains(p.body, `<td data-label="Fields">6</td>`) ||
			!strings.Contains(p.body, "<time datetime=") {
			t.Fatalf("extraction list lacks the new extraction with 6 fields:\n%s", p.body)
		}

		// The JSON view: malformed JSON is named and kept; a valid
		// document creates the extraction.
		p = b.post("/dashboard/extractions", url.Values{"csrf_token": {csrf}, "mode": {"json"}, "schema_json": {`{"name": "Receipts", "fields": [}`}})
		if body := html.UnescapeString(p.body); p.status != http.StatusBadRequest || !strings.Contains(body, "JSON: malformed JSON at byte") ||
			!strings.Contains(body, `{"name": "Receipts", "fields": [}</textarea>`) {
			t.Fatalf("create from malformed JSON = %d, want 400 with the text kept:\n%s", p.status, p.body)
		}
		p = b.post("/dashboard/extractions", url.Values{"csrf_token": {csrf}, "mode": {"json"},
			"schema_json": {`{"name": "Receipts", "fields": [{"key": "total", "type": "object", "fields": [{"key": "amount", "type": "money"}]}]}`}})
		if body := html.UnescapeString(p.body); p.status != http.StatusBadRequest || !strings.Contains(body, `fields[0].fields[0].type: unknown type "money"`) {
			t.Fatalf("create from JSON with a bad type = %d, want 400 naming the path:\n%s", p.status, p.body)
		}
		p = b.post("/dashboard/extractions", url.Values{"csrf_token": {csrf}, "mode": {"json"},
			"schema_json": {`{"name": "Receipts", "fields": [{"key": "total", "type": "object", "fields": [{"key": "amount", "type": "number"}]}]}`}})
		receipts, err := srv.DB.Extraction(ctx, acct, landedOn(t, p, extPathRE))
		if err != nil || len(receipts.Fields) != 1 || len(receipts.Fields[0].Fields) != 1 || receipts.ReviewThreshold != docparse.DefaultReviewThreshold {
			t.Fatalf("extraction created from JSON = %+v, %v", receipts, err)
		}

		// Edit: the form shows the stored schema and says edits reach new
		// batches only; a valid edit is stored.
		p = b.get("/dashboard/extractions/" + extID + "/edit")
		if !strings.Contains(p.body, "Batches already uploaded keep the schema") || !strings.Contains(p.body, `name="fields.2.fields.0.key" value="amount"`) ||
			!strings.Contains(html.UnescapeString(p.body), `"key": "invoice_number"`) {
			t.Fatalf("edit form does not show the stored schema:\n%s", p.body)
		}
		form.Set("name", "Supplier invoices")
		form.Set("fields.8.key", "total")
		form.Set("fields.8.type", "number")
		form.Del("strict_format")
		p = b.post("/dashboard/extractions/"+extID+"/edit", form)
		if p.path != "/dashboard/extractions/"+extID || !strings.Contains(p.body, "Supplier invoices") {
			t.Fatalf("edit landed on %s:\n%s", p.path, p.body)
		}
		if e, _ = srv.DB.Extraction(ctx, acct, extID); len(e.Fields) != 4 || e.Fields[3].Key != "total" || e.Options.StrictFormat {
			t.Fatalf("edited extraction = %+v", e)
		}
		form.Set("fields.8.type", "money")
		if p := b.post("/dashboard/extractions/"+extID+"/edit", form); p.status != http.StatusBadRequest ||
			!strings.Contains(html.UnescapeString(p.body), `fields[3].type: unknown type "money"`) {
			t.Fatalf("invalid edit = %d, want 400 naming fields[3].type", p.status)
		}
		form.Set("fields.8.type", "number")

		// Uploads refused: nothing is stored.
		uploadPath := "/dashboard/extractions/" + extID + "/batches"
		checkRefusedUploads(t, b, uploadPath, csrf, "Supplier invoices", upload{"invoice.txt", invoiceText},
			func() int { return batchCount(t, srv.DB, acct, extID) })

		// The plain form: the token first, then the files; lands on the
		// batch page.
		body2, ct := multipartBody(t, csrf, "March", upload{"invoice.txt", invoiceText}, upload{"notes.bin", "\x00\x01\x02 not a document"})
		p = b.postUpload(uploadPath, body2, ct, nil)
		batchID := landedOn(t, p, batchPathRE, `id="batch-status"`, "invoice.txt")
		batchPath := "/dashboard/extractions/" + extID + "/batches/" + batchID
		b1, files, err := srv.DB.BatchWithFiles(ctx, acct, extID, batchID)
		if err != nil || b1.Name != "March" || len(files) != 2 {
			t.Fatalf("stored batch = %+v, %d files, %v", b1, len(files), err)
		}
		for _, f := range files {
			if !strings.Contains(p.body, `href="`+batchPath+`/files/`+f.ID+`"`) {
				t.Errorf("batch page does not link file %s to its page", f.ID)
			}
		}

		// The script's upload: the token in a header, the answer JSON.
		body2, ct = multipartBody(t, "", "", upload{"invoice.txt", invoiceText})
		p = b.postUpload(uploadPath, body2, ct, map[string]string{"X-CSRF-Token": csrf, "Accept": "application/json"})
		var created struct {
			BatchID string `json:"batch_id"`
			URL     string `json:"url"`
		}
		if err := json.Unmarshal([]byte(p.body), &created); p.status != http.StatusCreated || err != nil ||
			created.URL != "/dashboard/extractions/"+extID+"/batches/"+created.BatchID {
			t.Fatalf("script upload = %d %s, want 201 with the batch page's address", p.status, p.body)
		}

		// The live status route until the batch ends: the text invoice is
		// processed, the unknown bytes fail with a reason code.
		var st batchStatus
		deadline := time.Now().Add(60 * time.Second)
		for {
			p = b.get(batchPath + "/status")
			if p.status != http.StatusOK {
				t.Fatalf("status route = %d: %s", p.status, p.body)
			}
			if err := json.Unmarshal([]byte(p.body), &st); err != nil {
				t.Fatalf("status route answer %s: %v", p.body, err)
			}
			if st.Terminal || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if st.Status != "partial" || !st.Terminal || st.FileCount != 2 || st.Done != 2 || st.Counts.Failed != 1 || len(st.Files) != 2 ||
			st.Files[1].Error == nil || st.Files[1].Error.Code == "" {
			t.Fatalf("final status = %+v, want partial with the second file failed with a code", st)
		}
		p = b.get(batchPath)
		if !strings.Contains(p.body, `data-status="partial"`) || !strings.Contains(p.body, `data-terminal="true"`) ||
			!strings.Contains(p.body, "<code>"+st.Files[1].Error.Code+"</code>") {
			t.Fatalf("finished batch page lacks its status and the failed file's code:\n%s", p.body)
		}
		p = b.get("/dashboard/extractions/" + extID)
		if !strings.Contains(p.body, `href="`+batchPath+`"`) || !strings.Contains(p.body, "status-partial") || strings.Contains(p.body, "No batches yet.") {
			t.Fatalf("extraction page does not list the batch:\n%s", p.body)
		}
		if newer, older := strings.Index(p.body, created.BatchID), strings.Index(p.body, batchID); newer < 0 || newer > older {
			t.Errorf("batch list is not newest first: %s at %d, %s at %d", created.BatchID, newer, batchID, older)
		}

		// Exports: the API's export, byte for byte, as a download.
		for _, format := range []string{"json", "csv"} {
			body := must(api.Export(ctx, extID, batchID, format))(t)
			want, err := io.ReadAll(body)
			body.Close()
			if err != nil {
				t.Fatal(err)
			}
			resp, err := b.c.Get(srv.URL + batchPath + "/export?format=" + format)
			if err != nil {
				t.Fatal(err)
			}
			disp := resp.Header.Get("Content-Disposition")
			dash := read(t, resp)
			if dash.status != http.StatusOK || dash.body != string(want) || disp != `attachment; filename=`+batchID+`.`+format {
				t.Errorf("dashboard %s export = %d (%s), want the API's %d bytes as a download:\n%s\n---\n%s", format, dash.status, disp, len(want), dash.body, want)
			}
		}
		if p := b.get(batchPath + "/export?format=csv"); !strings.HasPrefix(p.body, "file_id,file_name,status,error_code,") ||
			!strings.Contains(p.body, "invoice_number") || !strings.Contains(p.body, "42183017") {
			t.Errorf("CSV export:\n%s", p.body)
		}
		if p := b.get(batchPath + "/export?format=xml"); p.status != http.StatusBadRequest {
			t.Errorf("export as xml = %d, want 400", p.status)
		}

		// Another account: every page, route and form of this extraction
		// is a 404.
		other := newBrowser(t, srv.URL)
		ocsrf := other.login("bob@example.com", password).csrf(t)
		if p := other.get("/dashboard/extractions"); strings.Contains(p.body, extID) || !strings.Contains(p.body, "No extractions yet.") {
			t.Fatal("another account's list shows the extraction")
		}
		for _, path := range []string{"/dashboard/extractions/" + extID, "/dashboard/extractions/" + extID + "/edit", batchPath,
			batchPath + "/status", batchPath + "/export?format=json", batchPath + "/export?format=csv"} {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("other account GET %s = %d, want 404", path, p.status)
			}
		}
		for _, path := range []string{"/dashboard/extractions/" + extID + "/edit", "/dashboard/extractions/" + extID + "/delete"} {
			f := url.Values{"csrf_token": {ocsrf}}
			for k, v := range form {
				if k != "csrf_token" {
					f[k] = v
				}
			}
			if p := other.post(path, f); p.status != http.StatusNotFound {
				t.Errorf("other account POST %s = %d, want 404", path, p.status)
			}
		}
		body2, ct = multipartBody(t, ocsrf, "", upload{"invoice.txt", invoiceText})
		if p := other.postUpload(uploadPath, body2, ct, nil); p.status != http.StatusNotFound {
			t.Errorf("other account upload = %d, want 404", p.status)
		}
		if n := batchCount(t, srv.DB, acct, extID); n != 2 {
			t.Errorf("after another account's attempts the extraction holds %d batches, want 2", n)
		}

		// Delete: gone with its batches; the list is empty of it.
		if p := b.post("/dashboard/extractions/"+extID+"/delete", nil); p.status != http.StatusForbidden {
			t.Errorf("delete without csrf = %d, want 403", p.status)
		}
		p = b.post("/dashboard/extractions/"+extID+"/delete", url.Values{"csrf_token": {csrf}})
		if p.path != "/dashboard/extractions" || strings.Contains(p.body, extID) {
			t.Fatalf("delete landed on %s still listing the extraction", p.path)
		}
		if _, err := srv.DB.Extraction(ctx, acct, extID); err == nil {
			t.Fatal("the extraction is still stored after delete")
		}
		if p := b.get(batchPath); p.status != http.StatusNotFound {
			t.Errorf("deleted batch page = %d, want 404", p.status)
		}
	})
}

// mustList lists the account's extractions.
func mustList(t *testing.T, db *store.DB, accountID string) []docparse.Extraction {
	t.Helper()
	es, _, err := db.ListExtractions(context.Background(), accountID, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestUploadLimits: a file over the size limit, and a body over the
// batch's limit, are refused with 413 and a message that names the limit;
// nothing is stored.
func TestUploadLimits(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoWorkers: true, MaxFiles: 2, MaxFileSize: 1000, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)
		acct := accountID(t, srv.DB, "acme")
		b := newBrowser(t, srv.URL)
		csrf := b.login(email, password).csrf(t)
		p := b.post("/dashboard/extractions", url.Values{"csrf_token": {csrf}, "name": {"Invoices"},
			"fields.0.key": {"invoice_number"}, "fields.0.type": {"string"}})
		m := extPathRE.FindStringSubmatch(p.path)
		if m == nil {
			t.Fatalf("create landed on %s:\n%s", p.path, p.body)
		}
		extID := m[1]
		if !strings.Contains(p.body, `data-max-files="2"`) || !strings.Contains(p.body, `data-max-file-size="1000"`) ||
			!strings.Contains(p.body, "Up to 2 files of at most 1000 bytes each") {
			t.Errorf("the extraction page does not state the configured limits:\n%s", p.body)
		}
		path := "/dashboard/extractions/" + extID + "/batches"
		for _, c := range []struct {
			name  string
			files []upload
			want  string
		}{
			{"a file too large", []upload{{"small.txt", invoiceText}, {"big.txt", strings.Repeat("x", 1001)}},
				"“big.txt” is larger than 1000 bytes, the most one file may be."},
			{"three files", []upload{{"a.txt", invoiceText}, {"b.txt", invoiceText}, {"c.txt", invoiceText}},
				"Too many files: a batch holds at most 2 files."},
			{"a body too large", []upload{{"huge.txt", strings.Repeat("x", 2<<20)}},
				"The upload is larger than a batch may be: at most 2 files of at most 1000 bytes each."},
		} {
			body, ct := multipartBody(t, csrf, "", c.files...)
			p := b.postUpload(path, body, ct, nil)
			if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, c.want) {
				t.Errorf("upload of %s = %d, want 413 saying %q:\n%s", c.name, p.status, c.want, p.body)
			}
			body, ct = multipartBody(t, "", "", c.files...)
			p = b.postUpload(path, body, ct, map[string]string{"X-CSRF-Token": csrf, "Accept": "application/json"})
			var je struct{ Error string }
			if err := json.Unmarshal([]byte(p.body), &je); p.status != http.StatusRequestEntityTooLarge || err != nil || !strings.HasPrefix(je.Error, c.want) {
				t.Errorf("script upload of %s = %d %s, want 413 with %q", c.name, p.status, p.body, c.want)
			}
		}
		if n := batchCount(t, srv.DB, acct, extID); n != 0 {
			t.Fatalf("refused uploads stored %d batches", n)
		}
	})
}

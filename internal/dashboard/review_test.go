package dashboard_test

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

// reviewPDF is a real one-page invoice (invoice2data's test set).
const reviewPDF = "../extract/testdata/AzureInterior.pdf"

// reviewFields asks for a field the invoice lacks (paid) and sets a high
// review threshold, so that its file needs review.
var reviewFields = []client.Field{
	{Key: "invoice_number", Type: client.TypeString, Description: "Invoice number"},
	{Key: "invoice_date", Type: client.TypeDate},
	{Key: "total", Type: client.TypeNumber},
	{Key: "paid", Type: client.TypeBoolean, Description: "Whether the invoice is paid"},
	{Key: "seller", Type: client.TypeObject, Fields: []client.Field{{Key: "name", Type: client.TypeString}}},
	{Key: "tags", Type: client.TypeListString},
	{Key: "line_items", Type: client.TypeListObject, Fields: []client.Field{
		{Key: "description", Type: client.TypeString}, {Key: "amount", Type: client.TypeNumber}}},
}

// uploadForReview creates an extraction named name and uploads one file
// to it through the API, then waits until the batch ends; it returns the
// dashboard path of the file, which must be in needs_review.
func uploadForReview(t *testing.T, c *client.Client, name, fileName string, content []byte) string {
	t.Helper()
	threshold := 0.99
	ext := must(c.CreateExtraction(context.Background(), client.ExtractionParams{Name: name, ReviewThreshold: &threshold, Fields: reviewFields}))(t)
	r := process(t, c, ext.ID, "", upload{fileName, string(content)})
	f := r.Files[0]
	if f.Status != "needs_review" {
		t.Fatalf("%s status = %v, want needs_review: %+v", fileName, f.Status, r)
	}
	return "/dashboard/extractions/" + ext.ID + "/batches/" + r.Batch.ID + "/files/" + f.ID
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var lowFieldRE = regexp.MustCompile(`(?s)<div class="rf low">\s*<label for="f-paid">`)

func TestReviewDashboard(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		srv.User("other", "bob@example.com", password)
		b := newBrowser(t, srv.URL)
		b.login(email, password)

		p := b.get("/dashboard/review")
		if p.status != http.StatusOK || !strings.Contains(p.body, "Nothing to review.") {
			t.Fatalf("empty review queue = %d:\n%s", p.status, p.body)
		}

		file := uploadForReview(t, api, "Supplier invoices", "AzureInterior.pdf", readFile(t, reviewPDF))
		p = b.get("/dashboard/review")
		for _, want := range []string{"Supplier invoices", `href="` + file + `"`, "AzureInterior.pdf", `<span class="conf low">0%</span>`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("review queue lacks %q:\n%s", want, p.body)
			}
		}
		if strings.Contains(p.body, "Nothing to review") {
			t.Error("review queue with a file shows the empty state")
		}

		// The file page: the rendered page, the fields, the missing
		// boolean highlighted and marked in words.
		p = b.get(file)
		if p.status != http.StatusOK {
			t.Fatalf("file page = %d:\n%s", p.status, p.body)
		}
		for _, want := range []string{`<img src="` + file + `/pages/1"`, `action="` + file + `/confirm"`, `<span class="flag low">Low</span>`,
			`name="line_items[0].description"`, `<template id="tpl-f-line_items">`, `name="seller.name"`, `<select id="f-paid" name="paid">`, `<textarea id="f-tags" name="tags"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("file page lacks %q", want)
			}
		}
		if !lowFieldRE.MatchString(p.body) {
			t.Errorf("file page does not highlight the missing field paid:\n%s", p.body)
		}
		csrf := p.csrf(t)

		// The page image: a real PNG of a page at about 100 dpi.
		resp, err := b.c.Get(srv.URL + file + "/pages/1")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) > 300<<10 {
			t.Errorf("page 1 is %d KB, want a light preview (under 300 KB)", len(raw)>>10)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("page 1 is not a PNG (%s): %v", resp.Header.Get("Content-Type"), err)
		}
		if w := img.Bounds().Dx(); w < 700 || w > 1000 {
			t.Errorf("page 1 is %d px wide, want about 850 (a letter page at 100 dpi)", w)
		}
		if ct, cc := resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"); ct != "image/png" || !strings.HasPrefix(cc, "private") {
			t.Errorf("page 1 Content-Type %q, Cache-Control %q; want image/png, private", ct, cc)
		}
		if p := b.get(file + "/pages/2"); p.status != http.StatusNotFound {
			t.Errorf("page 2 of a one-page PDF = %d, want 404", p.status)
		}

		// Another account sees nothing of it.
		bob := newBrowser(t, srv.URL)
		bob.login("bob@example.com", password)
		for _, path := range []string{file, file + "/pages/1"} {
			if p := bob.get(path); p.status != http.StatusNotFound {
				t.Errorf("other account GET %s = %d, want 404", path, p.status)
			}
		}
		bobCSRF := bob.get("/dashboard/review").csrf(t)
		if p := bob.post(file+"/confirm", url.Values{"csrf_token": {bobCSRF}, "paid": {"true"}}); p.status != http.StatusNotFound {
			t.Errorf("other account confirm = %d, want 404", p.status)
		}
		if p := bob.get("/dashboard/review"); !strings.Contains(p.body, "Nothing to review.") {
			t.Errorf("other account's review queue lists acme's file:\n%s", p.body)
		}

		// Confirm needs the CSRF token.
		form := url.Values{"invoice_number": {"INV/2023/03/0008"}, "invoice_date": {"2023-03-20"}, "total": {"abc"}, "paid": {"true"},
			"seller.name": {"Azure Interior"}, "tags": {"office\r\n\r\n  furniture "}, "line_items[0].description": {"Beeswax XL"}, "line_items[0].amount": {"42"},
			"line_items[7].description": {"Office Chair"}, "line_items[7].amount": {"70.00"},
			"line_items[9].description": {""}, "line_items[9].amount": {""}}
		if p := b.post(file+"/confirm", form); p.status != http.StatusForbidden {
			t.Errorf("confirm without csrf = %d, want 403", p.status)
		}

		// An invalid value: the form comes back with the input and the
		// field named.
		form.Set("csrf_token", csrf)
		p = b.post(file+"/confirm", form)
		if p.status != http.StatusBadRequest {
			t.Fatalf("invalid confirm = %d, want 400:\n%s", p.status, p.body)
		}
		for _, want := range []string{`<a href="#f-total">Total</a>: must be a number or null, not the string &#34;abc&#34;`,
			`value="abc"`, `aria-invalid="true"`, `name="line_items[1].description" value="Office Chair"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("invalid confirm page lacks %q", want)
			}
		}
		if strings.Contains(p.body, `line_items[2]`) {
			t.Error("the empty row came back; it should be dropped")
		}

		// A valid confirmation: back to the queue with a notice; the
		// file left it.
		form.Set("total", "262.9")
		p = b.post(file+"/confirm", form)
		if p.status != http.StatusOK || p.path != "/dashboard/review" {
			t.Fatalf("confirm = %d at %s, want the review queue:\n%s", p.status, p.path, p.body)
		}
		for _, want := range []string{"is confirmed", "Nothing to review."} {
			if !strings.Contains(p.body, want) {
				t.Errorf("queue after confirm lacks %q:\n%s", want, p.body)
			}
		}

		// The API shows the corrected result, rows renumbered.
		status, res, _ := fileResult(t, api, file)
		if status != "processed" || res["paid"] != true || res["total"] != 262.9 {
			t.Errorf("API after confirm: %s %v", status, res)
		}
		if tags, _ := res["tags"].([]any); len(tags) != 2 || tags[0] != "office" || tags[1] != "furniture" {
			t.Errorf("tags = %v, want [office furniture] (one per line, blank lines dropped)", res["tags"])
		}
		if items := res["line_items"].([]any); len(items) != 2 || items[1].(map[string]any)["description"] != "Office Chair" {
			t.Errorf("line_items = %v, want 2 rows ending with Office Chair", items)
		}

		// A second confirmation says so and changes nothing.
		p = b.post(file+"/confirm", form)
		if p.status != http.StatusConflict || !strings.Contains(p.body, "already reviewed by "+email) {
			t.Errorf("second confirm = %d:\n%s", p.status, p.body)
		}

		// The processed file is shown read-only.
		p = b.get(file)
		if strings.Contains(p.body, "<form method=\"post\" action=\""+file+"/confirm\"") || !strings.Contains(p.body, "Processed") ||
			!strings.Contains(p.body, "Reviewed by "+email) || !strings.Contains(p.body, "Office Chair") {
			t.Errorf("processed file page:\n%s", p.body)
		}

		// A text file shows its text instead of page images.
		txt := uploadForReview(t, api, "Text invoices", "invoice.txt", []byte("ACME Supplies\nInvoice No: 42183017\nTotal: 12.00 EUR\n"))
		p = b.get(txt)
		if !strings.Contains(p.body, `<pre class="doc-text">ACME Supplies`) || strings.Contains(p.body, "/pages/1") {
			t.Errorf("text file page shows no text preview:\n%s", p.body)
		}
	})
}

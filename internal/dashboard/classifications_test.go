package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
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

// A small mixed post: real wording of an invoice, a letter and a receipt.
const (
	mailInvoice = "ACME Supplies\nINVOICE\nInvoice No: INV-2026-0118\nInvoice Date: 24/05/2026\nBill to: Globex Corporation, 12 Harbour Road\n" +
		"Consulting services, May 2026    1,200.00\nTotal: 1,200.00 EUR\nAmount due: 1,200.00 EUR\nPayment terms: 30 days net\n"
	mailLetter = "Dear Mrs Holloway,\nThank you for your kind letter of last week and for the warm welcome you gave our team during the visit.\n" +
		"We look forward to meeting again in the autumn.\nYours sincerely,\nJonathan Reed\n"
	mailReceipt = "CORNER CAFE\nRECEIPT #5531\n2 x Cappuccino       7.00\n1 x Croissant        2.50\nTotal paid (card)    9.50\n" +
		"Change               0.00\nThank you for your purchase!\n"
)

// The three categories of the mailroom, as the API's client test
// describes them.
var mailCategories = []struct{ name, description, keywords string }{
	{"Invoice", "A bill from a supplier asking for payment, with an invoice number, the amount due and payment terms.",
		"invoice, amount due, payment terms, bill to"},
	{"Letter", "Correspondence addressed to a person, opening with a salutation such as Dear and ending with a closing.",
		"dear\nyours sincerely\nkind regards"},
	{"Receipt", "Proof of a payment already made at a shop or cafe: items, total paid by cash or card, change.",
		"receipt, total paid, change, purchase"},
}

// clsStatus is the classification batch page's live status answer.
type clsStatus struct {
	Status   string `json:"status"`
	Terminal bool   `json:"terminal"`
	Done     int    `json:"done"`
	Files    []struct {
		ID     string         `json:"id"`
		Status string         `json:"status"`
		Cells  map[string]any `json:"cells"`
	} `json:"files"`
}

// mailForm is the create form of the mailroom, its categories under the
// given (not necessarily contiguous) row indexes, the first linked to
// extID.
func mailForm(csrf, extID string, idx ...int) url.Values {
	f := url.Values{"csrf_token": {csrf}, "name": {"Mailroom"}, "description": {"Monday's post"}, "threshold": {"0.5"}}
	for i, c := range mailCategories {
		p := fmt.Sprintf("categories.%d.", idx[i])
		f.Set(p+"name", c.name)
		f.Set(p+"description", c.description)
		f.Set(p+"keywords", c.keywords)
		f.Set(p+"linked_extraction_id", "")
	}
	f.Set(fmt.Sprintf("categories.%d.linked_extraction_id", idx[0]), extID)
	return f
}

func TestClassificationPages(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		srv.User("other", "bob@example.com", password)
		acct := accountID(t, srv.DB, "acme")
		ctx := context.Background()
		extID := must(api.CreateExtraction(ctx, client.ExtractionParams{Name: "Supplier invoices", Fields: invoiceFields}))(t).ID

		b := newBrowser(t, srv.URL)
		csrf := b.login(email, password).csrf(t)
		p := b.get("/dashboard/classifications")
		if p.status != http.StatusOK || !strings.Contains(p.body, "No classifications yet.") || !strings.Contains(p.body, `href="/dashboard/classifications/new"`) ||
			!strings.Contains(p.body, `href="/dashboard/classifications" aria-current="page"`) {
			t.Fatalf("empty classification list = %d, want the empty state, a New link and the nav:\n%s", p.status, p.body)
		}
		p = b.get("/dashboard/classifications/new")
		if p.status != http.StatusOK || !strings.Contains(p.body, `name="categories.1.name"`) || strings.Contains(p.body, `name="categories.2.name"`) ||
			!strings.Contains(p.body, `<option value="`+extID+`">Supplier invoices</option>`) {
			t.Fatalf("new classification form = %d, want two category rows offering the extraction:\n%s", p.status, p.body)
		}

		// Too many keywords in the third category: 400 naming
		// categories[2].keywords, every input kept. Row indexes need not be
		// contiguous (the script removes rows); a blank row is ignored.
		form := mailForm(csrf, extID, 0, 4, 7)
		many := make([]string, 21)
		for i := range many {
			many[i] = fmt.Sprintf("word%d", i)
		}
		form.Set("categories.7.keywords", strings.Join(many, ", "))
		form.Set("categories.9.name", "")
		p = b.post("/dashboard/classifications", form)
		body := html.UnescapeString(p.body)
		if p.status != http.StatusBadRequest || !strings.Contains(body, "categories[2].keywords: must hold at most 20 keywords, not 21") {
			t.Fatalf("create with 21 keywords = %d, want 400 naming categories[2].keywords:\n%s", p.status, p.body)
		}
		for _, kept := range []string{`name="name" value="Mailroom"`, `Monday's post</textarea>`, `name="categories.1.name" value="Letter"`,
			"word0, word1, word2", "dear\nyours sincerely\nkind regards</textarea>", `<option value="` + extID + `" selected>`,
			`name="categories.2.keywords" rows="3" placeholder="invoice, amount due, payment terms" spellcheck="false" aria-invalid="true"`} {
			if !strings.Contains(body, kept) {
				t.Errorf("the failed form lost %q", kept)
			}
		}
		if strings.Contains(body, `name="categories.3.name"`) {
			t.Error("the blank row came back as a category")
		}
		// A threshold that is not a number is reported with the
		// categories' own problems.
		bad := mailForm(csrf, extID, 0, 1, 2)
		bad.Set("threshold", "high")
		bad.Set("categories.2.name", "letter")
		p = b.post("/dashboard/classifications", bad)
		if body := html.UnescapeString(p.body); p.status != http.StatusBadRequest || !strings.Contains(body, `threshold: must be a number from 0 to 1, not "high"`) ||
			!strings.Contains(body, `categories[2].name: "letter" is already the name of categories[1]`) {
			t.Fatalf("create with a bad threshold and a duplicate name = %d, want both named:\n%s", p.status, p.body)
		}
		// Another account's extraction, or none at all, cannot be linked.
		forged := mailForm(csrf, "ext_doesnotexist", 0, 1, 2)
		if p := b.post("/dashboard/classifications", forged); p.status != http.StatusBadRequest ||
			!strings.Contains(p.body, "categories[0].linked_extraction_id: no extraction ext_doesnotexist in this account") ||
			!strings.Contains(p.body, `<option value="ext_doesnotexist" selected>ext_doesnotexist (not found)</option>`) {
			t.Fatalf("create linking an unknown extraction = %d:\n%s", p.status, p.body)
		}
		if cs, _, _ := srv.DB.ListClassifications(ctx, acct, store.Page{Limit: 10}); len(cs) != 0 {
			t.Fatalf("failed creates stored %d classifications", len(cs))
		}

		// Fixed: created, the categories in form order.
		form = mailForm(csrf, extID, 0, 4, 7)
		form.Set("threshold", "0.45")
		p = b.post("/dashboard/classifications", form)
		clsID := landedOn(t, p, clsPathRE, "No batches yet.", `id="upload-input"`)
		c := must(srv.DB.Classification(ctx, acct, clsID))(t)
		got := make([]docparse.Category, len(c.Categories))
		for i, x := range c.Categories {
			got[i] = x
			got[i].ID = ""
		}
		want := []docparse.Category{
			{Name: "Invoice", Description: mailCategories[0].description, Keywords: []string{"invoice", "amount due", "payment terms", "bill to"}, LinkedExtractionID: extID},
			{Name: "Letter", Description: mailCategories[1].description, Keywords: []string{"dear", "yours sincerely", "kind regards"}},
			{Name: "Receipt", Description: mailCategories[2].description, Keywords: []string{"receipt", "total paid", "change", "purchase"}},
		}
		if diff := cmp.Diff(want, got); diff != "" || c.Name != "Mailroom" || c.Threshold != 0.45 {
			t.Errorf("stored classification %q threshold %v, categories (-want +got):\n%s", c.Name, c.Threshold, diff)
		}
		if !strings.Contains(p.body, `<a href="/dashboard/extractions/`+extID+`">Supplier invoices</a>`) ||
			!strings.Contains(p.body, `<span class="keyword">amount due</span>`) {
			t.Errorf("classification page lacks the linked extraction's link or the keywords:\n%s", p.body)
		}
		p = b.get("/dashboard/classifications")
		if !strings.Contains(p.body, `href="/dashboard/classifications/`+clsID+`"`) || !strings.Contains(p.body, "Invoice, Letter, Receipt") ||
			!strings.Contains(p.body, "<time datetime=") || !strings.Contains(p.body, "45%") {
			t.Fatalf("classification list lacks the new classification:\n%s", p.body)
		}

		// Edit: the form shows the stored categories with their ids; a
		// rename keeps the id, a new row gets one, a removed row goes.
		p = b.get("/dashboard/classifications/" + clsID + "/edit")
		if !strings.Contains(p.body, `name="categories.0.id" value="`+c.Categories[0].ID+`"`) || !strings.Contains(p.body, "Files already classified keep") ||
			!strings.Contains(p.body, "invoice, amount due, payment terms, bill to</textarea>") {
			t.Fatalf("edit form does not show the stored categories:\n%s", p.body)
		}
		edit := url.Values{"csrf_token": {csrf}, "name": {"Mailroom"}, "threshold": {"0.5"}}
		for i, x := range c.Categories {
			p := fmt.Sprintf("categories.%d.", i)
			edit.Set(p+"id", x.ID)
			edit.Set(p+"name", x.Name)
			edit.Set(p+"description", x.Description)
			edit.Set(p+"keywords", keywordsOf(x))
			edit.Set(p+"linked_extraction_id", x.LinkedExtractionID)
		}
		edit.Set("categories.1.name", "Letters")
		edit.Set("categories.5.name", "Memo")
		edit.Set("categories.5.keywords", "memo, internal")
		p = b.post("/dashboard/classifications/"+clsID+"/edit", edit)
		if p.path != "/dashboard/classifications/"+clsID || !strings.Contains(p.body, "Letters") || !strings.Contains(p.body, "Memo") {
			t.Fatalf("edit landed on %s:\n%s", p.path, p.body)
		}
		c2, _ := srv.DB.Classification(ctx, acct, clsID)
		if len(c2.Categories) != 4 || c2.Categories[1].ID != c.Categories[1].ID || c2.Categories[1].Name != "Letters" ||
			c2.Categories[3].ID == "" || c2.Categories[3].Name != "Memo" || c2.Threshold != 0.5 {
			t.Fatalf("edited classification = %+v", c2)
		}
		edit.Set("categories.5.name", "letters")
		if p := b.post("/dashboard/classifications/"+clsID+"/edit", edit); p.status != http.StatusBadRequest ||
			!strings.Contains(html.UnescapeString(p.body), `categories[3].name: "letters" is already the name of categories[1]`) {
			t.Fatalf("invalid edit = %d, want 400 naming categories[3].name:\n%s", p.status, p.body)
		}
		// Back to the three categories.
		edit.Del("categories.5.name")
		edit.Del("categories.5.keywords")
		edit.Set("categories.1.name", "Letter")
		if p := b.post("/dashboard/classifications/"+clsID+"/edit", edit); p.path != "/dashboard/classifications/"+clsID {
			t.Fatalf("edit back to three categories = %d on %s:\n%s", p.status, p.path, p.body)
		}
		c, _ = srv.DB.Classification(ctx, acct, clsID)
		catID := map[string]string{}
		for _, x := range c.Categories {
			catID[x.Name] = x.ID
		}
		if len(c.Categories) != 3 || catID["Letter"] == "" {
			t.Fatalf("classification after edits = %+v", c.Categories)
		}

		// Uploads refused: nothing is stored.
		uploadPath := "/dashboard/classifications/" + clsID + "/batches"
		checkRefusedUploads(t, b, uploadPath, csrf, "Mailroom", upload{"letter.txt", mailLetter}, func() int {
			bs, _, _ := srv.DB.ListClassificationBatches(ctx, acct, clsID, store.BatchFilter{}, store.Page{Limit: 10})
			return len(bs)
		})

		// The plain form: lands on the batch page.
		body2, ct := multipartBody(t, csrf, "Monday post", upload{"invoice.txt", mailInvoice}, upload{"letter.txt", mailLetter},
			upload{"receipt.txt", mailReceipt}, upload{"lorem.txt", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n"},
			upload{"notes.bin", "\x00\x01\x02 not a document"})
		p = b.postUpload(uploadPath, body2, ct, nil)
		batchID := landedOn(t, p, clsBatchPathRE, `id="batch-status"`, "letter.txt")
		batchPath := "/dashboard/classifications/" + clsID + "/batches/" + batchID

		// The live status route until the batch ends: each file with its
		// category, confidence and reason; the invoice with the extraction
		// batch it was handed to.
		var st clsStatus
		deadline := time.Now().Add(60 * time.Second)
		for {
			p = b.get(batchPath + "/status")
			if err := json.Unmarshal([]byte(p.body), &st); p.status != http.StatusOK || err != nil {
				t.Fatalf("status route = %d %s (%v)", p.status, p.body, err)
			}
			if st.Terminal || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if st.Status != "partial" || st.Done != 5 || len(st.Files) != 5 {
			t.Fatalf("final status = %+v, want partial with 5 files", st)
		}
		// Lorem ipsum fits no category; the unknown bytes fail.
		if c := st.Files[3].Cells; c["category"] != "Unclassified" || c["choice"] != "" || !strings.HasPrefix(fmt.Sprint(c["reasoning"]), "no category matched well") {
			t.Errorf("the lorem ipsum file's cells = %v, want Unclassified with the classifier's reason", c)
		}
		if c := st.Files[4].Cells; st.Files[4].Status != "failed" || c["category"] != "—" || c["confidence"] != "—" {
			t.Errorf("the failed file = %s %v", st.Files[4].Status, c)
		}
		for i, want := range []string{"Invoice", "Letter", "Receipt"} {
			cells := st.Files[i].Cells
			if cells["category"] != want || !strings.HasSuffix(fmt.Sprint(cells["confidence"]), "%") || len(fmt.Sprint(cells["reasoning"])) < 10 {
				t.Errorf("file %d cells = %v, want %s with a confidence and a reason", i, cells, want)
			}
		}
		link, _ := st.Files[0].Cells["linked"].(map[string]any)
		lm := extBatchPathRE.FindStringSubmatch(fmt.Sprint(link["href"]))
		if lm == nil || lm[1] != extID || link["text"] != "Supplier invoices" {
			t.Fatalf("the invoice's linked cell = %v, want a link to its extraction batch", st.Files[0].Cells["linked"])
		}
		if st.Files[1].Cells["linked"] != "—" {
			t.Errorf("the letter's linked cell = %v, want none", st.Files[1].Cells["linked"])
		}
		p = b.get(batchPath)
		files := classified(t, api, clsID, batchID)
		for _, want := range []string{`data-status="partial"`, `data-terminal="true"`, `<span data-cell="category" class="muted">Unclassified</span>`,
			`<option value="" disabled selected>Choose…</option>`, `<span class="file-error"><code>`, `href="` + fmt.Sprint(link["href"]) + `"`,
			`<td data-label="Confidence" class="conf" data-cell="confidence">` + percentOf(*files[2].Confidence) + `</td>`,
			`<option value="` + catID["Letter"] + `" selected>Letter</option>`, "Monday post"} {
			if !strings.Contains(html.UnescapeString(p.body), want) {
				t.Errorf("finished batch page lacks %s:\n%s", want, p.body)
			}
		}
		if strings.Contains(p.body, "Clear override") {
			t.Error("the batch page offers to clear an override no file has")
		}
		if lp := b.get(fmt.Sprint(link["href"])); lp.status != http.StatusOK || !strings.Contains(lp.body, "invoice.txt") {
			t.Errorf("linked extraction batch page = %d", lp.status)
		}
		p = b.get("/dashboard/classifications/" + clsID)
		if !strings.Contains(p.body, `href="`+batchPath+`"`) || !strings.Contains(p.body, "status-partial") || strings.Contains(p.body, "No batches yet.") {
			t.Fatalf("classification page does not list the batch:\n%s", p.body)
		}

		// Override: the letter is a receipt, by hand. Without the token,
		// refused; with it, the API shows the override, and the page marks
		// the file; clearing brings the classifier's decision back.
		letter := files[1]
		ovPath := batchPath + "/files/" + letter.ID + "/override"
		if p := b.post(ovPath, url.Values{"category_id": {catID["Receipt"]}}); p.status != http.StatusForbidden {
			t.Errorf("override without csrf = %d, want 403", p.status)
		}
		p = b.post(ovPath, url.Values{"csrf_token": {csrf}, "category_id": {catID["Receipt"]}, "action": {"set"}})
		if p.path != batchPath || !strings.Contains(p.body, `class="overridden"`) || !strings.Contains(p.body, "Clear override") {
			t.Fatalf("override landed on %s (%d) without the file marked overridden:\n%s", p.path, p.status, p.body)
		}
		f := classified(t, api, clsID, batchID)[1]
		if !f.Overridden || f.ClassifiedCategoryID == nil || *f.ClassifiedCategoryID != catID["Receipt"] || *f.Confidence != 1 {
			t.Fatalf("API after the override: %+v", f)
		}
		if !strings.Contains(html.UnescapeString(p.body), `Set by hand to "Receipt". The classifier had chosen "Letter"`) {
			t.Errorf("the overridden file's reasoning does not quote the classifier")
		}
		p = b.post(ovPath, url.Values{"csrf_token": {csrf}, "category_id": {"cat_nope"}, "action": {"set"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "letter.txt") {
			t.Errorf("override with an unknown category = %d, want 422 naming the file:\n%s", p.status, p.body)
		}
		p = b.post(ovPath, url.Values{"csrf_token": {csrf}, "category_id": {""}, "action": {"set"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Choose a category") {
			t.Errorf("override with no category = %d, want 400", p.status)
		}
		p = b.post(ovPath, url.Values{"csrf_token": {csrf}, "category_id": {catID["Receipt"]}, "action": {"clear"}})
		if p.path != batchPath || strings.Contains(p.body, "Clear override") {
			t.Fatalf("clear override landed on %s still offering to clear", p.path)
		}
		f = classified(t, api, clsID, batchID)[1]
		if f.Overridden || f.ClassifiedCategoryName == nil || *f.ClassifiedCategoryName != "Letter" {
			t.Fatalf("API after clearing the override: %+v", f)
		}

		// Another account: every page, route and form of this
		// classification is a 404, and changes nothing.
		other := newBrowser(t, srv.URL)
		ocsrf := other.login("bob@example.com", password).csrf(t)
		if p := other.get("/dashboard/classifications"); strings.Contains(p.body, clsID) || !strings.Contains(p.body, "No classifications yet.") {
			t.Fatal("another account's list shows the classification")
		}
		for _, path := range []string{"/dashboard/classifications/" + clsID, "/dashboard/classifications/" + clsID + "/edit", batchPath, batchPath + "/status"} {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("other account GET %s = %d, want 404", path, p.status)
			}
		}
		for _, c := range []struct {
			path string
			form url.Values
		}{
			{"/dashboard/classifications/" + clsID + "/edit", mailForm(ocsrf, "", 0, 1, 2)},
			{"/dashboard/classifications/" + clsID + "/delete", url.Values{"csrf_token": {ocsrf}}},
			{ovPath, url.Values{"csrf_token": {ocsrf}, "category_id": {catID["Receipt"]}, "action": {"set"}}},
			{ovPath, url.Values{"csrf_token": {ocsrf}, "action": {"clear"}}},
		} {
			if p := other.post(c.path, c.form); p.status != http.StatusNotFound {
				t.Errorf("other account POST %s %v = %d, want 404", c.path, c.form["action"], p.status)
			}
		}
		body2, ct = multipartBody(t, ocsrf, "", upload{"invoice.txt", mailInvoice})
		if p := other.postUpload(uploadPath, body2, ct, nil); p.status != http.StatusNotFound {
			t.Errorf("other account upload = %d, want 404", p.status)
		}
		if bs, _, _ := srv.DB.ListClassificationBatches(ctx, acct, clsID, store.BatchFilter{}, store.Page{Limit: 10}); len(bs) != 1 {
			t.Errorf("after another account's attempts the classification holds %d batches, want 1", len(bs))
		}
		if c3, _ := srv.DB.Classification(ctx, acct, clsID); c3.Version != c.Version {
			t.Errorf("another account's edit changed the classification")
		}
		if f := classified(t, api, clsID, batchID)[1]; f.Overridden {
			t.Errorf("another account's override changed the file")
		}

		// Delete: gone with its batches.
		if p := b.post("/dashboard/classifications/"+clsID+"/delete", nil); p.status != http.StatusForbidden {
			t.Errorf("delete without csrf = %d, want 403", p.status)
		}
		p = b.post("/dashboard/classifications/"+clsID+"/delete", url.Values{"csrf_token": {csrf}})
		if p.path != "/dashboard/classifications" || strings.Contains(p.body, clsID) || !strings.Contains(p.body, "No classifications yet.") {
			t.Fatalf("delete landed on %s still listing the classification", p.path)
		}
		if p := b.get(batchPath); p.status != http.StatusNotFound {
			t.Errorf("deleted batch page = %d, want 404", p.status)
		}
		// The chained extraction batch keeps its document.
		if lp := b.get(fmt.Sprint(link["href"])); lp.status != http.StatusOK {
			t.Errorf("the linked extraction batch after the delete = %d", lp.status)
		}
	})
}

// keywordsOf is a category's keywords as the form shows them.
func keywordsOf(c docparse.Category) string { return strings.Join(c.Keywords, ", ") }

// percentOf renders a confidence as the pages do.
func percentOf(f float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", float64(int(f*1000+0.5))/10), "0"), ".") + "%"
}

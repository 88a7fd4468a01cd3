package dashboard_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/servertest"
)

// TestBrowserClassifications drives the classification pages as a user
// does: create a classification with three described categories (the
// invoices linked to an extraction) through the form, adding the third
// row from the keyboard; upload a small mixed post with the file input;
// watch the batch page follow the batch to the end without a reload and
// show each file's category, confidence and reason; put one file into
// another category by hand; and follow the invoice to the extraction
// batch it was handed to.
func TestBrowserClassifications(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		extID := must(api.CreateExtraction(context.Background(), client.ExtractionParams{Name: "Supplier invoices", Fields: invoiceFields}))(t).ID

		dir := t.TempDir()
		var files []string
		for _, f := range []struct{ name, text string }{{"invoice.txt", mailInvoice}, {"letter.txt", mailLetter}, {"receipt.txt", mailReceipt}} {
			p := filepath.Join(dir, f.name)
			if err := os.WriteFile(p, []byte(f.text), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
		// A scanned invoice is read by OCR, which takes a moment: the batch
		// is still running when its page opens.
		scan, err := filepath.Abs("../extract/testdata/scan-invoice.png")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, scan)

		b := signedInTab(t, srv.URL, email, password)
		// The form: two rows to start with; the third added from the
		// keyboard.
		b.startNew("classifications", "classification", `#classification-form`)
		b.run("fill the form",
			chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Mailroom"),
			chromedp.SendKeys(chromedp.CSS(`textarea[name=description]`), "Sorts the morning post"),
		)
		fill := func(i string, c struct{ name, description, keywords string }) {
			b.run("fill category "+c.name,
				chromedp.SendKeys(chromedp.CSS(`input[name="categories.`+i+`.name"]`), c.name),
				chromedp.SendKeys(chromedp.CSS(`textarea[name="categories.`+i+`.description"]`), c.description),
				chromedp.SendKeys(chromedp.CSS(`textarea[name="categories.`+i+`.keywords"]`), c.keywords),
			)
		}
		fill("0", mailCategories[0])
		fill("1", mailCategories[1])
		// Link the invoices to the extraction by typing in the select.
		b.run("link the extraction", chromedp.Focus(chromedp.CSS(`select[name="categories.0.linked_extraction_id"]`)), chromedp.KeyEvent("S"))
		if v := b.evalString(`document.querySelector('select[name="categories.0.linked_extraction_id"]').value`); v != extID {
			t.Fatalf("linked extraction after typing S = %q, want %s", v, extID)
		}
		b.run("add a category with the keyboard",
			chromedp.Focus(chromedp.CSS(`#add-category`)),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`input[name="categories.2.name"]`)),
		)
		if focused := b.evalString(`document.activeElement.name || ""`); focused != "categories.2.name" {
			t.Errorf("after Add category, focus is on %q, want the new row's name", focused)
		}
		fill("2", mailCategories[2])
		// A fourth row, added and removed again.
		b.run("add and remove a row", chromedp.Click(chromedp.CSS(`#add-category`)), chromedp.WaitVisible(chromedp.CSS(`input[name="categories.3.name"]`)),
			chromedp.Click(chromedp.CSS(`li[data-name="categories.3"] .remove-category`)),
			chromedp.WaitNotPresent(chromedp.CSS(`input[name="categories.3.name"]`)))
		b.evalString(`document.activeElement.blur(); window.scrollTo(0, 0); ""`)
		b.screenshot("classification-new")

		// A name given twice: the problem is named above the form and on
		// the row, and what was typed stays.
		receiptName := `input[name="categories.2.name"]`
		selectAll := chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl))
		b.run("save with a name given twice", chromedp.Focus(chromedp.CSS(receiptName)), selectAll, chromedp.KeyEvent("invoice"),
			chromedp.Click(chromedp.CSS(`#save-classification`)), chromedp.WaitVisible(chromedp.CSS(`#form-errors`)))
		if s := b.text("#form-errors"); !strings.Contains(s, `categories[2].name: "invoice" is already the name of categories[0]`) {
			t.Errorf("form errors: %s", s)
		}
		if s := b.text(`li[data-name="categories.2"] .field-error`); !strings.Contains(s, "categories[2].name") {
			t.Errorf("the row's own error: %q", s)
		}
		if v := b.evalString(`document.querySelector('textarea[name="categories.2.keywords"]').value + "|" +
			document.querySelector('select[name="categories.0.linked_extraction_id"]').value`); v != mailCategories[2].keywords+"|"+extID {
			t.Errorf("the failed form lost its input: %q", v)
		}
		b.evalString(`window.scrollTo(0, 0); ""`)
		b.screenshot("classification-form-error")
		b.run("fix the name", chromedp.Focus(chromedp.CSS(receiptName)), selectAll, chromedp.KeyEvent("Receipt"))
		b.run("save", chromedp.Click(chromedp.CSS(`#save-classification`)), chromedp.WaitVisible(chromedp.CSS(`#upload-zone`)))
		clsPath := b.path()
		m := clsPathRE.FindStringSubmatch(clsPath)
		if m == nil {
			t.Fatalf("after saving the tab shows %s, want the classification page", clsPath)
		}
		clsID := m[1]
		if s := b.text("#categories"); !strings.Contains(s, "Invoice") || !strings.Contains(s, "Supplier invoices") || !strings.Contains(s, "yours sincerely") {
			t.Fatalf("categories summary:\n%s", s)
		}
		if s := b.text("#batches"); !strings.Contains(s, "No batches yet.") {
			t.Fatalf("a new classification's batches: %s", s)
		}
		b.screenshot("classification-page")

		// Upload with the file input: the batch page opens while the scan
		// is still being read, and follows the batch to its end.
		b.evalString(watchProgress)
		b.run("upload with the file input", chromedp.SetUploadFiles(chromedp.CSS(`#upload-input`), files),
			chromedp.WaitVisible(chromedp.CSS(`#batch-status`)))
		bm := clsBatchPathRE.FindStringSubmatch(b.path())
		if bm == nil || !strings.HasPrefix(b.path(), clsPath+"/batches/") {
			t.Fatalf("after the upload the tab shows %s, want a batch page of %s", b.path(), clsPath)
		}
		batchPath := b.path()
		b.followBatch()
		// Each row, filled in live: category, confidence, reason.
		var rows []struct{ ID, Name, Category, Confidence, Reasoning, Linked, Href string }
		raw := b.evalString(`JSON.stringify([...document.querySelectorAll("#files tr[data-file-id]")].map(r => {
			const a = r.querySelector('[data-cell="linked"] a');
			return {ID: r.dataset.fileId, Name: r.querySelector(".file-name").textContent,
				Category: r.querySelector('[data-cell="category"]').textContent, Confidence: r.querySelector('[data-cell="confidence"]').textContent,
				Reasoning: r.querySelector('[data-cell="reasoning"]').textContent, Linked: r.querySelector('[data-cell="linked"]').textContent,
				Href: a ? a.getAttribute("href") : ""};
		}))`)
		if err := json.Unmarshal([]byte(raw), &rows); err != nil || len(rows) != 4 {
			t.Fatalf("file rows %s: %v", raw, err)
		}
		for i, want := range []string{"Invoice", "Letter", "Receipt", "Invoice"} {
			r := rows[i]
			if r.Category != want || !strings.HasSuffix(r.Confidence, "%") || len(r.Reasoning) < 10 {
				t.Errorf("%s shows %q (%s): %q, want %s with a confidence and a reason", r.Name, r.Category, r.Confidence, r.Reasoning, want)
			}
			t.Logf("%s -> %s (%s): %s", r.Name, r.Category, r.Confidence, r.Reasoning)
		}
		lm := extBatchPathRE.FindStringSubmatch(rows[0].Href)
		if lm == nil || lm[1] != extID || rows[0].Linked != "Supplier invoices" || rows[3].Href != rows[0].Href || rows[1].Href != "" {
			t.Fatalf("linked cells: %+v, want both invoices linked to one batch of %s", rows, extID)
		}
		// The override selects follow too: each shows the file's category.
		if s := b.evalString(`[...document.querySelectorAll("#files select")].map(s => s.selectedOptions[0].textContent).join(",")`); s != "Invoice,Letter,Receipt,Invoice" {
			t.Errorf("override selects show %s, want each file's category", s)
		}
		b.screenshot("classification-batch")

		// Override from the keyboard: the letter goes to Receipt.
		letter := rows[1]
		b.run("override the letter",
			chromedp.Focus(chromedp.CSS(`#ov-`+letter.ID)), chromedp.KeyEvent("R"),
			chromedp.Focus(chromedp.CSS(`tr[data-file-id="`+letter.ID+`"] button[value=set]`)), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`tr[data-file-id="`+letter.ID+`"].overridden [data-cell="overridden"]`)),
		)
		if s := b.text(`tr[data-file-id="` + letter.ID + `"] [data-cell="category"]`); s != "Receipt" {
			t.Errorf("the overridden letter shows %q, want Receipt", s)
		}
		if s := b.text(`tr[data-file-id="` + letter.ID + `"] [data-cell="overridden"]`); !strings.EqualFold(s, "overridden") {
			t.Errorf("the overridden marker reads %q", s)
		}
		if s := b.text(`tr[data-file-id="` + letter.ID + `"] [data-cell="confidence"]`); s != "100%" {
			t.Errorf("the overridden letter's confidence reads %q, want 100%%", s)
		}
		if f := classified(t, api, clsID, bm[1])[1]; !f.Overridden || f.ClassifiedCategoryName == nil || *f.ClassifiedCategoryName != "Receipt" {
			t.Errorf("API after the override: %+v", f)
		}
		b.evalString(`window.scrollTo(0, 0); ""`)
		b.screenshot("classification-batch-overridden")

		// The invoice's link opens the extraction batch it was handed to.
		b.run("follow the linked batch", chromedp.Click(chromedp.CSS(`tr[data-file-id="`+rows[0].ID+`"] [data-cell="linked"] a`)),
			chromedp.WaitVisible(chromedp.CSS(`#batch-status`)))
		if b.path() != rows[0].Href {
			t.Fatalf("the linked batch link led to %s, want %s", b.path(), rows[0].Href)
		}
		if s := b.text("#files"); !strings.Contains(s, "invoice.txt") || !strings.Contains(s, "scan-invoice.png") || strings.Contains(s, "letter.txt") {
			t.Errorf("the linked extraction batch holds:\n%s", s)
		}

		// The list, and the batch page at phone width.
		b.open("/dashboard/classifications")
		if s := b.text("#classification-list"); !strings.Contains(s, "Mailroom") || !strings.Contains(s, "Invoice, Letter, Receipt") {
			t.Fatalf("classification list:\n%s", s)
		}
		b.screenshot("classifications")
		b.run("phone width", chromedp.EmulateViewport(390, 844))
		b.open(batchPath)
		if wide := b.eval(`document.documentElement.scrollWidth <= window.innerWidth`); wide != true {
			t.Errorf("at 390 px the batch page scrolls sideways")
		}
		b.screenshot("classification-batch-phone")
		b.open(clsPath + "/edit")
		if wide := b.eval(`document.documentElement.scrollWidth <= window.innerWidth`); wide != true {
			t.Errorf("at 390 px the form scrolls sideways")
		}
		b.screenshot("classification-edit-phone")
		b.open(clsPath)
		b.screenshot("classification-page-phone")

		// Delete, after saying yes to the confirmation.
		b.evalString(`window.confirm = () => true; ""`)
		b.run("delete", chromedp.Click(chromedp.CSS(`form[action$="/delete"] button`)), chromedp.WaitVisible(chromedp.CSS(`#classifications-empty`)))
	})
}

package dashboard_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/docparse/docparse/internal/servertest"
)

// evalString runs JavaScript that returns a string or a promise of one.
func (b *tab) evalString(js string) string {
	b.t.Helper()
	return get(b, "evaluate "+js, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
}

// waitJS waits until the JavaScript expression is truthy.
func (b *tab) waitJS(step, js string) {
	b.t.Helper()
	get(b, step, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond)))
}

// watchProgress records in sessionStorage, which outlives the navigation
// that follows a successful upload, whether the upload's progress bar was
// shown and the last value it had.
const watchProgress = `(() => {
  sessionStorage.removeItem("progress");
  const p = document.getElementById("upload-progress");
  new MutationObserver(() => {
    if (!p.hidden) sessionStorage.setItem("progress", String(p.value));
  }).observe(p, {attributes: true});
  return "";
})()`

// followBatch checks a batch page that an upload with the file input
// opened (watchProgress was run before): the upload's progress bar was
// shown, the page opened while the batch still ran, and it followed the
// batch to a processed end without a reload.
func (b *tab) followBatch() {
	b.t.Helper()
	if v := b.evalString(`sessionStorage.getItem("progress") || ""`); v == "" {
		b.t.Error("the upload's progress bar was never shown")
	}
	first := b.evalString(`document.getElementById("batch-status").dataset.status`)
	if first != "queued" && first != "processing" {
		b.t.Fatalf("the batch page opened on status %q, want it still running", first)
	}
	b.evalString(`window.notReloaded = "yes"; ""`)
	b.waitJS("batch ends", `["processed", "partial", "failed"].includes(document.getElementById("batch-status").dataset.status)`)
	if b.evalString(`window.notReloaded || ""`) != "yes" {
		b.t.Fatal("the batch page reloaded to show the end")
	}
	if s := b.text("#batch-status"); s != "processed" {
		b.t.Errorf("final status %q, want processed", s)
	}
	if s := b.text("#batch-live"); !strings.HasPrefix(s, "Finished") {
		b.t.Errorf("live line %q, want Finished", s)
	}
}

// TestBrowserExtractions drives the extraction pages as a user does: create
// an extraction with a nested field through the form (and look at it as
// JSON), upload a batch with the file input and another by dropping a file
// on the drop zone, watch the batch page follow its batch to the end
// without a reload, and fetch both exports through their links.
func TestBrowserExtractions(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		srv.User("acme", email, password)
		dir := t.TempDir()
		invoice := filepath.Join(dir, "invoice.txt")
		if err := os.WriteFile(invoice, []byte(invoiceText), 0o644); err != nil {
			t.Fatal(err)
		}
		// A scan is read by OCR, which takes a moment: the batch is still
		// running when its page opens.
		scan, err := filepath.Abs("../extract/testdata/scan-invoice.png")
		if err != nil {
			t.Fatal(err)
		}

		b := signedInTab(t, srv.URL, email, password)
		// The form: a string field, then an object with a nested field.
		b.startNew("extractions", "extraction", `#schema-form`)
		b.run("fill the form",
			chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Supplier invoices"),
			chromedp.SendKeys(chromedp.CSS(`textarea[name=description]`), "Invoices from our suppliers"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields.0.key"]`), "invoice_number"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields.0.description"]`), "The invoice number"),
		)
		// Add a field from the keyboard: Enter on "Add field" adds a row
		// and puts the cursor in its key.
		b.run("add a field with the keyboard",
			chromedp.Focus(chromedp.CSS(`button.add-field[data-list=fields]`)),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`input[name="fields.1.key"]`)),
		)
		if focused := b.evalString(`document.activeElement.name || ""`); focused != "fields.1.key" {
			t.Errorf("after Add field, focus is on %q, want the new row's key", focused)
		}
		b.run("type the key", chromedp.KeyEvent("supplier"))
		// Choosing object shows a nested row at once.
		b.evalString(`(() => { const s = document.querySelector('select[name="fields.1.type"]');
			s.value = "object"; s.dispatchEvent(new Event("change", {bubbles: true})); return "" })()`)
		b.run("nested field",
			chromedp.WaitVisible(chromedp.CSS(`input[name="fields.1.fields.0.key"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields.1.fields.0.key"]`), "vat_id"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields.1.fields.0.description"]`), "Supplier VAT number"),
		)
		b.evalString(`document.activeElement.blur(); window.scrollTo(0, 0); ""`)
		b.screenshot("extraction-new")

		// The JSON view shows what the form holds.
		b.run("JSON view", chromedp.Click(chromedp.CSS(`#tab-json`)), chromedp.WaitVisible(chromedp.CSS(`#schema-json`)))
		var doc struct {
			Name   string
			Fields []struct {
				Key    string
				Type   string
				Fields []struct{ Key string }
			}
		}
		if err := json.Unmarshal([]byte(b.evalString(`document.getElementById("schema-json").value`)), &doc); err != nil ||
			doc.Name != "Supplier invoices" || len(doc.Fields) != 2 || doc.Fields[1].Type != "object" ||
			len(doc.Fields[1].Fields) != 1 || doc.Fields[1].Fields[0].Key != "vat_id" {
			t.Fatalf("JSON view = %+v (%v), want the form's two fields with the nested one", doc, err)
		}
		b.screenshot("extraction-new-json")
		// Back to the form with the arrow key, as in any tab list, and save.
		b.run("back to the form and save", chromedp.Focus(chromedp.CSS(`#tab-json`)), chromedp.KeyEvent(kb.ArrowLeft),
			chromedp.WaitVisible(chromedp.CSS(`#save-form`)), chromedp.WaitNotVisible(chromedp.CSS(`#schema-json`)),
			chromedp.Click(chromedp.CSS(`#save-form`)), chromedp.WaitVisible(chromedp.CSS(`#upload-zone`)))
		if s := b.text("#schema"); !strings.Contains(s, "supplier") || !strings.Contains(s, "vat_id") || !strings.Contains(s, "3 fields") {
			t.Fatalf("extraction page schema summary lacks the nested field:\n%s", s)
		}
		if s := b.text("#batches"); !strings.Contains(s, "No batches yet.") {
			t.Fatalf("a new extraction's batches: %s", s)
		}
		extPath := b.path()
		b.screenshot("extraction-page")

		// A bad key on edit: the problem is named next to the form and
		// the row, and what was typed stays.
		b.run("edit with a bad key", chromedp.Click(chromedp.CSS(`#edit-extraction`)), chromedp.WaitVisible(chromedp.CSS(`#schema-form`)),
			chromedp.Clear(chromedp.CSS(`input[name="fields.1.fields.0.key"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields.1.fields.0.key"]`), "VAT id"),
			chromedp.Click(chromedp.CSS(`#save-form`)), chromedp.WaitVisible(chromedp.CSS(`#form-errors`)))
		if s := b.text("#form-errors"); !strings.Contains(s, `fields[1].fields[0].key: "VAT id" must match`) {
			t.Errorf("edit errors: %s", s)
		}
		if v := b.evalString(`document.querySelector('input[name="fields.1.fields.0.key"]').value`); v != "VAT id" {
			t.Errorf("the bad key was not kept: %q", v)
		}
		if s := b.text(`li[data-name="fields.1.fields.0"] .field-error`); !strings.Contains(s, "fields[1].fields[0].key") {
			t.Errorf("the row's own error: %q", s)
		}
		b.evalString(`window.scrollTo(0, 0); ""`)
		b.screenshot("extraction-form-error")
		b.open(extPath)

		// Upload with the file input: the progress bar shows, then the
		// batch page opens while the scan is still being read.
		b.evalString(watchProgress)
		b.run("upload with the file input",
			chromedp.SetUploadFiles(chromedp.CSS(`#upload-input`), []string{invoice, scan}),
			chromedp.WaitVisible(chromedp.CSS(`#batch-status`)),
		)
		if m := extBatchPathRE.FindStringSubmatch(b.path()); m == nil || extPath != "/dashboard/extractions/"+m[1] {
			t.Fatalf("after the upload the tab shows %s, want a batch page of %s", b.path(), extPath)
		}
		b.followBatch()
		if v := b.evalString(`String(document.getElementById("batch-progress").value)`); v != "2" {
			t.Errorf("batch progress = %s, want 2 of 2", v)
		}
		if s := b.evalString(`String(+document.querySelector('[data-count="processed"]').textContent + +document.querySelector('[data-count="needs_review"]').textContent)`); s != "2" {
			t.Errorf("processed and needs review counts add up to %s, want 2", s)
		}
		b.screenshot("batch-finished")

		// Both exports through their links, with the session.
		csv := b.evalString(`fetch(document.getElementById("export-csv").href).then(r => r.text())`)
		if !strings.HasPrefix(csv, "file_id,file_name,status,error_code,") || !strings.Contains(csv, "invoice.txt") || !strings.Contains(csv, "42183017") {
			t.Errorf("CSV export through its link:\n%s", csv)
		}
		var exp struct {
			Batch struct{ Status string }
			Files []json.RawMessage
		}
		if err := json.Unmarshal([]byte(b.evalString(`fetch(document.getElementById("export-json").href).then(r => r.text())`)), &exp); err != nil ||
			exp.Batch.Status != "processed" || len(exp.Files) != 2 {
			t.Errorf("JSON export through its link = %+v, %v", exp, err)
		}

		// Drop a file on the drop zone: a synthetic drop event with a
		// DataTransfer, as the browser builds one for a real drag.
		b.open(extPath)
		b.evalString(watchProgress)
		b.evalString(`(() => {
			const dt = new DataTransfer();
			dt.items.add(new File([` + "`" + invoiceText + "`" + `], "dropped-invoice.txt", {type: "text/plain"}));
			document.getElementById("upload-zone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
			return "";
		})()`)
		b.run("dropped upload", chromedp.WaitVisible(chromedp.CSS(`#batch-status`)))
		if extBatchPathRE.FindStringSubmatch(b.path()) == nil {
			t.Fatalf("after the drop the tab shows %s, want a batch page", b.path())
		}
		if s := b.text("#files"); !strings.Contains(s, "dropped-invoice.txt") {
			t.Fatalf("dropped batch lists:\n%s", s)
		}
		if v := b.evalString(`sessionStorage.getItem("progress") || ""`); v == "" {
			t.Error("the dropped upload's progress bar was never shown")
		}
		b.waitJS("dropped batch ends", `document.getElementById("batch-status").dataset.status === "processed"`)

		// A refused drop: too many files, told before anything is sent.
		b.open(extPath)
		b.evalString(`(() => {
			const dt = new DataTransfer();
			for (let i = 0; i < 31; i++) dt.items.add(new File(["x"], "f" + i + ".txt", {type: "text/plain"}));
			document.getElementById("upload-zone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
			return "";
		})()`)
		b.run("too many files", chromedp.WaitVisible(chromedp.CSS(`#upload-error`)))
		if s := b.text("#upload-error"); !strings.Contains(s, "Too many files: a batch holds at most 30 files, and you chose 31.") {
			t.Errorf("too many files message %q", s)
		}
		b.open(extPath)
		if s := b.text("#batch-list"); strings.Count(s, "processed") < 2 {
			t.Errorf("extraction page batch list:\n%s", s)
		}
		b.screenshot("extraction-page-batches")

		// The list, and the pages at phone width.
		b.open("/dashboard/extractions")
		if s := b.text("#extraction-list"); !strings.Contains(s, "Supplier invoices") {
			t.Fatalf("extraction list:\n%s", s)
		}
		b.screenshot("extractions")
		b.run("phone width", chromedp.EmulateViewport(390, 844))
		b.open(extPath)
		b.screenshot("extraction-page-phone")
		b.open(extPath + "/edit")
		b.screenshot("extraction-edit-phone")
		b.run("open the batch", chromedp.Navigate(srv.URL+extPath), chromedp.WaitVisible(chromedp.CSS(`#batch-list a`)),
			chromedp.Click(chromedp.CSS(`#batch-list a`)), chromedp.WaitVisible(chromedp.CSS(`#batch-status`)))
		b.screenshot("batch-finished-phone")

		// Delete, after saying yes to the confirmation.
		b.open(extPath)
		b.evalString(`window.confirm = () => true; ""`)
		b.run("delete", chromedp.Click(chromedp.CSS(`form[action$="/delete"] button`)), chromedp.WaitVisible(chromedp.CSS(`#extractions-empty`)))
	})
}

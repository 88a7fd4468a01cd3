package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/servertest"
)

// TestCLIClassify: create a classification from a file, classify a mixed
// batch with --wait, read the categories and reasons, correct one by
// hand, and see the bad file's reason with exit code 3.
func TestCLIClassify(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true}, func(t *testing.T, srv *servertest.Server) {
		env := map[string]string{"DOCPARSE_API_KEY": srv.Key("acme"), "DOCPARSE_BASE_URL": srv.URL}
		dir := t.TempDir()
		write := func(name, body string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		spec := write("mailroom.json", `{"name": "Mailroom", "categories": [
			{"name": "Invoice", "description": "A bill from a supplier asking for payment", "keywords": ["invoice", "amount due"]},
			{"name": "Letter", "description": "Correspondence that opens with Dear and ends with a signature", "keywords": ["dear", "sincerely"]},
			{"name": "Receipt", "description": "Proof of a payment made at a shop", "keywords": ["receipt", "change", "cash"]}]}`)
		invoice := write("invoice.txt", "ACME Supplies Ltd\nINVOICE\nInvoice number: INV-2291\nInvoice date: 2026-03-01\nDescription Qty Amount\nWidgets 10 120.00\nSubtotal 120.00\nVAT 20% 24.00\nAmount due: 144.00 EUR\nPayment terms: 30 days\n")
		letter := write("letter.txt", "12 Park Lane\nLondon\n\nDear Mrs Smith,\n\nThank you for your letter of 3 March. We are pleased to confirm your appointment on Tuesday.\nPlease let us know if the time does not suit you.\n\nYours sincerely,\n\nJohn Brown\n")
		bad := write("bad.bin", "\x00\x01\x02\x03\x00\x00\x00\x09")

		clsID := cliCreate(t, env, "cls_", "classifications", "create", "--file", spec)
		cliListed(t, env, []string{"classifications", "list"}, clsID, "Mailroom")
		// An invalid file names the problem and exits 2 (the API refused it).
		badSpec := write("bad.json", `{"name": "One", "categories": [{"name": "Only"}]}`)
		if _, errOut, code := cliRun(t, env, "classifications", "create", "--file", badSpec); code != 2 || !strings.Contains(errOut, "categories") {
			t.Errorf("one category: %d %q", code, errOut)
		}

		out, errOut, code := cliRun(t, env, "classify", clsID, invoice, letter, "--wait", "--name", "post")
		if code != 0 || strings.Contains(out, "\r") {
			t.Fatalf("classify --wait: %d %q %q", code, out, errOut)
		}
		rows := map[string]string{}
		for _, l := range strings.Split(out, "\n") {
			for _, name := range []string{"invoice.txt", "letter.txt"} {
				if strings.Contains(l, " "+name+" ") {
					rows[name] = l
				}
			}
		}
		if !regexp.MustCompile(`invoice\.txt\s+Invoice\s+[01]\.\d\d`).MatchString(rows["invoice.txt"]) ||
			!regexp.MustCompile(`letter\.txt\s+Letter\s+[01]\.\d\d`).MatchString(rows["letter.txt"]) {
			t.Fatalf("classify --wait printed:\n%s", out)
		}
		if !strings.Contains(rows["invoice.txt"], "matched") {
			t.Errorf("no reason for the invoice: %q", rows["invoice.txt"])
		}
		batchID := regexp.MustCompile(`cbtc_\w+`).FindString(out)
		fileID := strings.Fields(rows["letter.txt"])[0]

		// Correct the letter by hand: it is a receipt now, marked as such.
		var cls struct {
			Categories []struct{ ID, Name string } `json:"categories"`
		}
		out, _, _ = cliRun(t, env, "classifications", "get", clsID)
		if err := json.Unmarshal([]byte(out), &cls); err != nil || len(cls.Categories) != 3 {
			t.Fatalf("classifications get: %v %q", err, out)
		}
		out, errOut, code = cliRun(t, env, "classifications", "override", clsID, batchID, fileID, cls.Categories[2].ID)
		if code != 0 || !strings.Contains(out, "Receipt (override)") {
			t.Errorf("override: %d %q %q", code, out, errOut)
		}
		out, _, code = cliRun(t, env, "classifications", "batch", clsID, batchID)
		if code != 0 || !strings.Contains(out, "Receipt (override)") || !strings.Contains(out, "batch "+batchID+" processed") {
			t.Errorf("batch after the override: %d %q", code, out)
		}
		if out, _, code := cliRun(t, env, "classifications", "override", clsID, batchID, fileID, "none"); code != 0 || strings.Contains(out, "(override)") {
			t.Errorf("clear override: %d %q", code, out)
		}

		// A batch with an unreadable file ends partial: exit 3, the reason shown.
		out, _, code = cliRun(t, env, "classify", clsID, invoice, bad, "--wait")
		if code != 3 || !strings.Contains(out, "unsupported_type") || !strings.Contains(out, "partial") {
			t.Errorf("classify --wait partial: %d %q", code, out)
		}
		if out, _, code := cliRun(t, env, "classifications", "batches", clsID); code != 0 || strings.Count(out, "cbtc_") != 2 {
			t.Errorf("classifications batches: %d %q", code, out)
		}
		if out, _, code := cliRun(t, env, "classifications", "delete", clsID); code != 0 || !strings.Contains(out, "deleted") {
			t.Errorf("delete: %d %q", code, out)
		}
	})
}

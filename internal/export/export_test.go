package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
)

func TestParseFormat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Format
		ok   bool
	}{{"", JSON, true}, {"json", JSON, true}, {"csv", CSV, true}, {"xml", "", false}, {"CSV", "", false}} {
		got, err := ParseFormat(tt.in)
		var ve *docparse.ValidationError
		if got != tt.want || (err == nil) != tt.ok || (err != nil && !errors.As(err, &ve)) {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestCSV: one row per file, one sorted column per scalar path; objects
// flatten to parent.child, lists are their JSON, null is empty, and a
// failed file has its error code and no values.
func TestCSV(t *testing.T) {
	x := Batch{Files: []docparse.File{
		{FileCore: docparse.FileCore{ID: "file_1", FileName: "a.pdf", Status: docparse.FileProcessed},
			Result: []byte(`{"total": 12.50, "supplier": {"name": "ACME, Inc.", "vat": null}, "tags": ["x", "y"]}`)},
		{FileCore: docparse.FileCore{ID: "file_2", FileName: "b.pdf", Status: docparse.FileFailed, Error: &docparse.FileError{Code: "corrupt_document"}}},
	}}
	var buf bytes.Buffer
	if err := x.Write(&buf, CSV); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"file_id,file_name,status,error_code,supplier.name,supplier.vat,tags,total",
		`file_1,a.pdf,processed,,"ACME, Inc.",,"[""x"",""y""]",12.50`,
		"file_2,b.pdf,failed,corrupt_document,,,,",
	}, "\n") + "\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
	x.Files[0].Result = []byte(`{"total":`)
	if err := x.Write(&buf, CSV); err == nil {
		t.Error("a result that does not decode: no error")
	}
}

// TestCSVFormulas: text cells a spreadsheet would run as a formula (from a
// file name or an extracted value) get a leading apostrophe; numbers,
// negative ones included, are written as they are.
func TestCSVFormulas(t *testing.T) {
	x := Batch{Files: []docparse.File{
		{FileCore: docparse.FileCore{ID: "file_1", FileName: "=HYPERLINK(\"http://x\")", Status: docparse.FileProcessed},
			Result: []byte(`{"total": -12.50, "a": "+1+2", "b": "-3", "c": "@SUM(A1)", "d": "\tx", "e": "\rx", "f": "a=b", "g": ""}`)},
	}}
	var buf bytes.Buffer
	if err := x.Write(&buf, CSV); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"file_id,file_name,status,error_code,a,b,c,d,e,f,g,total",
		`file_1,"'=HYPERLINK(""http://x"")",processed,,'+1+2,'-3,'@SUM(A1),'` + "\tx" + `,"'` + "\rx" + `",a=b,,-12.50`,
	}, "\n") + "\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}

// TestJSONCitations: the JSON export carries each file's citations as its
// result stored them, null for a file without them; the CSV export keeps
// only values (its columns do not change).
func TestJSONCitations(t *testing.T) {
	cites := `{"total":{"page":1,"box":[0.5,0.8,0.6,0.82]},"net":{"page":null,"source":"inferred"}}`
	x := Batch{Files: []docparse.File{
		{FileCore: docparse.FileCore{ID: "file_1", FileName: "a.pdf", Status: docparse.FileProcessed},
			Result:  []byte(`{"total": 120.0, "net": 100.0}`),
			Details: []byte(`{"sources":{"total":"text","net":"inferred"},"citations":` + cites + `}`)},
		{FileCore: docparse.FileCore{ID: "file_2", FileName: "b.pdf", Status: docparse.FileProcessed},
			Result: []byte(`{"total": 5.0, "net": null}`)},
	}}
	var buf bytes.Buffer
	if err := x.Write(&buf, JSON); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Files []struct {
			Citations json.RawMessage `json:"citations"`
		} `json:"files"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != 2 || string(out.Files[0].Citations) != cites || string(out.Files[1].Citations) != "null" {
		t.Errorf("citations in the JSON export: %s", buf.String())
	}
	buf.Reset()
	if err := x.Write(&buf, CSV); err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(buf.String(), "\n"); head != "file_id,file_name,status,error_code,net,total" {
		t.Errorf("CSV header %q: want the values' columns only", head)
	}
}

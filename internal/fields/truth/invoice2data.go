package truth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Invoice2dataDoc is one document of an invoice2data corpus: the path of
// the document and the expected object of its truth file.
type Invoice2dataDoc struct {
	Path     string
	Expected map[string]any
}

// ReadInvoice2data reads the truth files of an invoice2data corpus (every
// name.json of dir, a JSON array of one object) that have a document
// beside them (name.pdf, else name.txt), in the order of their names.
// A truth file without a document is passed over; a directory without
// truth files is an error.
func ReadInvoice2data(dir string) ([]Invoice2dataDoc, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no *.json in %s", dir)
	}
	slices.Sort(names)
	var docs []Invoice2dataDoc
	for _, jn := range names {
		stem := strings.TrimSuffix(jn, ".json")
		path := ""
		for _, ext := range []string{".pdf", ".txt"} {
			if _, err := os.Stat(stem + ext); err == nil {
				path = stem + ext
				break
			}
		}
		if path == "" {
			continue
		}
		raw, err := os.ReadFile(jn)
		if err != nil {
			return nil, err
		}
		var arr []map[string]any
		if err := json.Unmarshal(raw, &arr); err != nil || len(arr) == 0 {
			return nil, fmt.Errorf("read %s: want a JSON array of one object: %v", jn, err)
		}
		docs = append(docs, Invoice2dataDoc{Path: path, Expected: arr[0]})
	}
	return docs, nil
}

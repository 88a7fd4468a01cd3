package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCursorFile: a cursor is stored atomically, read back, replaced by
// the next one, and a file that cannot be written is an error naming the
// cursor.
func TestCursorFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "docparse.cursor")
	if got, err := readCursor(file); err != nil || got != "" {
		t.Fatalf("readCursor of no file = %q, %v", got, err)
	}
	for _, cursor := range []string{"evt_1", "evt_2"} {
		if err := writeCursor(file, cursor); err != nil {
			t.Fatal(err)
		}
		if got, err := readCursor(file); err != nil || got != cursor {
			t.Fatalf("readCursor = %q, %v, want %q", got, err, cursor)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "evt_2\n" {
		t.Errorf("cursor file holds %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Errorf("%d files next to the cursor, want the cursor only", len(entries))
	}
	err := writeCursor(filepath.Join(file, "sub", "cursor"), "evt_3")
	if err == nil || !strings.HasPrefix(err.Error(), "write cursor: ") {
		t.Errorf("writeCursor into a missing directory = %v", err)
	}
}

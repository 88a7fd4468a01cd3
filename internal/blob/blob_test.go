package blob

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRemoveEmptyDirs: empty batch folders and then their empty account
// folder go, a folder with a file stays, a fresh empty folder stays, and a
// Put after the removal makes its folders again.
func TestRemoveEmptyDirs(t *testing.T) {
	root := t.TempDir()
	l, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, k := range []string{"acc_a/btc_1/f1", "acc_a/btc_2/f2", "acc_b/btc_3/f3"} {
		if _, _, err := l.Put(ctx, k, strings.NewReader("x"), -1, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"acc_a/btc_1/f1", "acc_b/btc_3/f3"} {
		if err := l.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing is an hour old yet: nothing goes.
	if n, err := l.RemoveEmptyDirs(time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("fresh folders: removed %d, %v", n, err)
	}
	n, err := l.RemoveEmptyDirs(time.Now().Add(time.Minute))
	if err != nil || n != 3 { // acc_a/btc_1, acc_b/btc_3, acc_b
		t.Fatalf("removed %d, %v; want 3", n, err)
	}
	for p, want := range map[string]bool{"acc_a": true, "acc_a/btc_1": false, "acc_a/btc_2/f2": true, "acc_b": false} {
		_, err := os.Stat(filepath.Join(root, p))
		if got := err == nil; got != want {
			t.Errorf("%s exists %v, want %v", p, got, want)
		}
	}
	if _, _, err := l.Put(ctx, "acc_b/btc_3/f4", strings.NewReader("y"), -1, nil); err != nil {
		t.Fatalf("put after removal: %v", err)
	}
}

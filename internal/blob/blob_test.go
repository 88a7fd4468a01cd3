package blob

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
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

// A start removes the downloads of processes that no longer run and of
// its own id, and keeps a live process's fresh ones.
func TestRemoveStaleDownloads(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, age time.Duration) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("document"), 0o600); err != nil {
			t.Fatal(err)
		}
		mt := time.Now().Add(-age)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	live := strconv.Itoa(os.Getppid())
	write(downloadPrefix+strconv.Itoa(dead.Process.Pid)+"-1", time.Minute) // killed mid-read
	write(downloadPrefix+strconv.Itoa(os.Getpid())+"-2", time.Second)      // a former process of this id
	write(downloadPrefix+"x-3", time.Second)                               // no id
	write(downloadPrefix+live+"-4", time.Second)                           // a live process reads it
	write(downloadPrefix+live+"-5", 2*staleDownload)                       // too old to be read
	write("other-6", 2*staleDownload)                                      // not a download
	removeStaleDownloads(dir, time.Now().Add(-staleDownload))
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{downloadPrefix + live + "-4", "other-6"}
	if !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	if name := downloadName(); !strings.HasPrefix(name, downloadPrefix+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("downloads are named %q, want the prefix and this process's id", name)
	}
}

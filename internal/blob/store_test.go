package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/blob/blobtest"
)

// eachStore runs test on every backend: a directory and versitygw.
func eachStore(t *testing.T, test func(t *testing.T, s blob.Store)) {
	t.Run("local", func(t *testing.T) {
		t.Parallel()
		s, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		test(t, s)
	})
	t.Run("s3", func(t *testing.T) {
		t.Parallel()
		test(t, blobtest.Start(t).Store(t))
	})
}

// put stores content under key with no limit.
func put(t *testing.T, s blob.Store, key string, content []byte) {
	t.Helper()
	size, _, err := s.Put(context.Background(), key, bytes.NewReader(content), -1, nil)
	if err != nil || size != int64(len(content)) {
		t.Fatalf("Put(%s) = %d, %v; want %d", key, size, err, len(content))
	}
}

// read returns all of key.
func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	rc, size, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if size != int64(len(b)) {
		t.Errorf("Open(%s) size %d, read %d bytes", key, size, len(b))
	}
	return b
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(b)
	return b
}

func TestStore(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blob.Store) {
		ctx := context.Background()
		t.Run("put open seek", func(t *testing.T) {
			content := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
			head := make([]byte, 8)
			size, n, err := s.Put(ctx, "acc_1/btc_1/fil_1", bytes.NewReader(content), int64(len(content)), head)
			if err != nil || size != int64(len(content)) || n != 8 || string(head) != "01234567" {
				t.Fatalf("Put = %d, %d, %v, head %q; want %d, 8, nil, \"01234567\"", size, n, err, head, len(content))
			}
			rc, size, err := s.Open(ctx, "acc_1/btc_1/fil_1")
			if err != nil || size != int64(len(content)) {
				t.Fatalf("Open = size %d, %v", size, err)
			}
			defer rc.Close()
			for _, c := range []struct {
				offset int64
				whence int
				pos    int64
				want   string
			}{
				{10, io.SeekStart, 10, "abcde"},
				{-6, io.SeekEnd, 30, "uvwxyz"},
				{-20, io.SeekCurrent, 16, "ghij"},
				{0, io.SeekStart, 0, "0123"},
			} {
				pos, err := rc.Seek(c.offset, c.whence)
				if err != nil || pos != c.pos {
					t.Fatalf("Seek(%d, %d) = %d, %v; want %d", c.offset, c.whence, pos, err, c.pos)
				}
				got := make([]byte, len(c.want))
				if _, err := io.ReadFull(rc, got); err != nil || string(got) != c.want {
					t.Errorf("read at %d = %q, %v; want %q", pos, got, err, c.want)
				}
			}
		})
		t.Run("head longer than content", func(t *testing.T) {
			head := make([]byte, 64)
			size, n, err := s.Put(ctx, "acc_1/btc_1/short", strings.NewReader("%PDF-1.4"), -1, head)
			if err != nil || size != 8 || n != 8 || string(head[:n]) != "%PDF-1.4" {
				t.Fatalf("Put = %d, %d, %v, head %q", size, n, err, head[:n])
			}
		})
		t.Run("empty", func(t *testing.T) {
			put(t, s, "acc_1/btc_1/empty", nil)
			if b := read(t, s, "acc_1/btc_1/empty"); len(b) != 0 {
				t.Errorf("empty blob reads %d bytes", len(b))
			}
		})
		t.Run("replace", func(t *testing.T) {
			put(t, s, "acc_1/btc_1/again", []byte("first"))
			put(t, s, "acc_1/btc_1/again", []byte("second"))
			if b := read(t, s, "acc_1/btc_1/again"); string(b) != "second" {
				t.Errorf("after a second Put: %q", b)
			}
		})
		// Over 16 MiB: an S3 upload sends one part before the limit is
		// passed in the second, and must abort it.
		for _, c := range []struct {
			name  string
			size  int
			limit int64
		}{{"limit small", 100, 99}, {"limit after a part", 20 << 20, 18 << 20}} {
			t.Run(c.name, func(t *testing.T) {
				key := "acc_1/btc_2/" + strings.ReplaceAll(c.name, " ", "_")
				_, _, err := s.Put(ctx, key, bytes.NewReader(randomBytes(c.size)), c.limit, make([]byte, 16))
				if !errors.Is(err, blob.ErrTooLarge) {
					t.Fatalf("Put of %d bytes, limit %d: %v, want ErrTooLarge", c.size, c.limit, err)
				}
				if _, _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
					t.Errorf("Open after a refused Put: %v, want ErrNotFound", err)
				}
			})
		}
		t.Run("large at the limit", func(t *testing.T) {
			content := randomBytes(20<<20 + 7)
			size, _, err := s.Put(ctx, "acc_1/btc_2/large", bytes.NewReader(content), int64(len(content)), nil)
			if err != nil || size != int64(len(content)) {
				t.Fatalf("Put = %d, %v", size, err)
			}
			if b := read(t, s, "acc_1/btc_2/large"); !bytes.Equal(b, content) {
				t.Errorf("read back %d bytes differing from the %d put", len(b), len(content))
			}
		})
		t.Run("delete", func(t *testing.T) {
			put(t, s, "acc_1/btc_3/gone", []byte("x"))
			for i := range 2 {
				if err := s.Delete(ctx, "acc_1/btc_3/gone"); err != nil {
					t.Fatalf("Delete #%d: %v", i+1, err)
				}
			}
			if err := s.Delete(ctx, "acc_9/btc_9/never"); err != nil {
				t.Errorf("Delete of a key never put: %v", err)
			}
			if _, _, err := s.Open(ctx, "acc_1/btc_3/gone"); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Open after Delete: %v, want ErrNotFound", err)
			}
			if _, _, err := s.Local(ctx, "acc_1/btc_3/gone"); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Local after Delete: %v, want ErrNotFound", err)
			}
		})
		t.Run("local", func(t *testing.T) {
			content := randomBytes(100 << 10)
			put(t, s, "acc_1/btc_4/doc", content)
			path, release, err := s.Local(ctx, "acc_1/btc_4/doc")
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, content) {
				t.Fatalf("Local file: %d bytes, %v; want the %d put", len(got), err, len(content))
			}
			release()
			_, err = os.Stat(path)
			switch s.(type) {
			case *blob.S3:
				if !errors.Is(err, os.ErrNotExist) {
					t.Errorf("downloaded file after release: %v, want removed", err)
				}
			case *blob.Local:
				if err != nil {
					t.Errorf("the store's own file after release: %v, want kept", err)
				}
			}
		})
		t.Run("invalid keys", func(t *testing.T) {
			for _, key := range []string{"", "/acc_1/x", "acc_1/../x", `acc_1\x`} {
				if _, _, err := s.Put(ctx, key, strings.NewReader("x"), -1, nil); err == nil {
					t.Errorf("Put(%q) accepted", key)
				}
				if _, _, err := s.Open(ctx, key); err == nil || errors.Is(err, blob.ErrNotFound) {
					t.Errorf("Open(%q) = %v, want invalid", key, err)
				}
				if err := s.Delete(ctx, key); err == nil {
					t.Errorf("Delete(%q) accepted", key)
				}
				if _, _, err := s.Local(ctx, key); err == nil || errors.Is(err, blob.ErrNotFound) {
					t.Errorf("Local(%q) = %v, want invalid", key, err)
				}
			}
		})
	})
}

// TestS3LeavesNoTempFiles: every download Local makes goes at release,
// a failed one leaves nothing, and a download a crash left more than a
// day ago goes when the store is opened (a recent one, or a file the
// store did not make, stays).
func TestS3LeavesNoTempFiles(t *testing.T) {
	t.Parallel()
	srv := blobtest.Start(t)
	cfg := srv.Config(t)
	// Downloads are named for their process: this test's parent runs, so
	// its recent download is kept; an old one is not.
	live := "blob-" + strconv.Itoa(os.Getppid()) + "-"
	old := time.Now().Add(-25 * time.Hour)
	for _, name := range []string{live + "old", live + "recent", "other-old"} {
		p := filepath.Join(cfg.TempDir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "-old") {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, err := blob.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{live + "old": false, live + "recent": true, "other-old": true} {
		_, err := os.Stat(filepath.Join(cfg.TempDir, name))
		if got := err == nil; got != want {
			t.Errorf("%s kept %v, want %v", name, got, want)
		}
		os.Remove(filepath.Join(cfg.TempDir, name))
	}
	put(t, s, "acc_1/btc_1/a", []byte("a"))
	for range 3 {
		_, release, err := s.Local(context.Background(), "acc_1/btc_1/a")
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	if _, _, err := s.Local(context.Background(), "acc_1/btc_1/missing"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Local of a missing key: %v", err)
	}
	if entries, _ := os.ReadDir(cfg.TempDir); len(entries) != 0 {
		t.Errorf("%d files left in the temporary folder", len(entries))
	}
}

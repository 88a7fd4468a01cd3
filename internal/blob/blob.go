// Package blob keeps uploaded documents. Local is a directory on disk; keys
// are slash-separated relative paths chosen by docparse, never by users.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrTooLarge is returned by Put when the content exceeds the limit.
var ErrTooLarge = errors.New("blob too large")

// Local stores blobs as files under a root directory. Safe for concurrent
// use.
type Local struct {
	root string
}

// NewLocal returns a store rooted at dir, creating it if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob root: %w", err)
	}
	return &Local{root: dir}, nil
}

func (l *Local) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.ContainsRune(key, '\\') {
		return "", fmt.Errorf("blob key %q: invalid", key)
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// Path returns the file holding key, for engines that read from a path.
func (l *Local) Path(key string) (string, error) { return l.path(key) }

// Put streams r into key, at most limit bytes (limit < 0: no limit). It
// returns the size and the first bytes of the content (up to len(head)).
// On any error nothing is left under key. ctx is checked between writes.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, limit int64, head []byte) (size int64, n int, err error) {
	p, err := l.path(key)
	if err != nil {
		return 0, 0, err
	}
	// Twice: RemoveEmptyDirs may remove the folder between the two steps.
	var tmp *os.File
	for try := 0; ; try++ {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return 0, 0, fmt.Errorf("put %s: %w", key, err)
		}
		tmp, err = os.CreateTemp(filepath.Dir(p), ".upload-*")
		if err == nil {
			break
		}
		if try > 0 || !errors.Is(err, os.ErrNotExist) {
			return 0, 0, fmt.Errorf("put %s: %w", key, err)
		}
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		k, rerr := r.Read(buf)
		if k > 0 {
			if n < len(head) {
				n += copy(head[n:], buf[:k])
			}
			size += int64(k)
			if limit >= 0 && size > limit {
				return 0, 0, ErrTooLarge
			}
			if _, err := tmp.Write(buf[:k]); err != nil {
				return 0, 0, fmt.Errorf("put %s: %w", key, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, 0, rerr
		}
	}
	if err := tmp.Sync(); err != nil {
		return 0, 0, fmt.Errorf("put %s: sync: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, 0, fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return 0, 0, fmt.Errorf("put %s: %w", key, err)
	}
	return size, n, nil
}

// Open opens key for reading; the caller closes it.
func (l *Local) Open(key string) (*os.File, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return f, nil
}

// Delete removes key; a missing key is not an error.
func (l *Local) Delete(key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}

// RemoveEmptyDir removes the directory dir (a key prefix, such as an
// upload's folder) when it is empty; a missing or non-empty directory is
// not an error.
func (l *Local) RemoveEmptyDir(dir string) error {
	p, err := l.path(dir)
	if err != nil {
		return err
	}
	err = os.Remove(p)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if entries, rerr := os.ReadDir(p); rerr == nil && len(entries) > 0 {
		return nil
	}
	return fmt.Errorf("remove blob folder: %w", err)
}

// RemoveEmptyDirs removes the empty folders of the store (a batch's
// folder once its files are deleted, then an account's folder once its
// batches are) that have not changed since before olderThan: a folder an
// upload has just made is left for its first file. It returns how many it
// removed. A folder that gains a file meanwhile is kept (os.Remove
// refuses a folder that is not empty), and a Put whose folder goes just
// before it writes makes it again.
func (l *Local) RemoveEmptyDirs(olderThan time.Time) (int, error) {
	accounts, err := os.ReadDir(l.root)
	if err != nil {
		return 0, fmt.Errorf("read blob root: %w", err)
	}
	removed := 0
	var errs []error
	for _, a := range accounts {
		if !a.IsDir() {
			continue
		}
		dir := filepath.Join(l.root, a.Name())
		batches, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		left := len(batches)
		for _, b := range batches {
			if b.IsDir() && removeIfEmpty(filepath.Join(dir, b.Name()), olderThan) {
				removed++
				left--
			}
		}
		// An account folder whose last batch folders were just removed
		// changed only by that removal: it need not wait again.
		since := olderThan
		if left == 0 && len(batches) > 0 {
			since = time.Now().Add(time.Second)
		}
		if left == 0 && removeIfEmpty(dir, since) {
			removed++
		}
	}
	return removed, errors.Join(errs...)
}

// removeIfEmpty removes dir when it is empty and unchanged since before
// olderThan.
func removeIfEmpty(dir string, olderThan time.Time) bool {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || !fi.ModTime().Before(olderThan) {
		return false
	}
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	names, _ := f.Readdirnames(1)
	f.Close()
	if len(names) > 0 {
		return false
	}
	return os.Remove(dir) == nil
}

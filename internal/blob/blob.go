// Package blob keeps uploaded documents. A Store is a directory on disk
// (Local) or a bucket of an S3-compatible service (S3), chosen by a URL
// (OpenURL); keys are slash-separated relative paths chosen by docparse,
// never by users.
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

// ErrNotFound is returned (wrapped) by Open and Local for a key that holds
// nothing.
var ErrNotFound = errors.New("blob not found")

// Store keeps documents under keys. Implementations are safe for
// concurrent use.
type Store interface {
	// Put streams r into key, at most limit bytes (limit < 0: no limit),
	// replacing what key held. It returns the size and fills head with the
	// first bytes of the content, returning how many (up to len(head)).
	// Content past the limit is ErrTooLarge. On any error nothing is left
	// under key.
	Put(ctx context.Context, key string, r io.Reader, limit int64, head []byte) (size int64, n int, err error)
	// Open opens key for reading and seeking, with its size; the caller
	// closes it. A missing key is ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Local returns a file on this machine holding key's content, for
	// engines that read a path; the caller calls release once done with it
	// (and not before it stops reading the file). A missing key is
	// ErrNotFound.
	Local(ctx context.Context, key string) (path string, release func(), err error)
}

// Folders is what a Store with folders (Local) offers to tidy them: a
// store without folders (S3) has nothing to remove.
type Folders interface {
	RemoveEmptyDir(dir string) error
	RemoveEmptyDirs(olderThan time.Time) (int, error)
}

// checkKey refuses keys docparse never makes: empty, absolute, with ".."
// or a backslash.
func checkKey(key string) error {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.ContainsRune(key, '\\') {
		return fmt.Errorf("blob key %q: invalid", key)
	}
	return nil
}

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

var _ interface {
	Store
	Folders
} = (*Local)(nil)

func (l *Local) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// Local returns the file holding key itself; release does nothing.
func (l *Local) Local(_ context.Context, key string) (string, func(), error) {
	p, err := l.path(key)
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(p); err != nil {
		return "", nil, notFound(key, err)
	}
	return p, func() {}, nil
}

// notFound wraps a missing file's error as ErrNotFound too.
func notFound(key string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob %s: %w: %w", key, ErrNotFound, err)
	}
	return fmt.Errorf("blob %s: %w", key, err)
}

// Put stores key as Store.Put says, in a temporary file renamed into
// place. ctx is checked between writes.
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

// Open opens the file of key.
func (l *Local) Open(_ context.Context, key string) (io.ReadSeekCloser, int64, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, notFound(key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob %s: %w", key, err)
	}
	return f, fi.Size(), nil
}

// Delete removes key; a missing key is not an error.
func (l *Local) Delete(_ context.Context, key string) error {
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

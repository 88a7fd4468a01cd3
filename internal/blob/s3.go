package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// partSize is the part of a multipart upload S3.Put holds in memory at
// once: uploads are streamed with no known length, and minio-go's default
// for that case sizes parts for a 5 TiB object (over 500 MiB each).
const partSize = 16 << 20

// downloadPrefix begins the name of every file Local downloads.
const downloadPrefix = "blob-"

// S3Config says where an S3 store keeps its documents.
type S3Config struct {
	Bucket string
	// Endpoint is the service's host[:port]; Secure says it speaks HTTPS.
	Endpoint string
	Secure   bool
	Region   string
	// PathStyle addresses the bucket in the path (endpoint/bucket/key)
	// rather than in the host name (bucket.endpoint/key), as most
	// self-hosted services need.
	PathStyle bool
	// AccessKey, SecretKey and SessionToken sign the requests.
	AccessKey, SecretKey, SessionToken string
	// TempDir holds the files Local downloads; created when missing.
	// Downloads older than a day found there at start, left by a crash,
	// are removed.
	TempDir string
	// Transport carries the requests; nil means minio-go's default.
	Transport http.RoundTripper
}

// S3 stores blobs as objects of one bucket of an S3-compatible service,
// under the keys as they are. Safe for concurrent use.
type S3 struct {
	client  *minio.Client
	bucket  string
	tempDir string
}

var _ Store = (*S3)(nil)

// NewS3 connects to the bucket of cfg and checks that it exists: a
// missing bucket is an error naming it (docparse never creates one).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		Secure:       cfg.Secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", cfg.Endpoint, err)
	}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("check s3 bucket %q at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("s3 bucket %q does not exist at %s: create it first", cfg.Bucket, cfg.Endpoint)
	}
	if err := os.MkdirAll(cfg.TempDir, 0o700); err != nil {
		return nil, fmt.Errorf("s3 temporary folder: %w", err)
	}
	removeStaleDownloads(cfg.TempDir, time.Now().Add(-staleDownload))
	return &S3{client: client, bucket: cfg.Bucket, tempDir: cfg.TempDir}, nil
}

// staleDownload is the age of a download (Local) that no reader can still
// be using: reading one file takes --file-timeout, minutes.
const staleDownload = 24 * time.Hour

// downloadName is the pattern of a download's file name (os.CreateTemp):
// the prefix, then the process's id, so that a start can tell the
// downloads a crashed process left from those of a live one sharing the
// folder.
func downloadName() string { return downloadPrefix + strconv.Itoa(os.Getpid()) + "-*" }

// removeStaleDownloads removes the downloads in dir that no live process
// reads: those of a process that no longer runs (killed while reading
// them), or of this one's id (a process before it, in a container
// restarted with the same id: this one has downloaded nothing yet), and
// any last changed before olderThan. What it cannot remove is left for the
// next start.
func removeStaleDownloads(dir string, olderThan time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || !strings.HasPrefix(name, downloadPrefix) {
			continue
		}
		pid, _, _ := strings.Cut(strings.TrimPrefix(name, downloadPrefix), "-")
		n, err := strconv.Atoi(pid)
		if err != nil || n == os.Getpid() || !processRuns(n) || fi.ModTime().Before(olderThan) {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// processRuns reports whether a process of id pid runs (or may: where
// the system does not say, it is taken to).
func processRuns(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH)
}

// limitReader reads r, filling head and counting, and fails with
// ErrTooLarge once more than limit bytes came (limit < 0: no limit).
type limitReader struct {
	r     io.Reader
	limit int64
	size  int64
	head  []byte
	n     int
}

func (l *limitReader) Read(p []byte) (int, error) {
	k, err := l.r.Read(p)
	if k > 0 {
		if l.n < len(l.head) {
			l.n += copy(l.head[l.n:], p[:k])
		}
		l.size += int64(k)
		if l.limit >= 0 && l.size > l.limit {
			return 0, ErrTooLarge
		}
	}
	return k, err
}

// Put streams r into the object key as a multipart upload of unknown
// length, one part in memory at a time. On an error (ErrTooLarge
// included) the upload is aborted and nothing is stored under key.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, limit int64, head []byte) (int64, int, error) {
	if err := checkKey(key); err != nil {
		return 0, 0, err
	}
	lr := &limitReader{r: r, limit: limit, head: head}
	_, err := s.client.PutObject(ctx, s.bucket, key, lr, -1, minio.PutObjectOptions{
		PartSize: partSize, ContentType: "application/octet-stream",
	})
	if errors.Is(err, ErrTooLarge) {
		return 0, 0, ErrTooLarge
	}
	if err != nil {
		return 0, 0, fmt.Errorf("put %s: %w", key, err)
	}
	return lr.size, lr.n, nil
}

// Open returns the object key, which reads ranges of it as it is read
// and sought (one request per seek that is read after).
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, fmt.Errorf("open blob %s: %w", key, err)
	}
	// GetObject sends nothing until asked: Stat asks, so that a missing
	// object fails here rather than at the first read.
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, 0, s.notFound(key, err)
	}
	return obj, info.Size, nil
}

// notFound wraps a missing object's error as ErrNotFound too.
func (s *S3) notFound(key string, err error) error {
	if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
		return fmt.Errorf("blob %s: %w: %w", key, ErrNotFound, err)
	}
	return fmt.Errorf("blob %s: %w", key, err)
}

// Delete removes the object key; S3 answers a missing one as removed.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			return nil
		}
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// Local downloads the object key to a new file in the temporary folder;
// release removes it.
func (s *S3) Local(ctx context.Context, key string) (string, func(), error) {
	rc, _, err := s.Open(ctx, key)
	if err != nil {
		return "", nil, err
	}
	defer rc.Close()
	f, err := os.CreateTemp(s.tempDir, downloadName())
	if err != nil {
		return "", nil, fmt.Errorf("download blob %s: %w", key, err)
	}
	release := func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		release()
		return "", nil, fmt.Errorf("download blob %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		release()
		return "", nil, fmt.Errorf("download blob %s: %w", key, err)
	}
	return f.Name(), release, nil
}

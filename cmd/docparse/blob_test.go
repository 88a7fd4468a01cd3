package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/blob/blobtest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// TestServeS3 runs the real run() with DOCPARSE_BLOB_URL naming a bucket
// of a real S3 server (versitygw): a text PDF and a text file are
// uploaded, processed (the engines read them from downloads), and come
// back byte for byte; the documents are in the bucket and none is in the
// data directory (no blobs folder, no download left in tmp/blobs).
//
// Not parallel: serve sets the process-wide Go memory limit while it
// runs (see TestServeInProcess).
func TestServeS3(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		s3 := blobtest.Start(t)
		dataDir := t.TempDir()
		seedPDFiumCache(t, dataDir)
		env := s3.Env()
		env["DOCPARSE_DATA_DIR"], env["DOCPARSE_RATE_LIMIT"], env["DOCPARSE_BLOB_URL"] = dataDir, "0", s3.URL()
		if eng == store.Postgres {
			env["DATABASE_URL"] = storetest.URL(t, eng)
			env["DOCPARSE_SECRET_KEY"] = testSecretKey(t)
		}
		getenv := getenvFrom(env)
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"keys", "create", "--account", "acme", "--name", "ci"}, getenv, nil, &out, &errOut); err != nil {
			t.Fatalf("keys create: %v (%s)", err, errOut.String())
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, getenv, nil, io.Discard, pw)
			pw.Close()
		}()
		base := waitListening(t, pr)
		go io.Copy(io.Discard, pr) // the log, which serve goes on writing
		c := testClient{t: t, base: base, key: strings.TrimSpace(out.String())}

		docs := map[string][]byte{
			"QualityHosting.pdf": extractTestdata(t, "QualityHosting.pdf"),
			"invoice.txt":        extractTestdata(t, "invoice.txt"),
		}
		extID := c.createExtraction()
		batchID := c.upload(extID, docs)
		b := c.waitTerminal(extID, batchID, 90*time.Second)
		if b["status"] != "processed" {
			t.Fatalf("batch = %v, want processed", b)
		}
		_, v := c.do("GET", "/v1/extractions/"+extID+"/batches/"+batchID, "", nil)
		files, _ := v["files"].([]any)
		if len(files) != len(docs) {
			t.Fatalf("batch has %d files, want %d: %v", len(files), len(docs), b)
		}
		for _, f := range files {
			f := f.(map[string]any)
			name, id := f["file_name"].(string), f["id"].(string)
			resp, got := c.send("GET", "/v1/extractions/"+extID+"/batches/"+batchID+"/files/"+id+"/content", "", "", nil)
			if resp.StatusCode != 200 || !bytes.Equal(got, docs[name]) {
				t.Errorf("content of %s: %d, %d bytes; want 200 and the %d uploaded", name, resp.StatusCode, len(got), len(docs[name]))
			}
		}
		objects := 0
		filepath.WalkDir(filepath.Join(s3.Dir, blobtest.Bucket), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				objects++
			}
			return nil
		})
		if objects != len(docs) {
			t.Errorf("%d objects in the bucket, want %d", objects, len(docs))
		}
		if _, err := os.Stat(filepath.Join(dataDir, "blobs")); !os.IsNotExist(err) {
			t.Errorf("data directory has a blobs folder (%v): documents must go to S3 only", err)
		}
		if left, _ := os.ReadDir(filepath.Join(dataDir, "tmp", "blobs")); len(left) != 0 {
			t.Errorf("%d downloads left in tmp/blobs", len(left))
		}
		cancel()
		awaitServe(t, done, t.Fatalf)
	})
}

// TestServeMissingBucket: serve stops at start with a message naming the
// bucket that does not exist.
func TestServeMissingBucket(t *testing.T) {
	s3 := blobtest.Start(t)
	env := s3.Env()
	env["DOCPARSE_DATA_DIR"] = t.TempDir()
	env["DOCPARSE_BLOB_URL"] = strings.Replace(s3.URL(), blobtest.Bucket, "no-such-bucket", 1)
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, getenvFrom(env), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `s3 bucket "no-such-bucket" does not exist`) {
		t.Errorf("serve with a missing bucket: %v", err)
	}
	if strings.Contains(err.Error(), s3.SecretKey) {
		t.Errorf("error shows the secret: %v", err)
	}
}

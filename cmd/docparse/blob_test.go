package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
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
		env := s3.Env()
		env["DOCPARSE_DATA_DIR"], env["DOCPARSE_BLOB_URL"] = dataDir, s3.URL()
		getenv, key := keyedServer(t, eng, env)
		base, stop := serveInProcess(t, getenv)
		c := testClient{t: t, base: base, key: key}

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
			name, id := c.checkContent(extID, batchID, f, docs, "")
			// A range is read from the object as it is sought.
			req, _ := http.NewRequest("GET", base+"/v1/extractions/"+extID+"/batches/"+batchID+"/files/"+id+"/content", nil)
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Range", "bytes=5-14")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			part, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(part, docs[name][5:15]) {
				t.Errorf("bytes 5-14 of %s: %d %q, want 206 %q", name, resp.StatusCode, part, docs[name][5:15])
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
		stop()
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

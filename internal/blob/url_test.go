package blob_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/blob"
	"github.com/docparse/docparse/internal/blob/blobtest"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url  string
		want blob.Location
	}{
		{"file:///var/lib/docparse/blobs", blob.Location{Dir: filepath.FromSlash("/var/lib/docparse/blobs")}},
		{"file://./data/blobs", blob.Location{Dir: filepath.FromSlash("./data/blobs")}},
		{"s3://docs", blob.Location{S3: &blob.S3Config{Bucket: "docs", Endpoint: "s3.amazonaws.com", Secure: true}}},
		{"s3://docs?region=eu-central-1", blob.Location{S3: &blob.S3Config{Bucket: "docs", Endpoint: "s3.amazonaws.com", Secure: true, Region: "eu-central-1"}}},
		{"s3://docs/?endpoint=http://127.0.0.1:9000&region=us-east-1&use_path_style=true",
			blob.Location{S3: &blob.S3Config{Bucket: "docs", Endpoint: "127.0.0.1:9000", Region: "us-east-1", PathStyle: true}}},
		{"s3://my.docs?endpoint=https://minio.example.com&use_path_style=false",
			blob.Location{S3: &blob.S3Config{Bucket: "my.docs", Endpoint: "minio.example.com", Secure: true}}},
	} {
		got, err := blob.ParseURL(c.url)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", c.url, err)
			continue
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("ParseURL(%q) (-want +got):\n%s", c.url, d)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ url, want string }{
		{"/var/lib/blobs", "want file://PATH or s3://BUCKET"},
		{"gs://docs", `unknown scheme "gs"`},
		{"file://", "file:// needs a path"},
		{"s3://", "missing bucket"},
		{"s3://?endpoint=http://127.0.0.1:9000", "missing bucket"},
		{"s3://Bad_Bucket", `bucket "Bad_Bucket"`},
		{"s3://docs/prefix", "a path after the bucket is not supported"},
		{"s3://key:secret@docs", "credentials do not go in the URL"},
		{"s3://docs?endpoint=127.0.0.1:9000", `endpoint "127.0.0.1:9000": want http://HOST[:PORT]`},
		{"s3://docs?endpoint=ftp://host", `endpoint "ftp://host": want http://HOST[:PORT]`},
		{"s3://docs?endpoint=http://", `endpoint "http://": missing host`},
		{"s3://docs?endpoint=http://host:9000/base", "only a scheme, host and port"},
		{"s3://docs?use_path_style=yes", `use_path_style="yes": not true or false`},
		{"s3://docs?bucket=x", `unknown parameter "bucket"`},
	} {
		_, err := blob.ParseURL(c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseURL(%q) = %v, want an error with %q", c.url, err, c.want)
		}
	}
	// Every problem at once.
	_, err := blob.ParseURL("s3://docs?endpoint=ftp://x&use_path_style=maybe")
	if err == nil || !strings.Contains(err.Error(), "endpoint") || !strings.Contains(err.Error(), "use_path_style") {
		t.Errorf("two bad parameters: %v, want both named", err)
	}
}

// TestOpenURL opens each kind of store, and refuses a missing bucket and
// missing credentials.
func TestOpenURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := blob.OpenURL(ctx, "file://"+dir, t.TempDir(), func(string) string { return "" })
	if _, ok := s.(*blob.Local); err != nil || !ok {
		t.Fatalf("OpenURL(file://) = %T, %v", s, err)
	}

	srv := blobtest.Start(t)
	env := srv.Env()
	getenv := func(k string) string { return env[k] }
	dataDir := t.TempDir()
	s, err = blob.OpenURL(ctx, srv.URL(), dataDir, getenv)
	if err != nil {
		t.Fatalf("OpenURL(%s): %v", srv.URL(), err)
	}
	if _, ok := s.(*blob.S3); !ok {
		t.Fatalf("OpenURL(s3://) = %T", s)
	}
	if _, _, err := s.Put(ctx, "acc_1/btc_1/f", strings.NewReader("x"), -1, nil); err != nil {
		t.Fatal(err)
	}
	path, release, err := s.Local(ctx, "acc_1/btc_1/f")
	if err != nil || filepath.Dir(path) != filepath.Join(dataDir, "tmp", "blobs") {
		t.Errorf("Local = %s, %v; want a file in the data directory's tmp/blobs", path, err)
	}
	release()

	missing := strings.Replace(srv.URL(), blobtest.Bucket, "no-such-bucket", 1)
	if _, err := blob.OpenURL(ctx, missing, dataDir, getenv); err == nil || !strings.Contains(err.Error(), `s3 bucket "no-such-bucket" does not exist`) {
		t.Errorf("missing bucket: %v", err)
	}
	_, err = blob.OpenURL(ctx, srv.URL(), dataDir, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Errorf("no credentials: %v", err)
	}
	wrong := func(k string) string {
		if k == "AWS_SECRET_ACCESS_KEY" {
			return "wrong-secret"
		}
		return env[k]
	}
	_, err = blob.OpenURL(ctx, srv.URL(), dataDir, wrong)
	if err == nil {
		t.Fatal("wrong secret accepted")
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("error shows the secret: %v", err)
	}
}

// Package blobtest runs a real S3-compatible server for tests: versitygw
// serving a fresh directory on a free port of 127.0.0.1.
package blobtest

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/blob"
)

// Bucket is the bucket every server starts with.
const Bucket = "docparse-test"

// Server is a running versitygw. It stops when the test ends.
type Server struct {
	// Endpoint is host:port; the server speaks plain HTTP.
	Endpoint             string
	AccessKey, SecretKey string
	// Dir is the directory it serves: each folder is a bucket, each file
	// an object.
	Dir string
}

// versitygw finds the versitygw binary on PATH or in GOPATH/bin (where
// `go install` puts it): "" when it is in neither.
func versitygw() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	for _, dir := range filepath.SplitList(build.Default.GOPATH) {
		p := filepath.Join(dir, "bin", "versitygw")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// Start starts versitygw with the bucket Bucket. Without versitygw the
// test is skipped, or fails when CI=true: a test skipped for a missing
// tool in CI is a failure.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := versitygw()
	if bin == "" {
		const why = "versitygw not found on PATH or in GOPATH/bin; go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	s, stop, err := launch(bin, t.TempDir())
	if err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	t.Cleanup(stop)
	return s
}

// Launch starts versitygw with the bucket Bucket on directory dir, for
// programs (the benchmarks) rather than tests; stop ends it.
func Launch(dir string) (s *Server, stop func(), err error) {
	bin := versitygw()
	if bin == "" {
		return nil, nil, errors.New("versitygw not found on PATH or in GOPATH/bin; go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
	}
	return launch(bin, dir)
}

func launch(bin, dir string) (*Server, func(), error) {
	s := &Server{AccessKey: "docparse-test-key", SecretKey: "docparse-test-secret", Dir: dir}
	if err := os.Mkdir(filepath.Join(s.Dir, Bucket), 0o700); err != nil {
		return nil, nil, err
	}
	// The port is free when picked; another process may take it before
	// versitygw does, so a server that exits at once is started again.
	var err error
	for try := 0; try < 3; try++ {
		var stop func()
		if stop, err = s.start(bin); err == nil {
			return s, stop, nil
		}
	}
	return nil, nil, err
}

func (s *Server) start(bin string) (stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Endpoint = ln.Addr().String()
	ln.Close()
	var out strings.Builder
	cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--port", s.Endpoint, "posix", s.Dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		cmd.Process.Kill()
		<-exited
	}
	// Ready when it answers HTTP at all (an anonymous request is refused).
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("exited: %v: %s", err, out.String())
		case <-tick.C:
		}
		resp, err := client.Get("http://" + s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, errors.New("no answer within 30s: " + out.String())
		}
	}
}

// URL is the blob URL of the bucket Bucket (blob.OpenURL), whose
// credentials come from Env.
func (s *Server) URL() string {
	return "s3://" + Bucket + "?endpoint=http://" + s.Endpoint + "&region=us-east-1&use_path_style=true"
}

// Env holds the credentials as OpenURL reads them.
func (s *Server) Env() map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": s.AccessKey, "AWS_SECRET_ACCESS_KEY": s.SecretKey}
}

// Config is the blob.S3Config of the bucket Bucket, downloading into a
// temporary folder of the test.
func (s *Server) Config(t testing.TB) blob.S3Config {
	return blob.S3Config{Bucket: Bucket, Endpoint: s.Endpoint, Region: "us-east-1", PathStyle: true,
		AccessKey: s.AccessKey, SecretKey: s.SecretKey, TempDir: t.TempDir()}
}

// Store connects to the bucket Bucket.
func (s *Server) Store(t testing.TB) *blob.S3 {
	t.Helper()
	st, err := blob.NewS3(context.Background(), s.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

package servertest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Trickle is an upload whose body arrives slowly, for the tests of the
// slow-body limits (ratelimit.BodyConfig): a multipart body of one file
// (form field "files", named slow.txt) declared 10 MiB long.
type Trickle struct {
	// Path is the request's target, for example /v1/extractions/ext_…/batches.
	Path string
	// Header holds the request's own headers ("Name: value\r\n" each), sent
	// after Host and before Content-Type and Content-Length.
	Header string
	// First is the start of the file, sent at once with the headers and
	// the multipart head; then Chunk is sent every Every until the answer.
	First []byte
	Every time.Duration
	Chunk []byte
	// Wait bounds the wait for the answer.
	Wait time.Duration
	// During, if set, runs on its own goroutine while the body trickles;
	// Trickle waits for it to return before it reads the answer.
	During func()
}

// TrickleAnswer is what the server answered a Trickle.
type TrickleAnswer struct {
	Status int
	Body   []byte
	// Elapsed runs from the first write to the answer.
	Elapsed time.Duration
	// Closed reports whether the server closed the connection after the
	// answer: a read of 2 s more ends (EOF or reset) rather than timing out.
	Closed bool
}

// Trickle sends tr over its own connection to the server and reads the
// answer. It fails the test when the connection cannot be made or no
// answer comes within tr.Wait.
func (s *Server) Trickle(tr Trickle) TrickleAnswer {
	t := s.t
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: docparse\r\n%s"+
		"Content-Type: multipart/form-data; boundary=slowboundary\r\nContent-Length: %d\r\n\r\n", tr.Path, tr.Header, 10<<20)
	mw := multipart.NewWriter(&head)
	if err := mw.SetBoundary("slowboundary"); err != nil {
		t.Fatal(err)
	}
	if _, err := mw.CreateFormFile("files", "slow.txt"); err != nil {
		t.Fatal(err)
	}
	head.Write(tr.First)
	start := time.Now()
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(tr.Every):
			}
			if _, err := conn.Write(tr.Chunk); err != nil {
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if tr.During != nil {
			tr.During()
		}
	}()
	br := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(tr.Wait))
	resp, err := http.ReadResponse(br, nil)
	elapsed := time.Since(start)
	<-done
	if err != nil {
		t.Fatalf("slow upload after %v: %v (want a 408 answer)", elapsed, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = io.Copy(io.Discard, br)
	var ne net.Error
	closed := !(errors.As(err, &ne) && ne.Timeout())
	return TrickleAnswer{Status: resp.StatusCode, Body: body, Elapsed: elapsed, Closed: closed}
}

// BlobEntries lists what the server's blob store holds: files and
// folders, relative to BlobDir.
func (s *Server) BlobEntries() (files, dirs []string) {
	s.t.Helper()
	err := filepath.WalkDir(s.BlobDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.BlobDir, p)
		if d.IsDir() {
			if rel != "." {
				dirs = append(dirs, rel)
			}
		} else {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		s.t.Fatal(err)
	}
	return files, dirs
}

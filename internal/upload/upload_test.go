package upload_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/upload"
)

// files is a Receiver that keeps what it is given, refusing the file
// named "refused".
type files struct{ got []string }

var errRefused = errors.New("refused")

func (f *files) Add(_ context.Context, name string, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if name == "refused" {
		return errRefused
	}
	f.got = append(f.got, name+"="+string(b))
	return nil
}

func (f *files) Files() int { return len(f.got) }

// part is one part of a test body: a file when fileName is set.
type part struct{ field, fileName, content string }

func body(t *testing.T, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.fileName != "" || p.field == "files" {
			w, err = mw.CreateFormFile(p.field, p.fileName)
		} else {
			w, err = mw.CreateFormField(p.field)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.content)
	}
	mw.Close()
	return &buf, mw.Boundary()
}

var (
	api     = upload.Form{FileParts: []string{"files", "file"}, Unnamed: func(n int) string { return fmt.Sprintf("file-%d", n+1) }}
	browser = upload.Form{FileParts: []string{"files"}}
)

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		form      upload.Form
		parts     []part
		wantName  string
		wantFiles []string
	}{
		{"files and name", api, []part{{"name", "", " March "}, {"files", "a.pdf", "A"}, {"file", "b.txt", "B"}, {"other", "", "x"}},
			"March", []string{"a.pdf=A", "b.txt=B"}},
		{"unnamed file named", api, []part{{"files", "a.pdf", "A"}, {"files", "", "B"}}, "", []string{"a.pdf=A", "file-2=B"}},
		{"unnamed file skipped", browser, []part{{"files", "", ""}, {"files", "a.pdf", "A"}}, "", []string{"a.pdf=A"}},
		{"part not a file part", browser, []part{{"file", "a.pdf", "A"}}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			buf, boundary := body(t, tt.parts...)
			var rcv files
			name, err := upload.Read(t.Context(), multipart.NewReader(buf, boundary), &rcv, tt.form)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if name != tt.wantName {
				t.Errorf("Read name = %q, want %q", name, tt.wantName)
			}
			if diff := cmp.Diff(tt.wantFiles, rcv.got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadProblems(t *testing.T) {
	t.Parallel()
	t.Run("name too long", func(t *testing.T) {
		buf, boundary := body(t, part{"name", "", strings.Repeat("é", upload.MaxName+1)})
		_, err := upload.Read(t.Context(), multipart.NewReader(buf, boundary), &files{}, api)
		if !errors.Is(err, upload.ErrNameTooLong) {
			t.Errorf("Read = %v, want ErrNameTooLong", err)
		}
	})
	t.Run("file refused", func(t *testing.T) {
		buf, boundary := body(t, part{"files", "refused", "A"})
		_, err := upload.Read(t.Context(), multipart.NewReader(buf, boundary), &files{}, api)
		fe, ok := errors.AsType[*upload.FileError](err)
		if !ok || fe.Name != "refused" || !errors.Is(err, errRefused) {
			t.Errorf("Read = %v, want a FileError of refused", err)
		}
	})
	t.Run("body cut off in a file", func(t *testing.T) {
		buf, boundary := body(t, part{"files", "a.pdf", strings.Repeat("A", 4096)})
		cut := bytes.NewReader(buf.Bytes()[:buf.Len()/2])
		_, err := upload.Read(t.Context(), multipart.NewReader(cut, boundary), &files{}, api)
		if _, ok := errors.AsType[*upload.BodyError](err); !ok {
			t.Errorf("Read = %v, want a BodyError", err)
		}
	})
	t.Run("body too large", func(t *testing.T) {
		buf, boundary := body(t, part{"files", "a.pdf", strings.Repeat("A", 4096)})
		r := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(buf), 1024)
		_, err := upload.Read(t.Context(), multipart.NewReader(r, boundary), &files{}, api)
		_, isBody := errors.AsType[*upload.BodyError](err)
		_, isMax := errors.AsType[*http.MaxBytesError](err)
		if !isBody || !isMax {
			t.Errorf("Read = %v, want a BodyError holding an http.MaxBytesError", err)
		}
	})
}

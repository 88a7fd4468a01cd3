// Package upload reads the multipart body of a batch upload, for the JSON
// API and the dashboard alike: each file part streams into a Receiver as
// it arrives, so nothing is held in memory whole, and the batch's name
// comes from the part named "name". What a problem means to a client (a
// status, a code, a sentence) is the caller's to say; Read tells the kinds
// of problem apart by type. Serve sends a stored upload back, for both
// too.
package upload

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"slices"
	"strings"
)

// Receiver is what an upload's files stream into: a pipeline.Upload or a
// pipeline.ClassificationUpload.
type Receiver interface {
	// Add stores one file read from r.
	Add(ctx context.Context, fileName string, r io.Reader) error
	// Files returns how many files were added.
	Files() int
}

// Form is the shape of an upload form.
type Form struct {
	// FileParts are the names of the parts that hold files. Any other
	// part but "name" is read and dropped.
	FileParts []string
	// Unnamed names a file part sent without a file name, from the
	// number of files received before it. Nil skips such a part: a
	// browser sends a file input left empty as a nameless, empty part.
	Unnamed func(files int) string
}

// MaxName is the most characters a batch name may have.
const MaxName = 200

// ErrNameTooLong is Read's error for a batch name of more than MaxName
// characters.
var ErrNameTooLong = errors.New("the batch name is longer than 200 characters")

// BodyError is a body that could not be read: malformed, cut off, past
// the bound of an http.MaxBytesReader (an *http.MaxBytesError) or arriving
// too slowly (a *ratelimit.SlowBodyError). Err is the reader's error.
type BodyError struct{ Err error }

func (e *BodyError) Error() string { return "read upload: " + e.Err.Error() }

func (e *BodyError) Unwrap() error { return e.Err }

// FileError is a file the Receiver refused. Name is the file name the
// part gave (or Form.Unnamed made); Err is what Add returned.
type FileError struct {
	Name string
	Err  error
}

func (e *FileError) Error() string { return "add " + e.Name + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }

// Read streams the file parts of mr into rcv, in order, and returns the
// batch name the form gave, trimmed ("" without one). It stops at the
// first problem: a *BodyError, a *FileError or ErrNameTooLong. The
// caller commits or aborts what rcv received.
func Read(ctx context.Context, mr *multipart.Reader, rcv Receiver, form Form) (string, error) {
	name := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return name, nil
		}
		if err != nil {
			return "", &BodyError{err}
		}
		switch {
		case slices.Contains(form.FileParts, part.FormName()):
			fileName := part.FileName()
			if fileName == "" && form.Unnamed == nil {
				if _, err := io.Copy(io.Discard, part); err != nil {
					return "", &BodyError{err}
				}
				continue
			}
			if fileName == "" {
				fileName = form.Unnamed(rcv.Files())
			}
			rr := &readRecorder{r: part}
			err := rcv.Add(ctx, fileName, rr)
			if rr.err != nil {
				// The body failed, not the file: Add saw the read error.
				return "", &BodyError{rr.err}
			}
			if err != nil {
				return "", &FileError{fileName, err}
			}
		case part.FormName() == "name":
			b, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return "", &BodyError{err}
			}
			name = strings.TrimSpace(string(b))
			if len([]rune(name)) > MaxName {
				return "", ErrNameTooLong
			}
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", &BodyError{err}
			}
		}
		part.Close()
	}
}

// readRecorder remembers the error of reading a part, so that a body cut
// off or too large is told apart from a storage failure.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF {
		rr.err = err
	}
	return n, err
}

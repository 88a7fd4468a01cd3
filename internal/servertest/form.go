package servertest

import (
	"bytes"
	"mime/multipart"
)

// File is one file of an upload form.
type File struct {
	Name    string
	Content []byte
}

// UploadForm is the multipart/form-data body of an upload, as a client or
// the dashboard's form sends it: fields, given as name and value pairs, in
// order (one with an empty value is left out), then one "files" part per
// file. It answers the body's content type and the body; written to
// memory, it cannot fail.
func UploadForm(fields []string, files ...File) (contentType string, body []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] != "" {
			mw.WriteField(fields[i], fields[i+1])
		}
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("files", f.Name)
		w.Write(f.Content)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

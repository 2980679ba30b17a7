package authn

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
)

// maxTokenPeek bounds how much of a multipart body is read to find the
// CSRF token in its first part.
const maxTokenPeek = 16 << 10

// firstPartToken returns the value of the multipart body's first part when
// that part is the CSRF field, and restores the body so that the handler
// reads it from the start. Nothing is written to disk.
func firstPartToken(r *http.Request) string {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" || r.Body == nil {
		return ""
	}
	var seen bytes.Buffer
	peek := io.TeeReader(io.LimitReader(r.Body, maxTokenPeek), &seen)
	defer func() { r.Body = readCloser{io.MultiReader(&seen, r.Body), r.Body} }()
	part, err := multipart.NewReader(peek, params["boundary"]).NextPart()
	if err != nil || part.FormName() != CSRFField || part.FileName() != "" {
		return ""
	}
	v, err := io.ReadAll(io.LimitReader(part, 512))
	if err != nil {
		return ""
	}
	return string(v)
}

// readCloser reads from one reader and closes another: the restored body
// replays what was peeked, then the rest of the original.
type readCloser struct {
	io.Reader
	io.Closer
}

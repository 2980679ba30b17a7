package kit

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// maxField bounds one text field of an upload form.
const maxField = 64 << 10

// Upload is a submitted upload form: its text fields, read, and its file,
// to be read once while it is forwarded.
type Upload struct {
	Values   url.Values
	File     io.Reader // nil when no file was chosen
	Filename string
}

// ReadUpload reads an upload form's text fields and stops at the file.
// Its body is still unread here whichever way it was posted: the page's
// script sends the session's CSRF token in a header, and a form posted
// without script carries it in its first part, which authentication reads
// and puts back. The fields come first and the file last, and the file is
// read only as it is forwarded, so nothing of it is kept on disk.
func ReadUpload(c *gin.Context) (*Upload, error) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, err
	}
	u := &Upload{Values: url.Values{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return u, nil
		}
		if err != nil {
			return nil, err
		}
		name := part.FormName()
		if name == "file" {
			if part.FileName() == "" {
				continue // no file chosen
			}
			u.File, u.Filename = part, part.FileName()
			return u, nil // anything after the file is not read
		}
		if name == "csrf_token" || name == "" {
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(part, maxField+1))
		if err != nil {
			return nil, err
		}
		if len(raw) > maxField {
			return nil, errors.New("console: a text field of the upload form is too long")
		}
		u.Values.Add(name, string(raw))
	}
}

// Forward sends the form to the API's upload at path as a new multipart
// body, written while the API reads it. fields are the text fields to
// send, in order; the file goes last.
func (k *Kit) Forward(c *gin.Context, path string, fields [][2]string, u *Upload) (Reply, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	copied := make(chan error, 1)
	go func() {
		err := writeParts(mw, fields, u)
		if err == nil {
			err = mw.Close()
		}
		_ = pw.CloseWithError(err)
		copied <- err
	}()
	r := k.Send(c, http.MethodPost, path, pr, mw.FormDataContentType())
	// The API may answer before it has read everything (a refusal); the
	// writer then stops at the closed pipe.
	_ = pr.CloseWithError(errAnswered)
	err := <-copied
	if errors.Is(err, errAnswered) || errors.Is(err, io.ErrClosedPipe) {
		err = nil
	}
	return r, err
}

var errAnswered = errors.New("console: the API answered the upload")

// SendFile sends the upload's file alone to the API at path as the whole
// request body, with query (the file's name, say) and contentType, read
// only as the API reads it: for an API that takes a raw file rather
// than a form. The caller has checked that a file was chosen.
func (k *Kit) SendFile(c *gin.Context, path string, query url.Values, u *Upload, contentType string) Reply {
	req, err := k.apiRequest(c, http.MethodPost, path, query, u.File, contentType)
	if err != nil {
		return failed(err)
	}
	return k.answer(req)
}

// Name is the chosen file's name without its folders or the characters
// a header cannot carry, as the browser sent it.
func (u *Upload) Name() string { return safeFilename(u.Filename) }

func writeParts(mw *multipart.Writer, fields [][2]string, u *Upload) error {
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return err
		}
	}
	fw, err := mw.CreateFormFile("file", safeFilename(u.Filename))
	if err != nil {
		return err
	}
	_, err = io.Copy(fw, u.File)
	return err
}

// safeFilename keeps the last element of a file name, without the
// characters that would break the part's header.
func safeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" {
		return "export"
	}
	return name
}

// TooLarge reports whether err is the body passing its size limit.
func TooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

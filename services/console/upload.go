package console

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/gin-gonic/gin"
)

// maxUpload is the largest import form the console forwards: the API's
// 50 MB file limit and room for the form around the file, as the API
// allows. Bigger bodies are refused from their Content-Length, before
// anything is read, or cut off when they turn out bigger.
const maxUpload = imports.MaxFileBytes + 1<<20

// maxField bounds one text field of the import form.
const maxField = 64 << 10

// errUploadTooLarge says what to do about a file over the limit.
var errUploadTooLarge = errors.New("the file is over 50 MB; split the export and import the parts one by one")

// uploadForm is a submitted import form: its text fields, read, and its
// file, to be read once while it is forwarded.
type uploadForm struct {
	Values   url.Values
	File     io.Reader
	Filename string
	close    func()
}

// readUpload reads the import form's text fields and stops at the file.
// Its body is still unread here whichever way it was posted: the page's
// script sends the session's CSRF token in a header, and a form posted
// without script carries it in its first part, which authentication reads
// and puts back. The fields come first and the file last, and the file is
// read only as it is forwarded, so nothing of it is kept on disk.
func readUpload(c *gin.Context) (*uploadForm, error) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, err
	}
	u := &uploadForm{Values: url.Values{}, close: func() {}}
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
			return nil, errors.New("console: a text field of the import form is too long")
		}
		u.Values.Add(name, string(raw))
	}
}

// forward sends the form to the API's upload as a new multipart body,
// written while the API reads it. fields are the text fields to send, in
// order; the file goes last.
func (con *Console) forward(c *gin.Context, path string, fields [][2]string, u *uploadForm) (reply, error) {
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
	r := con.send(c, http.MethodPost, path, pr, mw.FormDataContentType())
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

func writeParts(mw *multipart.Writer, fields [][2]string, u *uploadForm) error {
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

// tooLarge reports whether err is the body passing its size limit.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

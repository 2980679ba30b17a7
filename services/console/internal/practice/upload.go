package practice

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// maxUpload is the largest import form the console forwards: the API's
// 50 MB file limit and room for the form around the file, as the API
// allows. Bigger bodies are refused from their Content-Length, before
// anything is read, or cut off when they turn out bigger.
const maxUpload = api.MaxImportFile + 1<<20

// errUploadTooLarge says what to do about a file over the limit.
var errUploadTooLarge = errors.New("the file is over 50 MB; split the export and import the parts one by one")

// importFields maps the API's upload fields to the form's.
var importFields = map[string]string{"file": "file", "kind": "kind", "preset": "preset", "mapping": "mapping", "dry_run": "dry_run"}

// upload forwards the import form to the API as it arrives, the file
// last and unread until then, and opens the import's page; a refusal is
// shown beside the field it names.
func (p pages) upload(c *gin.Context) {
	practice, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	if c.Request.ContentLength > maxUpload {
		f := kit.NewForm(nil)
		f.Refuse("file", errUploadTooLarge.Error())
		p.showImportForm(c, practice, f)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUpload)
	// Whatever the API did not read is read to its end before the answer,
	// which a browser still sending might otherwise not see.
	drained := func() { _, _ = io.Copy(io.Discard, c.Request.Body) }
	u, err := kit.ReadUpload(c)
	if err != nil {
		f := kit.NewForm(nil)
		if kit.TooLarge(err) {
			f.Refuse("file", errUploadTooLarge.Error())
		} else {
			f.Alert = "The form did not arrive whole. Choose the file and send it again."
		}
		drained()
		p.showImportForm(c, practice, f)
		return
	}
	f, fields := uploadFields(u)
	if !f.Failed() && wantsMapping(f) {
		// Custom headers without a mapping yet: the columns are matched
		// first, from the file's header and first row; nothing is sent.
		headers, err := readPreview(u.File)
		drained()
		if err != nil || len(headers) == 0 {
			f.Refuse("file", "The file's first line must name its columns, separated by commas: export it as CSV with headers.")
			p.showImportForm(c, practice, f)
			return
		}
		p.showMapping(c, practice, f, headers)
		return
	}
	if f.Failed() {
		drained()
		p.showImportForm(c, practice, f)
		return
	}
	r, err := p.Forward(c, "/api/v1/practices/"+practice+"/imports", fields, u)
	drained()
	switch {
	case kit.TooLarge(err) || r.Status == http.StatusRequestEntityTooLarge:
		f.Refuse("file", errUploadTooLarge.Error())
	case r.Status == http.StatusUnauthorized && c.GetHeader("HX-Request") == "true":
		kit.GoOn(c, "/auth/login?return_to="+url.QueryEscape("/practices/"+practice+"/imports"))
		return
	case !r.OK() && !f.Apply(r, importFields):
		if c.GetHeader("HX-Request") != "true" {
			p.Fail(c, r)
			return
		}
		// htmx swaps in only a page that answers 2xx: the form says it.
		f.Alert = "Not sent: " + r.Err.Message + " (" + r.Err.Code + ")"
	case r.OK():
		var imp api.Import
		if r.Decode(&imp) != nil || !kit.ValidID(imp.ID) {
			p.Broken(c, r)
			return
		}
		kit.GoOn(c, "/imports/"+imp.ID)
		return
	}
	p.showImportForm(c, practice, f)
}

// uploadFields checks the form's choices and returns the form as typed
// and the fields to send, in order. A payer's X12 file is sent with its
// kind alone: presets and mappings do not apply to it (docs/x12.md), so
// the preset the form's select still holds is left out.
func uploadFields(u *kit.Upload) (*kit.Form, [][2]string) {
	f := kit.NewForm(u.Values)
	kind, preset, mapping := f.Get("kind"), f.Get("preset"), strings.TrimSpace(f.Get("mapping"))
	if !choiceOK(importKinds, kind) {
		f.Refuse("kind", "Choose what the file holds.")
	}
	if u.File == nil {
		f.Refuse("file", "Choose the file to import.")
	}
	if isX12(kind) {
		if mapping != "" {
			f.Refuse("mapping", "A payer's X12 file takes no column mapping: leave it empty.")
		}
		return f, [][2]string{{"kind", kind}, {"dry_run", boolText(f.Has("dry_run", "true"))}}
	}
	if preset == "" {
		preset = "canonical"
	}
	if !choiceOK(importPresets, preset) {
		f.Refuse("preset", "Choose the system the file comes from.")
	}
	if preset == "custom" && hasMapFields(f) {
		mapping = mappingOf(kind, f)
	}
	fields := [][2]string{{"kind", kind}, {"preset", preset}, {"dry_run", boolText(f.Has("dry_run", "true"))}}
	if mapping != "" {
		fields = append(fields, [2]string{"mapping", mapping})
	}
	return f, fields
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

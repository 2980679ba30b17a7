package console

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// importAnswer is an import as the API shows it.
type importAnswer struct {
	ID           string     `json:"id"`
	PracticeID   string     `json:"practice_id"`
	Kind         string     `json:"kind"`
	Preset       string     `json:"preset"`
	Filename     string     `json:"filename"`
	SizeBytes    int64      `json:"size_bytes"`
	DryRun       bool       `json:"dry_run"`
	State        string     `json:"state"`
	Progress     int        `json:"progress"`
	RowsRead     int        `json:"rows_read"`
	RowsApplied  int        `json:"rows_applied"`
	RowsRejected int        `json:"rows_rejected"`
	ItemsCreated int        `json:"items_created"`
	Errors       []rowError `json:"errors"`
	ErrorCode    *string    `json:"error_code"`
	ErrorMessage *string    `json:"error_message"`
	CreatedAt    time.Time  `json:"created_at"`
	FinishedAt   *time.Time `json:"finished_at"`
}

// rowError is one rejected row: where, and what rule it broke. The row's
// values are never in it.
type rowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Finished reports an import that has run, well or not.
func (a importAnswer) Finished() bool { return a.State == "succeeded" || a.State == "failed" }

// importChoice is what the upload form offers.
type importChoice struct{}

// Kinds are the kinds of file an import takes, with what each holds.
func (importChoice) Kinds() [][2]string { return importKinds }

// Presets are the practice-management systems whose headers are known.
func (importChoice) Presets() [][2]string { return importPresets }

var importKinds = [][2]string{
	{"patients", "Patients"}, {"balances", "Balances (aging report)"}, {"claims", "Claims"},
	{"recalls", "Recalls"}, {"treatments", "Treatment plans"},
	{"era835", "835 remittance advice (X12)"}, {"claimstatus277", "277 claim status (X12)"},
}

var importPresets = [][2]string{
	{"canonical", "Backdesk's own column names"}, {"opendental", "Open Dental"}, {"dentrix", "Dentrix"},
	{"eaglesoft", "Eaglesoft"}, {"custom", "My own headers (give the mapping)"},
}

func choiceOK(list [][2]string, v string) bool {
	return slices.ContainsFunc(list, func(c [2]string) bool { return c[0] == v })
}

// choiceName is the words for v in list, or v itself.
func choiceName(list [][2]string, v string) string {
	for _, c := range list {
		if c[0] == v {
			return c[1]
		}
	}
	return v
}

// KindName says what the imported file holds, as the form offered it.
func (a importAnswer) KindName() string { return choiceName(importKinds, a.Kind) }

// PresetName names the system the file came from.
func (a importAnswer) PresetName() string { return choiceName(importPresets, a.Preset) }

type importsPage struct {
	Practice string
	Form     *form
	Choice   importChoice
	Past     []importAnswer // the latest imports, newest first
	PastErr  string         // why they could not be listed
}

// importFields maps the API's upload fields to the form's.
var importFields = map[string]string{"file": "file", "kind": "kind", "preset": "preset", "mapping": "mapping", "dry_run": "dry_run"}

// importForm is the upload form. A dry run is ticked to begin with: a
// new export is best tried before it is applied.
func (con *Console) importForm(c *gin.Context) {
	practice, ok := con.practiceParam(c)
	if !ok {
		return
	}
	con.showImportForm(c, practice, newForm(map[string][]string{"kind": {"patients"}, "preset": {"canonical"}, "dry_run": {"true"}}))
}

func (con *Console) showImportForm(c *gin.Context, practice string, f *form) {
	page := importsPage{Practice: practice, Form: f}
	r := con.call(c, http.MethodGet, "/api/v1/practices/"+practice+"/imports", url.Values{"limit": {"20"}}, nil)
	var list struct {
		Imports []importAnswer `json:"imports"`
	}
	if r.ok() && r.decode(&list) == nil {
		page.Past = list.Imports
	} else {
		page.PastErr = "The earlier imports cannot be listed right now."
	}
	con.render(c, http.StatusOK, "imports", con.page(c, "Import data", "imports", page))
}

// upload forwards the import form to the API as it arrives, the file
// last and unread until then, and opens the import's page; a refusal is
// shown beside the field it names.
func (con *Console) upload(c *gin.Context) {
	practice, ok := con.practiceParam(c)
	if !ok {
		return
	}
	if c.Request.ContentLength > maxUpload {
		f := newForm(nil)
		f.refuse("file", errUploadTooLarge.Error())
		con.showImportForm(c, practice, f)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUpload)
	// Whatever the API did not read is read to its end before the answer,
	// which a browser still sending might otherwise not see.
	drained := func() { _, _ = io.Copy(io.Discard, c.Request.Body) }
	u, err := readUpload(c)
	if err != nil {
		f := newForm(nil)
		if tooLarge(err) {
			f.refuse("file", errUploadTooLarge.Error())
		} else {
			f.Alert = "The form did not arrive whole. Choose the file and send it again."
		}
		drained()
		con.showImportForm(c, practice, f)
		return
	}
	defer u.close()
	f, fields := uploadFields(u)
	if f.Failed() {
		drained()
		con.showImportForm(c, practice, f)
		return
	}
	r, err := con.forward(c, "/api/v1/practices/"+practice+"/imports", fields, u)
	drained()
	switch {
	case tooLarge(err) || r.Status == http.StatusRequestEntityTooLarge:
		f.refuse("file", errUploadTooLarge.Error())
	case r.Status == http.StatusUnauthorized && c.GetHeader("HX-Request") == "true":
		goOn(c, "/auth/login?return_to="+url.QueryEscape("/practices/"+practice+"/imports"))
		return
	case !r.ok() && !f.apply(r, importFields):
		if c.GetHeader("HX-Request") != "true" {
			con.fail(c, r)
			return
		}
		// htmx swaps in only a page that answers 2xx: the form says it.
		f.Alert = "Not sent: " + r.Err.Message + " (" + r.Err.Code + ")"
	case r.ok():
		var imp importAnswer
		if r.decode(&imp) != nil || !validID.MatchString(imp.ID) {
			con.broken(c, r)
			return
		}
		goOn(c, "/imports/"+imp.ID)
		return
	}
	con.showImportForm(c, practice, f)
}

// uploadFields checks the form's choices and returns the form as typed
// and the fields to send, in order.
func uploadFields(u *uploadForm) (*form, [][2]string) {
	f := newForm(u.Values)
	kind, preset, mapping := f.Get("kind"), f.Get("preset"), strings.TrimSpace(f.Get("mapping"))
	if !choiceOK(importKinds, kind) {
		f.refuse("kind", "Choose what the file holds.")
	}
	if preset == "" {
		preset = "canonical"
	}
	if !choiceOK(importPresets, preset) {
		f.refuse("preset", "Choose the system the file comes from.")
	}
	if u.File == nil {
		f.refuse("file", "Choose the file to import.")
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

// goOn sends the browser on to a page after a form: with a redirect, or
// for the page's script, which posted the form itself, with htmx's header
// that makes it load the page.
func goOn(c *gin.Context, to string) {
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusOK)
		return
	}
	redirect(c, to)
}

// importPage shows an import's progress and, once it has run, its report.
func (con *Console) importPage(c *gin.Context) {
	imp, ok := con.loadImport(c)
	if !ok {
		return
	}
	title := "Import"
	if imp.DryRun {
		title = "Dry run"
	}
	c.Set(practiceKey, imp.PracticeID)
	con.render(c, http.StatusOK, "import", con.page(c, title, "imports", imp))
}

// importStatus is the part of the import page that htmx asks for every
// half second until the import has finished: the fragment it returns
// stops asking once it has.
func (con *Console) importStatus(c *gin.Context) {
	id := c.Param("importID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return
	}
	r := con.call(c, http.MethodGet, "/api/v1/imports/"+id, nil, nil)
	var imp importAnswer
	if r.Status == http.StatusUnauthorized {
		c.Header("HX-Redirect", "/auth/login?return_to=/imports/"+id)
		c.Status(http.StatusOK)
		return
	}
	if !r.ok() || r.decode(&imp) != nil {
		// A fragment without the poll, which ends the polling.
		con.fragment(c, "import", "import-failed", r.Err.Message)
		return
	}
	con.fragment(c, "import", "import-status", imp)
}

func (con *Console) loadImport(c *gin.Context) (importAnswer, bool) {
	id := c.Param("importID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return importAnswer{}, false
	}
	r := con.call(c, http.MethodGet, "/api/v1/imports/"+id, nil, nil)
	if !r.ok() {
		con.fail(c, r)
		return importAnswer{}, false
	}
	var imp importAnswer
	if r.decode(&imp) != nil {
		con.broken(c, r)
		return importAnswer{}, false
	}
	return imp, true
}

// importErrors downloads the import's error report, a CSV of line,
// column, rule and message, streamed from the API.
func (con *Console) importErrors(c *gin.Context) {
	id := c.Param("importID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return
	}
	con.download(c, "/api/v1/imports/"+id+"/errors.csv", nil)
}

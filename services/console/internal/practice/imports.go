package practice

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// importView is an import as its pages show it.
type importView struct{ api.Import }

// Finished reports an import that has run, well or not.
func (v importView) Finished() bool { return v.State == "succeeded" || v.State == "failed" }

// KindName says what the imported file holds, as the form offered it.
func (v importView) KindName() string { return choiceName(importKinds, v.Kind) }

// PresetName names the system the file came from.
func (v importView) PresetName() string { return choiceName(importPresets, v.Preset) }

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

type importsPage struct {
	Practice string
	Form     *kit.Form
	Choice   importChoice
	Past     []importView // the latest imports, newest first
	PastErr  string       // why they could not be listed
}

// importForm is the upload form. A dry run is ticked to begin with: a
// new export is best tried before it is applied.
func (p pages) importForm(c *gin.Context) {
	practice, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	p.showImportForm(c, practice, kit.NewForm(map[string][]string{"kind": {"patients"}, "preset": {"canonical"}, "dry_run": {"true"}}))
}

func (p pages) showImportForm(c *gin.Context, practice string, f *kit.Form) {
	page := importsPage{Practice: practice, Form: f}
	r := p.Call(c, http.MethodGet, "/api/v1/practices/"+practice+"/imports", url.Values{"limit": {"20"}}, nil)
	var list api.ImportList
	if r.OK() && r.Decode(&list) == nil {
		for _, imp := range list.Imports {
			page.Past = append(page.Past, importView{imp})
		}
	} else {
		page.PastErr = "The earlier imports cannot be listed right now."
	}
	p.Show(c, views, "imports", "Import data", "imports", page)
}

// importPage shows an import's progress and, once it has run, its report.
func (p pages) importPage(c *gin.Context) {
	id, ok := p.IDParam(c, "importID")
	if !ok {
		return
	}
	var imp importView
	if !p.Get(c, "/api/v1/imports/"+id, nil, &imp.Import) {
		return
	}
	title := "Import"
	if imp.DryRun {
		title = "Dry run"
	}
	kit.SetPractice(c, imp.PracticeID)
	p.Show(c, views, "import", title, "imports", imp)
}

// importStatus is the part of the import page that htmx asks for every
// half second until the import has finished: the fragment it returns
// stops asking once it has.
func (p pages) importStatus(c *gin.Context) {
	id, ok := p.IDParam(c, "importID")
	if !ok {
		return
	}
	r := p.Call(c, http.MethodGet, "/api/v1/imports/"+id, nil, nil)
	var imp importView
	if r.Status == http.StatusUnauthorized {
		c.Header("HX-Redirect", "/auth/login?return_to=/imports/"+id)
		c.Status(http.StatusOK)
		return
	}
	if !r.OK() || r.Decode(&imp.Import) != nil {
		// A fragment without the poll, which ends the polling.
		p.Fragment(c, views, "import", "import-failed", r.Err.Message)
		return
	}
	p.Fragment(c, views, "import", "import-status", imp)
}

// importErrors downloads the import's error report, a CSV of line,
// column, rule and message, streamed from the API.
func (p pages) importErrors(c *gin.Context) {
	id, ok := p.IDParam(c, "importID")
	if !ok {
		return
	}
	p.Download(c, "/api/v1/imports/"+id+"/errors.csv", nil)
}

package practice

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// importView is an import as its pages show it, with the practice's
// time zone for its moments.
type importView struct {
	api.Import
	Zone string // the practice's IANA zone; "" shows UTC
}

// X12 reports a payer's file, which takes no preset or mapping.
func (v importView) X12() bool { return isX12(v.Kind) }

// StateName says where the import stands in words, and how it went: an
// import with rejected rows says how many, never just that it succeeded.
func (v importView) StateName() string {
	switch v.State {
	case "queued":
		return "Waiting to start"
	case "running":
		return "Running"
	case "failed":
		return "Failed: nothing was applied"
	case "succeeded":
		if v.DryRun {
			s := "Would apply " + rows(v.RowsRead-v.RowsRejected)
			if v.RowsRejected > 0 {
				s += ", " + strconv.Itoa(v.RowsRejected) + " rejected"
			}
			return s
		}
		if v.RowsRejected > 0 {
			return "Applied with " + rows(v.RowsRejected) + " rejected"
		}
		return "Applied"
	}
	return kit.Label(v.State)
}

// rows counts rows in words: "1 row", "12 rows".
func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return strconv.Itoa(n) + " rows"
}

// isX12 reports a kind read as a payer's X12 file.
func isX12(kind string) bool { return kind == "era835" || kind == "claimstatus277" }

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
	{"recalls", "Recalls"}, {"treatments", "Treatment plans"}, {"appointments", "Appointments (schedule)"},
	{"era835", "835 remittance advice (X12)"}, {"claimstatus277", "277 claim status (X12)"},
}

var importPresets = [][2]string{
	{"canonical", "Backdesk's own column names"}, {"opendental", "Open Dental"}, {"dentrix", "Dentrix"},
	{"eaglesoft", "Eaglesoft"}, {"custom", "My own headers (match them next)"},
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
	Zone     string       // the practice's IANA zone; "" shows UTC
	// Mapping is the column form, shown instead of the upload form for a
	// file with the practice's own headers.
	Mapping *mappingStep
}

// practiceZone is the practice's time zone, for its moments; "" (shown
// as UTC, which the page then says) when the practice cannot be read.
func (p pages) practiceZone(c *gin.Context, practice string) string {
	var pr api.Practice
	r := p.Call(c, http.MethodGet, "/api/v1/practices/"+practice, nil, nil)
	if !r.OK() || r.Decode(&pr) != nil {
		return ""
	}
	return pr.Timezone
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
	var step *mappingStep
	if hasMapFields(f) && f.Get("preset") == "custom" && choiceOK(importKinds, f.Get("kind")) {
		// The column form refused: shown again from the columns it carries.
		step = newMappingStep(f.Get("kind"), headersOf(f), f)
	}
	p.showImportPage(c, practice, f, step)
}

// showMapping asks which of the file's columns holds each of Backdesk's.
func (p pages) showMapping(c *gin.Context, practice string, f *kit.Form, headers []mapHeader) {
	p.showImportPage(c, practice, f, newMappingStep(f.Get("kind"), headers, f))
}

func (p pages) showImportPage(c *gin.Context, practice string, f *kit.Form, step *mappingStep) {
	page := importsPage{Practice: practice, Form: f, Zone: p.practiceZone(c, practice), Mapping: step}
	r := p.Call(c, http.MethodGet, "/api/v1/practices/"+practice+"/imports", url.Values{"limit": {"20"}}, nil)
	var list api.ImportList
	if r.OK() && r.Decode(&list) == nil {
		for _, imp := range list.Imports {
			page.Past = append(page.Past, importView{Import: imp, Zone: page.Zone})
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
	imp.Zone = p.practiceZone(c, imp.PracticeID)
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

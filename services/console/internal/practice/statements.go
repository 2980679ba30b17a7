package practice

import (
	"cmp"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// The practice's patient statements: the form that runs a month's cycle,
// the runs made so far with their downloads, and what each run left out.
// Practice admins run and read them; billing managers read a run's page
// and take its downloads. The API decides and records every call; a
// download is a disclosure it records before the first byte.

// statementRun is a run as the API answers it.
type statementRun struct {
	ID            string     `json:"id"`
	Cycle         string     `json:"cycle"`
	StatementDate string     `json:"statement_date"`
	DueDate       string     `json:"due_date"`
	OfficeHours   string     `json:"office_hours"`
	State         string     `json:"state"`
	Made          int        `json:"made"`
	Skipped       int        `json:"skipped"`
	Error         string     `json:"error"`
	CreatedAt     time.Time  `json:"created_at"`
	FinishedAt    *time.Time `json:"finished_at"`
}

// CycleText names the run's month: "March 2026".
func (r statementRun) CycleText() string { return cycleText(r.Cycle) }

// StateText says where the run stands, in words.
func (r statementRun) StateText() string {
	switch r.State {
	case "done":
		return "Done"
	case "running":
		return "Running"
	case "failed":
		if r.Error != "" {
			return "Stopped: " + strings.TrimSuffix(r.Error, ".") + "."
		}
		return "Stopped. Run the cycle again to carry on."
	}
	return kit.Label(r.State)
}

// When is the moment the run ended, or began while it runs.
func (r statementRun) When() time.Time {
	if r.FinishedAt != nil && !r.FinishedAt.IsZero() {
		return *r.FinishedAt
	}
	return r.CreatedAt
}

// Dated says the statements' date and due date in words.
func (r statementRun) Dated() string {
	s, err1 := time.Parse(time.DateOnly, r.StatementDate)
	d, err2 := time.Parse(time.DateOnly, r.DueDate)
	if err1 != nil || err2 != nil {
		return ""
	}
	return "Dated " + s.Format("2 Jan 2006") + ", due " + d.Format("2 Jan 2006")
}

// cycleText names a cycle, "2026-03", as its month: "March 2026"; what is
// no cycle is shown as it came.
func cycleText(cycle string) string {
	t, err := time.Parse("2006-01", cycle)
	if err != nil {
		return cycle
	}
	return t.Format("January 2006")
}

// statementsBase is the API's path of a practice's statement runs.
func statementsBase(id string) string { return "/api/v1/work/practices/" + id + "/statements/runs" }

// statementsPath is the console's page of a practice's statements.
func statementsPath(id string) string { return "/practices/" + id + "/statements" }

// runPath is the console's path of one run's pages and downloads.
func runPath(practice, run string) string { return statementsPath(practice) + "/runs/" + run }

// statementsPage is the practice's statements: the run form, for those
// who may run one, and the runs.
type statementsPage struct {
	ID       string
	CSRF     string
	Practice string // the practice's name, when the API tells it
	Zone     string // the practice's IANA zone; "" shows UTC
	// CanRun offers the form; Unlisted says why the runs are not shown
	// to someone who may still open a run's page.
	CanRun   bool
	Unlisted bool
	Runs     []statementRun
	Form     *kit.Form
}

// RunPath is the console's path of a run.
func (p statementsPage) RunPath(r statementRun) string { return runPath(p.ID, r.ID) }

// runFields map the API's fields of a run to the form's; the practice
// (an office to print) is said above the form, with where to add one.
var runFields = map[string]string{"cycle": "cycle", "office_hours": "office_hours", "practice": "practice"}

// maxOfficeHours is the longest office hours a statement prints, in
// bytes, as the API takes them.
const maxOfficeHours = 60

// statementsHome is the practice's statements page.
func (p pages) statementsHome(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	p.showStatements(c, id, nil)
}

// showStatements renders the statements page; f is the run form as
// typed when it was refused, else nil for the form as it starts: this
// month in the practice's zone, and the office hours of the last run.
func (p pages) showStatements(c *gin.Context, id string, f *kit.Form) {
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := statementsPage{ID: id, CSRF: me.CSRF, Form: f, CanRun: p.AllowedOn(c, access.AdministerPractice, id)}
	r := p.Call(c, http.MethodGet, statementsBase(id), nil, nil)
	var list struct {
		Runs []statementRun `json:"runs"`
	}
	switch {
	case r.Status == http.StatusForbidden && p.AllowedOn(c, access.ReadStatements, id):
		// A billing manager may open a run's page but the API lists
		// runs to the practice's admins only.
		page.Unlisted = true
	case !r.OK():
		p.Fail(c, r)
		return
	case r.Decode(&list) != nil:
		p.Broken(c, r)
		return
	}
	page.Runs = list.Runs
	// The practice's name and zone, from those who may read its settings;
	// asking otherwise would only earn a recorded refusal.
	if p.AllowedOn(c, access.ReadPractice, id) {
		var pr api.Practice
		if r := p.Call(c, http.MethodGet, "/api/v1/practices/"+id, nil, nil); r.OK() && r.Decode(&pr) == nil {
			page.Practice, page.Zone = pr.Name, pr.Timezone
		}
	}
	if page.Form == nil {
		v := map[string][]string{"cycle": {p.Now().In(zone(page.Zone)).Format("2006-01")}}
		if len(page.Runs) > 0 {
			v["office_hours"] = []string{page.Runs[0].OfficeHours}
		}
		page.Form = kit.NewForm(v)
	}
	p.Show(c, views, "statements", "Patient statements", "statements", page)
}

// zone loads an IANA zone name; an empty or unknown one is UTC.
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// monthNumeric is a month typed as numbers, "2026-03" or "2026-3", as a
// month field sends it and as people type it where there is no picker.
var monthNumeric = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)

// readCycle reads the month typed into the run form as the API's cycle:
// "2026-03", "2026-3", "March 2026" and "mar 2026" all are March 2026.
func readCycle(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if m := monthNumeric.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > 12 {
			return "", false
		}
		return m[1] + "-" + twoDigits(n), true
	}
	for _, layout := range []string{"January 2006", "Jan 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01"), true
		}
	}
	return "", false
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// runStatements runs a month's statements: the console checks both
// fields at once and says what is wrong beside each, and the API makes
// the run, or answers the run the month already has.
func (p pages) runStatements(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	kit.ReturnTo(c, statementsPath(id))
	f := kit.NewForm(kit.PostForm(c))
	cycle, ok := readCycle(f.Get("cycle"))
	if !ok {
		f.Refuse("cycle", "Choose the month to run, such as March 2026 (2026-03).")
	}
	hours := strings.Join(strings.Fields(f.Get("office_hours")), " ")
	switch {
	case hours == "":
		f.Refuse("office_hours", "Write the office hours printed on the statements, such as Mon–Thu 8am–5pm.")
	case len(hours) > maxOfficeHours:
		// The API counts bytes: a dash such as – takes three.
		f.Refuse("office_hours", "Shorten the office hours: they print on one line of at most "+strconv.Itoa(maxOfficeHours)+
			" characters, where a dash such as – counts as three.")
	}
	if f.Failed() {
		p.showStatements(c, id, f)
		return
	}
	started := p.Now()
	r := p.Call(c, http.MethodPost, statementsBase(id), nil, map[string]string{"cycle": cycle, "office_hours": hours})
	if !r.OK() {
		if f.Apply(r, runFields) {
			sentences(f)
			p.showStatements(c, id, f)
			return
		}
		p.Fail(c, r)
		return
	}
	var run statementRun
	if r.Decode(&run) != nil {
		p.Broken(c, r)
		return
	}
	text, bad := runText(run, started)
	p.SetFlash(c, text, bad)
	kit.Redirect(c, statementsPath(id))
}

// runText says what running a cycle did: a run made now, one the month
// already had (a cycle is run once), or one that stopped.
func runText(run statementRun, started time.Time) (string, bool) {
	month := run.CycleText()
	switch {
	case run.State == "failed":
		return month + ": the run stopped before the end. Run the same month again to carry on where it stopped.", true
	case run.State == "running":
		return month + " is still being run. Reload this page in a minute to see it done.", false
	case run.CreatedAt.Before(started.Add(-time.Minute)):
		return month + " was already run, so nothing new was made: a month is run once. Its statements are in the list.", false
	}
	return month + ": " + count(run.Made, "statement") + " made, " + count(run.Skipped, "account") + " skipped. Download them from the list.", false
}

// count says n things: "1 statement", "3 statements".
func count(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

// skipReasons say why a run left an account out.
var skipReasons = map[string]string{
	"zero_balance":   "Nothing owed: the balance is zero or in credit.",
	"do_not_contact": "Do not contact: the patient asked not to be contacted.",
	"no_address":     "No mailing address: the guarantor's address is missing or incomplete.",
	"nothing_due":    "Less than $1.00 due once insurance is counted.",
}

// skipRow is an account a run left out.
type skipRow struct{ Patient, Reason string }

// skipsPage is what a run left out, with the run's downloads.
type skipsPage struct {
	ID    string
	Run   string        // the run's id
	Found *statementRun // the run, when the API lists it to the reader
	Skips []skipRow
}

// Downloads is the console's path of the run's downloads.
func (p skipsPage) Downloads() string { return runPath(p.ID, p.Run) }

// Title names the page after the run's month when it is known.
func (p skipsPage) Title() string {
	if p.Found != nil {
		return "What was skipped in " + p.Found.CycleText()
	}
	return "What was skipped"
}

// runSkips lists the accounts a run left out, by patient, with why. The
// API records the read, since it names patients.
func (p pages) runSkips(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	run, ok := p.IDParam(c, "runID")
	if !ok {
		return
	}
	var a struct {
		Skips []struct {
			PatientName string `json:"patient_name"`
			Reason      string `json:"reason"`
		} `json:"skips"`
	}
	if !p.Get(c, statementsBase(id)+"/"+run+"/skips", nil, &a) {
		return
	}
	page := skipsPage{ID: id, Run: run}
	for _, s := range a.Skips {
		page.Skips = append(page.Skips, skipRow{Patient: cmp.Or(s.PatientName, "A patient no longer on file"),
			Reason: cmp.Or(skipReasons[s.Reason], kit.Label(s.Reason)+".")})
	}
	// The run's month, for the heading, from the list when the reader
	// may list runs; a billing manager sees the page without it.
	var list struct {
		Runs []statementRun `json:"runs"`
	}
	if r := p.Call(c, http.MethodGet, statementsBase(id), nil, nil); r.OK() && r.Decode(&list) == nil {
		for i := range list.Runs {
			if list.Runs[i].ID == run {
				page.Found = &list.Runs[i]
			}
		}
	}
	p.Show(c, views, "statementskips", page.Title(), "statements", page)
}

// runPDF hands the run's statements to the browser as one PDF, for
// printing in the office, as the API writes it.
func (p pages) runPDF(c *gin.Context) { p.runDownload(c, "pdf") }

// runZip hands the run to the browser as the print vendor's zip: a PDF
// a statement and the manifest.
func (p pages) runZip(c *gin.Context) { p.runDownload(c, "zip") }

// runDownload streams one of a run's downloads; the API records it as a
// disclosure before it sends a byte.
func (p pages) runDownload(c *gin.Context, kind string) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	run, ok := p.IDParam(c, "runID")
	if !ok {
		return
	}
	p.Download(c, statementsBase(id)+"/"+run+"/"+kind, nil)
}

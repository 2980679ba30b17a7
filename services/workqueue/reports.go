package workqueue

import (
	"net/http"
	"strconv"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// Report bounds: how many days of depth history a board may ask for, and
// how many patients a practice summary lists by default and at most.
const (
	defaultBoardDays = 14
	maxBoardDays     = 90
	defaultContacts  = 50
	maxContacts      = 500
	defaultCoverage  = 7
)

// mountReports registers the billing managers' board and the practice
// summary.
func (a *API) mountReports(r gin.IRouter) {
	g := a.d.Guard
	g.Handle(r, http.MethodGet, "/api/v1/work/board", authz.Policy{Action: access.ManageAgents}, a.board)
	g.Handle(r, http.MethodGet, "/api/v1/work/practices/:practiceID/summary",
		authz.Policy{Action: access.ReadPractice, Resolve: authz.Practice("practiceID")}, a.practiceSummary)
	g.Handle(r, http.MethodGet, "/api/v1/work/practices/:practiceID/verification",
		authz.Policy{Action: access.ReadPractice, Resolve: authz.Practice("practiceID")}, a.verification)
}

// board is the billing managers' view: depth per practice and kind,
// overdue, escalations and SLA breaches, each agent's load and output,
// who is on shift, and the depth per kind over the last days.
func (a *API) board(c *gin.Context) {
	days, err := intQuery(c, "days", defaultBoardDays, 1, maxBoardDays)
	if err != nil {
		web.Fail(c, err)
		return
	}
	b, err := a.d.Reports.ManagerBoard(c.Request.Context(), a.d.Now(), days)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, boardFrom(b))
}

// practiceSummary is what the practice sees of the work done for it.
func (a *API) practiceSummary(c *gin.Context) {
	n, err := intQuery(c, "contacts", defaultContacts, 0, maxContacts)
	if err != nil {
		web.Fail(c, err)
		return
	}
	_, res, _ := authz.DecisionFrom(c.Request.Context())
	s, err := a.d.Reports.Practice(c.Request.Context(), res.PracticeID, a.d.Now(), n)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, summaryFrom(s))
}

// verification is how the insurance of the practice's coming visits
// stands, day by day in its time zone, under its eligibility policy.
func (a *API) verification(c *gin.Context) {
	days, err := intQuery(c, "days", defaultCoverage, 1, report.MaxCoverageDays)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	_, res, _ := authz.DecisionFrom(ctx)
	loc := time.UTC
	ahead, fresh := policy.Thresholds{}.Eligibility() // the defaults
	if a.d.Practices != nil {
		pols, tz, err := a.d.Practices.Rules(ctx, res.PracticeID)
		if err != nil {
			web.Fail(c, err)
			return
		}
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
		ahead, fresh = pols.Kinds[policy.EligibilityCheck].Thresholds.Eligibility()
	}
	cov, err := a.d.Reports.Coverage(ctx, res.PracticeID, a.d.Now(), loc, days, ahead, fresh)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, api.Coverage{PracticeID: cov.PracticeID, Timezone: cov.Timezone, At: cov.At,
		CheckedThrough: cov.CheckedThrough, FreshDays: cov.FreshDays, Days: api.Each(cov.Days, coverageDayFrom)})
}

// intQuery reads an optional whole-number query parameter within bounds.
func intQuery(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, apperr.Invalid(name, "out_of_range", "must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

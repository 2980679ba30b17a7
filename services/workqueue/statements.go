package workqueue

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// mountStatements registers a practice's statement runs and an account's
// latest statement.
func (a *API) mountStatements(r gin.IRouter, item authz.Resolver) {
	if a.d.Billing == nil || a.d.Statements == nil {
		return
	}
	g := a.d.Guard
	const base = "/api/v1/work/practices/:practiceID/statements/runs"
	practice := authz.Practice("practiceID")
	g.Handle(r, http.MethodPost, base, authz.Policy{Action: access.AdministerPractice, Resolve: practice}, a.runStatements)
	read := authz.Policy{Action: access.ReadStatements, Resolve: practice}
	g.Handle(r, http.MethodGet, base, read, a.statementRuns)
	g.Handle(r, http.MethodGet, base+"/:runID/skips", read, a.statementSkips)
	g.Handle(r, http.MethodGet, "/api/v1/work/practices/:practiceID/statements/preview", read, a.previewStatement)
	g.Handle(r, http.MethodGet, base+"/:runID/pdf", read, a.runDownload(false))
	g.Handle(r, http.MethodGet, base+"/:runID/zip", read, a.runDownload(true))
	view := "/api/v1/work/items/:itemID/statement"
	g.Handle(r, http.MethodGet, view, authz.Policy{Action: access.ReadPatient, Resolve: item}, a.itemStatement)
}

// runStatements runs the cycle's statements; a cycle run before answers
// the run as it stands.
func (a *API) runStatements(c *gin.Context) {
	var in struct {
		Cycle string `json:"cycle"`
		Hours string `json:"office_hours"`
	}
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	run, err := a.d.Billing.RunStatements(c.Request.Context(), a.d.Statements, c.Param("practiceID"), billing.RunInput{Cycle: in.Cycle, Hours: in.Hours}, auditmw.By(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, run)
}

func (a *API) statementRuns(c *gin.Context) {
	runs, err := a.d.Statements.Runs(c.Request.Context(), c.Param("practiceID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"runs": runs})
}

// statementSkips lists the accounts a run left out, by patient, with why;
// it names patients, so it is recorded as a read before it is answered.
func (a *API) statementSkips(c *gin.Context) {
	ctx := c.Request.Context()
	skips, err := a.d.Statements.RunSkips(ctx, c.Param("practiceID"), c.Param("runID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	ev := auditmw.Event(c, audit.ActionRead)
	ev.PracticeID, ev.Outcome, ev.Reason, ev.Fields = c.Param("practiceID"), audit.OutcomeAllow, "statement run skips", []string{"first_name", "last_name"}
	out := make([]gin.H, 0, len(skips))
	for _, s := range skips {
		out = append(out, gin.H{"patient_id": s.PatientID, "patient_name": s.PatientName, "reason": s.Reason})
		ev.PatientIDs = append(ev.PatientIDs, s.PatientID)
	}
	auditmw.Then(c, a.d.Recorder, ev, func() { c.JSON(http.StatusOK, gin.H{"skips": out}) }, nil)
}

// runDownload streams a run's statements as one PDF or as the print
// vendor's zip; the download is recorded before the first byte.
func (a *API) runDownload(vendor bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		name, kind := "statements.pdf", "application/pdf"
		if vendor {
			name, kind = "statements.zip", "application/zip"
		}
		c.Header("Content-Type", kind)
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Header("Cache-Control", "no-store")
		err := a.d.Billing.WriteRun(c.Request.Context(), a.d.Statements, c.Writer, c.Param("practiceID"), c.Param("runID"), vendor, auditmw.By(c))
		if err != nil && !c.Writer.Written() {
			c.Header("Content-Type", "application/json")
			c.Header("Content-Disposition", "")
			web.Fail(c, err)
		}
	}
}

// itemStatement is the newest statement of the account the agent works,
// as a PDF, recorded as a disclosure first.
func (a *API) itemStatement(c *gin.Context) {
	ctx := c.Request.Context()
	_, res, _ := authz.DecisionFrom(ctx)
	m, ok, err := a.d.Statements.LatestPDF(ctx, res.PracticeID, res.WorkItemID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !ok {
		web.Fail(c, apperr.NotFound("statement of the account"))
		return
	}
	ev := auditmw.Event(c, billing.ActionStatementDownload)
	ev.PracticeID, ev.PatientIDs, ev.WorkItemID, ev.Outcome = res.PracticeID, []string{m.Account.PatientID}, res.WorkItemID, audit.OutcomeAllow
	ev.TargetType, ev.TargetID = billing.TargetStatement, m.ID
	auditmw.Then(c, a.d.Recorder, ev, func() {
		c.Header("Content-Disposition", `inline; filename="statement.pdf"`)
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusOK, "application/pdf", m.PDF)
	}, nil)
}

// PlanBody is an agent's payment plan.
type PlanBody struct {
	Channel  work.Channel          `json:"channel"`
	Schedule []billing.Installment `json:"schedule"`
	Note     string                `json:"note"`
	Version  int                   `json:"version"`
}

// mountLedger registers an account's payments and plans for the agent
// working it.
func (a *API) mountLedger(r gin.IRouter, item authz.Resolver) {
	if a.d.Billing == nil || a.d.Statements == nil {
		return
	}
	g := a.d.Guard
	const view = "/api/v1/work/items/:itemID/payments"
	g.Handle(r, http.MethodGet, view, authz.Policy{Action: access.ReadPatient, Resolve: item},
		auditmw.PHI(http.MethodGet, view, a.d.Recorder, a.ledger))
	g.Handle(r, http.MethodPost, "/api/v1/work/items/:itemID/payment-plan", authz.Policy{Action: access.WorkOwnQueue, Resolve: item}, a.agreePlan)
}

// ledger is the account's last statement, the next one's date, payments
// received through links and the payment plan: amounts of one patient,
// recorded as a read.
func (a *API) ledger(c *gin.Context) auditmw.Answer {
	ctx := c.Request.Context()
	d, res, _ := authz.DecisionFrom(ctx)
	read := auditmw.StartRead(c, d, res)
	l, err := a.d.Statements.Ledger(ctx, res.PracticeID, res.WorkItemID, a.d.Now())
	return read.Answer(l, err)
}

// agreePlan records a payment plan as the outcome "promised payment".
func (a *API) agreePlan(c *gin.Context) {
	var in PlanBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	ref := work.Ref{PracticeID: res.PracticeID, PatientID: res.PatientID, Kind: res.Kind}
	plan, v, err := a.d.Billing.AgreePlan(ctx, a.d.Desk, ref, res.WorkItemID, p.UserID,
		billing.PlanInput{Channel: in.Channel, Schedule: in.Schedule, Note: in.Note, Version: in.Version}, auditmw.By(c))
	if errors.Is(err, work.ErrNotYours) {
		a.d.Guard.Deny(c, c.Request.Method, res, work.ErrNotYours.Code, work.ErrNotYours.Message)
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"plan": plan, "version": v})
}

// previewStatement answers the statement the next run would make first,
// as a PDF, recorded as a disclosure before it is written.
func (a *API) previewStatement(c *gin.Context) {
	var buf bytes.Buffer
	err := a.d.Billing.Preview(c.Request.Context(), a.d.Statements, &buf, c.Param("practiceID"), c.Query("office_hours"), auditmw.By(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `inline; filename="sample-statement.pdf"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

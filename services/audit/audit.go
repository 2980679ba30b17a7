// Package audit is the HTTP layer of the compliance read side of the audit
// trail: search, export, proofs and reports. Compliance staff see every
// event; practice admins see the events of the practices they administer.
// Every read of the trail is itself recorded, before the answer is written,
// so nobody can study the audit trail unseen.
package audit

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
	"golang.org/x/mod/sumdb/note"
)

// API serves the audit routes.
type API struct {
	store         *auditstore.Store
	rec           *recorder.Recorder
	verifier      note.Verifier
	hours         Hours
	retentionDays int
	guard         *authz.Guard
	grants        Grants
	people        People
	directory     Directory
}

// Deps are what the audit API needs; New refuses to build without any of
// them.
type Deps struct {
	Store    *auditstore.Store
	Recorder *recorder.Recorder
	// Verifier checks every checkpoint before it is served, so a forged
	// checkpoint row is refused rather than passed on.
	Verifier note.Verifier
	// Guard puts every route behind the access decision point.
	Guard *authz.Guard
	// RetentionDays is what the policy route reports
	// (BACKDESK_AUDIT_RETENTION, checked against the six-year floor); zero
	// means the default.
	RetentionDays int `dep:"optional"`
	// Hours finds agents' working hours for the anomaly report
	// (AgentHours); Grants lists grants due for re-certification; People
	// tells a reviewer from the person an anomaly is about.
	Hours  Hours
	Grants Grants
	People People
	// Directory names the people events name and finds them by name or
	// e-mail address; the store itself when unset.
	Directory Directory `dep:"optional"`
}

// New returns the audit API.
func New(d Deps) (*API, error) {
	if err := serve.Need("audit", d); err != nil {
		return nil, err
	}
	if d.RetentionDays == 0 {
		d.RetentionDays = config.DefaultAuditRetentionDays
	}
	if d.Directory == nil {
		d.Directory = d.Store
	}
	return &API{store: d.Store, rec: d.Recorder, verifier: d.Verifier, hours: d.Hours, retentionDays: d.RetentionDays,
		guard: d.Guard, grants: d.Grants, people: d.People, directory: d.Directory}, nil
}

// Mount registers the audit routes on r, which sits behind authentication.
// The guard lets compliance and practice admins in (access.ReadAudit);
// each handler then narrows a practice admin to its own practices.
func (a *API) Mount(r gin.IRouter) {
	read := authz.Policy{Action: access.ReadAudit}
	for path, h := range map[string]gin.HandlerFunc{
		"/checkpoint": a.checkpoint, "/consistency": a.consistency, "/events": a.listEvents,
		"/events/:id": a.getEvent, "/export": a.export, "/reports/patients/:id": a.patientReport,
		"/reports/anomalies": a.anomalies, "/policy": a.policy,
	} {
		a.guard.Handle(r, http.MethodGet, "/api/v1/audit"+path, read, h)
	}
	a.mountCompliance(r)
}

// purpose is what every audit-of-the-audit event gives as its reason for
// access.
const purpose = "audit_review"

// eventFields are the fields an event listing returns, recorded as the
// fields of each read (names only, as for every event).
var eventFields = []string{
	"id", "time", "actor", "action", "practice_id", "patient_ids", "fields",
	"work_item_id", "grant_id", "purpose", "outcome", "reason", "request_id", "trace_id", "break_glass",
}

// listFields are the fields of a search's page: the events and the names
// of the people who acted.
var listFields = append(slices.Clone(eventFields), peopleField)

// errOtherPractice answers a practice admin who asks for another practice's
// event exactly as for an event that does not exist, so ids of other
// practices' events cannot be probed.
var errOtherPractice = apperr.NotFound("audit event")

// scope is the set of practices the caller may see, as the decision that
// let the request in says (access.AuditScope): nil for compliance (every
// practice, and events tied to none), otherwise the practices the caller
// administers, possibly none.
func scope(ctx context.Context) []string {
	d, _, _ := authz.DecisionFrom(ctx)
	return d.AuditScope.PracticeIDs()
}

// visible reports whether an event of practiceID is within the caller's scope.
func visible(allowed []string, practiceID string) bool {
	if allowed == nil {
		return true
	}
	for _, id := range allowed {
		if id == practiceID && id != "" {
			return true
		}
	}
	return false
}

// newEvent starts the audit event of one read of the trail.
func newEvent(c *gin.Context, action audit.Action, fields []string) audit.Event {
	e := auditmw.Event(c, action)
	e.Fields = fields
	e.Purpose = purpose
	return e
}

// record commits e with the outcome that failure implies (nil: allowed) and
// reports whether the handler may answer. When the event cannot be
// committed the request fails with the recorder's error (503) and nothing
// else; otherwise a failed request fails with its own error.
func (a *API) record(c *gin.Context, e audit.Event, failure error) bool {
	if e.Outcome == "" {
		e.Outcome, e.Reason = outcomeOf(failure)
	}
	ok := false
	auditmw.Then(c, a.rec, e, func() {
		if failure != nil {
			web.Fail(c, failure)
			return
		}
		ok = true
	}, nil)
	return ok
}

// outcomeOf classifies a failed read: a refusal is a denial, anything else
// (bad parameters, a missing event, a database error) an error.
func outcomeOf(err error) (audit.Outcome, string) {
	if err == nil {
		return audit.OutcomeAllow, ""
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if ae.Kind == apperr.KindForbidden {
			return audit.OutcomeDeny, ae.Code
		}
		return audit.OutcomeError, ae.Code
	}
	return audit.OutcomeError, "internal"
}

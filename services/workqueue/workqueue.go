// Package workqueue is the HTTP layer of the agent-facing work service:
// agents, teams and presence for billing managers and agents, the managers'
// view of unassigned and escalated work, and an agent's
// queue, item views, outcomes and handoffs.
package workqueue

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
)

// Deps are what the workqueue API needs.
type Deps struct {
	Desk     *work.Desk     // the agent's queue, items, outcomes and leases
	Payers   *payer.Service // what payers said about claims
	Roster   *roster.Service
	Routing  *routing.Service
	Guard    *authz.Guard
	Facts    access.Invalidator // told when team membership changes
	Recorder *recorder.Recorder // writes the item view's audit event first
	Patients func(ctx context.Context, practiceID, patientID string) (records.Full, error)
	Reports  *report.Service // the managers' board and the practice summary
	// Practices gives the item view the practice's name and phone; the
	// view shows only the practice's zone without it.
	Practices *practice.Service `dep:"optional"`
	Now       func() time.Time  `dep:"optional"` // the clock; time.Now when unset
	// Messages sends and receives patients' texts and e-mails; without
	// it the message routes are not served.
	Messages *message.Service `dep:"optional"`
	// TextWebhooks checks the text provider's callbacks; without it they
	// are not served (the dev outbox needs none).
	TextWebhooks TextWebhooks `dep:"optional"`
	// PublicURL is the address providers call back on, as configured at
	// the provider.
	PublicURL string `dep:"optional"`
	// MessageAdmin is the practice admins' side of messages: settings,
	// templates, opt-outs and failures.
	MessageAdmin *message.Admin `dep:"optional"`
	// Billing makes payment links and records payments; without it the
	// pay-by-link routes are not served.
	Billing *billing.Service `dep:"optional"`
	// Statements keeps statement runs; with Billing it serves them.
	Statements billing.StatementStore `dep:"optional"`
	// PaymentWebhooks checks the payment provider's webhooks.
	PaymentWebhooks PaymentWebhooks `dep:"optional"`
	// Log records refused provider callbacks; nil discards.
	Log *slog.Logger `dep:"optional"`
	// DevOutbox serves the dev outbox to platform admins.
	DevOutbox bool `dep:"optional"`
}

// API serves the workqueue routes.
type API struct{ d Deps }

// New returns the workqueue API.
func New(d Deps) (*API, error) {
	if err := serve.Need("workqueue", d); err != nil {
		return nil, err
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &API{d: d}, nil
}

// Mount registers the workqueue routes on r, behind authentication.
func (a *API) Mount(r gin.IRouter) {
	g := a.d.Guard
	manage := authz.Policy{Action: access.ManageAgents}
	g.Handle(r, http.MethodGet, "/api/v1/agents", manage, a.listAgents)
	g.Handle(r, http.MethodPost, "/api/v1/agents", manage, a.createAgent)
	g.Handle(r, http.MethodGet, "/api/v1/agents/:userID", manage, a.getAgent)
	g.Handle(r, http.MethodPut, "/api/v1/agents/:userID", manage, a.putAgent)
	g.Handle(r, http.MethodPut, "/api/v1/work/presence", authz.Policy{Action: access.WorkOwnQueue}, a.setPresence)
	g.Handle(r, http.MethodGet, "/api/v1/teams", manage, a.listTeams)
	g.Handle(r, http.MethodPost, "/api/v1/teams", manage, a.createTeam)
	g.Handle(r, http.MethodPut, "/api/v1/teams/:teamID/members/:userID", manage, a.addMember)
	g.Handle(r, http.MethodDelete, "/api/v1/teams/:teamID/members/:userID", manage, a.removeMember)
	g.Handle(r, http.MethodGet, "/api/v1/work/unassigned", manage, a.unassigned)
	a.mountWork(r)
	a.mountReports(r)
	a.mountDevOutbox(r)
	a.mountMessageAdmin(r)
}

// MountPublic registers the routes reached without signing in: text
// provider callbacks and unsubscribe links.
func (a *API) MountPublic(r gin.IRouter) {
	a.mountPatientFacing(r)
	a.mountPay(r)
	a.mountPaymentWebhooks(r)
	a.mountDevPay(r)
}

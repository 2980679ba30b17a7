// Package domains builds the platform's domain services over one
// process's database, once, in one place: every service main and the dev
// binary take the ones they need from it, so a domain's wiring (its store,
// its audit trail, the services it calls) is written once.
package domains

import (
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/billing/billstore"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/clearinghouse/chstore"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/grant/grantstore"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/imports/importstore"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/msgstore"
	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/payment/stripe"
	"github.com/backdesk/backdesk/pkg/platform/relay"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/report/reportstore"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/hibiken/asynq"
)

// Domains are the domain services of one process.
type Domains struct {
	// Relay feeds the queues from the outbox; set only in a process that
	// relays (the router's, and the dev binary's), where its Notify wakes
	// it as soon as a commit queued a task.
	Relay     *relay.Relay
	Grants    *grant.Service
	Practices *practice.Service
	Records   *records.Service
	Desk      *work.Desk
	Payers    *payer.Service
	Imports   *imports.Service
	Routing   *routing.Service
	Roster    *roster.Service
	Reports   *report.Service
	// Clearinghouse asks clearinghouses about coverage and claims and
	// applies their answers.
	Clearinghouse *clearinghouse.Service
	// Messages sends and receives patients' texts and e-mails; Twilio,
	// when texts go through it, checks its callbacks.
	Messages *message.Service
	// MessageAdmin is the practice admins' side of messages.
	MessageAdmin *message.Admin
	Twilio       *twilio.Client
	messagesErr  error
	// Billing makes payment links and records payments; Stripe, when
	// payments go through it, checks its webhooks.
	Billing    *billing.Service
	Statements *billstore.Store
	Stripe     *stripe.Client
}

// Options say what a process builds beside the domain services.
type Options struct {
	// Relay builds the outbox relay (Domains.Relay), which the router
	// runs. Processes without one leave queued tasks to the relay's
	// sweep, or to PostgreSQL's notification, in the router.
	Relay bool
	// ClearinghouseSettle is how long a file in a clearinghouse's inbound
	// folder must stay unchanged before it is collected; zero is the
	// transport's default (the dev binary's demo clearinghouse writes
	// whole files and uses a second).
	ClearinghouseSettle time.Duration
	// RoutingNow is routing's clock: when timers are due, how long an
	// agent has been offline, what is overdue (default time.Now). The
	// faults suite makes a router's clock jump with it.
	RoutingNow func() time.Time
}

// New builds the domain services over p's database; every store that
// records changes writes them to p's audit trail.
func New(p *serve.Process, o Options) *Domains {
	trail := p.Audit
	var notify func()
	var rel *relay.Relay
	if o.Relay {
		client := asynq.NewClient(p.RedisOpt)
		p.OnClose(client.Close)
		rel = relay.New(p.DB, client, relay.Config{Logger: p.Log})
		notify = rel.Notify
	}
	d := &Domains{
		Relay: rel,
		Grants: grant.NewService(grantstore.New(p.DB, trail), p.Identity, p.Decider, p.Facts, grant.Windows{
			DefaultDays: p.Config.GrantDefaultDays, MaxDays: p.Config.GrantMaxDays, ReviewDays: p.Config.GrantReviewDays,
			BreakGlass: p.Config.BreakGlassFor,
		}, nil),
		Practices: practice.NewService(practicestore.New(p.DB, trail), nil, notify),
		Records:   records.NewService(recordstore.New(p.DB)),
		Routing:   routing.NewService(routingstore.New(p.DB, trail, routingstore.Config{OfflineAfter: p.Config.AgentOfflineAfter, Now: o.RoutingNow})),
		Roster:    roster.NewService(rosterstore.New(p.DB, trail)),
		Reports:   report.NewService(reportstore.New(p.DB)),
	}
	// Practices' profiles (rules, name, zone, phone) are cached beside
	// the access facts and dropped through the same channel.
	d.Practices.SetCache(p.Facts)
	d.Desk = work.NewDesk(workstore.New(p.DB, trail), d.Practices, nil)
	payers := payerstore.New(p.DB)
	d.Payers = payer.NewService(payers, d.Desk)
	d.Clearinghouse = clearinghouse.New(clearinghouse.Deps{DB: p.DB, Store: chstore.New(p.DB), Work: payers, Trail: trail,
		Dial: clearinghouse.DialSFTP, Settle: o.ClearinghouseSettle, RetentionDays: p.Config.AuditRetentionDays, Log: p.Log})
	// Claim status inquiries post their 277 answers as imports do.
	d.Clearinghouse.SetClaimStatus(d.Payers, d.Practices)
	d.Imports = imports.NewService(imports.Deps{DB: p.DB, Store: importstore.New(p.DB, trail), Practices: d.Practices,
		Records: d.Records, Work: d.Desk, Payers: d.Payers, Progress: importstore.RedisProgress{R: p.Redis}, Log: p.Log, Notify: notify,
		Hold: d.Clearinghouse})
	d.Messages, d.Twilio, d.messagesErr = messages(p, d)
	d.MessageAdmin = message.NewAdmin(p.DB, msgstore.New(p.DB, trail), d.Practices, nil)
	var billingErr error
	d.Billing, d.Stripe, billingErr = billingService(p, d)
	d.Statements = billstore.New(p.DB, trail)
	d.messagesErr = errors.Join(d.messagesErr, billingErr)
	return d
}

// MessagesReady reports a message provider that could not be set up from
// its settings; the services that send or receive messages refuse to
// start with it.
func (d *Domains) MessagesReady() error { return d.messagesErr }

package router_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/accessstore"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/clearinghouse/chstore"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/imports/importstore"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/router"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// newRouter builds a router over db with everything it needs; reg may be
// nil for a registry of the router's own.
func newRouter(tb testing.TB, db *sqldb.DB, reg prometheus.Registerer) *router.Router {
	tb.Helper()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	practices := practice.NewService(practicestore.New(db, auditstore.New(db)), nil, nil)
	desk := work.NewDesk(workstore.New(db, auditstore.New(db)), practices, nil)
	r, err := router.New(router.Deps{
		Practices: practices,
		Imports: imports.NewService(imports.Deps{DB: db, Store: importstore.New(db, auditstore.New(db)), Practices: practices, Records: records.NewService(recordstore.New(db)), Work: desk,
			Payers: payer.NewService(payerstore.New(db), desk), Log: quiet()}),
		Routing: routing.NewService(routingstore.New(db, auditstore.New(db), routingstore.Config{})),
		Clearinghouse: clearinghouse.New(clearinghouse.Deps{DB: db, Store: chstore.New(db), Work: payerstore.New(db),
			Trail: auditstore.New(db), Log: quiet()}),
		Registry: reg, Log: quiet(), Guard: &authz.Guard{Decider: access.NewDecider(accessstore.New(db), access.DeciderConfig{})},
		RedisOpt: asynq.RedisClientOpt{Addr: "127.0.0.1:1"}, // the queue monitor is not opened in these tests
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

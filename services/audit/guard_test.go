package audit_test

import (
	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/accessstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/services/internal/authz"
)

// guardFor is the route guard the services build, over db. Reading the
// audit trail needs no stored facts, so db may be nil there.
func guardFor(db *sqldb.DB, rec *recorder.Recorder) *authz.Guard {
	var store access.FactSource
	if db != nil {
		store = accessstore.New(db)
	}
	return &authz.Guard{Decider: access.NewDecider(store, access.DeciderConfig{}), Recorder: rec}
}

package audit_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/accessstore"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/grant/grantstore"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	auditapi "github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/stretchr/testify/require"
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

// newAPI builds the audit API over store for a test: the dependencies a
// test does not name are real ones that stay out of its way (a verifier
// of a key of its own, nobody's working hours, grants and people read
// from db).
func newAPI(t *testing.T, db *sqldb.DB, store *auditstore.Store, rec *recorder.Recorder, adjust func(*auditapi.Deps)) *auditapi.API {
	t.Helper()
	_, vkey, err := audit.GenerateKey("test-audit")
	require.NoError(t, err)
	verifier, err := audit.ParseVerifier(vkey)
	require.NoError(t, err)
	d := auditapi.Deps{Store: store, Recorder: rec, Verifier: verifier, Guard: guardFor(nil, rec), Hours: auditapi.UnknownHours,
		Grants: grantstore.New(db, store), People: identity.NewService(identitystore.New(db, store), identity.RoleMap{}, nil)}
	if adjust != nil {
		adjust(&d)
	}
	a, err := auditapi.New(d)
	require.NoError(t, err)
	return a
}

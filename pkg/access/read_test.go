package access_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

// A read's answer and its audit event come from the same decision: the
// event names exactly the fields the projection returned, the patient,
// and what allowed the read; a failed read names no fields.
func TestReadProjectsAndRecordsTheSameFields(t *testing.T) {
	t.Parallel()
	rec := access.Record{ID: "pt1", Patient: records.Patient{FirstName: "Ana", Phone: "+15125550123"},
		Claims: []records.Claim{{ExternalID: "C1", SubscriberID: "XQZ1"}}}
	who := audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "alice"}, RequestID: "req-1"}
	item := access.OwnedItem{ID: "w1", PatientID: "pt1", Kind: policy.ClaimFollowup}
	agentRead := access.Resource{PracticeID: "pA", PatientID: "pt1"}
	itemRead := access.Resource{PracticeID: "pA", PatientID: "pt1", WorkItemID: "w1"}
	comp := identity.Principal{UserID: "u-comp", Roles: []identity.Role{identity.Compliance}}
	bg := access.BreakGlassFact{ID: "bg1", PracticeID: "pA", PatientID: "pt1", UserID: "u-comp", ExpiresAt: t0.AddDate(0, 0, 1)}
	cases := []struct {
		name       string
		p          identity.Principal
		r          access.Resource
		f          access.Facts
		grantID    string
		workItemID string
		purpose    string
		breakGlass bool
	}{
		{"an agent on its item", agent, agentRead, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.ClaimFollowup)},
			Items: []access.OwnedItem{item}}, "g1", "w1", access.PurposePayment, false},
		{"break-glass on a named item", comp, itemRead, access.Facts{PracticeStatus: "active", BreakGlass: []access.BreakGlassFact{bg}},
			"", "w1", access.PurposeBreakGlass, true},
	}
	for _, c := range cases {
		d := access.Evaluate(t0, c.p, access.ReadPatient, c.r, c.f)
		require.True(t, d.Allow, c.name)
		read := access.Read{Decision: d, Resource: c.r}
		out := read.Project(rec)
		require.Equal(t, slices.Sorted(slices.Values(d.Fields)), slices.Sorted(maps.Keys(out)), c.name)

		ev := read.Event(who, nil)
		require.Equal(t, audit.Event{Actor: who.Actor, RequestID: "req-1", Action: audit.ActionRead, PracticeID: "pA",
			PatientIDs: []string{"pt1"}, Fields: d.Fields, WorkItemID: c.workItemID, GrantID: c.grantID, Purpose: c.purpose,
			Outcome: audit.OutcomeAllow, BreakGlass: c.breakGlass}, ev, c.name)

		failed := read.Event(who, apperr.NotFound("patient"))
		require.Equal(t, audit.OutcomeError, failed.Outcome, c.name)
		require.Equal(t, string(apperr.KindNotFound), failed.Reason, c.name)
		require.Empty(t, failed.Fields, "%s: a failed read returned nothing", c.name)
		require.Equal(t, c.workItemID, failed.WorkItemID, c.name)
	}
}

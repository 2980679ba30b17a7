package audit_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/stretchr/testify/require"
)

// storedBeforeChanges is the canonical body the code wrote before change
// events existed, for a fully populated read event. Its bytes (and so its
// leaf hash) must never change, or every stored event stops verifying.
const storedBeforeChanges = `{"id":"evt-1","time":"2026-03-04T11:06:07.123456Z","actor":{"issuer":"https://idp","subject":"agent-7","role":"agent","session_id":"","ip":"","user_agent":"Mozilla <x> & y"},"action":"read","practice_id":"prac-1","patient_ids":["pat-a","pat-b"],"fields":["dob","name"],"work_item_id":"wi-1","grant_id":"g-1","purpose":"payment","outcome":"allow","reason":"r","request_id":"req","trace_id":"tr","break_glass":true}`

func TestCanonicalOfOldEventsIsUnchanged(t *testing.T) {
	t.Parallel()
	e := event()
	e.WorkItemID, e.GrantID, e.Purpose, e.Reason, e.RequestID, e.TraceID, e.BreakGlass = "wi-1", "g-1", "payment", "r", "req", "tr", true
	got, err := audit.Canonical(e)
	require.NoError(t, err)
	require.Equal(t, storedBeforeChanges, string(got))

	back, err := audit.Parse([]byte(storedBeforeChanges))
	require.NoError(t, err)
	again, err := audit.Canonical(back)
	require.NoError(t, err)
	require.Equal(t, storedBeforeChanges, string(again), "an old body read back hashes as stored")
}

func TestChangeEventRoundTrips(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ev := audit.Change(audit.Event{Actor: audit.Actor{Issuer: "https://idp", Subject: "maria"}, RequestID: "req-9"},
		at, audit.ActionImportFinish, "prac-1", audit.TargetImport, "imp-1")
	ev.UserID = "u-pat"
	ev.Counts = map[string]int{"rows_rejected": 2, "rows_applied": 40}
	require.NotEmpty(t, ev.ID)
	require.Equal(t, audit.OutcomeAllow, ev.Outcome)
	body, err := audit.Canonical(ev)
	require.NoError(t, err)
	require.Contains(t, string(body), `"break_glass":false,"target_type":"import","target_id":"imp-1","user_id":"u-pat","counts":{"rows_applied":40,"rows_rejected":2}}`)

	back, err := audit.Parse(body)
	require.NoError(t, err)
	require.Equal(t, "imp-1", back.TargetID)
	require.Equal(t, 40, back.Counts["rows_applied"])
	again, err := audit.Canonical(back)
	require.NoError(t, err)
	require.Equal(t, string(body), string(again))
}

func TestChangeWithoutActorIsTheSystems(t *testing.T) {
	t.Parallel()
	ev := audit.Change(audit.Event{}, time.Now(), audit.ActionTeamCreate, "", audit.TargetTeam, "t-1")
	require.Equal(t, audit.SystemActor, ev.Actor)
	require.NoError(t, ev.Validate())
}

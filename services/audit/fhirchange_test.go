package audit

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/stretchr/testify/require"
)

func TestFHIRNamesWhatAChangeChanged(t *testing.T) {
	t.Parallel()
	ev := audit.Change(audit.Event{Actor: audit.Actor{Subject: "pat"}}, time.Now(), audit.ActionImportFinish, "pr-1", audit.TargetImport, "imp-1")
	ev.UserID, ev.Counts = "u-pat", map[string]int{"rows_rejected": 1, "rows_applied": 2}
	got := changeEntities(ev, nil)
	require.Len(t, got, 2)
	require.Equal(t, &identifier{System: "urn:backdesk:import", Value: "imp-1"}, got[0].What.Identifier)
	require.Equal(t, []fhirDetail{{Type: "rows_applied", ValueString: "2"}, {Type: "rows_rejected", ValueString: "1"}}, got[0].Detail)
	require.Equal(t, &identifier{System: systemUser, Value: "u-pat"}, got[1].What.Identifier)

	// A work item is already an entity of its own; a read changes nothing.
	item := audit.Change(audit.Event{Actor: audit.Actor{Subject: "alice"}}, time.Now(), audit.ActionWorkNote, "pr-1", audit.TargetWorkItem, "wi-1")
	item.WorkItemID = "wi-1"
	require.Empty(t, changeEntities(item, nil))
	require.Empty(t, changeEntities(audit.Event{Action: audit.ActionRead}, nil))
}

package audit

import (
	"encoding/base64"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/services/internal/api"
)

// eventResponseFrom is an event as the API shows it, with its seq, the
// cursor of the listings.
func eventResponseFrom(seq int64, e audit.Event) api.Event {
	return api.Event{
		Seq: seq, ID: e.ID, Time: e.Time.UTC(),
		Actor: api.Actor{
			Issuer: e.Actor.Issuer, Subject: e.Actor.Subject, Role: e.Actor.Role,
			SessionRef: e.Actor.SessionRef, IP: e.Actor.IP, UserAgent: e.Actor.UserAgent,
		},
		Action: string(e.Action), PracticeID: e.PracticeID,
		PatientIDs: api.OrEmpty(e.PatientIDs), Fields: api.OrEmpty(e.Fields),
		WorkItemID: e.WorkItemID, GrantID: e.GrantID, Purpose: e.Purpose,
		Outcome: string(e.Outcome), Reason: e.Reason, RequestID: e.RequestID, TraceID: e.TraceID,
		BreakGlass: e.BreakGlass,
		TargetType: e.TargetType, TargetID: e.TargetID, UserID: e.UserID, Counts: e.Counts,
	}
}

func checkpointResponseFrom(cp audit.Checkpoint) api.Checkpoint {
	return api.Checkpoint{Size: cp.Size, RootHash: base64.StdEncoding.EncodeToString(cp.Root), Note: string(cp.Note)}
}

func base64All(hashes [][]byte) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

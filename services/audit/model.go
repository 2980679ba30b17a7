package audit

import (
	"encoding/base64"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
)

type actorResponse struct {
	Issuer     string `json:"issuer"`
	Subject    string `json:"subject"`
	Role       string `json:"role"`
	SessionRef string `json:"session_ref"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
}

// eventResponse is an event as its canonical body holds it, plus its seq,
// the cursor of the listings.
type eventResponse struct {
	Seq        int64         `json:"seq"`
	ID         string        `json:"id"`
	Time       time.Time     `json:"time"`
	Actor      actorResponse `json:"actor"`
	Action     string        `json:"action"`
	PracticeID string        `json:"practice_id"`
	PatientIDs []string      `json:"patient_ids"`
	Fields     []string      `json:"fields"`
	WorkItemID string        `json:"work_item_id"`
	GrantID    string        `json:"grant_id"`
	Purpose    string        `json:"purpose"`
	Outcome    string        `json:"outcome"`
	Reason     string        `json:"reason"`
	RequestID  string        `json:"request_id"`
	TraceID    string        `json:"trace_id"`
	BreakGlass bool          `json:"break_glass"`
	// Set on change events only.
	TargetType string         `json:"target_type,omitempty"`
	TargetID   string         `json:"target_id,omitempty"`
	UserID     string         `json:"user_id,omitempty"`
	Counts     map[string]int `json:"counts,omitempty"`
}

func eventResponseFrom(seq int64, e audit.Event) eventResponse {
	return eventResponse{
		Seq: seq, ID: e.ID, Time: e.Time.UTC(),
		Actor: actorResponse{
			Issuer: e.Actor.Issuer, Subject: e.Actor.Subject, Role: e.Actor.Role,
			SessionRef: e.Actor.SessionRef, IP: e.Actor.IP, UserAgent: e.Actor.UserAgent,
		},
		Action: string(e.Action), PracticeID: e.PracticeID,
		PatientIDs: nonNil(e.PatientIDs), Fields: nonNil(e.Fields),
		WorkItemID: e.WorkItemID, GrantID: e.GrantID, Purpose: e.Purpose,
		Outcome: string(e.Outcome), Reason: e.Reason, RequestID: e.RequestID, TraceID: e.TraceID,
		BreakGlass: e.BreakGlass,
		TargetType: e.TargetType, TargetID: e.TargetID, UserID: e.UserID, Counts: e.Counts,
	}
}

type eventListResponse struct {
	Items     []eventResponse `json:"items"`
	NextAfter *int64          `json:"next_after,omitempty"`
}

type patientReportResponse struct {
	PatientID string          `json:"patient_id"`
	Items     []eventResponse `json:"items"`
	NextAfter *int64          `json:"next_after,omitempty"`
}

type checkpointResponse struct {
	Size     uint64 `json:"size"`
	RootHash string `json:"root_hash"`
	Note     string `json:"note"`
}

func checkpointResponseFrom(cp audit.Checkpoint) checkpointResponse {
	return checkpointResponse{Size: cp.Size, RootHash: base64.StdEncoding.EncodeToString(cp.Root), Note: string(cp.Note)}
}

// eventDetailResponse carries what an auditor needs to check one event
// without trusting Backdesk: the stored canonical body (its RFC 6962 leaf
// hash is SHA-256(0x00 ‖ canonical)), the leaf index and the audit path to
// the root of a signed checkpoint.
type eventDetailResponse struct {
	Event          eventResponse       `json:"event"`
	Canonical      string              `json:"canonical"`
	LeafIndex      *uint64             `json:"leaf_index"`
	InclusionProof []string            `json:"inclusion_proof"`
	Checkpoint     *checkpointResponse `json:"checkpoint"`
}

type consistencyResponse struct {
	From       uint64             `json:"from"`
	To         uint64             `json:"to"`
	Proof      []string           `json:"proof"`
	Checkpoint checkpointResponse `json:"checkpoint"`
}

func base64All(hashes [][]byte) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

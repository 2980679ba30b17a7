package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// canonicalEvent fixes the field names and their order in the stored JSON.
// Renaming or reordering a field changes every later leaf hash, so new
// fields are only ever appended, with omitempty so older events keep their
// bytes.
type canonicalEvent struct {
	ID         string         `json:"id"`
	Time       string         `json:"time"`
	Actor      canonicalActor `json:"actor"`
	Action     Action         `json:"action"`
	PracticeID string         `json:"practice_id"`
	PatientIDs []string       `json:"patient_ids"`
	Fields     []string       `json:"fields"`
	WorkItemID string         `json:"work_item_id"`
	GrantID    string         `json:"grant_id"`
	Purpose    string         `json:"purpose"`
	Outcome    Outcome        `json:"outcome"`
	Reason     string         `json:"reason"`
	RequestID  string         `json:"request_id"`
	TraceID    string         `json:"trace_id"`
	BreakGlass bool           `json:"break_glass"`
	// Appended for change events; absent from every event that does not
	// set them, so those hash as they always did.
	TargetType string         `json:"target_type,omitempty"`
	TargetID   string         `json:"target_id,omitempty"`
	UserID     string         `json:"user_id,omitempty"`
	Counts     map[string]int `json:"counts,omitempty"`
}

type canonicalActor struct {
	Issuer     string `json:"issuer"`
	Subject    string `json:"subject"`
	Role       string `json:"role"`
	SessionRef string `json:"session_id"` // the key predates references; old events keep it
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
}

// Canonical returns the one byte form of e that is stored and hashed: JSON
// with a fixed field order, the time in UTC RFC 3339 at microsecond
// precision (what PostgreSQL keeps, so the search column can be checked
// against the body), and
// the unordered lists sorted and never null (encoding/json writes the
// counts' keys sorted too). Two events that mean the same
// thing have the same bytes.
func Canonical(e Event) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	c := canonicalEvent{
		ID:   e.ID,
		Time: CanonicalTime(e.Time).Format(time.RFC3339Nano),
		Actor: canonicalActor{
			Issuer: e.Actor.Issuer, Subject: e.Actor.Subject, Role: e.Actor.Role,
			SessionRef: e.Actor.SessionRef, IP: e.Actor.IP, UserAgent: e.Actor.UserAgent,
		},
		Action: e.Action, PracticeID: e.PracticeID,
		PatientIDs: sorted(e.PatientIDs), Fields: sorted(e.Fields),
		WorkItemID: e.WorkItemID, GrantID: e.GrantID, Purpose: e.Purpose,
		Outcome: e.Outcome, Reason: e.Reason, RequestID: e.RequestID, TraceID: e.TraceID,
		BreakGlass: e.BreakGlass,
		TargetType: e.TargetType, TargetID: e.TargetID, UserID: e.UserID, Counts: e.Counts,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // user agents hold '<' and '&'; keep them readable
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode audit event: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// CanonicalTime is t as the canonical form keeps it: UTC, microseconds.
func CanonicalTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Parse reads an event back from its canonical form, for search results
// and exports, which are built from the body and nothing else.
func Parse(body []byte) (Event, error) {
	var c canonicalEvent
	if err := json.Unmarshal(body, &c); err != nil {
		return Event{}, fmt.Errorf("%w: body is not JSON: %v", ErrInvalid, err)
	}
	t, err := time.Parse(time.RFC3339Nano, c.Time)
	if err != nil {
		return Event{}, fmt.Errorf("%w: time: %v", ErrInvalid, err)
	}
	return Event{
		ID: c.ID, Time: t,
		Actor: Actor{
			Issuer: c.Actor.Issuer, Subject: c.Actor.Subject, Role: c.Actor.Role,
			SessionRef: c.Actor.SessionRef, IP: c.Actor.IP, UserAgent: c.Actor.UserAgent,
		},
		Action: c.Action, PracticeID: c.PracticeID, PatientIDs: c.PatientIDs, Fields: c.Fields,
		WorkItemID: c.WorkItemID, GrantID: c.GrantID, Purpose: c.Purpose,
		Outcome: c.Outcome, Reason: c.Reason, RequestID: c.RequestID, TraceID: c.TraceID,
		BreakGlass: c.BreakGlass,
		TargetType: c.TargetType, TargetID: c.TargetID, UserID: c.UserID, Counts: c.Counts,
	}, nil
}

// LeafHash is the RFC 6962 leaf hash, SHA-256(0x00 || canonical), so any
// RFC 6962 tool can check an event's inclusion without Backdesk's code.
func LeafHash(canonical []byte) [32]byte {
	return [32]byte(rfc6962.DefaultHasher.HashLeaf(canonical))
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return out
}

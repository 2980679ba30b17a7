package access

import (
	"time"

	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/services/internal/api"
)

var (
	errVersion = apperr.Invalid("version", "required", "send the version you last read")
	errState   = apperr.Invalid("state", "invalid_state", "must be pending, approved or denied")
)

func grantResponseFrom(g grant.Grant, now time.Time) api.Grant {
	return api.Grant{
		ID: g.ID, PracticeID: g.PracticeID, Grantee: api.Grantee{Type: string(g.GranteeType), ID: g.GranteeID},
		Kinds: g.Kinds, FieldGroups: g.FieldGroups, Purpose: g.Purpose, Reason: g.Reason, GrantedBy: g.GrantedBy,
		RequestID: g.RequestID, ValidFrom: g.ValidFrom, ValidUntil: g.ValidUntil, ReviewDueAt: g.ReviewDueAt,
		ReviewedAt: g.ReviewedAt, RevokedAt: g.RevokedAt, RevokedBy: g.RevokedBy, RevokeNote: g.RevokeNote,
		State: g.State(now), Version: g.Version,
	}
}

func requestResponseFrom(r grant.Request) api.AccessRequest {
	return api.AccessRequest{
		ID: r.ID, PracticeID: r.PracticeID, TeamID: r.TeamID, Kinds: r.Scope.Kinds, FieldGroups: r.Scope.FieldGroups,
		Days: r.Scope.Days, Reason: r.Scope.Reason, RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt,
		State: r.State, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, DecisionNote: r.DecisionNote, GrantID: r.GrantID,
	}
}

func breakGlassResponseFrom(b grant.BreakGlass, now time.Time) api.BreakGlass {
	return api.BreakGlass{
		ID: b.ID, PracticeID: b.PracticeID, PatientID: b.PatientID, UserID: b.UserID, Reason: b.Reason,
		OpenedAt: b.OpenedAt, ExpiresAt: b.ExpiresAt, Open: b.OpenAt(now), ReviewedAt: b.ReviewedAt,
		ReviewedBy: b.ReviewedBy, ReviewNote: b.ReviewNote, ReviewDisposition: b.ReviewDisposition,
	}
}

func scopeFrom(s api.Scope) grant.Scope {
	return grant.Scope{Kinds: s.Kinds, FieldGroups: s.FieldGroups, Days: s.Days, Reason: s.Reason}
}

package practice

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

// BAA is the business associate agreement a practice signed with the
// billing company: who signed, when, and the SHA-256 of the signed
// document, so the copy on file can be shown to be the one signed.
type BAA struct {
	SignerName     string
	SignerTitle    string
	SignedOn       records.Date
	DocumentSHA256 string // lower-case hex
	RecordedBy     string // user id
	RecordedAt     time.Time
}

// Transition is a lifecycle change asked for.
type Transition struct {
	To          Status
	From        []Status     // the statuses it may leave
	Reason      string       // required for suspend and offboard
	At          time.Time    //
	RetainUntil records.Date // set when offboarding
}

// RecordBAA validates and stores the practice's agreement.
func (s *Service) RecordBAA(ctx context.Context, id string, b BAA) (Practice, error) {
	b.SignerName = strings.TrimSpace(b.SignerName)
	b.SignerTitle = strings.TrimSpace(b.SignerTitle)
	b.DocumentSHA256 = strings.ToLower(strings.TrimSpace(b.DocumentSHA256))
	switch {
	case b.SignerName == "":
		return Practice{}, apperr.Invalid("signer_name", "required", "is required")
	case utf8.RuneCountInString(b.SignerName) > 200:
		return Practice{}, apperr.Invalid("signer_name", "too_long", "must be at most 200 characters")
	case utf8.RuneCountInString(b.SignerTitle) > 200:
		return Practice{}, apperr.Invalid("signer_title", "too_long", "must be at most 200 characters")
	case b.SignedOn.IsZero():
		return Practice{}, apperr.Invalid("signed_on", "required", "is required, as YYYY-MM-DD")
	case b.SignedOn.Time().After(s.now()):
		return Practice{}, apperr.Invalid("signed_on", "future", "cannot be in the future")
	case !isSHA256(b.DocumentSHA256):
		return Practice{}, apperr.Invalid("document_sha256", "invalid_sha256", "must be the document's SHA-256 as 64 hexadecimal characters")
	}
	b.RecordedAt = s.now().UTC().Truncate(time.Microsecond)
	// The event names the practice only: the signer is a person's name.
	if err := s.store.RecordBAA(ctx, id, b, s.event(b.RecordedAt, audit.ActionBAARecord, id)); err != nil {
		return Practice{}, err
	}
	s.changed(ctx, id)
	return s.store.Get(ctx, id)
}

func isSHA256(h string) bool {
	if len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// Activate puts a practice to work. It needs a recorded BAA and at least
// one practice admin, so nobody's data flows before the paperwork and an
// accountable person exist.
func (s *Service) Activate(ctx context.Context, id string) (Practice, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return Practice{}, err
	}
	if p.Status != Draft && p.Status != Suspended {
		return Practice{}, &apperr.Error{Kind: apperr.KindConflict, Code: "invalid_transition", Message: fmt.Sprintf("a %s practice cannot become active", p.Status)}
	}
	if p.BAA == nil {
		return Practice{}, &apperr.Error{Kind: apperr.KindConflict, Code: "baa_missing", Message: "record the signed business associate agreement before activating"}
	}
	n, err := s.store.AdminCount(ctx, id)
	if err != nil {
		return Practice{}, err
	}
	if n == 0 {
		return Practice{}, &apperr.Error{Kind: apperr.KindConflict, Code: "no_practice_admin", Message: "at least one practice admin must have accepted an invitation before activating"}
	}
	return s.transition(ctx, id, audit.ActionPracticeActivate, Transition{To: Active, From: []Status{Draft, Suspended}})
}

// Suspend stops routing and agents' access while keeping everything.
func (s *Service) Suspend(ctx context.Context, id, reason string) (Practice, error) {
	if err := needReason(reason); err != nil {
		return Practice{}, err
	}
	return s.transition(ctx, id, audit.ActionPracticeSuspend, Transition{To: Suspended, From: []Status{Active}, Reason: reason})
}

// Offboard ends the relationship: all access stops for good, and the data
// is kept until the retention date, then removed only by a deliberate
// retention job, never silently.
func (s *Service) Offboard(ctx context.Context, id, reason string) (Practice, error) {
	if err := needReason(reason); err != nil {
		return Practice{}, err
	}
	until := s.now().UTC().AddDate(0, 0, s.retentionDays)
	return s.transition(ctx, id, audit.ActionPracticeOffboard, Transition{
		To: Offboarded, From: []Status{Draft, Active, Suspended}, Reason: reason,
		RetainUntil: records.Date{Year: until.Year(), Month: until.Month(), Day: until.Day()},
	})
}

// transition applies t and records it as action. The reason given for a
// suspension or offboarding is the admin's free text: it is kept on the
// practice, never in the audit event.
func (s *Service) transition(ctx context.Context, id string, action audit.Action, t Transition) (Practice, error) {
	t.At = s.now().UTC().Truncate(time.Microsecond)
	if err := s.store.Transition(ctx, id, t, s.event(t.At, action, id)); err != nil {
		return Practice{}, err
	}
	s.changed(ctx, id)
	return s.store.Get(ctx, id)
}

func needReason(r string) error {
	r = strings.TrimSpace(r)
	if r == "" {
		return apperr.Invalid("reason", "required", "say why, for the practice's record")
	}
	if utf8.RuneCountInString(r) > 500 {
		return apperr.Invalid("reason", "too_long", "must be at most 500 characters")
	}
	return nil
}

// Update changes a practice's name and time zone, refusing a stale version.
func (s *Service) Update(ctx context.Context, id string, version int, in NewPractice) (Practice, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Practice{}, err
	}
	in.NPI = cur.NPI
	in.Name, in.Timezone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Timezone)
	if err := validate(in); err != nil {
		return Practice{}, err
	}
	at := s.now().UTC().Truncate(time.Microsecond)
	ev := s.event(at, audit.ActionPracticeUpdate, id)
	if in.Name != cur.Name {
		ev.Fields = append(ev.Fields, "name")
	}
	if in.Timezone != cur.Timezone {
		ev.Fields = append(ev.Fields, "timezone")
	}
	if in.RequireMFA == nil {
		in.RequireMFA = &cur.RequireMFA
	} else if *in.RequireMFA != cur.RequireMFA {
		ev.Fields = append(ev.Fields, "require_mfa")
	}
	if err := s.store.Update(ctx, id, version, in, at, ev); err != nil {
		return Practice{}, err
	}
	s.changed(ctx, id)
	return s.store.Get(ctx, id)
}

// List returns practices, oldest first, after the cursor; ids, when not
// nil, limits the list to those practices.
//
// Row-level security lets a transaction see one practice, or all of them.
// The whole list (ids nil) is platform administration, which spans
// practices by design; a list of ids (a practice admin's memberships) is
// read a practice at a time, each under its own scope.
func (s *Service) List(ctx context.Context, ids []string, after string, limit int) ([]Practice, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if ids == nil {
		return s.store.List(sqldb.AllPractices(ctx), nil, after, limit)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := []Practice{}
	for _, id := range ids {
		if len(out) == limit {
			break
		}
		if id <= after {
			continue
		}
		got, err := s.store.List(sqldb.WithPractice(ctx, id), []string{id}, after, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

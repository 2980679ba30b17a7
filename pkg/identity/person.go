package identity

import (
	"context"
	"slices"
	"strings"
	"time"
)

// People answers the one question every "nobody approves or reviews their
// own action" rule asks: are these two users the same person?
//
// A user is one sign-in identity, (issuer, subject). One person can hold
// several: two upstream providers behind a broker, a second account at the
// same provider. Backdesk treats two users as one person when they are the
// same user, or when the provider vouched (email_verified) for the same
// email address at each one's latest sign-in. Erring towards "same" only
// ever refuses more, which is the safe direction for these checks; it is
// never used to give anyone access.
type People interface {
	SamePerson(ctx context.Context, userA, userB string) (bool, error)
}

// User is what Backdesk remembers of an identity from its latest sign-in.
type User struct {
	ID            string
	Email         string
	EmailVerified bool
	// Roles are the platform roles the provider's groups gave at that
	// sign-in; memberships are not among them.
	Roles []Role
}

// SignIn is one sign-in as Resolve records it.
type SignIn struct {
	Identity Identity
	Roles    []Role // from the provider's groups
	At       time.Time
}

// Privileged reports whether roles include one that must never come with
// a practice role unconfirmed: platform admins run the platform and
// compliance officers review its use, and neither may read patient data
// except through break-glass (docs/access.md).
func Privileged(roles []Role) bool {
	return slices.Contains(roles, PlatformAdmin) || slices.Contains(roles, Compliance)
}

// EncodeRoles is how a user's roles are kept: role names separated by
// spaces, in Roles order.
func EncodeRoles(roles []Role) string {
	names := make([]string, 0, len(roles))
	for _, r := range Roles {
		if slices.Contains(roles, r) {
			names = append(names, string(r))
		}
	}
	return strings.Join(names, " ")
}

// DecodeRoles reads what EncodeRoles wrote; unknown names are dropped.
func DecodeRoles(s string) []Role {
	var out []Role
	for _, f := range strings.Fields(s) {
		if slices.Contains(Roles, Role(f)) {
			out = append(out, Role(f))
		}
	}
	return out
}

// NormalizeEmail is how an email address is compared: trimmed and lower
// case. Providers treat the local part case-insensitively in practice.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// SamePerson reports whether users a and b are one person (see People).
func (s *Service) SamePerson(ctx context.Context, a, b string) (bool, error) {
	return s.store.SamePerson(ctx, a, b)
}

// UserID finds the user who signs in as (issuer, subject); found is false
// for someone who never has.
func (s *Service) UserID(ctx context.Context, issuer, subject string) (string, bool, error) {
	return s.store.UserID(ctx, issuer, subject)
}

// SamePersonAs reports whether the user p and the identity (issuer,
// subject) are one person: the check for records that name people by their
// sign-in, as audit events do.
func (s *Service) SamePersonAs(ctx context.Context, p Principal, issuer, subject string) (bool, error) {
	if p.Issuer == issuer && p.Subject == subject {
		return true, nil
	}
	other, found, err := s.store.UserID(ctx, issuer, subject)
	if err != nil || !found {
		return false, err
	}
	return s.store.SamePerson(ctx, p.UserID, other)
}

// isInvitee reports whether p is, or is the same person as, someone the
// email belongs to: p's own address, or any user whose latest sign-in
// gave it.
func (s *Service) isInvitee(ctx context.Context, p Principal, email string) (bool, []User, error) {
	users, err := s.store.UsersByEmail(ctx, email)
	if err != nil {
		return false, nil, err
	}
	if p.Email != "" && NormalizeEmail(p.Email) == email {
		return true, users, nil
	}
	for _, u := range users {
		same := u.ID == p.UserID
		if !same && p.UserID != "" {
			if same, err = s.store.SamePerson(ctx, p.UserID, u.ID); err != nil {
				return false, nil, err
			}
		}
		if same {
			return true, users, nil
		}
	}
	return false, users, nil
}

// Package identity turns a verified OpenID Connect identity into a
// Backdesk principal: platform roles from the provider's groups through a
// configurable mapping, and practice memberships held in Backdesk's own
// database. People are keyed by (issuer, subject), never by email.
package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

// Role is a platform role.
type Role string

// The platform roles (docs/identity.md).
const (
	Agent          Role = "agent"
	BillingManager Role = "billing_manager"
	PracticeAdmin  Role = "practice_admin"
	Compliance     Role = "compliance"
	PlatformAdmin  Role = "platform_admin"
)

// Roles lists every role.
var Roles = []Role{Agent, BillingManager, PracticeAdmin, Compliance, PlatformAdmin}

// Identity is what a verified token says about a person.
type Identity struct {
	Issuer        string
	Subject       string
	Name          string
	Email         string
	EmailVerified bool
	Groups        []string
	// MFA says the provider vouched for a second factor (amr or acr).
	MFA bool
}

// Membership ties a user to a practice with a role there.
type Membership struct {
	PracticeID string
	Role       Role
}

// Principal is the person behind a request, as every authorization
// decision sees them.
type Principal struct {
	UserID      string
	Issuer      string
	Subject     string
	Name        string
	Email       string
	Roles       []Role
	Memberships []Membership
	// SessionRef names the browser session in audit events (never the
	// cookie itself); SessionRef and CSRF are empty for bearer tokens.
	SessionRef string
	CSRF       string
	// MFA says the identity provider vouched for a second factor when
	// this person signed in (its amr or acr claim).
	MFA bool
}

// Has reports whether p holds any of roles.
func (p Principal) Has(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// AdminOf reports whether p administers practiceID.
func (p Principal) AdminOf(practiceID string) bool {
	return slices.Contains(p.Memberships, Membership{PracticeID: practiceID, Role: PracticeAdmin})
}

// RoleMap maps provider groups to platform roles.
type RoleMap map[string][]Role

// ParseRoleMap reads "group=role,group=role". Unset, it maps each role's
// own name to itself, so providers that emit role names need no mapping.
func ParseRoleMap(s string) (RoleMap, error) {
	m := RoleMap{}
	if strings.TrimSpace(s) == "" {
		for _, r := range Roles {
			m[string(r)] = []Role{r}
		}
		return m, nil
	}
	for i, entry := range strings.Split(s, ",") {
		group, role, ok := strings.Cut(strings.TrimSpace(entry), "=")
		group, role = strings.TrimSpace(group), strings.TrimSpace(role)
		if !ok || group == "" || role == "" {
			return nil, fmt.Errorf("entry %d %q: want group=role", i+1, entry)
		}
		if !slices.Contains(Roles, Role(role)) {
			return nil, fmt.Errorf("entry %d: unknown role %q (roles: agent, billing_manager, practice_admin, compliance, platform_admin)", i+1, role)
		}
		m[group] = append(m[group], Role(role))
	}
	return m, nil
}

// RolesFor returns the roles groups grant, each once, in a stable order.
func (m RoleMap) RolesFor(groups []string) []Role {
	var out []Role
	for _, r := range Roles {
		for _, g := range groups {
			if slices.Contains(m[g], r) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Storer is the storage identity needs.
type Storer interface {
	// Resolve finds or records the user behind in.Identity, remembering
	// the roles of this sign-in, settles the invitations its verified
	// email matches (Settle decides each), and returns the user's id,
	// memberships and roles: in.Roles, plus platform_admin when a
	// bootstrap grant names the verified email.
	Resolve(ctx context.Context, in SignIn) (Resolved, error)
	// CreateInvitation stores inv with ev, its audit event, in one
	// transaction.
	CreateInvitation(ctx context.Context, inv Invitation, ev audit.Event) error
	// Invitation returns one invitation, in any practice.
	Invitation(ctx context.Context, id string) (Invitation, error)
	// ConfirmInvitation stores inv's confirmation with ev if inv is still
	// awaiting it.
	ConfirmInvitation(ctx context.Context, inv Invitation, ev audit.Event) error
	// RecordRefusal appends ev, the audit event of a refused attempt.
	RecordRefusal(ctx context.Context, ev audit.Event) error
	// UsersByEmail returns every user whose last sign-in gave email.
	UsersByEmail(ctx context.Context, email string) ([]User, error)
	// UserID finds the user signed in as (issuer, subject).
	UserID(ctx context.Context, issuer, subject string) (id string, found bool, err error)
	People
}

// Resolved is what the store knows of a person signing in.
type Resolved struct {
	UserID      string
	Memberships []Membership
	// Roles are the sign-in's roles, with platform_admin added when a
	// bootstrap grant (backdeskctl admin bootstrap) names the person's
	// verified email.
	Roles []Role
	// Settled says the sign-in settled an invitation, so the person's
	// memberships may have changed.
	Settled bool
}

// Service applies the identity rules.
type Service struct {
	store Storer
	roles RoleMap
	now   func() time.Time
	cache Cache
}

// Cache keeps resolved principals between requests and drops them on
// every replica when people or memberships change (factcache.Cache).
type Cache interface {
	Remember(ctx context.Context, key string, load func(ctx context.Context) (any, error)) (any, error)
	Invalidate(ctx context.Context, key string)
}

// SetCache makes s keep what each sign-in resolves to in c, under
// access.PrincipalsKey, so that a known person's request costs no
// database round trip; every change s makes to people or memberships
// invalidates it. Without one, every request resolves anew.
func (s *Service) SetCache(c Cache) { s.cache = c }

// principalsKey is access.PrincipalsKey, which identity cannot import.
const principalsKey = "principal:"

// changed drops every cached principal, here and on other replicas.
func (s *Service) changed(ctx context.Context) {
	if s.cache != nil {
		s.cache.Invalidate(ctx, principalsKey)
	}
}

// resolve is the store's Resolve behind the cache. The key holds every
// input of the resolution, so a sign-in whose name, email or groups
// changed misses and is written through.
func (s *Service) resolve(ctx context.Context, in SignIn) (Resolved, error) {
	if s.cache == nil {
		return s.store.Resolve(ctx, in)
	}
	h := sha256.New()
	for _, f := range []string{in.Identity.Issuer, in.Identity.Subject, in.Identity.Name, NormalizeEmail(in.Identity.Email),
		strconv.FormatBool(in.Identity.EmailVerified), EncodeRoles(in.Roles)} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	key := principalsKey + hex.EncodeToString(h.Sum(nil))
	settled := false
	v, err := s.cache.Remember(ctx, key, func(ctx context.Context) (any, error) {
		r, err := s.store.Resolve(ctx, in)
		settled = err == nil && r.Settled
		return r, err
	})
	if err != nil {
		return Resolved{}, err
	}
	if settled {
		// An invitation bound: other replicas may hold this person
		// without the membership.
		s.changed(ctx)
	}
	return v.(Resolved), nil
}

// NewService returns a Service.
func NewService(store Storer, roles RoleMap, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, roles: roles, now: now}
}

// Principal returns the principal for a verified identity.
func (s *Service) Principal(ctx context.Context, id Identity) (Principal, error) {
	if id.Issuer == "" || id.Subject == "" {
		return Principal{}, &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "invalid_token", Message: "token has no issuer or subject"}
	}
	roles := s.roles.RolesFor(id.Groups)
	r, err := s.resolve(ctx, SignIn{Identity: id, Roles: roles, At: s.now().UTC().Truncate(time.Microsecond)})
	if err != nil {
		return Principal{}, err
	}
	ms := r.Memberships
	p := Principal{
		UserID: r.UserID, Issuer: id.Issuer, Subject: id.Subject, Name: id.Name, Email: id.Email,
		Roles: r.Roles, Memberships: ms, MFA: id.MFA,
	}
	if len(ms) > 0 && !p.Has(PracticeAdmin) {
		p.Roles = append(p.Roles, PracticeAdmin)
	}
	return p, nil
}

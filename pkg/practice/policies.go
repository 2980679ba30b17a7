package practice

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
)

// ContactKind is the key contact rules are stored under beside the
// per-kind policies.
const ContactKind = "contact"

// StoredPolicy is a policy document as kept, with its version.
type StoredPolicy struct {
	Kind      string
	Body      []byte
	Version   int
	UpdatedBy string
	UpdatedAt time.Time
}

// PolicyStorer stores policy documents.
type PolicyStorer interface {
	Policies(ctx context.Context, practiceID string) ([]StoredPolicy, error)
	// PutPolicy writes p and ev if the stored version is p.Version-1 (0
	// when none is stored), or fails with a conflict.
	PutPolicy(ctx context.Context, practiceID string, p StoredPolicy, ev audit.Event) error
}

// Policies is a practice's complete rule set, defaults filled in.
type Policies struct {
	Kinds    map[policy.Kind]policy.Policy
	Contact  policy.ContactRules
	Versions map[string]int // 0 where the default applies
}

// Policies returns the practice's rules, with defaults for what it has
// not set, as stored now (never cached: the versions are what an edit
// must name).
func (s *Service) Policies(ctx context.Context, practiceID string) (Policies, error) {
	if _, err := s.Get(ctx, practiceID); err != nil {
		return Policies{}, err
	}
	return s.policies(ctx, practiceID)
}

// Rules returns the practice's rules and its time zone, in which patients
// are contacted: what the follow-up work needs of a practice. They come
// from the practice's profile, cached when s has a cache.
func (s *Service) Rules(ctx context.Context, practiceID string) (Policies, string, error) {
	p, err := s.Profile(ctx, practiceID)
	if err != nil {
		return Policies{}, "", err
	}
	return p.Policies, p.Practice.Timezone, nil
}

func (s *Service) policies(ctx context.Context, practiceID string) (Policies, error) {
	stored, err := s.store.Policies(ctx, practiceID)
	if err != nil {
		return Policies{}, err
	}
	out := Policies{Kinds: map[policy.Kind]policy.Policy{}, Contact: policy.DefaultContactRules(), Versions: map[string]int{}}
	for _, k := range policy.Kinds {
		out.Kinds[k] = policy.Default(k)
		out.Versions[string(k)] = 0
	}
	out.Versions[ContactKind] = 0
	for _, sp := range stored {
		out.Versions[sp.Kind] = sp.Version
		if sp.Kind == ContactKind {
			if err := json.Unmarshal(sp.Body, &out.Contact); err != nil {
				return Policies{}, err
			}
			continue
		}
		var p policy.Policy
		if err := json.Unmarshal(sp.Body, &p); err != nil {
			return Policies{}, err
		}
		out.Kinds[p.Kind] = p
	}
	return out, nil
}

// SetPolicy validates and stores one kind's policy. version is the version
// the caller read (0 for the default), so two admins editing at once cannot
// overwrite each other unknowingly.
func (s *Service) SetPolicy(ctx context.Context, practiceID, by string, version int, p policy.Policy) (int, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	return s.putPolicy(ctx, practiceID, string(p.Kind), by, version, p)
}

// SetContactRules validates and stores the practice's contact rules.
func (s *Service) SetContactRules(ctx context.Context, practiceID, by string, version int, c policy.ContactRules) (int, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	return s.putPolicy(ctx, practiceID, ContactKind, by, version, c)
}

func (s *Service) putPolicy(ctx context.Context, practiceID, kind, by string, version int, v any) (int, error) {
	if _, err := s.Get(ctx, practiceID); err != nil {
		return 0, err
	}
	if version < 0 {
		return 0, apperr.Invalid("version", "invalid_version", "must be the version you read, 0 for a default")
	}
	body, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	sp := StoredPolicy{Kind: kind, Body: body, Version: version + 1, UpdatedBy: by, UpdatedAt: s.now().UTC().Truncate(time.Microsecond)}
	// The event names the document (a kind of work, or contact) and its
	// new version; what the rules say is in the document itself.
	ev := audit.Change(s.by, sp.UpdatedAt, audit.ActionPolicySet, practiceID, audit.TargetPolicy, kind)
	ev.Counts = map[string]int{"version": sp.Version}
	if err := s.store.PutPolicy(ctx, practiceID, sp, ev); err != nil {
		return 0, err
	}
	s.changed(ctx, practiceID)
	return sp.Version, nil
}

// ValidPolicyKey reports whether key names a policy document.
func ValidPolicyKey(key string) bool {
	return key == ContactKind || slices.Contains(policy.Kinds, policy.Kind(key))
}

package grant

import (
	"fmt"
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Scope is what a grant or an access request asks for.
type Scope struct {
	Kinds       []policy.Kind
	FieldGroups []access.FieldGroup // empty means every group the kinds need
	Days        int                 // empty means the default
	Reason      string
}

// Normalize validates s against w and fills its defaults. The error names
// the field at fault.
func (s Scope) Normalize(w Windows) (Scope, error) {
	if len(s.Kinds) == 0 {
		return s, apperr.Invalid("kinds", "required", "name at least one kind of work: %s", kindNames())
	}
	seenK := map[policy.Kind]bool{}
	var kinds []policy.Kind
	for i, k := range s.Kinds {
		if !slices.Contains(policy.Kinds, k) {
			return s, apperr.Invalid(fmt.Sprintf("kinds[%d]", i), "unknown_kind", "%q is not a kind of work; use one of %s", k, kindNames())
		}
		if !seenK[k] {
			seenK[k] = true
			kinds = append(kinds, k)
		}
	}
	s.Kinds = kinds
	need := access.GroupsFor(kinds)
	if len(s.FieldGroups) == 0 {
		s.FieldGroups = need
	}
	var groups []access.FieldGroup
	for i, g := range s.FieldGroups {
		field := fmt.Sprintf("field_groups[%d]", i)
		if !slices.Contains(access.Groups, g) {
			return s, apperr.Invalid(field, "unknown_field_group", "%q is not a field group; use one of %s", g, groupNames(access.Groups))
		}
		if !slices.Contains(need, g) {
			return s, apperr.Invalid(field, "field_group_not_needed", "no kind in this grant needs %q (they need %s)", g, groupNames(need))
		}
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	if !slices.Contains(groups, access.GroupIdentity) {
		return s, apperr.Invalid("field_groups", "identity_required", "the identity group is required: nobody can work an account without knowing whose it is")
	}
	s.FieldGroups = groups
	switch {
	case s.Days == 0:
		s.Days = w.DefaultDays
	case s.Days < 1 || s.Days > w.MaxDays:
		return s, apperr.Invalid("days", "out_of_range", "must be between 1 and %d", w.MaxDays)
	}
	s.Reason = strings.TrimSpace(s.Reason)
	if len([]rune(s.Reason)) < MinReasonLen {
		return s, apperr.Invalid("reason", "too_short", "say why, in at least %d characters", MinReasonLen)
	}
	return s, nil
}

func kindNames() string {
	names := make([]string, len(policy.Kinds))
	for i, k := range policy.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func groupNames(gs []access.FieldGroup) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = string(g)
	}
	return strings.Join(names, ", ")
}

package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/identity"
)

// CodeMFARequired denies a PHI action to a person whose sign-in showed no
// second factor where the platform or the practice requires one.
const CodeMFARequired = "mfa_required"

// MFARule says whose PHI access needs a second factor. Break-glass needs
// one from anybody as soon as the rule names anyone.
type MFARule struct {
	All   bool
	Roles []identity.Role
}

// ParseMFARule reads BACKDESK_OIDC_REQUIRE_MFA: empty for no rule, "all",
// or role names separated by commas.
func ParseMFARule(s string) (MFARule, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return MFARule{}, nil
	}
	if strings.EqualFold(s, "all") {
		return MFARule{All: true}, nil
	}
	var r MFARule
	for _, part := range strings.Split(s, ",") {
		role := identity.Role(strings.TrimSpace(part))
		if !slices.Contains(identity.Roles, role) {
			return MFARule{}, fmt.Errorf("%q is not a role (all, or roles from: agent, billing_manager, practice_admin, compliance, platform_admin)", part)
		}
		if !slices.Contains(r.Roles, role) {
			r.Roles = append(r.Roles, role)
		}
	}
	return r, nil
}

// Set reports whether the rule requires a second factor of anyone.
func (m MFARule) Set() bool { return m.All || len(m.Roles) > 0 }

// covers reports whether the rule asks p for a second factor.
func (m MFARule) covers(p identity.Principal) bool {
	return m.All || p.Has(m.Roles...)
}

var errMFA = deny(CodeMFARequired, "this needs a sign-in with a second factor: sign out, then sign in again using your second factor (an authenticator app or security key)")

// needsMFA reports whether a PHI action by p must be refused for want of
// a second factor.
func needsMFA(p identity.Principal, f Facts, breakGlass bool) bool {
	if p.MFA {
		return false
	}
	if breakGlass {
		return f.MFA.Set() || f.PracticeRequiresMFA
	}
	return f.MFA.covers(p) || f.PracticeRequiresMFA
}

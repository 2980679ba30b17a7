package devissuer

import (
	"errors"
	"fmt"
	"slices"
)

// User is one demo person. The subject is deliberately not the email, so
// code that wrongly keys people by email shows up in development too.
type User struct {
	Subject  string   // stable opaque id, e.g. "dev-alice" (never the email)
	Username string   // "alice"
	Name     string   // "Alice Agent"
	Email    string   // "alice@backdesk.test"
	Groups   []string // IdP groups, e.g. "backdesk-agents"
}

// DemoRoleMap is the BACKDESK_OIDC_ROLE_MAP value that turns the demo
// groups into Backdesk roles, so the dev binary and tests configure role
// mapping the same way a real deployment does.
const DemoRoleMap = "backdesk-agents=agent," +
	"backdesk-billing-managers=billing_manager," +
	"backdesk-practice-admins=practice_admin," +
	"backdesk-compliance=compliance," +
	"backdesk-platform-admins=platform_admin"

// DemoUsers returns one person per platform role, and a second agent,
// compliance officer and platform admin, so that "someone else's work"
// and "a second person confirms" can be tried. It returns a fresh slice
// each time, so a caller may change it freely.
func DemoUsers() []User {
	return []User{
		demoUser("alice", "Alice Agent", "backdesk-agents"),
		demoUser("bob", "Bob Agent", "backdesk-agents"),
		demoUser("maria", "Maria Billing", "backdesk-billing-managers"),
		demoUser("pat", "Pat Practice", "backdesk-practice-admins"),
		demoUser("carol", "Carol Compliance", "backdesk-compliance"),
		demoUser("cleo", "Cleo Compliance", "backdesk-compliance"),
		demoUser("admin", "Ada Admin", "backdesk-platform-admins"),
		demoUser("otto", "Otto Operator", "backdesk-platform-admins"),
	}
}

func demoUser(username, name, group string) User {
	return User{
		Subject:  "dev-" + username,
		Username: username,
		Name:     name,
		Email:    username + "@backdesk.test",
		Groups:   []string{group},
	}
}

// directory is the fixed set of people the issuer knows, looked up by
// username on the login page and by subject when tokens are built. It is
// never changed after New, so it needs no lock.
type directory struct {
	ordered    []User
	byName     map[string]User
	bySubjects map[string]User
}

func newDirectory(users []User) (*directory, error) {
	if len(users) == 0 {
		return nil, errors.New("no users")
	}
	d := &directory{
		byName:     make(map[string]User, len(users)),
		bySubjects: make(map[string]User, len(users)),
	}
	for _, u := range users {
		if u.Username == "" || u.Subject == "" {
			return nil, fmt.Errorf("user %q: username and subject are required", u.Username)
		}
		if _, dup := d.byName[u.Username]; dup {
			return nil, fmt.Errorf("user %q: duplicate username", u.Username)
		}
		if _, dup := d.bySubjects[u.Subject]; dup {
			return nil, fmt.Errorf("user %q: duplicate subject %q", u.Username, u.Subject)
		}
		u.Groups = slices.Clone(u.Groups)
		d.ordered = append(d.ordered, u)
		d.byName[u.Username] = u
		d.bySubjects[u.Subject] = u
	}
	return d, nil
}

func (d *directory) byUsername(username string) (User, bool) {
	u, ok := d.byName[username]
	return u, ok
}

func (d *directory) bySubject(subject string) (User, bool) {
	u, ok := d.bySubjects[subject]
	return u, ok
}

// all returns the users in the order they were configured, which is the
// order the login page shows them in.
func (d *directory) all() []User {
	return d.ordered
}

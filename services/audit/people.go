package audit

import (
	"context"
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/services/internal/api"
)

// Directory names the people audit events name, by the identity records
// of their latest sign-ins, and finds them by name or e-mail address
// (auditstore.Store does).
type Directory interface {
	People(ctx context.Context, whos []auditstore.Who) (map[auditstore.Who]auditstore.Person, error)
	FindPeople(ctx context.Context, text string, limit int) ([]auditstore.Person, error)
}

// maxPeopleFound bounds how many people one name or e-mail search may
// resolve to; a broader text should be narrowed.
const maxPeopleFound = 100

// peopleField is the field name of the actors' names and addresses in
// the reads that return them.
const peopleField = "people"

// resolvePerson turns the person filter (a name or e-mail address, or
// part of one) into the identities it names. A text that finds nobody
// leaves an empty, non-nil list, which matches no event.
func (a *API) resolvePerson(ctx context.Context, f *filter) error {
	if f.person == "" {
		return nil
	}
	if len(f.person) < 2 || len(f.person) > 200 {
		return apperr.Invalid("person", "invalid_person", "give 2 to 200 characters of a name or e-mail address")
	}
	found, err := a.directory.FindPeople(ctx, f.person, maxPeopleFound+1)
	if err != nil {
		return err
	}
	if len(found) > maxPeopleFound {
		return apperr.Invalid("person", "too_many_people", "more than %d people match: give more of the name or the e-mail address", maxPeopleFound)
	}
	f.actors = make([]auditstore.Who, 0, len(found))
	for _, p := range found {
		f.actors = append(f.actors, p.Who)
	}
	return nil
}

// peopleOf names the actors of events, each once, in the order they first
// appear. An actor nobody signed in as is listed without a name.
func (a *API) peopleOf(ctx context.Context, events []api.Event) ([]api.Person, error) {
	var whos []auditstore.Who
	for _, e := range events {
		w := auditstore.Who{Issuer: e.Actor.Issuer, Subject: e.Actor.Subject}
		if w.Subject != "" && !slices.Contains(whos, w) {
			whos = append(whos, w)
		}
	}
	known, err := a.directory.People(ctx, whos)
	if err != nil {
		return nil, err
	}
	out := make([]api.Person, 0, len(whos))
	for _, w := range whos {
		p := known[w]
		out = append(out, api.Person{Issuer: w.Issuer, Subject: w.Subject, Name: p.Name, Email: p.Email})
	}
	return out, nil
}

// nameCache looks people up as a stream of events goes by, each once.
type nameCache struct {
	dir  Directory
	seen map[auditstore.Who]auditstore.Person
}

// person returns the person behind w, asking the directory the first time.
func (n *nameCache) person(ctx context.Context, w auditstore.Who) (auditstore.Person, error) {
	if p, ok := n.seen[w]; ok {
		return p, nil
	}
	found, err := n.dir.People(ctx, []auditstore.Who{w})
	if err != nil {
		return auditstore.Person{}, err
	}
	p, ok := found[w]
	if !ok {
		p = auditstore.Person{Who: w}
	}
	n.seen[w] = p
	return p, nil
}

// trimmed is a query value without surrounding space.
func trimmed(v string) string { return strings.TrimSpace(v) }

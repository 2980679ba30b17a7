package auditstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Who names a person as audit events do: the identity provider that
// signed them in and their subject there.
type Who struct {
	Issuer, Subject string
}

// Person is what the trail's readers are told about an actor: the name
// and e-mail address the provider gave at the latest sign-in. Name and
// Email are empty for an identity that never signed in (the platform's
// own actor, a refused sign-in).
type Person struct {
	Who
	Name, Email string
}

// peopleChunk bounds the subjects of one lookup, well under both
// databases' parameter limits.
const peopleChunk = 500

// People returns the people behind whos, as the identity records of their
// latest sign-ins have them. Identities nobody signed in as are absent
// from the answer. The users table is the identity domain's; the trail
// only reads the name and e-mail of the people its events name.
func (s *Store) People(ctx context.Context, whos []Who) (map[Who]Person, error) {
	want := make(map[Who]bool, len(whos))
	var subjects []string
	for _, w := range whos {
		if w.Subject == "" || want[w] {
			continue
		}
		want[w] = true
		subjects = append(subjects, w.Subject)
	}
	out := make(map[Who]Person, len(want))
	for start := 0; start < len(subjects); start += peopleChunk {
		chunk := subjects[start:min(start+peopleChunk, len(subjects))]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s
		}
		list, err := sqldb.List(ctx, s.db, scanPerson,
			`SELECT issuer, subject, name, email FROM users WHERE subject IN (`+sqldb.Numbered(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read people: %w", err)
		}
		for _, p := range list {
			if want[p.Who] {
				out[p.Who] = p
			}
		}
	}
	return out, nil
}

// FindPeople returns up to limit people whose name or e-mail address
// holds text, ignoring case, by name. An empty text finds nobody.
func (s *Store) FindPeople(ctx context.Context, text string, limit int) ([]Person, error) {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" || limit < 1 {
		return nil, nil
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	pattern := "%" + r.Replace(text) + "%"
	list, err := sqldb.List(ctx, s.db, scanPerson, `SELECT issuer, subject, name, email FROM users
WHERE lower(name) LIKE $1 ESCAPE '\' OR lower(email) LIKE $1 ESCAPE '\'
ORDER BY name, email, issuer, subject LIMIT $2`, pattern, limit)
	if err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	return list, nil
}

func scanPerson(r sqldb.Scanner) (Person, error) {
	var p Person
	err := r.Scan(&p.Issuer, &p.Subject, &p.Name, &p.Email)
	return p, err
}

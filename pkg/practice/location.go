package practice

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/google/uuid"
)

// Location is one of a practice's offices.
type Location struct {
	ID           string
	PracticeID   string
	Name         string
	AddressLine1 string
	AddressLine2 string
	City         string
	State        string
	PostalCode   string
	Phone        string
	CreatedAt    time.Time
}

// LocationStorer stores locations.
type LocationStorer interface {
	// AddLocation stores l and ev in one transaction.
	AddLocation(ctx context.Context, l Location, ev audit.Event) error
	Locations(ctx context.Context, practiceID string) ([]Location, error)
}

var (
	usState    = regexp.MustCompile(`^[A-Z]{2}$`)
	postalCode = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
)

// AddLocation validates and stores an office of practiceID.
func (s *Service) AddLocation(ctx context.Context, practiceID string, l Location) (Location, error) {
	if _, err := s.Get(ctx, practiceID); err != nil {
		return Location{}, err
	}
	trim := func(v *string) { *v = strings.TrimSpace(*v) }
	for _, v := range []*string{&l.Name, &l.AddressLine1, &l.AddressLine2, &l.City, &l.State, &l.PostalCode, &l.Phone} {
		trim(v)
	}
	l.State = strings.ToUpper(l.State)
	for _, f := range []struct{ name, v string }{{"name", l.Name}, {"address_line1", l.AddressLine1}, {"city", l.City}} {
		if f.v == "" {
			return Location{}, apperr.Invalid(f.name, "required", "is required")
		}
		if utf8.RuneCountInString(f.v) > 200 {
			return Location{}, apperr.Invalid(f.name, "too_long", "must be at most 200 characters")
		}
	}
	if !usState.MatchString(l.State) {
		return Location{}, apperr.Invalid("state", "invalid_state", "must be a two-letter state code such as TX")
	}
	if !postalCode.MatchString(l.PostalCode) {
		return Location{}, apperr.Invalid("postal_code", "invalid_postal_code", "must be a ZIP code such as 78701 or 78701-1234")
	}
	l.ID, l.PracticeID = uuid.Must(uuid.NewV7()).String(), practiceID
	l.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	ev := audit.Change(s.by, l.CreatedAt, audit.ActionLocationAdd, practiceID, audit.TargetLocation, l.ID)
	if err := s.store.AddLocation(ctx, l, ev); err != nil {
		return Location{}, err
	}
	s.changed(ctx, practiceID)
	return l, nil
}

// Locations lists a practice's offices.
func (s *Service) Locations(ctx context.Context, practiceID string) ([]Location, error) {
	if _, err := s.Get(ctx, practiceID); err != nil {
		return nil, err
	}
	return s.store.Locations(ctx, practiceID)
}

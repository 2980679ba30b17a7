package practice

import (
	"context"
)

// Profile is what follow-up work reads of a practice on every request:
// the practice, its rules with defaults filled in, and the phone patients
// call back on. It changes rarely, so it is cached (SetCache) and dropped
// on every replica when the practice, its rules or its offices change.
// Callers must not change its maps.
type Profile struct {
	Practice Practice
	Policies Policies
	Phone    string // E.164, the first office's that has one; empty when none has
}

// Cache keeps practices' profiles between requests and drops them on
// every replica when told (factcache.Cache).
type Cache interface {
	Remember(ctx context.Context, key string, load func(ctx context.Context) (any, error)) (any, error)
	Invalidate(ctx context.Context, key string)
}

// SetCache makes s keep each practice's profile in c, so that the rules,
// name and zone an agent's request needs cost no database round trip.
// Every change s makes to a practice, its rules or its offices drops the
// practice's entry here and on other replicas. Without a cache every
// Profile reads the database.
func (s *Service) SetCache(c Cache) { s.cache = c }

// CacheKey is the key a practice's profile is cached under. It starts
// with access.PracticeKey (which practice cannot import), so whatever
// invalidates a practice's access facts drops its profile too.
func CacheKey(practiceID string) string { return "practice:" + practiceID + ":profile" }

// changeKey is access.PracticeKey: what a change to the practice
// invalidates.
func changeKey(practiceID string) string { return "practice:" + practiceID + ":" }

// changed drops the practice's cached profile (and access facts), here
// and on other replicas.
func (s *Service) changed(ctx context.Context, practiceID string) {
	if s.cache != nil {
		s.cache.Invalidate(ctx, changeKey(practiceID))
	}
}

// Profile returns the practice's profile, from the cache when it has it.
func (s *Service) Profile(ctx context.Context, practiceID string) (Profile, error) {
	if s.cache == nil {
		return s.loadProfile(ctx, practiceID)
	}
	v, err := s.cache.Remember(ctx, CacheKey(practiceID), func(ctx context.Context) (any, error) {
		return s.loadProfile(ctx, practiceID)
	})
	if err != nil {
		return Profile{}, err
	}
	return v.(Profile), nil
}

func (s *Service) loadProfile(ctx context.Context, practiceID string) (Profile, error) {
	p, err := s.Get(ctx, practiceID)
	if err != nil {
		return Profile{}, err
	}
	pols, err := s.policies(ctx, practiceID)
	if err != nil {
		return Profile{}, err
	}
	locs, err := s.store.Locations(ctx, practiceID)
	if err != nil {
		return Profile{}, err
	}
	out := Profile{Practice: p, Policies: pols}
	for _, l := range locs {
		if l.Phone != "" {
			out.Phone = l.Phone
			break
		}
	}
	return out, nil
}

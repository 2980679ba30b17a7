package sqldb

import "context"

// PracticeSetting is the PostgreSQL run-time setting that row-level security
// reads to decide which practice's rows a transaction may see and write.
const PracticeSetting = "backdesk.practice_id"

// AnyPractice is the scope value of work that spans practices on purpose:
// the router, the outbox relay, sign-in, platform administration.
const AnyPractice = "*"

type scopeKey struct{}

// WithPractice scopes the transactions run under ctx to one practice: on
// PostgreSQL, row-level security hides every other practice's rows.
func WithPractice(ctx context.Context, practiceID string) context.Context {
	return context.WithValue(ctx, scopeKey{}, practiceID)
}

// AllPractices scopes the transactions run under ctx to every practice. Only
// system work that spans practices by design asks for it, so each use is a
// deliberate, reviewable choice.
func AllPractices(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, AnyPractice)
}

// PracticeScope returns the scope set on ctx, if any.
func PracticeScope(ctx context.Context) (string, bool) {
	s, ok := ctx.Value(scopeKey{}).(string)
	return s, ok
}

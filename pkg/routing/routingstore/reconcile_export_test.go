package routingstore

import (
	"context"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// What the tests of the reconciler's judging reach inside for.

// ChangedSince is what a pass after the first asks of what changed.
const ChangedSince = changedSince

// JudgesItems reports whether stmt, as a watch shows it, is the statement
// that judges owned items.
func JudgesItems(stmt string) bool {
	return strings.HasPrefix(strings.TrimPrefix(stmt, "(pipelined) "), "SELECT w.id FROM (\n"+ownedColumns)
}

type afterJudgingKey struct{}

// WithAfterJudging returns ctx carrying fn, which a pass run under it
// calls between judging and recording itself, when it found nothing.
func WithAfterJudging(ctx context.Context, fn func(ctx context.Context)) context.Context {
	return context.WithValue(ctx, afterJudgingKey{}, fn)
}

func init() {
	afterJudging = func(ctx context.Context) {
		if fn, ok := ctx.Value(afterJudgingKey{}).(func(context.Context)); ok {
			fn(ctx)
		}
	}
}

// JudgingStatement is the statement that judges the items in question
// when each list (owners, offline owners, practices, items) holds values.
func JudgingStatement(d sqldb.Dialect, values []string, offlineSince, now time.Time) (string, []any) {
	return lostStatement(d, inQuestion{owners: values, offline: values, practices: values, items: values}, offlineSince, now, 500)
}

package roster

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/routing"
)

// Hours returns the working hours of the agent signed in as (issuer,
// subject) and the time zone they are read in. ok is false when that
// person is not an agent or has no fixed hours.
func (s *Store) Hours(ctx context.Context, issuer, subject string) (sch routing.Schedule, loc *time.Location, ok bool, err error) {
	var hours, tz string
	err = s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT a.hours, a.timezone FROM agents a JOIN users u ON u.id = a.user_id
WHERE u.issuer = $1 AND u.subject = $2`, issuer, subject).Scan(&hours, &tz)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return routing.Schedule{}, nil, false, nil
	}
	if err != nil {
		return routing.Schedule{}, nil, false, sqldb.MapError(err)
	}
	sch, err = routing.ParseSchedule(hours)
	if err != nil || sch.IsZero() {
		return routing.Schedule{}, nil, false, nil // stored values were validated; none fixed means unknown
	}
	loc, lerr := time.LoadLocation(tz)
	if lerr != nil {
		loc = time.UTC
	}
	return sch, loc, true, nil
}

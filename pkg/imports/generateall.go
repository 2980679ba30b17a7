package imports

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
)

// TaskGenerate asks for one practice's work to be generated from its
// stored records; its payload is a GeneratePayload.
const TaskGenerate = "practice:generate"

// TaskGenerateDaily is the scheduler's daily task; it queues TaskGenerate
// for every active practice.
const TaskGenerateDaily = "work:generate-daily"

// GenerateArgs is the task that makes a practice's work from its records.
type GenerateArgs struct {
	PracticeID string `json:"practice_id"`
}

// Kind implements outbox.Args.
func (GenerateArgs) Kind() string { return TaskGenerate }

// Queue implements outbox.Args.
func (GenerateArgs) Queue() string { return queueSystem }

// Validate refuses a payload without a practice.
func (a GenerateArgs) Validate() error {
	if a.PracticeID == "" {
		return errors.New("no practice id")
	}
	return nil
}

// GenerateDailyArgs is the scheduler's daily task (no payload).
type GenerateDailyArgs struct{}

// Kind implements outbox.Args.
func (GenerateDailyArgs) Kind() string { return TaskGenerateDaily }

// Queue implements outbox.Args.
func (GenerateDailyArgs) Queue() string { return queueSystem }

// Generate makes work from every stored record of the practice under its
// current thresholds, as an import does for the records it changes: claims
// that have gone unpaid long enough, balances that have aged, recalls
// coming due, treatment left unscheduled, and coverage to verify before
// the visits of the next business days. Items that exist are left alone
// except for their priority, which follows the records. It is idempotent
// and returns how many items it created.
func (s *Service) Generate(ctx context.Context, practiceID string) (int, error) {
	ctx = sqldb.WithPractice(ctx, practiceID)
	p, pols, err := s.rules(ctx, practiceID)
	if err != nil {
		return 0, err
	}
	if p.Status != practice.Active {
		return 0, nil // no work is made for a practice that is not a client now
	}
	gen := newGenerator(p, pols)
	now := s.now().UTC().Truncate(time.Microsecond)
	created := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		created = 0
		err := s.records.All(ctx, tx, practiceID, func(batch []records.Changed) error {
			items, err := s.createItems(ctx, tx, practiceID, gen.items(batch, now), now)
			created += len(items)
			return err
		})
		if err != nil {
			return err
		}
		n, err := s.verifyVisits(ctx, tx, gen, now)
		created += n
		return err
	})
	if err != nil {
		return 0, err
	}
	if created > 0 {
		s.notify()
	}
	return created, nil
}

// rules reads the practice and its policies as they stand, in one
// read-only transaction: on PostgreSQL the begin and the scope travel with
// the first read, so the three reads (the practice, again for its
// policies, then the policies) cost five round trips (db.Counts) instead
// of twelve, which pays for reading the schedule.
func (s *Service) rules(ctx context.Context, practiceID string) (practice.Practice, practice.Policies, error) {
	ctx, end := s.db.ShareReads(ctx)
	defer end()
	p, err := s.practices.Get(ctx, practiceID)
	if err != nil {
		return practice.Practice{}, practice.Policies{}, err
	}
	pols, err := s.practices.Policies(ctx, practiceID)
	return p, pols, err
}

// QueueDailyGeneration queues TaskGenerate for every active practice,
// through the outbox in one transaction. It returns how many it queued.
func (s *Service) QueueDailyGeneration(ctx context.Context) (int, error) {
	ctx = sqldb.AllPractices(ctx) // system work over every practice
	var ids []string
	after := ""
	for {
		page, err := s.practices.List(ctx, nil, after, 200)
		if err != nil {
			return 0, err
		}
		for _, p := range page {
			if p.Status == practice.Active {
				ids = append(ids, p.ID)
			}
		}
		if len(page) < 200 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(ids) == 0 {
		return 0, nil
	}
	now := s.now().UTC()
	msgs := make([]outbox.Message, len(ids))
	for i, id := range ids {
		msgs[i], _ = outbox.New(GenerateArgs{PracticeID: id}, time.Time{}) // a string always encodes
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := outbox.AddBatch(ctx, tx, s.db.Dialect, now, msgs)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.notify()
	return len(ids), nil
}

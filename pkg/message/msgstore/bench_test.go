package msgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/msgstore"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
)

// cadenceSends is the size of one sweep in the benchmark.
const cadenceSends = 10_000

// BenchmarkCadenceSends is one practice's sweep of 10,000 due recall
// texts: planned under the contact rules, rendered, and written set-wise
// with their activities, messages, links, delivery tasks, timers and
// audit events. The baseline inserts the same number of bare outbox rows
// in one transaction, on the same database in the same run. One op is a
// whole sweep; each op has a practice of its own, seeded outside the
// timer.
func BenchmarkCadenceSends(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := testenv.NewDB(b, d)
			owner := testenv.OwnerDB(b, db)
			r := rules{contact: policy.DefaultContactRules()}
			r.contact.MaxContactsPerWeek = 7
			store := msgstore.New(db, auditstore.New(db))
			svc := message.New(message.Deps{DB: db, Store: store, Cadence: store, Profiles: r,
				Outcomes:  work.NewDesk(workstore.New(db, auditstore.New(db)), r, func() time.Time { return t0 }),
				PublicURL: "https://backdesk.example", Now: func() time.Time { return t0 }})
			ctx := context.Background()
			n := 0
			b.Run("sweep", func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					n++
					practice := fmt.Sprintf("pr-b%03d", n)
					seedRecalls(b, owner, practice, cadenceSends)
					b.StartTimer()
					rep, err := svc.SweepPractice(ctx, practice)
					if err != nil {
						b.Fatal(err)
					}
					if rep.Sent != cadenceSends {
						b.Fatalf("sent %d of %d (held %d)", rep.Sent, cadenceSends, rep.Held)
					}
				}
				b.ReportMetric(float64(b.N*cadenceSends)/b.Elapsed().Seconds(), "sends/s")
			})
			b.Run("baseline", func(b *testing.B) {
				for range b.N {
					ms := make([]outbox.Message, cadenceSends)
					for i := range ms {
						m, err := outbox.New(message.DeliverArgs{MessageID: fmt.Sprintf("m-%06d", i)}, time.Time{})
						if err != nil {
							b.Fatal(err)
						}
						ms[i] = m
					}
					err := db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
						_, err := outbox.AddBatch(ctx, tx, d, t0, ms)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*cadenceSends)/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}

// seedRecalls writes a practice with n recall items due for their first
// step, a text, for patients who agreed to texts, with multi-row inserts.
func seedRecalls(b *testing.B, db *sqldb.DB, practiceID string, n int) {
	b.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'Maple Dental', $1, 'America/Denver', 'active', $2, $2)`,
			practiceID, t0); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO message_settings (practice_id, automatic, updated_at) VALUES ($1, true, $2)`, practiceID, t0); err != nil {
			return err
		}
		for start := 0; start < n; start += 500 {
			var pats, recs, items []any
			for i := start; i < min(start+500, n); i++ {
				pt, rc, wi := fmt.Sprintf("%s-pt%05d", practiceID, i), fmt.Sprintf("%s-rc%05d", practiceID, i), fmt.Sprintf("%s-wi%05d", practiceID, i)
				pats = append(pats, pt, practiceID, pt, "Sam", "Lee", "1980-01-01", fmt.Sprintf("+1512%07d", i), true, t0, t0)
				recs = append(recs, rc, practiceID, pt, rc, "hygiene", "2026-04-01", t0, t0)
				items = append(items, wi, practiceID, pt, "recare", "recall", rc, "assigned", "agent-m", int64(1), t0, t0, t0)
			}
			for _, ins := range []struct {
				head string
				n    int
				rows []any
			}{
				{`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, phone, text_consent, created_at, updated_at) `, 10, pats},
				{`INSERT INTO recalls (id, practice_id, patient_id, external_id, recall_type, due_date, created_at, updated_at) `, 8, recs},
				{`INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, created_at, updated_at) `, 12, items},
			} {
				q, args, err := db.Dialect.InsertRows(ins.head, ins.n, ins.rows, "")
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

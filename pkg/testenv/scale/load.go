package scale

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/note"
)

// Step is one part of a load and what it took.
type Step struct {
	Name string
	Rows int64
	Took time.Duration
}

// Report is what a load did, step by step, and how long it took in all.
type Report struct {
	Steps []Step
	Took  time.Duration
}

// integrateBatch is how many audit events one integration transaction
// takes while loading: larger than the router's, to load faster; the log
// it builds is the same.
const integrateBatch = 20_000

// auditChunk is how many audit events one COPY writes.
const auditChunk = 100_000

// Load writes c into the freshly migrated, empty database behind owner,
// which must be the table owner's connection (testenv.OwnerDB). The
// practice data and work go in with COPY in one session while the audit
// trail goes in with COPY in another, each table's indexes built after
// its rows. The trail's own triggers run (they list each event's
// patients); the session then builds the Merkle log over the trail with
// auditstore's own integrator, checkpoints signed by signer, so the log
// verifies as a real one does. Last, every table is vacuumed and
// analyzed, as autovacuum would have done by the time such a company is
// in service.
func Load(ctx context.Context, owner *sqldb.DB, c *Company, signer note.Signer) (Report, error) {
	start := time.Now()
	var mu sync.Mutex
	var rep Report
	record := func(name string, rows int64, since time.Time) {
		mu.Lock()
		defer mu.Unlock()
		rep.Steps = append(rep.Steps, Step{Name: name, Rows: rows, Took: time.Since(since)})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() {
		errs[0] = withConn(ctx, owner, true, func(pc *pgx.Conn) error {
			var tables []table
			tables = append(tables, c.peopleTables()...)
			tables = append(tables, c.recordTables()...)
			tables = append(tables, c.payerTables()...)
			tables = append(tables, c.workTables()...)
			for _, t := range tables {
				since := time.Now()
				var n int64
				err := withoutIndexes(ctx, pc, t.name, func() (err error) {
					n, err = copyRows(ctx, pc, t.name, t.cols, ahead(t.rows, 4096))
					return err
				})
				if err != nil {
					return fmt.Errorf("load %s: %w", t.name, err)
				}
				record(t.name, n, since)
			}
			return nil
		})
	})
	wg.Go(func() { errs[1] = c.loadAudit(ctx, owner, signer, record) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}
	since := time.Now()
	// The work went in without its triggers: the board's kept counts
	// (migration 0023) are counted from it.
	if _, err := owner.ExecContext(ctx, `SELECT board_recount()`); err != nil {
		return rep, fmt.Errorf("count the board: %w", err)
	}
	record("board counts", 0, since)
	since = time.Now()
	if _, err := owner.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
		return rep, fmt.Errorf("vacuum: %w", err)
	}
	record("vacuum analyze", 0, since)
	rep.Took = time.Since(start)
	return rep, nil
}

// loadAudit copies the trail in and integrates it into the Merkle log.
func (c *Company) loadAudit(ctx context.Context, owner *sqldb.DB, signer note.Signer, record func(string, int64, time.Time)) error {
	since := time.Now()
	var genErr error
	err := withConn(ctx, owner, false, func(pc *pgx.Conn) error {
		var n int64
		// The events are a year's history in seq order: none was
		// recorded late (migration 0026), though all are older than the
		// clock.
		if _, err := pc.Exec(ctx, `SET backdesk.audit_history = on`); err != nil {
			return err
		}
		defer pc.Exec(context.WithoutCancel(ctx), `RESET backdesk.audit_history`) //nolint:errcheck // the connection is closed after
		// A COPY per chunk: the statement's triggers (the trail's patient
		// list) then see a chunk's rows at a time, not the whole trail.
		err := withoutIndexes(ctx, pc, "audit_events", func() error {
			for from := 0; from < c.Size.AuditEvents; from += auditChunk {
				rows := c.auditRows(from, min(from+auditChunk, c.Size.AuditEvents), func(err error) { genErr = err })
				m, err := copyRows(ctx, pc, "audit_events", auditColumns, ahead(rows, 4096))
				if err != nil {
					return err
				}
				if genErr != nil {
					return genErr
				}
				n += m
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("load audit_events: %w", err)
		}
		record("audit_events", n, since)
		// seq was given, not drawn: the next event takes the next number.
		_, err = pc.Exec(ctx, `SELECT setval(pg_get_serial_sequence('audit_events', 'seq'), (SELECT max(seq) FROM audit_events))`)
		return err
	})
	if err != nil {
		return err
	}
	since = time.Now()
	store := auditstore.New(owner)
	store.BatchSize = integrateBatch
	cp, err := store.Integrate(ctx, signer)
	if err != nil {
		return fmt.Errorf("integrate audit events: %w", err)
	}
	record("audit merkle log", int64(cp.Size), since)
	return nil
}

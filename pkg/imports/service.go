package imports

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/google/uuid"
)

// Service runs imports.
type Service struct {
	db        *sqldb.DB
	store     Storer
	practices *practice.Service
	work      Work
	payers    *payer.Service
	records   *records.Service
	progress  Progress
	log       *slog.Logger
	now       func() time.Time
	notify    func()
	hold      Holder
	by        audit.Event // who uploads; empty for the platform itself
}

// Work is what imports need of the work domain: making follow-ups from
// the records an import changed, and knowing whose coverage was verified
// lately, inside the import's transaction (work.Desk has it).
type Work interface {
	CreateOpen(ctx context.Context, tx *sql.Tx, items []work.Item, now time.Time) ([]work.Item, error)
	RecentItems(ctx context.Context, tx *sql.Tx, kind policy.Kind, patientIDs []string, resolvedSince time.Time) ([]work.Recent, error)
	CloseGoneChecks(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time) (int, error)
}

// Deps are what an import service needs. Notify is called after commits
// that queued tasks (the relay's Notify); Now defaults to the clock.
type Deps struct {
	DB        *sqldb.DB
	Store     Storer
	Practices *practice.Service
	Records   *records.Service
	Work      Work
	Payers    *payer.Service
	Progress  Progress
	Log       *slog.Logger
	Now       func() time.Time
	Notify    func()
	// Hold keeps new eligibility checks for a clearinghouse, when the
	// practice asks one (clearinghouse.Service.Hold); nil gives them all
	// to agents.
	Hold Holder
}

// Holder keeps new eligibility checks away from agents while a
// clearinghouse is asked about them.
type Holder interface {
	Hold(ctx context.Context, tx *sql.Tx, practiceID string, itemIDs []string, now time.Time) error
}

// NewService returns an import service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Notify == nil {
		d.Notify = func() {}
	}
	return &Service{db: d.DB, store: d.Store, practices: d.Practices, records: d.Records, work: d.Work, payers: d.Payers,
		progress: d.Progress, log: d.Log, now: d.Now, notify: d.Notify, hold: d.Hold}
}

// As returns a Service whose uploads are recorded as ev's actor's, with
// its request and trace ids (the HTTP layer passes auditmw.By). Without
// it, uploads are recorded as the platform's own (demo seeding).
func (s *Service) As(ev audit.Event) *Service {
	c := *s
	c.by = ev
	return &c
}

// Submit validates an upload and queues it, recording who uploaded what
// kind of file in the same transaction.
func (s *Service) Submit(ctx context.Context, u Upload) (Import, error) {
	p, err := s.practices.Get(ctx, u.PracticeID)
	if err != nil {
		return Import{}, err
	}
	if p.Status == practice.Offboarded {
		return Import{}, &apperr.Error{Kind: apperr.KindConflict, Code: "offboarded", Message: "the practice is offboarded; no data may be imported"}
	}
	head := make([]byte, headBytes)
	n, err := io.ReadFull(u.Content, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Import{}, apperr.Invalid("file", "unreadable", "the uploaded file cannot be read")
	}
	head = head[:n]
	imp, err := u.validate(head)
	if err != nil {
		return Import{}, err
	}
	imp.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	ev := audit.Change(s.by, imp.CreatedAt, audit.ActionImportSubmit, imp.PracticeID, audit.TargetImport, imp.ID)
	ev.Reason = reason(imp)
	imp.SizeBytes, imp.SHA256, err = s.store.Create(ctx, imp, io.MultiReader(bytes.NewReader(head), u.Content), newTask(imp.ID), ev)
	if err != nil {
		return Import{}, err
	}
	s.notify()
	return imp, nil
}

// PracticeOf returns the practice an import belongs to. An import id does
// not name its practice, so this one lookup reads across practices; the
// caller then checks that the practice is one it may act for and works
// under sqldb.WithPractice, in which Get and AllErrors find the import.
func (s *Service) PracticeOf(ctx context.Context, id string) (string, error) {
	if _, err := uuid.Parse(id); err != nil {
		return "", apperr.NotFound("import")
	}
	return s.store.PracticeOf(sqldb.AllPractices(ctx), id)
}

// Get returns an import with its report, and its progress while it runs.
func (s *Service) Get(ctx context.Context, id string) (Import, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Import{}, apperr.NotFound("import")
	}
	imp, err := s.store.Get(ctx, id)
	if err != nil {
		return Import{}, err
	}
	switch imp.State {
	case Succeeded, Failed:
		imp.Progress = 100
	case Running:
		if pct, ok := s.progress.Get(ctx, id); ok {
			imp.Progress = pct
		}
	}
	return imp, nil
}

// List returns the practice's latest imports, newest first, with the
// progress of those still running.
func (s *Service) List(ctx context.Context, practiceID string, limit int) ([]Import, error) {
	out, err := s.store.List(ctx, practiceID, limit)
	if err != nil {
		return nil, err
	}
	for i := range out {
		switch out[i].State {
		case Succeeded, Failed:
			out[i].Progress = 100
		case Running:
			if p, ok := s.progress.Get(ctx, out[i].ID); ok {
				out[i].Progress = p
			}
		}
	}
	return out, nil
}

// AllErrors streams an import's stored row errors.
func (s *Service) AllErrors(ctx context.Context, id string, fn func(recordcsv.RowError) error) error {
	return s.store.AllErrors(ctx, id, fn)
}

// Run parses and applies a queued import. Run twice, it acts once. The
// task names only the import; everything after finding its practice runs
// within that practice's scope.
func (s *Service) Run(ctx context.Context, id string) error {
	practiceID, err := s.PracticeOf(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // nothing to run
	}
	if err != nil {
		return err
	}
	ctx = sqldb.WithPractice(ctx, practiceID)
	start := s.now().UTC().Truncate(time.Microsecond) // the run's token, as stored
	imp, ok, err := s.store.Start(ctx, id, start)
	if err != nil || !ok {
		return err
	}
	p, err := s.practices.Get(ctx, imp.PracticeID)
	if err != nil {
		return err
	}
	pols, err := s.practices.Policies(ctx, imp.PracticeID)
	if err != nil {
		return err
	}
	r := &run{s: s, imp: imp, size: imp.SizeBytes, gen: newGenerator(p, pols)}
	if IsX12(imp.Kind) {
		err = s.runX12(ctx, imp, p, pols)
	} else if imp.DryRun {
		err = r.dry(ctx)
	} else {
		// The transaction helper may run apply again after a deadlock;
		// apply reopens the file each time, so a retry sees every row.
		err = s.db.Tx(ctx, func(tx *sql.Tx) error { return r.apply(ctx, tx) })
	}
	if err != nil {
		return s.fail(ctx, imp, err)
	}
	s.notify()
	if IsX12(imp.Kind) {
		s.log.InfoContext(ctx, "import finished", "import_id", imp.ID, "kind", string(imp.Kind), "dry_run", imp.DryRun)
		return nil
	}
	s.log.InfoContext(ctx, "import finished", "import_id", imp.ID, "kind", string(imp.Kind), "dry_run", imp.DryRun,
		"rows_read", r.imp.RowsRead, "rows_applied", r.imp.RowsApplied, "rows_rejected", r.imp.RowsRejected, "items_created", r.imp.ItemsCreated)
	return nil
}

// fail records why an import applied nothing. File problems are the
// uploader's to fix; anything else is logged and reported generically.
func (s *Service) fail(ctx context.Context, imp Import, cause error) error {
	code, msg := "apply_failed", "the import could not be applied; nothing was changed. Try again, or contact support with the import id"
	var fe *recordcsv.FileError
	var se *x12.SyntaxError
	if errors.As(cause, &fe) {
		code, msg = fe.Code, fe.Message
	} else if errors.As(cause, &se) {
		code, msg = "x12_syntax", se.Error()
	} else {
		s.log.ErrorContext(ctx, "import failed", "import_id", imp.ID, "error", cause.Error())
	}
	if errors.Is(cause, ErrSuperseded) {
		s.log.WarnContext(ctx, "import run superseded by a later run", "import_id", imp.ID)
		return nil
	}
	return s.store.Fail(context.WithoutCancel(ctx), imp, code, msg, s.now().UTC())
}

// run is one import in progress.
type run struct {
	s       *Service
	imp     Import
	rd      *recordcsv.Reader
	size    int64
	gen     *generator
	extra   []recordcsv.RowError // rejections found while applying
	lastPct int
}

func (r *run) report(ctx context.Context) {
	if r.size == 0 {
		return
	}
	pct := int(r.rd.BytesRead() * 100 / r.size)
	if pct >= 100 {
		pct = 99 // 100 means finished, committed
	}
	if pct >= r.lastPct+2 {
		r.lastPct = pct
		r.s.progress.Set(ctx, r.imp.ID, pct)
	}
}

// open starts reading the stored file from its first byte.
func (r *run) open(ctx context.Context) error {
	rd, err := recordcsv.NewReader(r.s.store.Open(ctx, r.imp.ID), recordcsv.Options{
		Kind: r.imp.Kind, Preset: r.imp.Preset, Mapping: r.imp.Mapping, MaxRowErrors: MaxStoredErrors, Location: r.gen.loc,
	})
	if err != nil {
		return err
	}
	r.rd, r.lastPct = rd, 0
	return nil
}

func (r *run) dry(ctx context.Context) error {
	if err := r.open(ctx); err != nil {
		return err
	}
	for {
		_, err := r.rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		r.report(ctx)
	}
	return r.finish(ctx, nil)
}

func (r *run) apply(ctx context.Context, tx *sql.Tx) error {
	if err := r.open(ctx); err != nil {
		return err
	}
	r.extra, r.imp.RowsApplied, r.imp.ItemsCreated = nil, 0, 0
	now := r.s.now().UTC().Truncate(time.Microsecond)
	batch := make([]recordcsv.Row, 0, records.BatchSize)
	flush := func() error {
		res, err := r.s.records.Upsert(ctx, tx, r.imp.PracticeID, now, batch)
		if err != nil {
			return err
		}
		r.imp.RowsApplied += res.Applied
		r.extra = append(r.extra, res.Rejected...)
		items := r.gen.items(res.Changed, now)
		created, err := r.s.createItems(ctx, tx, r.imp.PracticeID, items, now)
		if err != nil {
			return err
		}
		r.imp.ItemsCreated += len(created)
		batch = batch[:0]
		return nil
	}
	for {
		row, err := r.rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		batch = append(batch, row)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
			r.report(ctx)
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	if r.imp.Kind == records.Appointments {
		// Checks are made from the whole schedule, not from the rows
		// that changed: a patient's earliest visit decides, whichever
		// file brought it.
		n, err := r.s.verifyVisits(ctx, tx, r.gen, now)
		if err != nil {
			return err
		}
		r.imp.ItemsCreated += n
	}
	return r.finish(ctx, tx)
}

// finish writes the report; with tx, in the same transaction as the data.
func (r *run) finish(ctx context.Context, tx *sql.Tx) error {
	errs := append(r.rd.Errors(), r.extra...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	if len(errs) > MaxStoredErrors {
		errs = errs[:MaxStoredErrors]
	}
	r.imp.RowsRead = r.rd.Read()
	r.imp.RowsRejected = r.rd.Rejected() + len(r.extra)
	if r.imp.DryRun {
		r.imp.RowsApplied = 0
	}
	r.imp.Errors = errs
	done := r.s.now().UTC()
	r.imp.FinishedAt = &done
	r.imp.State = Succeeded
	return r.s.store.Finish(ctx, tx, r.imp, finishEvent(r.imp, done))
}

package clearinghouse

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Followups is what the exchange does to work items, a practice's at a
// time and set-wise, inside its own transaction; payerstore.Store is one.
type Followups interface {
	ChangeFollowups(ctx context.Context, tx *sql.Tx, practiceID string, ch payer.FollowupChanges, now time.Time) error
}

// Transport hands a batch to a clearinghouse; sftpbox.Box is one.
type Transport interface {
	Put(ctx context.Context, name string, body []byte) error
	Close() error
}

// Dialer opens the transport of a connection in ModeSFTP.
type Dialer func(ctx context.Context, c Connection) (Transport, error)

// Service asks clearinghouses and applies their answers.
type Service struct {
	db        *sqldb.DB
	store     Store
	work      Followups
	trail     audit.Appender
	dial      Dialer
	retention time.Duration
	settle    time.Duration
	by        audit.Event // who acts; empty for the platform itself
	now       func() time.Time
	log       *slog.Logger
}

// Deps is what a Service needs.
type Deps struct {
	DB    *sqldb.DB
	Store Store
	Work  Followups
	Trail audit.Appender
	// Dial opens SFTP connections; nil leaves SFTP batches unsent (built)
	// for an operator to download.
	Dial Dialer
	// RetentionDays is how long files are kept: the audit trail's.
	RetentionDays int
	// Settle is how long an inbound file must stay unchanged before a
	// poller takes it; zero is sftpbox's default.
	Settle time.Duration
	Now    func() time.Time
	Log    *slog.Logger
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.RetentionDays <= 0 {
		d.RetentionDays = 2192
	}
	return &Service{db: d.DB, store: d.Store, work: d.Work, trail: d.Trail, dial: d.Dial,
		retention: time.Duration(d.RetentionDays) * 24 * time.Hour, settle: d.Settle, now: d.Now, log: d.Log}
}

// Store returns the service's store, for the HTTP layer's reads.
func (s *Service) Store() Store { return s.store }

// clock returns now in UTC, to the microsecond the databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// platform is the scope of the exchange's transactions: a connection
// serves several practices, and an inbound file belongs to none until read.
func platform(ctx context.Context) context.Context { return sqldb.AllPractices(ctx) }

// As returns a Service whose changes and receipts are recorded as ev's
// actor's, with its request and trace ids (the HTTP layer passes
// auditmw.By). Without it, they are the platform's own.
func (s *Service) As(ev audit.Event) *Service {
	c := *s
	c.by = ev
	return &c
}

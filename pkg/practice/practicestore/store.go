// Package practicestore keeps practices in PostgreSQL or SQLite. It is the
// only place practice SQL lives. Every change is written in one
// transaction with its audit event.
package practicestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
)

// Store implements practice.Storer.
type Store struct {
	db    *sqldb.DB
	audit audit.Appender
}

var _ practice.Storer = (*Store)(nil)

// New returns a Store over db that appends each change's audit event
// through a, in the change's own transaction.
func New(db *sqldb.DB, a audit.Appender) *Store { return &Store{db: db, audit: a} }

// within runs fn in a transaction under ctx's practice scope and appends
// ev there, so the change and its record commit together or not at all.
func (s *Store) within(ctx context.Context, ev audit.Event, fn func(tx *sql.Tx) error) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, []audit.Event{ev})
	})
}

const (
	insertPractice = `INSERT INTO practices (id, name, npi, timezone, status, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	practiceColumns = `SELECT id, name, npi, timezone, status, version, created_at, updated_at, provisioned_at,
baa_signer_name, baa_signer_title, baa_signed_on, baa_document_sha256, baa_recorded_by, baa_recorded_at,
status_reason, status_changed_at, retain_until, require_mfa FROM practices`
	selectPractice  = practiceColumns + ` WHERE id = $1`
	selectByNPI     = practiceColumns + ` WHERE npi = $1`
	markProvisioned = `UPDATE practices SET provisioned_at = $2, updated_at = $2, version = version + 1
WHERE id = $1 AND provisioned_at IS NULL`
)

// Create stores p, task and ev atomically.
func (s *Store) Create(ctx context.Context, p practice.Practice, task outbox.Message, ev audit.Event) error {
	return s.within(ctx, ev, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, insertPractice, p.ID, p.Name, p.NPI, p.Timezone, string(p.Status), p.Version, p.CreatedAt, p.UpdatedAt)
		if err != nil {
			err = sqldb.MapError(err)
			if errors.Is(err, apperr.ErrConflict) {
				return &apperr.Error{Kind: apperr.KindConflict, Code: "duplicate_npi", Field: "npi", Message: "a practice with this NPI already exists", Err: err}
			}
			return fmt.Errorf("insert practice: %w", err)
		}
		if _, err := outbox.Add(ctx, tx, p.CreatedAt, task); err != nil {
			return err
		}
		return nil
	})
}

// Get loads one practice.
func (s *Store) Get(ctx context.Context, id string) (practice.Practice, error) {
	return s.one(ctx, selectPractice, id)
}

// GetByNPI loads the practice with npi.
func (s *Store) GetByNPI(ctx context.Context, npi string) (practice.Practice, error) {
	return s.one(ctx, selectByNPI, npi)
}

func (s *Store) one(ctx context.Context, query, arg string) (practice.Practice, error) {
	var p practice.Practice
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		p, err = scanPractice(q.QueryRowContext(ctx, query, arg))
		return err
	})
	if err != nil {
		err = sqldb.MapError(err)
		if errors.Is(err, apperr.ErrNotFound) {
			return practice.Practice{}, apperr.NotFound("practice")
		}
		return practice.Practice{}, fmt.Errorf("select practice: %w", err)
	}
	return p, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanPractice(row scanner) (practice.Practice, error) {
	var p practice.Practice
	var status string
	var prov, baaAt, changed sql.NullTime
	var signer, title, signedOn, sha, by, reason, retain sql.NullString
	err := row.Scan(&p.ID, &p.Name, &p.NPI, &p.Timezone, &status, &p.Version, &p.CreatedAt, &p.UpdatedAt, &prov,
		&signer, &title, &signedOn, &sha, &by, &baaAt, &reason, &changed, &retain, &p.RequireMFA)
	if err != nil {
		return practice.Practice{}, err
	}
	p.Status = practice.Status(status)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.ProvisionedAt = utcPtr(prov)
	p.StatusChanged = utcPtr(changed)
	p.StatusReason = reason.String
	p.RetainUntil = records.ParseDate(retain.String)
	if signer.Valid {
		p.BAA = &practice.BAA{
			SignerName: signer.String, SignerTitle: title.String, SignedOn: records.ParseDate(signedOn.String),
			DocumentSHA256: sha.String, RecordedBy: by.String, RecordedAt: baaAt.Time.UTC(),
		}
	}
	return p, nil
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// MarkProvisioned stamps the practice as provisioned, once per task id.
func (s *Store) MarkProvisioned(ctx context.Context, taskID, id string, at time.Time) error {
	err := outbox.Once(ctx, s.db, taskID, practice.ProvisionArgs{}.Kind(), at, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, markProvisioned, id, at.UTC())
		return err
	})
	if errors.Is(err, outbox.ErrAlreadyDone) {
		return nil
	}
	return err
}

package records

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Full is everything stored about one patient. Only access.Project may
// turn it into an answer, which keeps each reader to its field set.
type Full struct {
	Patient    Patient
	Balance    *Balance
	Claims     []Claim
	Recalls    []Recall
	Treatments []TreatmentPlan
	// Benefits is what the patient's plan covered when a payer last
	// answered an eligibility question; nil when none did.
	Benefits *Benefits
}

// Benefits is a payer's latest answer about a patient's plan, as people
// read it: the plan's payer, whether coverage is active, and lines in
// words ("Annual maximum $1,500, $1,150 left, resets 2027-01-01").
type Benefits struct {
	PayerName  string
	Coverage   string // active, inactive or unknown
	Lines      []string
	AnsweredAt time.Time
}

// Changed is a stored record that a batch inserted or changed, or that
// an iteration over a practice's records reads: what work is made from.
type Changed struct {
	ID        string // Backdesk's id of the record
	PatientID string // Backdesk's id of its patient
	Row       Row
}

// Batch is what upserting one batch of rows did.
type Batch struct {
	Applied  int // valid rows, changed or not
	Changed  []Changed
	Rejected []RowError
}

// BatchSize is the most rows one Upsert takes, and the size of the
// batches All hands on: it keeps every statement well under both
// databases' parameter limits.
const BatchSize = 1000

// Storer keeps a practice's records. Reads by id run within the practice
// scope of their context; the batch operations run inside the caller's
// transaction, so records, the work made from them and its outbox rows
// commit together.
type Storer interface {
	// FullRecord reads a patient of practiceID and every record about it.
	FullRecord(ctx context.Context, practiceID, patientID string) (Full, error)
	// Patient reads one patient of practiceID; a patient of another
	// practice is not found, whatever its id.
	Patient(ctx context.Context, practiceID, patientID string) (Patient, error)
	// All reads every balance, claim, recall and treatment plan of
	// practiceID through q and hands them to fn in batches of BatchSize.
	All(ctx context.Context, q sqldb.Querier, practiceID string, fn func([]Changed) error) error
	// Upcoming reads through q the appointments of practiceID that start
	// in [from, to) and are still expected to happen, by start.
	Upcoming(ctx context.Context, q sqldb.Querier, practiceID string, from, to time.Time) ([]Changed, error)
	// Upsert applies rows, all of one kind and at most BatchSize, for
	// practiceID through tx, by the practice's own ids. An unchanged row
	// is left alone; a row whose patient the practice does not have is
	// rejected, never attached elsewhere.
	Upsert(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time, rows []Row) (Batch, error)
}

// Service gives other domains and services the practice's records.
type Service struct{ store Storer }

// NewService returns a Service over store.
func NewService(store Storer) *Service { return &Service{store: store} }

// FullRecord reads everything stored about one patient of a practice,
// within the practice scope of ctx.
func (s *Service) FullRecord(ctx context.Context, practiceID, patientID string) (Full, error) {
	return s.store.FullRecord(ctx, practiceID, patientID)
}

// Patient reads one patient of a practice, within the practice scope of
// ctx (on PostgreSQL, row-level security finds the patient only within its
// own practice's scope).
func (s *Service) Patient(ctx context.Context, practiceID, patientID string) (Patient, error) {
	return s.store.Patient(ctx, practiceID, patientID)
}

// All hands every stored balance, claim, recall and treatment plan of the
// practice to fn in batches, as Upsert hands back what it changed, so work
// can be generated from stored records the same way it is from an import.
// It reads through q, the caller's transaction.
func (s *Service) All(ctx context.Context, q sqldb.Querier, practiceID string, fn func([]Changed) error) error {
	return s.store.All(ctx, q, practiceID, fn)
}

// Upcoming reads, through q, the caller's transaction, the practice's
// scheduled and confirmed appointments that start in [from, to), earliest
// first: the visits whose coverage is worth verifying.
func (s *Service) Upcoming(ctx context.Context, q sqldb.Querier, practiceID string, from, to time.Time) ([]Changed, error) {
	return s.store.Upcoming(ctx, q, practiceID, from, to)
}

// Upsert applies a batch of parsed rows of one kind (at most BatchSize)
// for the practice inside tx, the caller's transaction.
func (s *Service) Upsert(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time, rows []Row) (Batch, error) {
	return s.store.Upsert(ctx, tx, practiceID, now, rows)
}

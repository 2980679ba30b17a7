package clearinghouse

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Direction says whether a file went to the clearinghouse or came from it.
type Direction string

// The directions.
const (
	Out Direction = "out"
	In  Direction = "in"
)

// FileState is where a file stands. An outbound batch is built, sent,
// then accepted or rejected by its acknowledgment, or overdue when none
// came in time; an inbound file is received, then applied or failed.
type FileState string

// The file states.
const (
	Built    FileState = "built"
	Sent     FileState = "sent"
	Accepted FileState = "accepted"
	Rejected FileState = "rejected"
	Overdue  FileState = "overdue"
	Received FileState = "received"
	Applied  FileState = "applied"
	Failed   FileState = "failed"
)

// File is one file sent to or received from a clearinghouse, kept whole.
type File struct {
	ID                 string
	ConnectionID       string
	PracticeID         string // an outbound batch's practice; empty for inbound files
	Direction          Direction
	Name               string
	Kind               string // 270, 276, 271, 277, 999, TA1
	InterchangeControl string // ISA13
	SHA256             string
	Size               int64
	Body               []byte
	State              FileState
	Note               string // what its acknowledgment or its reading said, in words
	Patients           int
	CreatedAt          time.Time
	SentAt, AckedAt    *time.Time
	RetainUntil        time.Time
}

// Inquiry is one question asked about one work item, found again by the
// trace number its answer echoes.
type Inquiry struct {
	Trace      string
	PracticeID string
	WorkItemID string
	PatientID  string
	Kind       string // 270 or 276
	FileID     string
	AskedAt    time.Time
}

// Answering is an inquiry as its answer is applied: the item it is about
// and, for an eligibility check, the visit.
type Answering struct {
	Inquiry
	Answered  bool
	ItemState string
	Owned     bool
	ItemKind  string
	VisitAt   time.Time
	Planned   []string
	PayerName string
	Times     int // how many times the item has been asked about, this one included
}

// Answered is what came of one inquiry: verified, needs_agent, or late
// (the item was finished before the answer came).
type Answered struct {
	Trace   string
	Outcome string
	Reason  string
}

// Benefits is what a payer said a patient's plan covers, as stored: the
// summary for programs (JSON) and its lines in words for people.
type Benefits struct {
	ID         string
	PracticeID string
	PatientID  string
	PayerName  string
	Plan       string
	Group      string
	Coverage   string // active, inactive, unknown
	Summary    []byte // JSON
	Lines      []string
	// MaxLeft is what is left of the annual maximum, in cents, when the
	// payer said; BenefitsEnd (YYYY-MM-DD) the last day of the benefit
	// year it belongs to.
	MaxLeft     *int64
	BenefitsEnd string
	AnsweredAt  time.Time
	FileID      string
	WorkItemID  string
}

// Store keeps connections, files, inquiries and benefits. Writes run in
// the caller's transaction, with the audit event of what they record.
type Store interface {
	// Connection returns one connection; Connections every one.
	Connection(ctx context.Context, id string) (Connection, error)
	Connections(ctx context.Context) ([]Connection, error)
	// SaveConnection adds or replaces a connection.
	SaveConnection(ctx context.Context, tx *sql.Tx, c Connection, now time.Time) error
	// Payers lists the payers a connection reaches.
	Payers(ctx context.Context, q sqldb.Querier, connectionID string) ([]Payer, error)
	// SavePayers replaces the payers a connection reaches.
	SavePayers(ctx context.Context, tx *sql.Tx, connectionID string, payers []Payer) error
	// Link asks through connectionID on practiceID's behalf.
	Link(ctx context.Context, tx *sql.Tx, practiceID, connectionID string, now time.Time) error
	// FilePatients lists the patients a file is about: those its
	// questions asked about, or those its answers answered.
	FilePatients(ctx context.Context, tx *sql.Tx, fileID string) ([]string, error)
	// Linked returns the connection that asks for a practice, if any.
	Linked(ctx context.Context, q sqldb.Querier, practiceID string) (Connection, bool, error)
	// PendingChecks returns, in one read, up to limit eligibility checks
	// of the practices linked to connectionID that wait in StageToAsk.
	PendingChecks(ctx context.Context, tx *sql.Tx, connectionID string, limit int) ([]Check, error)
	// NextControl returns the next interchange control number of sender.
	NextControl(ctx context.Context, tx *sql.Tx, sender string) (int64, error)
	// AddFile stores a file unless the same bytes came that way on that
	// connection before; it returns the stored file and whether it is new.
	AddFile(ctx context.Context, tx *sql.Tx, f File) (File, bool, error)
	// AddInquiries records the questions of a batch.
	AddInquiries(ctx context.Context, tx *sql.Tx, in []Inquiry) error
	// Files lists a connection's files, newest first, at most limit.
	Files(ctx context.Context, connectionID string, limit int) ([]File, error)
	// FilesByControl lists a connection's files whose interchange control
	// number (ISA13) is control, newest first: a batch and the answers
	// and acknowledgments that name it carry their own numbers, so this
	// finds the one file a clearinghouse's support desk asks about.
	FilesByControl(ctx context.Context, connectionID, control string) ([]File, error)
	// FileBody returns one file whole.
	FileBody(ctx context.Context, id string) (File, error)
	// ClaimSend marks a built batch sent at at, before it is handed over,
	// and reports whether this caller took it: of two exchanges running
	// at once, one sends each batch. ReleaseSend gives a claimed batch
	// back (built, not sent) when handing it over failed.
	ClaimSend(ctx context.Context, q sqldb.Querier, id string, at time.Time) (bool, error)
	ReleaseSend(ctx context.Context, q sqldb.Querier, id string) error
	// SetFileState moves a file to state with its note. Sent moves only
	// a batch still built (an acknowledgment applied between the put and
	// the mark is kept; the batch gains its sent time), and Overdue only
	// one still sent.
	SetFileState(ctx context.Context, q sqldb.Querier, id string, state FileState, note string, at time.Time) error
	// ByControl finds outbound files by their interchange control number.
	ByControl(ctx context.Context, tx *sql.Tx, connectionID, control string) ([]File, error)
	// Answering returns the inquiries the traces name, in one read.
	Answering(ctx context.Context, tx *sql.Tx, traces []string) ([]Answering, error)
	// AskedIn returns the inquiries a batch carried, in one read.
	AskedIn(ctx context.Context, tx *sql.Tx, fileID string) ([]Answering, error)
	// Answer records inquiries' answers from one file, in a statement
	// or a few.
	Answer(ctx context.Context, tx *sql.Tx, fileID string, answers []Answered, at time.Time) error
	// AddBenefits stores benefits summaries.
	AddBenefits(ctx context.Context, tx *sql.Tx, b []Benefits) error
	// LatestBenefits returns each patient's latest benefits, in one read.
	LatestBenefits(ctx context.Context, q sqldb.Querier, patientIDs []string) (map[string]Benefits, error)
	// AwaitAnswers puts the items in stage with reason, waiting until
	// until, with the timers that bring them back then, in a statement
	// and the timers' batch.
	AwaitAnswers(ctx context.Context, tx *sql.Tx, itemIDs []string, stage, reason string, until, now time.Time) error
	// Unacknowledged lists a connection's outbound files sent before
	// cutoff with no acknowledgment.
	Unacknowledged(ctx context.Context, tx *sql.Tx, connectionID string, cutoff time.Time) ([]File, error)
	// Unsent lists a connection's outbound files built and not yet sent,
	// bodies included, oldest first.
	Unsent(ctx context.Context, connectionID string) ([]File, error)
	// Pending lists a connection's inbound files kept and not applied.
	Pending(ctx context.Context, connectionID string) ([]string, error)
	// Polled records a connection's last poll and its error ("" when it
	// went well), for the connection's health.
	Polled(ctx context.Context, connectionID string, at time.Time, problem string) error
}

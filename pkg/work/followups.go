package work

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// Followup is an unfinished item that something outside the agent's desk
// (a payer's statement) acts on.
type Followup struct {
	ID        string
	PatientID string
	State     State
	Owned     bool
}

// FollowupStore is the part of the storage that lets other domains act
// on follow-ups inside their own transactions.
type FollowupStore interface {
	// FindFollowup returns the subject's unfinished item of kind.
	FindFollowup(ctx context.Context, tx *sql.Tx, kind policy.Kind, subject SubjectType, subjectID string) (Followup, bool, error)
	// PatientFollowup returns the patient's oldest unfinished item of kind.
	PatientFollowup(ctx context.Context, tx *sql.Tx, patientID string, kind policy.Kind) (Followup, bool, error)
	// Resolve finishes an item: what it followed up has happened.
	Resolve(ctx context.Context, tx *sql.Tx, itemID string, now time.Time) error
	// SetStage records where the item stands with the payer and why.
	SetStage(ctx context.Context, tx *sql.Tx, itemID, stage, reason string, now time.Time) error
	// Recall brings a waiting item back now: to its owner's queue, or to
	// routing when nobody owns it.
	Recall(ctx context.Context, tx *sql.Tx, f Followup, kind policy.Kind, now time.Time) error
	// Await sets the item's stage and, unless an agent holds it, makes it
	// wait until until, queuing the timer that brings it back then.
	Await(ctx context.Context, tx *sql.Tx, f Followup, stage, reason string, until, now time.Time) error
	// AddHistory appends an entry to the item's history.
	AddHistory(ctx context.Context, tx *sql.Tx, practiceID, itemID, patientID string, a Activity) error
}

// maxStageReason bounds the reasons kept with a stage.
const maxStageReason = 1000

// FindFollowup returns the subject's unfinished item of kind, if any.
func (d *Desk) FindFollowup(ctx context.Context, tx *sql.Tx, kind policy.Kind, subject SubjectType, subjectID string) (Followup, bool, error) {
	return d.store.FindFollowup(ctx, tx, kind, subject, subjectID)
}

// PatientFollowup returns the patient's oldest unfinished item of kind.
func (d *Desk) PatientFollowup(ctx context.Context, tx *sql.Tx, patientID string, kind policy.Kind) (Followup, bool, error) {
	return d.store.PatientFollowup(ctx, tx, patientID, kind)
}

// ResolveFollowup finishes f and says why in its history.
func (d *Desk) ResolveFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f Followup, by string, outcome Outcome, note string, now time.Time) error {
	if err := d.store.Resolve(ctx, tx, f.ID, now); err != nil {
		return err
	}
	return d.NoteFollowup(ctx, tx, practiceID, f, by, outcome, note, now)
}

// RaiseFollowup puts f in stage with its reasons and brings it back to
// work now when it was waiting for a date that is overtaken.
func (d *Desk) RaiseFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f Followup, kind policy.Kind, stage, reason string, now time.Time) error {
	if len(reason) > maxStageReason {
		reason = reason[:maxStageReason]
	}
	if err := d.store.SetStage(ctx, tx, f.ID, stage, reason, now); err != nil {
		return err
	}
	if f.State == Waiting {
		return d.store.Recall(ctx, tx, f, kind, now)
	}
	return nil
}

// AwaitPayer puts f in stage with its reason and makes it wait for the
// payer until until, when its timer brings it back to its owner (or to
// routing); an item an agent is working stays with the agent.
func (d *Desk) AwaitPayer(ctx context.Context, tx *sql.Tx, f Followup, stage, reason string, until, now time.Time) error {
	if len(reason) > maxStageReason {
		reason = reason[:maxStageReason]
	}
	return d.store.Await(ctx, tx, f, stage, reason, until, now)
}

// NoteFollowup appends what someone outside the desk (by) said to f's
// history.
func (d *Desk) NoteFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f Followup, by string, outcome Outcome, note string, now time.Time) error {
	return d.store.AddHistory(ctx, tx, practiceID, f.ID, f.PatientID, Activity{ActorID: by, Channel: string(ByPayer),
		Outcome: string(outcome), Note: note, At: now})
}

// Package payerstore applies payers' statements to a practice's claims
// and follow-up work, inside the caller's transaction (an import's), and
// reads them back as a claim's payer history.
package payerstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/google/uuid"
)

// PayerActor is the actor id of history entries the payer's statements
// write.
const PayerActor = "payer"

// Unmatched is a statement whose claim number matches none of the
// practice's claims. It is reported, never dropped silently.
type Unmatched struct {
	Segment int
	Kind    string // "remittance" or "status"
}

// Report counts what an application did.
type Report struct {
	Read          int // statements read (claim payments and status lines)
	Applied       int // new statements recorded
	Duplicates    int // statements recorded by an earlier import
	Unmatched     []Unmatched
	ItemsCreated  int // follow-ups created (claim or balance)
	ItemsResolved int // claim follow-ups the payer's payment resolved
	ItemsRaised   int // claim follow-ups brought back to work by a denial, rejection or request
}

// Applier applies statements for one practice within tx.
type Applier struct {
	tx       *sql.Tx
	dialect  sqldb.Dialect
	practice string
	importID string
	pols     practice.Policies
	loc      *time.Location
	now      time.Time
	dry      bool // match and count, change nothing
	Report   Report
}

// NewApplier returns an Applier for practiceID's statements from import
// importID. With dry set it only matches and counts.
func NewApplier(tx *sql.Tx, d sqldb.Dialect, practiceID, importID string, pols practice.Policies, loc *time.Location, now time.Time, dry bool) *Applier {
	return &Applier{tx: tx, dialect: d, practice: practiceID, importID: importID, pols: pols, loc: loc, now: now.UTC(), dry: dry}
}

// claimRow is what applying needs of a claim.
type claimRow struct {
	id, patientID, status string
	claim                 records.Claim
}

func (a *Applier) claim(ctx context.Context, number string) (claimRow, bool, error) {
	var c claimRow
	var dos, submitted string
	err := a.tx.QueryRowContext(ctx, `SELECT id, patient_id, status, external_id, payer_name, date_of_service, submitted_date, billed_cents, paid_cents
FROM claims WHERE practice_id = $1 AND external_id = $2`, a.practice, number).Scan(&c.id, &c.patientID, &c.status,
		&c.claim.ExternalID, &c.claim.PayerName, &dos, &submitted, &c.claim.BilledCents, &c.claim.PaidCents)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	c.claim.DateOfService, c.claim.SubmittedDate = records.ParseDate(dos), records.ParseDate(submitted)
	return c, err == nil, err
}

// record inserts a statement row unless its fingerprint is known; fresh
// says whether it was new.
func (a *Applier) record(ctx context.Context, q string, args ...any) (fresh bool, err error) {
	res, err := a.tx.ExecContext(ctx, q+` ON CONFLICT (practice_id, fingerprint) DO NOTHING`, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Remittance applies one claim payment.
func (a *Applier) Remittance(ctx context.Context, r payer.Remittance) error {
	a.Report.Read++
	c, ok, err := a.claim(ctx, r.ClaimNumber)
	if err != nil || !ok {
		if err == nil {
			a.Report.Unmatched = append(a.Report.Unmatched, Unmatched{Segment: r.Segment, Kind: "remittance"})
		}
		return err
	}
	if a.dry {
		a.Report.Applied++
		return nil
	}
	adjs, _ := json.Marshal(nonNil(r.Adjustments))
	lines, _ := json.Marshal(nonNil(r.Lines))
	fresh, err := a.record(ctx, `INSERT INTO claim_remittances (id, practice_id, claim_id, import_id, fingerprint, payer_name, check_number,
payment_date, status_code, charge_cents, paid_cents, patient_responsibility_cents, payer_claim_control, adjustments, service_lines, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, newID(), a.practice, c.id,
		a.importID, r.Fingerprint(), r.PayerName, r.CheckNumber, r.PaymentDate, r.StatusCode, r.ChargeCents, r.PaidCents,
		r.PatientResponsibilityCents, r.PayerClaimControl, string(adjs), string(lines), a.now)
	if err != nil || !fresh {
		if err == nil {
			a.Report.Duplicates++
		}
		return err
	}
	a.Report.Applied++
	v := payer.Judge(r)
	note := payer.Summary(r, v)
	switch v {
	case payer.Paid:
		status := records.ClaimPaid
		if r.PatientResponsibilityCents > 0 {
			status = records.ClaimPartial
		}
		if err := a.setClaim(ctx, c.id, status, r.PaidCents, r.PatientResponsibilityCents, false); err != nil {
			return err
		}
		if err := a.resolveFollowup(ctx, c, note); err != nil {
			return err
		}
		if r.PatientResponsibilityCents > 0 {
			return a.patientShare(ctx, c, r)
		}
		return nil
	case payer.Denied:
		if err := a.setClaim(ctx, c.id, records.ClaimDenied, 0, r.PatientResponsibilityCents, false); err != nil {
			return err
		}
		return a.raiseFollowup(ctx, c, payer.StageDenied, payer.Reasons(r.Adjustments), note)
	case payer.Reversed:
		if err := a.setClaim(ctx, c.id, records.ClaimPending, r.PaidCents, 0, true); err != nil {
			return err
		}
		return a.raiseFollowup(ctx, c, payer.StageNone, "", note)
	}
	return a.noteFollowup(ctx, c, note)
}

// setClaim records the payer's adjudication on the claim; a reversal adds
// its (negative) amount to what was paid.
func (a *Applier) setClaim(ctx context.Context, id string, status records.ClaimStatus, paid, patient int64, add bool) error {
	q := `UPDATE claims SET status = $2, paid_cents = $3, patient_responsibility_cents = $4, updated_at = $5 WHERE id = $1`
	if add {
		q = `UPDATE claims SET status = $2, paid_cents = paid_cents + $3, patient_responsibility_cents = $4, updated_at = $5 WHERE id = $1`
	}
	_, err := a.tx.ExecContext(ctx, q, id, string(status), paid, patient, a.now)
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// priorityOf scores a follow-up the way imports do.
func (a *Applier) priorityOf(kind policy.Kind, c claimRow) (int, string) {
	p := work.Prioritize(kind, nil, &c.claim, nil, nil, a.now, a.loc)
	return p.Score, priority.Encode(p.Reasons)
}

// create makes an open follow-up of kind on the claim and queues its
// routing; it returns the item's id, or "" when one was already open.
func (a *Applier) create(ctx context.Context, kind policy.Kind, c claimRow) (string, error) {
	cand := work.Candidate{Kind: kind, SubjectType: work.SubjectClaim, SubjectID: c.id, PatientID: c.patientID}
	it := work.NewItem(uuid.Must(uuid.NewV7()).String(), a.practice, cand, a.pols.Kinds[kind], a.now)
	it.Priority, it.Reasons = a.priorityOf(kind, c)
	created, err := workstore.CreateOpen(ctx, a.tx, a.dialect, []work.Item{it}, a.now)
	if err != nil || len(created) == 0 {
		return "", err
	}
	a.Report.ItemsCreated++
	return created[0].ID, nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

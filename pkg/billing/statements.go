package billing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/google/uuid"
)

// Audit actions of statements: each names the statement or run, and the
// patients it is about; never an amount or an address.
const (
	ActionStatementCreate   audit.Action = "statement_create"
	ActionStatementDownload audit.Action = "statement_download"
	TargetStatement                      = "statement"
	TargetStatementRun                   = "statement_run"
)

// DueDays is how long after the statement date payment is due.
const DueDays = 21

// Retention is how long statements are kept: the audit trail's six years.
const Retention = 2192 * 24 * time.Hour

// RunPage is how many accounts a run reads and writes at a time; a run's
// memory is bounded by it, whatever the practice's size.
const RunPage = 200

// Skip reasons: why an account got no statement.
const (
	SkipZeroBalance  = "zero_balance"
	SkipDoNotContact = "do_not_contact"
	SkipNoAddress    = "no_address"
	SkipNothingDue   = "nothing_due"
)

// RunInput starts a statement run.
type RunInput struct {
	Cycle string // YYYY-MM
	Hours string // the office hours printed on each statement
}

// Run is a statement run.
type Run struct {
	ID            string     `json:"id"`
	PracticeID    string     `json:"practice_id"`
	Cycle         string     `json:"cycle"`
	StatementDate string     `json:"statement_date"`
	DueDate       string     `json:"due_date"`
	Hours         string     `json:"office_hours"`
	State         string     `json:"state"`
	Made          int        `json:"made"`
	Emailed       int        `json:"emailed"` // of Made, sent as e-statements rather than mailed
	Skipped       int        `json:"skipped"`
	Error         string     `json:"error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
}

// Account is one guarantor's account as a run reads it.
type Account struct {
	BalanceID  string
	PatientID  string
	WorkItemID string // the open balance follow-up, if any
	// EStatement is set when the patient chose e-mail, has an address and
	// did not unsubscribe from the practice's e-mails.
	EStatement   bool
	Number       string // the practice's account number
	Guarantor    statement.Guarantor
	DoNotContact bool
	Aging        statement.Aging
	TotalCents   int64
	Lines        []statement.Line
	Pending      []statement.Pending
}

// Office is the practice as statements print it.
type Office struct {
	Name    string
	Address statement.Address
	Phone   string
}

// Made is one statement of a run, ready to be kept.
type Made struct {
	ID         string
	Delivery   string              // mail, or email for an e-statement
	Content    statement.Statement // what was printed
	Account    Account
	DueCents   int64
	Pending    int64
	Pages      int
	PDF        []byte
	SHA256     string
	Link       Link
	LinkHash   string
	Disclosure audit.Event
}

// Skipped is an account a run left out, and why.
type Skipped struct {
	BalanceID, PatientID, Reason string
	PatientName                  string // as listed for the practice, when read back
}

// StatementStore keeps runs and statements; billstore.Store is one.
type StatementStore interface {
	// StartRun makes the practice's run for the cycle, or returns the one
	// made before (false).
	StartRun(ctx context.Context, r Run, by string, ev audit.Event, now time.Time) (Run, bool, error)
	// Office reads the practice's first office.
	Office(ctx context.Context, practiceID string) (Office, bool, error)
	// Accounts reads up to limit accounts with a balance, after the
	// balance id after, with their itemised claims.
	Accounts(ctx context.Context, practiceID, after string, limit int) ([]Account, error)
	// Keep writes a page of a run's statements and skips, their links,
	// activities and audit events, in one transaction; statements already
	// kept for the run are left as they are. It returns the statements it
	// kept now.
	Keep(ctx context.Context, run Run, made []Made, skipped []Skipped, now time.Time) ([]Made, error)
	// FinishRun records the run's end and counts.
	FinishRun(ctx context.Context, run Run, errText string, now time.Time) (Run, error)
	// Runs lists the practice's runs, newest first.
	Runs(ctx context.Context, practiceID string) ([]Run, error)
	// RunSkips lists what a run left out.
	RunSkips(ctx context.Context, practiceID, runID string) ([]Skipped, error)
	// MailedPatients lists the patients of a run's mailed statements,
	// for the audit event of a download.
	MailedPatients(ctx context.Context, practiceID, runID string) ([]string, error)
	// EachPDF calls fn with each mailed statement of a run, in account
	// order: e-statements are not printed.
	EachPDF(ctx context.Context, practiceID, runID string, fn func(Made) error) error
	// LatestPDF reads the newest statement of a work item's balance.
	LatestPDF(ctx context.Context, practiceID, itemID string) (Made, bool, error)
	// Mailed turns an e-statement whose notice was refused back into a
	// mailed statement.
	Mailed(ctx context.Context, practiceID, statementID string) error
	// Ledger reads an item's last statement, payments and plan.
	Ledger(ctx context.Context, practiceID, itemID string, now time.Time) (Ledger, error)
	// Downloaded records a download of statements, as a disclosure.
	Downloaded(ctx context.Context, ev audit.Event) error
}

var cyclePattern = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)

// RunStatements makes the practice's statements for a cycle: one per
// account with something due, each a PDF kept for the retention period
// with its payment link printed as a QR code, a "statement sent" activity
// on the account's follow-up and an audit event. A run is made once per
// cycle: running the same cycle again makes nothing new and returns the
// run as it stands (an interrupted run carries on where it stopped).
// Accounts are read and written RunPage at a time.
func (s *Service) RunStatements(ctx context.Context, st StatementStore, practiceID string, in RunInput, ev audit.Event) (Run, error) {
	p := map[string]string{}
	if !cyclePattern.MatchString(in.Cycle) {
		p["cycle"] = "must be a month as YYYY-MM, such as 2026-03"
	}
	if strings.TrimSpace(in.Hours) == "" || utf8.RuneCountInString(in.Hours) > 60 {
		p["office_hours"] = "give the office hours printed on the statements, such as Mon–Thu 8am–5pm (at most 60 characters)"
	}
	if len(p) > 0 {
		return Run{}, apperr.Invalids(p)
	}
	office, ok, err := st.Office(ctx, practiceID)
	if err != nil {
		return Run{}, err
	}
	if !ok {
		return Run{}, apperr.Invalid("practice", "no_office", "add an office with its address and phone first: statements print them")
	}
	now := s.clock()
	first, _ := time.Parse("2006-01", in.Cycle)
	date := first
	if now.After(first) && now.Format("2006-01") == in.Cycle {
		date = now
	}
	run := Run{ID: uuid.Must(uuid.NewV7()).String(), PracticeID: practiceID, Cycle: in.Cycle, StatementDate: date.Format(time.DateOnly),
		DueDate: date.AddDate(0, 0, DueDays).Format(time.DateOnly), Hours: strings.TrimSpace(in.Hours), State: "running"}
	e := audit.Change(ev, now, ActionStatementCreate, practiceID, TargetStatementRun, run.ID)
	run, created, err := st.StartRun(ctx, run, ev.Actor.Subject, e, now)
	if err != nil || (!created && run.State == "done") {
		return run, err
	}
	prof, err := s.profiles.Profile(ctx, practiceID)
	if err != nil {
		return run, err
	}
	email := slices.Contains(prof.Policies.Contact.Channels, policy.Email) && s.messages != nil
	runErr := s.runPages(ctx, st, practiceID, office, run, email, ev)
	errText := ""
	if runErr != nil {
		errText = "the run stopped; run the cycle again to carry on"
	}
	done, err := st.FinishRun(ctx, run, errText, s.clock())
	return done, errors.Join(runErr, err)
}

// runPages makes the run's statements a page of accounts at a time; with
// email, an account whose patient chose e-statements gets its notice by
// e-mail once its page is kept, instead of being mailed.
func (s *Service) runPages(ctx context.Context, st StatementStore, practiceID string, office Office, run Run, email bool, ev audit.Event) error {
	after := ""
	for {
		accts, err := st.Accounts(ctx, practiceID, after, RunPage)
		if err != nil {
			return err
		}
		if len(accts) == 0 {
			return nil
		}
		now := s.clock()
		var made []Made
		var skipped []Skipped
		for _, a := range accts {
			m, reason, err := s.make(office, run, a, ev, now)
			if err != nil {
				return err
			}
			if reason != "" {
				skipped = append(skipped, Skipped{BalanceID: a.BalanceID, PatientID: a.PatientID, Reason: reason})
				continue
			}
			if email && a.EStatement {
				m.Delivery = "email"
			}
			made = append(made, m)
		}
		kept, err := st.Keep(ctx, run, made, skipped, now)
		if err != nil {
			return err
		}
		for _, m := range kept {
			if m.Delivery != "email" {
				continue
			}
			_, err := s.messages.Notify(ctx, message.Notice{PracticeID: practiceID, PatientID: m.Account.PatientID,
				WorkItemID: m.Account.WorkItemID, Channel: message.Email, Template: "statement_ready", Link: m.Content.PayURL},
				audit.Event{Actor: audit.SystemActor, Reason: "e-statement"})
			switch {
			case apperr.KindOf(err) == apperr.KindInvalid:
				// A rule refuses the e-mail: the statement goes by mail.
				if err := st.Mailed(ctx, practiceID, m.ID); err != nil {
					return err
				}
			case err != nil:
				return fmt.Errorf("e-statement notice: %w", err)
			}
		}
		after = accts[len(accts)-1].BalanceID
	}
}

// make renders one account's statement, or says why it gets none.
func (s *Service) make(office Office, run Run, a Account, ev audit.Event, now time.Time) (Made, string, error) {
	switch {
	case a.TotalCents <= 0:
		return Made{}, SkipZeroBalance, nil
	case a.DoNotContact:
		return Made{}, SkipDoNotContact, nil
	case a.Guarantor.Address.Line1 == "" || a.Guarantor.Address.City == "" || a.Guarantor.Address.PostalCode == "":
		return Made{}, SkipNoAddress, nil
	}
	token, hash, err := newToken()
	if err != nil {
		return Made{}, "", err
	}
	sd := records.ParseDate(run.StatementDate)
	dd := records.ParseDate(run.DueDate)
	stm := statement.Statement{
		Practice:      statement.Practice{Name: office.Name, Address: office.Address, Phone: office.Phone, Hours: run.Hours},
		Guarantor:     a.Guarantor,
		AccountNumber: a.Number, StatementDate: sd, DueDate: dd,
		Lines: a.Lines, Pending: a.Pending, Aging: a.Aging, PayURL: s.publicURL + PayPath + token,
	}
	var sum int64
	for _, l := range a.Lines {
		sum += l.ChargeCents + l.InsuranceCents + l.PatientCents
	}
	stm.BalanceForwardCents = a.TotalCents - sum
	totals := stm.Totals()
	if totals.DueCents < MinimumCents {
		return Made{}, SkipNothingDue, nil
	}
	var buf bytes.Buffer
	if err := statement.Render(&buf, stm); err != nil {
		var inv *statement.InvalidError
		if errors.As(err, &inv) {
			return Made{}, SkipNoAddress, nil // an address the envelope cannot carry
		}
		return Made{}, "", fmt.Errorf("statement of account %d: %w", len(a.BalanceID), err)
	}
	pages, err := pdftext.PageCount(buf.Bytes())
	if err != nil {
		return Made{}, "", err
	}
	sum256 := sha256.Sum256(buf.Bytes())
	m := Made{ID: uuid.Must(uuid.NewV7()).String(), Delivery: "mail", Content: stm, Account: a, DueCents: totals.DueCents, Pending: totals.PendingCents, Pages: pages,
		PDF: buf.Bytes(), SHA256: hex.EncodeToString(sum256[:]), LinkHash: hash,
		Link: Link{ID: uuid.Must(uuid.NewV7()).String(), PracticeID: run.PracticeID, PatientID: a.PatientID, BalanceID: a.BalanceID,
			WorkItemID: a.WorkItemID, AmountCents: totals.DueCents, State: LinkOpen, ExpiresAt: now.Add(LinkLife)}}
	e := audit.Change(ev, now, ActionStatementCreate, run.PracticeID, TargetStatement, m.ID)
	e.PatientIDs, e.WorkItemID = []string{a.PatientID}, a.WorkItemID
	m.Disclosure = e
	return m, "", nil
}

// WriteRun writes a run's statements as one PDF (vendor false) or as the
// print-and-mail vendor's zip (PDFs and a CSV manifest), streaming: each
// is rendered again from what was printed, byte for byte as kept, one at a
// time. The download is recorded first, as a disclosure of every patient
// in the run.
func (s *Service) WriteRun(ctx context.Context, st StatementStore, w io.Writer, practiceID, runID string, vendor bool, ev audit.Event) error {
	patients, err := st.MailedPatients(ctx, practiceID, runID)
	if err != nil {
		return err
	}
	if len(patients) == 0 {
		return apperr.NotFound("statements of the run")
	}
	e := audit.Change(ev, s.clock(), ActionStatementDownload, practiceID, TargetStatementRun, runID)
	e.PatientIDs = patients
	if vendor {
		e.Reason = "print vendor zip"
	}
	if err := st.Downloaded(ctx, e); err != nil {
		return err
	}
	type adder interface {
		Add(statement.Statement) error
		Close() error
	}
	var out adder = statement.NewBatch(w)
	if vendor {
		out = statement.NewBatchZip(w)
	}
	if err := st.EachPDF(ctx, practiceID, runID, func(m Made) error { return out.Add(m.Content) }); err != nil {
		return err
	}
	return out.Close()
}

// PreviewPayURL stands for the payment link on a sample statement: no
// link is made until the run.
const PreviewPayURL = "/m/pay/sample-no-link-until-the-run"

// Preview renders the statement the next run would make for the first
// account that gets one, without keeping anything or making a link, so a
// practice admin can check it before the run. The read is recorded as a
// disclosure of that patient first. It answers not found when no account
// would get a statement.
func (s *Service) Preview(ctx context.Context, st StatementStore, w io.Writer, practiceID, hours string, ev audit.Event) error {
	if strings.TrimSpace(hours) == "" || utf8.RuneCountInString(hours) > 60 {
		return apperr.Invalid("office_hours", "required", "give the office hours printed on the statements, such as Mon–Thu 8am–5pm (at most 60 characters)")
	}
	office, ok, err := st.Office(ctx, practiceID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("practice", "no_office", "add an office with its address and phone first: statements print them")
	}
	now := s.clock()
	run := Run{PracticeID: practiceID, Cycle: now.Format("2006-01"), StatementDate: now.Format(time.DateOnly),
		DueDate: now.AddDate(0, 0, DueDays).Format(time.DateOnly), Hours: strings.TrimSpace(hours)}
	after := ""
	for {
		accts, err := st.Accounts(ctx, practiceID, after, RunPage)
		if err != nil {
			return err
		}
		if len(accts) == 0 {
			return apperr.NotFound("account that would get a statement")
		}
		for _, a := range accts {
			m, reason, err := s.make(office, run, a, ev, now)
			if err != nil {
				return err
			}
			if reason != "" {
				continue
			}
			m.Content.PayURL = s.publicURL + PreviewPayURL
			e := audit.Change(ev, now, ActionStatementDownload, practiceID, TargetStatement, "preview")
			e.PatientIDs, e.Reason = []string{a.PatientID}, "sample statement"
			if err := st.Downloaded(ctx, e); err != nil {
				return err
			}
			return statement.Render(w, m.Content)
		}
		after = accts[len(accts)-1].BalanceID
	}
}

// Package practice holds the rules for dental practices, the billing
// company's clients: what a valid practice is, how one is created, and the
// provisioning step that follows creation. Storage is behind Storer.
package practice

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/google/uuid"
)

// Status is a practice's place in its lifecycle.
type Status string

// The lifecycle: draft → active → suspended → offboarded.
const (
	Draft      Status = "draft"
	Active     Status = "active"
	Suspended  Status = "suspended"
	Offboarded Status = "offboarded"
)

// Practice is a dental practice served by the billing company.
type Practice struct {
	ID            string
	Name          string
	NPI           string // the practice's 10-digit National Provider Identifier
	Timezone      string // IANA name; patients are contacted in local time
	Status        Status
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ProvisionedAt *time.Time // set by the router once the practice is set up
	BAA           *BAA       // nil until recorded
	StatusReason  string
	StatusChanged *time.Time
	RetainUntil   records.Date // set when offboarded
	// RequireMFA: everyone who reads the practice's patients must have
	// signed in with a second factor.
	RequireMFA bool
}

// NewPractice is what a platform admin supplies to create a practice.
type NewPractice struct {
	Name     string
	NPI      string
	Timezone string
	// RequireMFA, when set, changes the practice's second-factor rule;
	// nil leaves it (new practices start without one).
	RequireMFA *bool
}

// ProvisionArgs is the task the router runs after a practice is created.
type ProvisionArgs struct {
	PracticeID string `json:"practice_id"`
}

// Kind implements outbox.Args.
func (ProvisionArgs) Kind() string { return "practice:provision" }

// Queue implements outbox.Args: provisioning is housekeeping.
func (ProvisionArgs) Queue() string { return "system" }

// Validate refuses a payload without a practice.
func (a ProvisionArgs) Validate() error {
	if a.PracticeID == "" {
		return errors.New("no practice id")
	}
	return nil
}

// Storer is the storage the practice rules need. Every method that
// changes a practice takes the change's audit event and writes it in the
// change's transaction.
type Storer interface {
	// Create stores p, the provisioning task and ev in one transaction.
	Create(ctx context.Context, p Practice, task outbox.Message, ev audit.Event) error
	Get(ctx context.Context, id string) (Practice, error)
	GetByNPI(ctx context.Context, npi string) (Practice, error)
	// MarkProvisioned records that taskID provisioned practice id, once.
	MarkProvisioned(ctx context.Context, taskID, id string, at time.Time) error
	List(ctx context.Context, ids []string, after string, limit int) ([]Practice, error)
	// Update applies in's name and time zone if the stored version is
	// version, or fails with a conflict.
	Update(ctx context.Context, id string, version int, in NewPractice, at time.Time, ev audit.Event) error
	RecordBAA(ctx context.Context, id string, b BAA, ev audit.Event) error
	// Transition changes the status if the current one is in t.From, or
	// fails with a conflict naming both. ev's reason is set to the status
	// left.
	Transition(ctx context.Context, id string, t Transition, ev audit.Event) error
	// AdminCount counts the practice's admins.
	AdminCount(ctx context.Context, id string) (int, error)
	LocationStorer
	PolicyStorer
}

// Service applies the practice rules.
type Service struct {
	store         Storer
	now           func() time.Time
	notify        func()
	retentionDays int
	by            audit.Event // who asks; empty for the platform itself
	cache         Cache       // nil: every Profile reads the database
}

// As returns a Service whose changes are recorded as ev's actor's, with
// its request and trace ids (the HTTP layer passes auditmw.By). Without
// it, changes are recorded as the platform's own (audit.SystemActor):
// seeding and provisioning.
func (s *Service) As(ev audit.Event) *Service {
	c := *s
	c.by = ev
	return &c
}

// event is the audit event of a change to practiceID made at at; the
// object changed defaults to the practice itself.
func (s *Service) event(at time.Time, action audit.Action, practiceID string) audit.Event {
	return audit.Change(s.by, at, action, practiceID, audit.TargetPractice, practiceID)
}

// DefaultRetentionDays keeps an offboarded practice's data six years,
// HIPAA's retention period for required documentation.
const DefaultRetentionDays = 6*365 + 2

// SetRetentionDays changes how long an offboarded practice's data is kept.
func (s *Service) SetRetentionDays(days int) {
	if days > 0 {
		s.retentionDays = days
	}
}

// NewService returns a Service over store. notify, when not nil, is called
// after a transaction that wrote outbox rows commits (the relay's Notify).
func NewService(store Storer, now func() time.Time, notify func()) *Service {
	if now == nil {
		now = time.Now
	}
	if notify == nil {
		notify = func() {}
	}
	return &Service{store: store, now: now, notify: notify, retentionDays: DefaultRetentionDays}
}

// Create validates in and stores a draft practice, queueing its provisioning.
func (s *Service) Create(ctx context.Context, in NewPractice) (Practice, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.NPI = strings.TrimSpace(in.NPI)
	in.Timezone = strings.TrimSpace(in.Timezone)
	if err := validate(in); err != nil {
		return Practice{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Practice{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	p := Practice{
		ID: id.String(), Name: in.Name, NPI: in.NPI, Timezone: in.Timezone,
		Status: Draft, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	task, err := outbox.New(ProvisionArgs{PracticeID: p.ID}, time.Time{})
	if err != nil {
		return Practice{}, err
	}
	// The new practice's row is written under its own scope; no other
	// practice's rows are touched.
	ctx = sqldb.WithPractice(ctx, p.ID)
	if err := s.store.Create(ctx, p, task, s.event(now, audit.ActionPracticeCreate, p.ID)); err != nil {
		return Practice{}, err
	}
	s.notify()
	return p, nil
}

// Get returns one practice.
func (s *Service) Get(ctx context.Context, id string) (Practice, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Practice{}, apperr.NotFound("practice")
	}
	return s.store.Get(ctx, id)
}

// GetByNPI returns the practice with the given NPI.
func (s *Service) GetByNPI(ctx context.Context, npi string) (Practice, error) {
	return s.store.GetByNPI(ctx, strings.TrimSpace(npi))
}

// Provision runs the router's set-up for a new practice. Delivered twice, it
// acts once. It works within the practice the task names.
func (s *Service) Provision(ctx context.Context, taskID string, p ProvisionArgs) error {
	if err := s.store.MarkProvisioned(sqldb.WithPractice(ctx, p.PracticeID), taskID, p.PracticeID, s.now().UTC()); err != nil {
		return err
	}
	s.changed(ctx, p.PracticeID)
	return nil
}

func validate(in NewPractice) error {
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		return apperr.Invalid("name", "required", "is required")
	case n > 200:
		return apperr.Invalid("name", "too_long", "must be at most 200 characters")
	}
	if !ValidNPI(in.NPI) {
		return apperr.Invalid("npi", "invalid_npi", "must be a valid 10-digit NPI (check digit included)")
	}
	if in.Timezone == "" {
		return apperr.Invalid("timezone", "required", "is required, e.g. America/Chicago")
	}
	if _, err := time.LoadLocation(in.Timezone); err != nil || in.Timezone == "Local" {
		return apperr.Invalid("timezone", "invalid_timezone", "must be an IANA time zone such as America/Chicago")
	}
	return nil
}

// ValidNPI checks an NPI's form and its Luhn check digit, computed (per the
// NPI standard) over the number prefixed with the card issuer code 80840.
func ValidNPI(npi string) bool {
	if len(npi) != 10 || (npi[0] != '1' && npi[0] != '2') {
		return false
	}
	sum := 24 // the digits of the 80840 prefix, weighted as Luhn does
	for i := 0; i < 9; i++ {
		c := npi[8-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	check := (10 - sum%10) % 10
	return npi[9] == byte('0'+check)
}

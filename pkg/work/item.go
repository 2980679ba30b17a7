package work

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// Item is a follow-up work item.
type Item struct {
	ID            string
	PracticeID    string
	PatientID     string
	Kind          policy.Kind
	SubjectType   SubjectType
	SubjectID     string
	State         State
	OwnerID       string
	NextContactAt *time.Time
	DueAt         time.Time // first contact expected by then (the SLA)
	Priority      int       // higher is worked first
	Reasons       string    // the priority's reasons, as priority.Encode writes them
	Version       int
	CreatedAt     time.Time
}

// NewItem makes an open item for candidate c, due per the kind's SLA.
func NewItem(id, practiceID string, c Candidate, p policy.Policy, now time.Time) Item {
	return Item{
		ID: id, PracticeID: practiceID, PatientID: c.PatientID, Kind: c.Kind,
		SubjectType: c.SubjectType, SubjectID: c.SubjectID, State: Open,
		DueAt: now.AddDate(0, 0, p.SLADays), Version: 1, CreatedAt: now,
	}
}

package audit

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// Page sizes of the event listings.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// filter is a search over the trail, from query parameters.
type filter struct {
	practiceID, patientID, actor, outcome string
	actions                               []string // any of them; action=a,b
	targetType, targetID, userID          string   // the object of a change, and who else it names
	person                                string   // a name or e-mail address, resolved into actors
	actors                                []auditstore.Who
	patient                               auditstore.PatientLookup // a patient by name, resolved into patients
	patients                              []string
	from, to                              time.Time
	after                                 int64 // keyset: events older than this seq
	limit                                 int   // 0: no limit (exports)
	oldestFirst                           bool
	practices                             []string // caller's scope; nil is every practice
}

// parseFilter reads the search parameters shared by the listings, the
// export and the patient report. paged adds after and limit.
func parseFilter(c *gin.Context, paged bool) (filter, error) {
	f := filter{
		practiceID: c.Query("practice_id"), patientID: c.Query("patient_id"),
		actor: c.Query("actor"), outcome: c.Query("outcome"),
		targetType: c.Query("target_type"), targetID: c.Query("target_id"), userID: c.Query("user_id"),
		person: trimmed(c.Query("person")),
		patient: auditstore.PatientLookup{PracticeID: c.Query("practice_id"), LastName: trimmed(c.Query("patient_last_name")),
			FirstName: trimmed(c.Query("patient_first_name")), DateOfBirth: trimmed(c.Query("patient_birth_date"))},
		practices: scope(c.Request.Context()),
	}
	for _, a := range strings.Split(c.Query("action"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			f.actions = append(f.actions, a)
		}
	}
	if f.targetType != "" && !slices.Contains(targetTypes, f.targetType) {
		return f, apperr.Invalid("target_type", "invalid_target_type", "must be one of %s", strings.Join(targetTypes, ", "))
	}
	switch audit.Outcome(f.outcome) {
	case "", audit.OutcomeAllow, audit.OutcomeDeny, audit.OutcomeError:
	default:
		return f, apperr.Invalid("outcome", "invalid_outcome", "must be allow, deny or error")
	}
	var err error
	if f.from, err = parseTime(c, "from"); err != nil {
		return f, err
	}
	if f.to, err = parseTime(c, "to"); err != nil {
		return f, err
	}
	if !f.from.IsZero() && !f.to.IsZero() && f.to.Before(f.from) {
		return f, apperr.Invalid("to", "invalid_range", "must not be before from")
	}
	if !paged {
		return f, nil
	}
	f.limit = defaultLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return f, apperr.Invalid("limit", "out_of_range", "must be between 1 and %d", maxLimit)
		}
		f.limit = n
	}
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, apperr.Invalid("after", "invalid_cursor", "must be the next_after of the previous page")
		}
		f.after = n
	}
	return f, nil
}

func parseTime(c *gin.Context, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, apperr.Invalid(name, "invalid_time", "must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z")
	}
	// Stored times are UTC; SQLite compares them as text, so the bound must
	// be UTC too.
	return audit.CanonicalTime(t), nil
}

// targetTypes are the objects change events name.
var targetTypes = []string{audit.TargetTeam, audit.TargetAgent, audit.TargetPractice, audit.TargetLocation,
	audit.TargetPolicy, audit.TargetImport, audit.TargetWorkItem, audit.TargetInvitation}

// query is the store's form of the filter.
func (f filter) query() auditstore.Query {
	return auditstore.Query{
		PracticeID: f.practiceID, PatientID: f.patientID, Actor: f.actor, Actions: f.actions, Outcome: f.outcome,
		TargetType: f.targetType, TargetID: f.targetID, UserID: f.userID, Actors: f.actors, PatientIDs: f.patients,
		From: f.from, To: f.to, After: f.after, Limit: f.limit, OldestFirst: f.oldestFirst, Practices: f.practices,
	}
}

// row is one stored event.
type row = auditstore.Stored

// each runs the search and calls fn for every matching event, in order,
// until fn returns false, the limit is reached or the rows run out.
func (a *API) each(ctx context.Context, f filter, fn func(row) (bool, error)) error {
	cur, err := a.search(ctx, f)
	if err != nil {
		return err
	}
	return scan(cur, fn)
}

// search starts the query; the caller must scan the cursor.
func (a *API) search(ctx context.Context, f filter) (*auditstore.Cursor, error) {
	return a.store.Search(ctx, f.query())
}

// scan reads the cursor to the end or until fn stops it, and closes it.
func scan(cur *auditstore.Cursor, fn func(row) (bool, error)) error {
	defer cur.Close()
	for {
		r, ok, err := cur.Next()
		if err != nil || !ok {
			return err
		}
		more, err := fn(r)
		if err != nil || !more {
			return err
		}
	}
}

// page runs a paged search and shapes the reply, with the names of the
// people who acted.
func (a *API) page(ctx context.Context, f filter) (api.EventList, error) {
	out := api.EventList{Items: []api.Event{}}
	if err := a.resolvePerson(ctx, &f); err != nil {
		return api.EventList{}, err
	}
	err := a.each(ctx, f, func(r row) (bool, error) {
		out.Items = append(out.Items, eventResponseFrom(r.Seq, r.Event))
		return true, nil
	})
	if err != nil {
		return api.EventList{}, err
	}
	if len(out.Items) == f.limit {
		last := out.Items[len(out.Items)-1].Seq
		out.NextAfter = &last
	}
	if out.People, err = a.peopleOf(ctx, out.Items); err != nil {
		return api.EventList{}, err
	}
	return out, nil
}

// findEvent returns the stored event with id.
func (a *API) findEvent(ctx context.Context, id string) (row, error) {
	return a.store.Find(ctx, id)
}

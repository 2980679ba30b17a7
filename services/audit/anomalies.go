package audit

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// Hours looks up an actor's working hours for the outside-hours rule. ok
// is false when they are not known; that actor's reads are then not
// checked against hours, and the report counts the actor in
// hours_unknown. An error fails the report rather than leave it silently
// incomplete.
type Hours func(ctx context.Context, issuer, subject string) (hours audit.WorkingHours, ok bool, err error)

// UnknownHours knows nobody's working hours: the outside-hours rule then
// finds nothing and every actor with reads is counted as unknown. The
// services use AgentHours.
func UnknownHours(context.Context, string, string) (audit.WorkingHours, bool, error) {
	return audit.WorkingHours{}, false, nil
}

// The anomaly report's window: the last week unless asked otherwise, and
// at most a quarter, since every event of the window is read.
const (
	defaultAnomalyWindow = 7 * 24 * time.Hour
	maxAnomalyWindow     = 92 * 24 * time.Hour
)

// anomalyFields are the fields of an anomaly report, recorded as the
// fields of its read.
var anomalyFields = []string{"kind", "actor", "practice_ids", "event_ids", "event_count", "first_at", "last_at", "reason"}

// anomalyParams is an anomaly report's request.
type anomalyParams struct {
	scan  auditstore.AnomalyScan
	rules audit.AnomalyRules
}

// anomalies reports the patterns compliance reviews in a window: access
// without a work item, break-glass, access outside working hours and
// volume far above peers. It lists event ids and counts, never patient
// data; practice admins see only their practices' events, and the volume
// rule then compares actors within them.
func (a *API) anomalies(c *gin.Context) {
	ctx := c.Request.Context()
	ev := newEvent(c, audit.ActionRead, anomalyFields)
	p, err := parseAnomalyParams(c)
	ev.PracticeID = p.scan.PracticeID
	var out api.AnomalyReport
	if err == nil {
		out, err = a.detect(ctx, p)
	}
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, out)
}

// detect scans the window and runs the rules over it.
func (a *API) detect(ctx context.Context, p anomalyParams) (api.AnomalyReport, error) {
	var hoursErr error
	rules := p.rules
	rules.Hours = func(actor audit.Actor) (audit.WorkingHours, bool) {
		if hoursErr != nil {
			return audit.WorkingHours{}, false
		}
		h, ok, err := a.hours(ctx, actor.Issuer, actor.Subject)
		if err != nil {
			hoursErr = err
			return audit.WorkingHours{}, false
		}
		return h, ok
	}
	d := audit.NewAnomalyDetector(rules)
	err := a.store.ScanForAnomalies(ctx, p.scan, func(e audit.Event) error {
		d.Add(e)
		return hoursErr
	})
	if err == nil {
		err = hoursErr
	}
	if err != nil {
		return api.AnomalyReport{}, err
	}
	out := api.AnomalyReport{
		From: p.scan.From, To: p.scan.To, PracticeID: p.scan.PracticeID,
		VolumeFactor: p.rules.VolumeFactor, VolumeMinReads: p.rules.VolumeMinReads,
		Items: []api.Anomaly{},
	}
	keys := []string{}
	for _, an := range d.Report() {
		item := anomalyResponseFrom(an)
		out.Items = append(out.Items, item)
		keys = append(keys, item.Key)
	}
	out.HoursUnknown = d.HoursUnknown
	reviews, err := a.store.Reviews(ctx, keys)
	if err != nil {
		return api.AnomalyReport{}, err
	}
	for i := range out.Items {
		if r, ok := reviews[out.Items[i].Key]; ok {
			review := api.Review(r)
			out.Items[i].Review = &review
		}
	}
	return out, nil
}

// parseAnomalyParams reads the window, the practice and the volume
// thresholds. The practice is practice_id as on the other audit routes;
// practice is accepted as another name for it.
func parseAnomalyParams(c *gin.Context) (anomalyParams, error) {
	p := anomalyParams{rules: audit.AnomalyRules{VolumeFactor: audit.DefaultVolumeFactor, VolumeMinReads: audit.DefaultVolumeMinReads}}
	p.scan.Practices = scope(c.Request.Context())
	p.scan.PracticeID = c.Query("practice_id")
	if alias := c.Query("practice"); alias != "" {
		if p.scan.PracticeID != "" && p.scan.PracticeID != alias {
			return p, apperr.Invalid("practice", "conflicting_practice", "names another practice than practice_id")
		}
		p.scan.PracticeID = alias
	}
	from, err := parseTime(c, "from")
	if err != nil {
		return p, err
	}
	to, err := parseTime(c, "to")
	if err != nil {
		return p, err
	}
	if to.IsZero() {
		to = audit.CanonicalTime(time.Now())
	}
	if from.IsZero() {
		from = to.Add(-defaultAnomalyWindow)
	}
	switch {
	case !to.After(from):
		return p, apperr.Invalid("to", "invalid_range", "must be after from")
	case to.Sub(from) > maxAnomalyWindow:
		return p, apperr.Invalid("from", "window_too_long", "the window may span at most %d days", int(maxAnomalyWindow/(24*time.Hour)))
	}
	p.scan.From, p.scan.To = from, to
	if v := c.Query("volume_factor"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 || f > 100 {
			return p, apperr.Invalid("volume_factor", "out_of_range", "must be a number from 1 to 100")
		}
		p.rules.VolumeFactor = f
	}
	if v := c.Query("volume_min_reads"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			return p, apperr.Invalid("volume_min_reads", "out_of_range", "must be an integer from 1 to 1000000")
		}
		p.rules.VolumeMinReads = n
	}
	return p, nil
}

// anomalyKey names an anomaly by its kind, its actor and its first event,
// which the same window always reports alike.
func anomalyKey(a audit.Anomaly) string {
	first := ""
	if len(a.EventIDs) > 0 {
		first = a.EventIDs[0]
	}
	return keyOf(a.Kind, a.Actor.Issuer, a.Actor.Subject, first)
}

func keyOf(kind audit.AnomalyKind, issuer, subject, firstEvent string) string {
	return "anomaly:" + string(kind) + ":" + issuer + "|" + subject + ":" + firstEvent
}

func anomalyResponseFrom(a audit.Anomaly) api.Anomaly {
	return api.Anomaly{
		Key:         anomalyKey(a),
		Kind:        string(a.Kind),
		Actor:       api.AnomalyActor{Issuer: a.Actor.Issuer, Subject: a.Actor.Subject, Role: a.Role},
		PracticeIDs: api.OrEmpty(a.PracticeIDs), EventIDs: api.OrEmpty(a.EventIDs), EventCount: a.Events,
		FirstAt: a.First.UTC(), LastAt: a.Last.UTC(), Reason: a.Reason,
	}
}

// AgentHours reads agents' working hours from the roster: each working
// day of an agent's schedule is one shift in the agent's time zone.
// People who are not agents, or have no fixed hours, are unknown.
func AgentHours(r *roster.Service) Hours {
	return func(ctx context.Context, issuer, subject string) (audit.WorkingHours, bool, error) {
		sch, loc, ok, err := r.Hours(ctx, issuer, subject)
		if err != nil || !ok {
			return audit.WorkingHours{}, false, err
		}
		w := audit.WorkingHours{Location: loc}
		shift := audit.Shift{Start: time.Duration(sch.Start) * time.Minute, End: time.Duration(sch.End) * time.Minute}
		for d, on := range sch.Days {
			if on {
				w.Week[d] = []audit.Shift{shift}
			}
		}
		return w, true, nil
	}
}

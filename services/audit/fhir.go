package audit

import (
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
)

// FHIR R4 AuditEvent, with only the elements Backdesk fills. docs/audit.md
// lists the mapping field by field.

// Code systems of the mapping.
const (
	systemDICOM       = "http://dicom.nema.org/resources/ontology/DCM"
	systemEventType   = "http://terminology.hl7.org/CodeSystem/audit-event-type"
	systemRestful     = "http://hl7.org/fhir/restful-interaction"
	systemEntityType  = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	systemObjectRole  = "http://terminology.hl7.org/CodeSystem/object-role"
	systemSourceType  = "http://terminology.hl7.org/CodeSystem/security-source-type"
	systemActReason   = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	systemSecRoleType = "http://terminology.hl7.org/CodeSystem/extra-security-role-type"
	// Backdesk's own identifiers and codes: the action as recorded, and the
	// ids of work items, grants and requests.
	systemAction   = "urn:backdesk:audit-action"
	systemWorkItem = "urn:backdesk:work-item"
	systemGrant    = "urn:backdesk:grant"
	systemRequest  = "urn:backdesk:request"
	systemPurpose  = "urn:backdesk:purpose"
	observerName   = "Backdesk"
)

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type codeableConcept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value"`
}

type reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type fhirNetwork struct {
	Address string `json:"address"`
	Type    string `json:"type"` // "2": IP address
}

type fhirAgent struct {
	Type      *codeableConcept  `json:"type,omitempty"`
	Role      []codeableConcept `json:"role,omitempty"`
	Who       reference         `json:"who"`
	AltID     string            `json:"altId,omitempty"`
	Requestor bool              `json:"requestor"`
	Network   *fhirNetwork      `json:"network,omitempty"`
}

type fhirSource struct {
	Observer reference `json:"observer"`
	Type     []coding  `json:"type"`
}

type fhirDetail struct {
	Type        string `json:"type"`
	ValueString string `json:"valueString"`
}

type fhirEntity struct {
	What   reference    `json:"what"`
	Type   *coding      `json:"type,omitempty"`
	Role   *coding      `json:"role,omitempty"`
	Detail []fhirDetail `json:"detail,omitempty"`
}

// fhirEvent is an R4 AuditEvent resource.
type fhirEvent struct {
	ResourceType   string            `json:"resourceType"`
	ID             string            `json:"id"`
	Type           coding            `json:"type"`
	Subtype        []coding          `json:"subtype"`
	Action         string            `json:"action"`
	Recorded       string            `json:"recorded"`
	Outcome        string            `json:"outcome"`
	OutcomeDesc    string            `json:"outcomeDesc,omitempty"`
	PurposeOfEvent []codeableConcept `json:"purposeOfEvent,omitempty"`
	Agent          []fhirAgent       `json:"agent"`
	Source         fhirSource        `json:"source"`
	Entity         []fhirEntity      `json:"entity,omitempty"`
}

// kind is how one Backdesk action maps to AuditEvent's type, subtype and
// action code.
type kind struct {
	typ     coding
	subtype *coding
	action  string // C, R, U, D or E
}

var (
	restType       = coding{System: systemEventType, Code: "rest", Display: "RESTful Operation"}
	securityAlert  = coding{System: systemDICOM, Code: "110113", Display: "Security Alert"}
	userAuth       = coding{System: systemDICOM, Code: "110114", Display: "User Authentication"}
	appActivity    = coding{System: systemDICOM, Code: "110100", Display: "Application Activity"}
	exportType     = coding{System: systemDICOM, Code: "110106", Display: "Export"}
	rolesChanged   = coding{System: systemDICOM, Code: "110136", Display: "Security Roles Changed"}
	emergencyStart = coding{System: systemDICOM, Code: "110127", Display: "Emergency Override Started"}
)

var kinds = map[audit.Action]kind{
	audit.ActionRead:       {restType, &coding{System: systemRestful, Code: "read", Display: "read"}, "R"},
	audit.ActionCreate:     {restType, &coding{System: systemRestful, Code: "create", Display: "create"}, "C"},
	audit.ActionUpdate:     {restType, &coding{System: systemRestful, Code: "update", Display: "update"}, "U"},
	audit.ActionExport:     {exportType, nil, "R"},
	audit.ActionLogin:      {userAuth, &coding{System: systemDICOM, Code: "110122", Display: "Login"}, "E"},
	audit.ActionLogout:     {userAuth, &coding{System: systemDICOM, Code: "110123", Display: "Logout"}, "E"},
	audit.ActionGrant:      {securityAlert, &rolesChanged, "E"},
	audit.ActionRevoke:     {securityAlert, &rolesChanged, "E"},
	audit.ActionBreakGlass: {securityAlert, &emergencyStart, "E"},
}

// outcomes maps Backdesk outcomes to AuditEvent.outcome: 0 success, 4
// minor failure (the request was refused), 8 serious failure.
var outcomes = map[audit.Outcome]string{
	audit.OutcomeAllow: "0",
	audit.OutcomeDeny:  "4",
	audit.OutcomeError: "8",
}

// fhirAuditEvent maps one event. Every event also carries its Backdesk
// action as a subtype, so an action without a standard code (and any added
// later) survives the export.
func fhirAuditEvent(e audit.Event) fhirEvent {
	k, ok := kinds[e.Action]
	if !ok {
		k = kind{typ: appActivity, action: "E"}
	}
	out := fhirEvent{
		ResourceType: "AuditEvent",
		ID:           e.ID,
		Type:         k.typ,
		Action:       k.action,
		Recorded:     e.Time.UTC().Format(time.RFC3339Nano),
		Outcome:      outcomes[e.Outcome],
		OutcomeDesc:  e.Reason,
		Source: fhirSource{
			Observer: reference{Display: observerName},
			Type:     []coding{{System: systemSourceType, Code: "4", Display: "Application Server"}},
		},
	}
	if k.subtype != nil {
		out.Subtype = append(out.Subtype, *k.subtype)
	}
	out.Subtype = append(out.Subtype, coding{System: systemAction, Code: string(e.Action)})
	if out.Outcome == "" {
		out.Outcome = "8"
	}
	if e.Purpose != "" || e.BreakGlass {
		p := codeableConcept{Text: e.Purpose}
		if e.Purpose != "" {
			p.Coding = append(p.Coding, coding{System: systemPurpose, Code: e.Purpose})
		}
		if e.BreakGlass {
			p.Coding = append(p.Coding, coding{System: systemActReason, Code: "BTG", Display: "break the glass"})
		}
		out.PurposeOfEvent = []codeableConcept{p}
	}
	out.Agent = []fhirAgent{agentOf(e.Actor)}
	out.Entity = entitiesOf(e)
	return out
}

func agentOf(a audit.Actor) fhirAgent {
	ag := fhirAgent{
		Type:      &codeableConcept{Coding: []coding{{System: systemSecRoleType, Code: "humanuser", Display: "human user"}}},
		Who:       reference{Identifier: &identifier{System: a.Issuer, Value: a.Subject}},
		AltID:     a.SessionRef,
		Requestor: true,
	}
	if a.Role != "" {
		ag.Role = []codeableConcept{{Text: a.Role}}
	}
	if a.IP != "" {
		ag.Network = &fhirNetwork{Address: a.IP, Type: "2"}
	}
	return ag
}

// entitiesOf lists what the event touched: each patient (with the names
// of the fields returned), the practice, the work item and grant that
// justified the access, and the request (with its trace id and the
// caller's user agent), so the entry can be found in logs and traces.
func entitiesOf(e audit.Event) []fhirEntity {
	var out []fhirEntity
	var detail []fhirDetail
	if len(e.Fields) > 0 {
		detail = []fhirDetail{{Type: "fields", ValueString: strings.Join(e.Fields, ",")}}
	}
	for _, p := range e.PatientIDs {
		out = append(out, fhirEntity{
			What:   reference{Reference: "Patient/" + p},
			Type:   &coding{System: systemEntityType, Code: "1", Display: "Person"},
			Role:   &coding{System: systemObjectRole, Code: "1", Display: "Patient"},
			Detail: detail,
		})
	}
	if e.PracticeID != "" {
		out = append(out, fhirEntity{
			What: reference{Reference: "Organization/" + e.PracticeID},
			Type: &coding{System: systemEntityType, Code: "3", Display: "Organization"},
		})
	}
	other := &coding{System: systemEntityType, Code: "2", Display: "System Object"}
	if e.WorkItemID != "" {
		out = append(out, fhirEntity{What: reference{Identifier: &identifier{System: systemWorkItem, Value: e.WorkItemID}}, Type: other})
	}
	if e.GrantID != "" {
		out = append(out, fhirEntity{What: reference{Identifier: &identifier{System: systemGrant, Value: e.GrantID}}, Type: other})
	}
	out = append(out, changeEntities(e, other)...)
	if e.RequestID != "" {
		var d []fhirDetail
		if e.TraceID != "" {
			d = append(d, fhirDetail{Type: "trace_id", ValueString: e.TraceID})
		}
		if e.Actor.UserAgent != "" {
			d = append(d, fhirDetail{Type: "user_agent", ValueString: e.Actor.UserAgent})
		}
		out = append(out, fhirEntity{What: reference{Identifier: &identifier{System: systemRequest, Value: e.RequestID}}, Type: other, Detail: d})
	}
	return out
}

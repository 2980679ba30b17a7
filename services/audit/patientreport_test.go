package audit_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/stretchr/testify/require"
)

// signIn records that subject signed in at the seed's provider with name
// and email, as the identity domain does.
func (env *anomalyEnv) signIn(t *testing.T, subject, name, email string) {
	t.Helper()
	_, err := env.db.ExecContext(context.Background(), `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at)
VALUES ($1, 'https://idp', $2, $3, $4, $5, $5)`, "u-"+subject, subject, name, email, workday)
	require.NoError(t, err)
}

// lastRead is the newest event of the trail by actor.
func (env *anomalyEnv) lastRead(t *testing.T, actor string) audit.Event {
	t.Helper()
	cur, err := env.store.Search(context.Background(), auditstore.Query{Actor: actor, Limit: 1})
	require.NoError(t, err)
	defer cur.Close()
	r, ok, err := cur.Next()
	require.NoError(t, err)
	require.True(t, ok, "the read is in the trail")
	return r.Event
}

func TestPatientReportNamesWhoAccessed(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	env.signIn(t, "alice", "Alice Agent", "alice@billing.test")
	env.signIn(t, "dave", "Dave Desk", "dave@billing.test")
	q := url.Values{"from": {workday.Format("2006-01-02T15:04:05Z")}, "practice_id": {"prac-1"}, "limit": {"500"}}
	w := env.serve(t, complianceOfficer, nil, "/api/v1/audit/reports/patients/"+secretPatient+"?"+q.Encode())
	require.Equal(t, 200, w.Code, w.Body.String())
	var rep api.PatientReport
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rep))
	require.Equal(t, secretPatient, rep.PatientID)
	require.Len(t, rep.Items, 4, "alice's three reads and dave's break-glass, in practice 1")
	require.Equal(t, []api.Person{
		{Issuer: "https://idp", Subject: "dave", Name: "Dave Desk", Email: "dave@billing.test"},
		{Issuer: "https://idp", Subject: "alice", Name: "Alice Agent", Email: "alice@billing.test"},
	}, rep.People, "each actor once, in the order they first appear (newest first)")

	read := env.lastRead(t, "dev-carol")
	require.Equal(t, audit.ActionRead, read.Action)
	require.Equal(t, []string{secretPatient}, read.PatientIDs, "the report is a read about the patient")
	require.Contains(t, read.Fields, "people")

	// The same report as a download: every access, oldest first, named.
	q.Set("format", "csv")
	q.Del("limit")
	w = env.serve(t, complianceOfficer, nil, "/api/v1/audit/reports/patients/"+secretPatient+"?"+q.Encode())
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, "text/csv; charset=utf-8", w.Header().Get("Content-Type"))
	rows, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 6, "the header, the four accesses and compliance's read of the report, which named the patient")
	require.Equal(t, []string{"time_utc", "actor_name", "actor_email", "actor_role"}, rows[0][:4])
	require.Equal(t, []string{"2026-11-02T10:00:00Z", "Alice Agent", "alice@billing.test", "agent"}, rows[1][:4])
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	require.Equal(t, "read", rows[1][col("action")])
	require.Equal(t, "contact", rows[1][col("field_groups")], "phone is a contact field")
	require.Equal(t, "audit_review", rows[5][col("purpose")])
	require.Equal(t, "true", rows[4][col("break_glass")])
	require.Equal(t, "Dave Desk", rows[4][col("actor_name")])
	export := env.lastRead(t, "dev-carol")
	require.Equal(t, audit.ActionExport, export.Action, "the download is recorded as an export")
	require.Equal(t, []string{secretPatient}, export.PatientIDs)

	w = env.serve(t, complianceOfficer, nil, "/api/v1/audit/reports/patients/"+secretPatient+"?format=pdf")
	require.Equal(t, 400, w.Code)
}

func TestPatientReportIsScopedLikeTheTrail(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	var rep api.PatientReport
	w := env.serve(t, practiceOneAdmin, nil, "/api/v1/audit/reports/patients/"+secretPatient+"?limit=500")
	require.Equal(t, 200, w.Code, w.Body.String())
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rep))
	require.Len(t, rep.Items, 4, "practice 2's reads of the same id are not this admin's")
	for _, e := range rep.Items {
		require.Equal(t, "prac-1", e.PracticeID)
	}
	w = env.serve(t, practiceOneAdmin, nil, "/api/v1/audit/reports/patients/"+secretPatient+"?format=csv")
	require.Equal(t, 200, w.Code)
	require.Equal(t, 5, strings.Count(w.Body.String(), "\n"), "the header and practice 1's four rows")
}

func TestSearchByPersonResolvesNamesAndAddresses(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	env.signIn(t, "alice", "Alice Agent", "alice@billing.test")
	env.signIn(t, "bob", "Bob Builder", "bob@billing.test")
	list := func(person string) api.EventList {
		t.Helper()
		w := env.serve(t, complianceOfficer, nil, "/api/v1/audit/events?limit=500&person="+url.QueryEscape(person))
		require.Equal(t, 200, w.Code, w.Body.String())
		var l api.EventList
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &l))
		return l
	}
	l := list("ALICE@billing")
	require.Len(t, l.Items, 3)
	require.Equal(t, []api.Person{{Issuer: "https://idp", Subject: "alice", Name: "Alice Agent", Email: "alice@billing.test"}}, l.People)
	require.Len(t, list("builder").Items, 60)
	require.Empty(t, list("nobody at all").Items, "a name that finds nobody matches nothing, not everything")
	w := env.serve(t, complianceOfficer, nil, "/api/v1/audit/events?person=a")
	require.Equal(t, 400, w.Code)
	require.Contains(t, w.Body.String(), `"field":"person"`)
}

func TestSearchByPatientNameIsAnAuditedLookup(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	for _, pr := range []string{"prac-1", "prac-2"} {
		_, err := env.db.ExecContext(context.Background(), `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'P', $1, 'UTC', 'active', $2, $2)`, pr, workday)
		require.NoError(t, err)
	}
	_, err := env.db.ExecContext(context.Background(), `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, 'prac-1', 'E1', 'Jane', 'Roe', '1980-03-04', $2, $2)`, secretPatient, workday)
	require.NoError(t, err)

	q := url.Values{"practice_id": {"prac-1"}, "patient_last_name": {"roe"}, "patient_birth_date": {"1980-03-04"}, "limit": {"500"}}
	w := env.serve(t, complianceOfficer, nil, "/api/v1/audit/events?"+q.Encode())
	require.Equal(t, 200, w.Code, w.Body.String())
	var l api.EventList
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &l))
	require.Len(t, l.Items, 5, "the patient's accesses in practice 1, the lookup itself first")
	require.Equal(t, []string{"patient_id"}, l.Items[0].Fields)
	require.NotContains(t, w.Body.String(), "1980-03-04", "the answer holds no patient data")

	// Two events: the lookup of the patient (a read of patient data,
	// written with the lookup) and the search, both naming the patient.
	cur, err := env.store.Search(context.Background(), auditstore.Query{Actor: "dev-carol"})
	require.NoError(t, err)
	var got []audit.Event
	for {
		r, ok, err := cur.Next()
		require.NoError(t, err)
		if !ok {
			break
		}
		got = append(got, r.Event)
	}
	require.NoError(t, cur.Close())
	require.Len(t, got, 2)
	require.Equal(t, []string{"patient_id"}, got[1].Fields, "the lookup, first")
	require.Equal(t, got[0].RequestID, got[1].RequestID, "both of one request")
	require.Equal(t, []string{secretPatient}, got[1].PatientIDs)
	require.Equal(t, "prac-1", got[1].PracticeID)
	require.Equal(t, []string{secretPatient}, got[0].PatientIDs, "the search")

	for _, tc := range []struct {
		query url.Values
		code  int
		field string
	}{
		{url.Values{"patient_last_name": {"Roe"}, "patient_first_name": {"Jane"}}, 400, "practice_id"},
		{url.Values{"practice_id": {"prac-1"}, "patient_last_name": {"Roe"}}, 400, "patient_first_name"},
		{url.Values{"practice_id": {"prac-1"}, "patient_first_name": {"Jane"}}, 400, "patient_last_name"},
		{url.Values{"practice_id": {"prac-1"}, "patient_last_name": {"Roe"}, "patient_birth_date": {"4/3/1980"}}, 400, "patient_birth_date"},
	} {
		w := env.serve(t, complianceOfficer, nil, "/api/v1/audit/events?"+tc.query.Encode())
		require.Equal(t, tc.code, w.Code, tc.query)
		require.Contains(t, w.Body.String(), `"field":"`+tc.field+`"`)
	}
	// A practice admin looks patients up in their own practice only.
	q.Set("practice_id", "prac-2")
	w = env.serve(t, practiceOneAdmin, nil, "/api/v1/audit/events?"+q.Encode())
	require.Equal(t, 403, w.Code, w.Body.String())
	denied := env.lastRead(t, "dev-pam")
	require.Equal(t, audit.OutcomeDeny, denied.Outcome, "the refusal is recorded")
	require.Empty(t, denied.PatientIDs, "nobody was looked up")
}

package devstack_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// auditBundle is a running stack with a known set of audit events stored
// directly in its database, beside whatever the stack records itself.
type auditBundle struct {
	bundle
	db       *sqldb.DB
	store    *auditstore.Store
	demo     string // pat's practice
	other    string // a practice pat does not administer
	base     time.Time
	patientA string // named by seed-1, seed-2 (not lowest: only in the body) and seed-3
	patientB string
}

type auditEvent struct {
	Seq        int64    `json:"seq"`
	ID         string   `json:"id"`
	Time       string   `json:"time"`
	Action     string   `json:"action"`
	PracticeID string   `json:"practice_id"`
	PatientIDs []string `json:"patient_ids"`
	Outcome    string   `json:"outcome"`
	Actor      struct {
		Subject string `json:"subject"`
	} `json:"actor"`
}

type auditList struct {
	Items     []auditEvent `json:"items"`
	NextAfter *int64       `json:"next_after"`
}

type auditCheckpoint struct {
	Size     uint64 `json:"size"`
	RootHash []byte `json:"root_hash"` // base64 in JSON
	Note     string `json:"note"`
}

func setupAudit(t *testing.T, d sqldb.Dialect) auditBundle {
	t.Helper()
	_, dbURL := testenv.NewEmptyDB(t, d)
	b := auditBundle{bundle: setup(t, dbURL)}
	db, err := sqldb.Open(context.Background(), dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	b.db, b.store = db, auditstore.New(db)

	var me struct {
		Memberships []struct {
			PracticeID string `json:"practice_id"`
		} `json:"memberships"`
	}
	b.api.Do("GET", "/api/v1/me", "", bearer(b.token(t, "pat"))...).JSON(t, &me)
	require.Len(t, me.Memberships, 1)
	b.demo = me.Memberships[0].PracticeID
	res := b.api.Do("POST", "/api/v1/practices", `{"name":"Elsewhere Dental","npi":"1245319599","timezone":"UTC"}`, bearer(b.token(t, "admin"))...)
	require.Equal(t, 201, res.Code, string(res.Body))
	var other struct{ ID string }
	res.JSON(t, &other)
	b.other = other.ID

	b.base = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	b.patientA, b.patientB = "patient-zz-7731", "patient-aa-1942"
	actor := func(sub string) audit.Actor {
		return audit.Actor{Issuer: "http://issuer.test", Subject: sub, Role: "agent", IP: "10.0.0.7", UserAgent: "=cmd|' /C calc'!A0"}
	}
	at := func(h int) time.Time { return b.base.Add(time.Duration(h) * time.Hour) }
	events := []audit.Event{
		{ID: "seed-1", Time: at(0), Actor: actor("dev-alice"), Action: audit.ActionRead, PracticeID: b.demo, PatientIDs: []string{b.patientA}, Fields: []string{"name", "dob"}, Purpose: "claim_followup", WorkItemID: "wi-1", Outcome: audit.OutcomeAllow, RequestID: "req-1"},
		{ID: "seed-2", Time: at(1), Actor: actor("dev-bob"), Action: audit.ActionUpdate, PracticeID: b.demo, PatientIDs: []string{b.patientA, b.patientB}, Outcome: audit.OutcomeAllow},
		{ID: "seed-3", Time: at(2), Actor: actor("dev-alice"), Action: audit.ActionRead, PracticeID: b.other, PatientIDs: []string{b.patientA}, Outcome: audit.OutcomeDeny, Reason: "no_grant"},
		{ID: "seed-4", Time: at(3), Actor: actor("dev-maria"), Action: audit.ActionLogin, Outcome: audit.OutcomeError, Reason: "idp_down"},
		{ID: "seed-5", Time: at(4), Actor: actor("dev-alice"), Action: audit.ActionBreakGlass, PracticeID: b.demo, PatientIDs: []string{b.patientB}, Outcome: audit.OutcomeAllow, BreakGlass: true},
	}
	for i := 1; i <= 5; i++ {
		events = append(events, audit.Event{ID: fmt.Sprintf("page-%d", i), Time: at(10 + i), Actor: actor("dev-pager"), Action: audit.ActionRead, PracticeID: b.demo, Outcome: audit.OutcomeAllow})
	}
	b.append(t, events...)
	return b
}

func (b auditBundle) append(t *testing.T, events ...audit.Event) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, b.db.Tx(ctx, func(tx *sql.Tx) error { return b.store.Append(ctx, tx, events) }))
}

// integrate takes every stored event into the log and returns the size and
// root of the checkpoint signed, read from the note independently of the API.
func (b auditBundle) integrate(t *testing.T) (uint64, []byte) {
	t.Helper()
	// The platform integrates every second too; when it holds the log,
	// this waits its turn, as a second integrator must.
	var cp audit.Checkpoint
	var err error
	require.Eventually(t, func() bool {
		cp, err = b.store.Integrate(context.Background(), b.stack.AuditSigner)
		return !errors.Is(err, auditstore.ErrBusy)
	}, 30*time.Second, 20*time.Millisecond, "the log stays busy")
	require.NoError(t, err)
	opened, err := audit.OpenCheckpoint(cp.Note, b.stack.AuditVerifier)
	require.NoError(t, err)
	return opened.Size, opened.Root
}

func (b auditBundle) list(t *testing.T, user, path string) auditList {
	t.Helper()
	res := b.api.Do("GET", path, "", bearer(b.token(t, user))...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var out auditList
	res.JSON(t, &out)
	return out
}

// seeded keeps the ids of the events the test stored, in the order served;
// the stack's own events (audit reads among them) are left out.
func seeded(l auditList) []string {
	var ids []string
	for _, e := range l.Items {
		if strings.HasPrefix(e.ID, "seed-") || strings.HasPrefix(e.ID, "page-") {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

func TestAuditAPI(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setupAudit(t, d)
			b.integrate(t)

			t.Run("roles", func(t *testing.T) { testAuditRoles(t, b) })
			t.Run("filters", func(t *testing.T) { testAuditFilters(t, b) })
			t.Run("paging", func(t *testing.T) { testAuditPaging(t, b) })
			t.Run("practice admin scope", func(t *testing.T) { testAuditScope(t, b) })
			t.Run("inclusion proof", func(t *testing.T) { testAuditInclusion(t, b) })
			t.Run("consistency proof", func(t *testing.T) { testAuditConsistency(t, b) })
			t.Run("csv export", func(t *testing.T) { testAuditCSV(t, b) })
			t.Run("fhir export", func(t *testing.T) { testAuditFHIR(t, b) })
			t.Run("reads are audited", func(t *testing.T) { testAuditReadsAudited(t, b) })

			logs := b.logs.String()
			for _, phi := range []string{b.patientA, b.patientB, "claim_followup", "calc"} {
				require.NotContains(t, logs, phi, "an audited value reached the logs")
			}
		})
	}
}

func testAuditRoles(t *testing.T, b auditBundle) {
	paths := []string{
		"/api/v1/audit/checkpoint",
		"/api/v1/audit/consistency?from=1",
		"/api/v1/audit/events",
		"/api/v1/audit/events/seed-1",
		"/api/v1/audit/export?format=csv",
		"/api/v1/audit/reports/patients/" + b.patientA,
	}
	tests := []struct {
		user   string
		status int
	}{
		{"carol", 200}, // compliance
		{"pat", 200},   // practice admin, within the demo practice
		{"alice", 403}, // agent
		{"maria", 403}, // billing manager
		{"admin", 403}, // platform admin: running the platform is not reviewing access
	}
	for _, tc := range tests {
		for _, p := range paths {
			t.Run(tc.user+" "+p, func(t *testing.T) {
				res := b.api.Do("GET", p, "", bearer(b.token(t, tc.user))...)
				require.Equal(t, tc.status, res.Code, string(res.Body))
			})
		}
	}
	res := b.api.Do("GET", "/api/v1/audit/events", "")
	require.Equal(t, 401, res.Code)
}

func testAuditFilters(t *testing.T, b auditBundle) {
	q := func(v url.Values) string { return "/api/v1/audit/events?" + v.Encode() }
	ts := func(h int) string { return b.base.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
	tests := []struct {
		name  string
		query url.Values
		want  []string // seeded ids, newest first
	}{
		{"practice", url.Values{"practice_id": {b.other}}, []string{"seed-3"}},
		{"patient in the column and in the body", url.Values{"patient_id": {b.patientA}}, []string{"seed-3", "seed-2", "seed-1"}},
		{"lowest of several patients", url.Values{"patient_id": {b.patientB}}, []string{"seed-5", "seed-2"}},
		{"actor", url.Values{"actor": {"dev-alice"}}, []string{"seed-5", "seed-3", "seed-1"}},
		{"actor and practice", url.Values{"actor": {"dev-alice"}, "practice_id": {b.demo}}, []string{"seed-5", "seed-1"}},
		{"action", url.Values{"action": {"login"}}, []string{"seed-4"}},
		{"outcome", url.Values{"outcome": {"deny"}}, []string{"seed-3"}},
		{"time range, end excluded", url.Values{"from": {ts(1)}, "to": {ts(3)}}, []string{"seed-3", "seed-2"}},
		{"nothing matches", url.Values{"actor": {"dev-nobody"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, seeded(b.list(t, "carol", q(tc.query))))
		})
	}

	bad := []struct{ name, query, field string }{
		{"limit too big", "limit=501", "limit"},
		{"limit zero", "limit=0", "limit"},
		{"bad cursor", "after=x", "after"},
		{"bad outcome", "outcome=maybe", "outcome"},
		{"unknown target type", "target_type=patient", "target_type"},
		{"bad time", "from=yesterday", "from"},
		{"reversed range", "from=" + ts(3) + "&to=" + ts(1), "to"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			res := b.api.Do("GET", "/api/v1/audit/events?"+strings.ReplaceAll(tc.query, "+", "%2B"), "", bearer(b.token(t, "carol"))...)
			require.Equal(t, 400, res.Code, string(res.Body))
			require.Contains(t, string(res.Body), `"field":"`+tc.field+`"`)
		})
	}
}

func testAuditPaging(t *testing.T, b auditBundle) {
	var got []string
	path := "/api/v1/audit/events?actor=dev-pager&limit=2"
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5, "paging does not end")
		l := b.list(t, "carol", path)
		require.LessOrEqual(t, len(l.Items), 2)
		for _, e := range l.Items {
			got = append(got, e.ID)
		}
		if l.NextAfter == nil {
			break
		}
		require.Equal(t, l.Items[len(l.Items)-1].Seq, *l.NextAfter)
		path = fmt.Sprintf("/api/v1/audit/events?actor=dev-pager&limit=2&after=%d", *l.NextAfter)
	}
	require.Equal(t, []string{"page-5", "page-4", "page-3", "page-2", "page-1"}, got, "newest first, each once")
}

func testAuditScope(t *testing.T, b auditBundle) {
	l := b.list(t, "pat", "/api/v1/audit/events?limit=500")
	require.NotEmpty(t, l.Items)
	for _, e := range l.Items {
		require.Equal(t, b.demo, e.PracticeID, "pat sees only the demo practice's events")
	}
	require.Equal(t, []string{"page-5", "page-4", "page-3", "page-2", "page-1", "seed-5", "seed-2", "seed-1"}, seeded(l))

	require.Empty(t, seeded(b.list(t, "pat", "/api/v1/audit/events?practice_id="+b.other)))
	require.Equal(t, []string{"seed-2", "seed-1"}, seeded(b.list(t, "pat", "/api/v1/audit/reports/patients/"+b.patientA)))
	require.Equal(t, []string{"seed-3", "seed-2", "seed-1"}, seeded(b.list(t, "carol", "/api/v1/audit/reports/patients/"+b.patientA)))

	res := b.api.Do("GET", "/api/v1/audit/events/seed-3", "", bearer(b.token(t, "pat"))...)
	require.Equal(t, 404, res.Code, "another practice's event is not found, not forbidden")
	res = b.api.Do("GET", "/api/v1/audit/events/seed-4", "", bearer(b.token(t, "pat"))...)
	require.Equal(t, 404, res.Code, "an event of no practice is compliance's only")
	res = b.api.Do("GET", "/api/v1/audit/events/seed-1", "", bearer(b.token(t, "pat"))...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res = b.api.Do("GET", "/api/v1/audit/events/no-such-event", "", bearer(b.token(t, "carol"))...)
	require.Equal(t, 404, res.Code)

	res = b.api.Do("GET", "/api/v1/audit/export?format=fhir", "", bearer(b.token(t, "pat"))...)
	require.Equal(t, 200, res.Code)
	for _, line := range bytes.Split(bytes.TrimSpace(res.Body), []byte("\n")) {
		require.Contains(t, string(line), `"Organization/`+b.demo+`"`)
	}
}

func testAuditInclusion(t *testing.T, b auditBundle) {
	type detail struct {
		Event          auditEvent       `json:"event"`
		Canonical      string           `json:"canonical"`
		LeafIndex      *uint64          `json:"leaf_index"`
		InclusionProof [][]byte         `json:"inclusion_proof"`
		Checkpoint     *auditCheckpoint `json:"checkpoint"`
	}
	carol := bearer(b.token(t, "carol"))
	for _, id := range []string{"seed-1", "seed-2", "page-5"} {
		res := b.api.Do("GET", "/api/v1/audit/events/"+id, "", carol...)
		require.Equal(t, 200, res.Code, string(res.Body))
		var d detail
		res.JSON(t, &d)
		require.Equal(t, id, d.Event.ID)
		parsed, err := audit.Parse([]byte(d.Canonical))
		require.NoError(t, err)
		require.Equal(t, id, parsed.ID, "the canonical body is the event's")
		require.NotNil(t, d.LeafIndex)
		require.NotNil(t, d.Checkpoint)
		cp, err := audit.OpenCheckpoint([]byte(d.Checkpoint.Note), b.stack.AuditVerifier)
		require.NoError(t, err)
		require.Equal(t, cp.Size, d.Checkpoint.Size)
		require.Equal(t, cp.Root, d.Checkpoint.RootHash)

		leaf := rfc6962.DefaultHasher.HashLeaf([]byte(d.Canonical))
		require.NoError(t, proof.VerifyInclusion(rfc6962.DefaultHasher, *d.LeafIndex, cp.Size, leaf, d.InclusionProof, cp.Root))
		altered := rfc6962.DefaultHasher.HashLeaf([]byte(strings.Replace(d.Canonical, id, id+"x", 1)))
		require.Error(t, proof.VerifyInclusion(rfc6962.DefaultHasher, *d.LeafIndex, cp.Size, altered, d.InclusionProof, cp.Root), "an altered body must not verify")
	}

	// Stored but not integrated: no leaf, no proof. The stack's own
	// integrator may take it in at any moment, so only the shape is checked
	// when it has.
	b.append(t, audit.Event{ID: "late-1", Time: time.Now(), Actor: audit.Actor{Subject: "dev-alice"}, Action: audit.ActionRead, Outcome: audit.OutcomeAllow})
	res := b.api.Do("GET", "/api/v1/audit/events/late-1", "", carol...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var d detail
	res.JSON(t, &d)
	require.Equal(t, d.LeafIndex == nil, d.InclusionProof == nil)
}

func testAuditConsistency(t *testing.T, b auditBundle) {
	carol := bearer(b.token(t, "carol"))
	size1, root1 := b.integrate(t)
	b.append(t, audit.Event{ID: "later-1", Time: time.Now(), Actor: audit.Actor{Subject: "dev-bob"}, Action: audit.ActionRead, Outcome: audit.OutcomeAllow})
	size2, root2 := b.integrate(t)
	require.Greater(t, size2, size1)

	res := b.api.Do("GET", fmt.Sprintf("/api/v1/audit/consistency?from=%d&to=%d", size1, size2), "", carol...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var c struct {
		From, To   uint64
		Proof      [][]byte        `json:"proof"`
		Checkpoint auditCheckpoint `json:"checkpoint"`
	}
	res.JSON(t, &c)
	require.Equal(t, size1, c.From)
	require.Equal(t, size2, c.To)
	require.NoError(t, proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, c.Proof, root1, root2))
	require.Error(t, proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, c.Proof, root2, root2))

	res = b.api.Do("GET", "/api/v1/audit/checkpoint", "", carol...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var latest auditCheckpoint
	res.JSON(t, &latest)
	require.GreaterOrEqual(t, latest.Size, size2)
	cp, err := audit.OpenCheckpoint([]byte(latest.Note), b.stack.AuditVerifier)
	require.NoError(t, err)
	require.Equal(t, cp.Root, latest.RootHash)

	for _, q := range []string{"from=0", "from=x", fmt.Sprintf("from=%d&to=%d", size2, size1), fmt.Sprintf("from=1&to=%d", latest.Size+1000)} {
		res := b.api.Do("GET", "/api/v1/audit/consistency?"+q, "", carol...)
		require.Equal(t, 400, res.Code, q)
	}
}

func testAuditCSV(t *testing.T, b auditBundle) {
	res := b.api.Do("GET", "/api/v1/audit/export?format=csv&actor=dev-pager", "", bearer(b.token(t, "carol"))...)
	require.Equal(t, 200, res.Code, string(res.Body))
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv"))
	recs, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 6, "a header and five events")
	header := recs[0]
	col := func(name string) int {
		i := slices.Index(header, name)
		require.GreaterOrEqual(t, i, 0, name)
		return i
	}
	var ids []string
	for _, r := range recs[1:] {
		require.Len(t, r, len(header))
		ids = append(ids, r[col("id")])
		require.Equal(t, "dev-pager", r[col("actor_subject")])
		require.Equal(t, b.demo, r[col("practice_id")])
		require.True(t, strings.HasPrefix(r[col("actor_user_agent")], "'="), "a formula-like cell is defused")
		_, err := time.Parse(time.RFC3339Nano, r[col("time")])
		require.NoError(t, err)
	}
	require.Equal(t, []string{"page-1", "page-2", "page-3", "page-4", "page-5"}, ids, "oldest first")

	res = b.api.Do("GET", "/api/v1/audit/export?format=pdf", "", bearer(b.token(t, "carol"))...)
	require.Equal(t, 400, res.Code)
}

func testAuditFHIR(t *testing.T, b auditBundle) {
	res := b.api.Do("GET", "/api/v1/audit/export?format=fhir&from="+url.QueryEscape(b.base.Format(time.RFC3339))+"&to="+url.QueryEscape(b.base.Add(5*time.Hour).Format(time.RFC3339)), "", bearer(b.token(t, "carol"))...)
	require.Equal(t, 200, res.Code, string(res.Body))
	require.Equal(t, "application/fhir+ndjson", res.Header.Get("Content-Type"))

	type coding struct{ System, Code string }
	type resource struct {
		ResourceType string   `json:"resourceType"`
		ID           string   `json:"id"`
		Type         coding   `json:"type"`
		Subtype      []coding `json:"subtype"`
		Action       string   `json:"action"`
		Recorded     string   `json:"recorded"`
		Outcome      string   `json:"outcome"`
		Agent        []struct {
			Who struct {
				Identifier struct{ System, Value string } `json:"identifier"`
			} `json:"who"`
			Requestor *bool `json:"requestor"`
			Network   *struct{ Address, Type string }
		} `json:"agent"`
		Source struct {
			Observer *struct{ Display string } `json:"observer"`
		} `json:"source"`
		Entity []struct {
			What struct{ Reference string } `json:"what"`
		} `json:"entity"`
		PurposeOfEvent []struct {
			Coding []coding `json:"coding"`
		} `json:"purposeOfEvent"`
	}
	got := map[string]resource{}
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	for sc.Scan() {
		var r resource
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		require.NoError(t, dec.Decode(&r), sc.Text())
		require.Equal(t, "AuditEvent", r.ResourceType)
		require.NotEmpty(t, r.Type.System)
		require.NotEmpty(t, r.Type.Code)
		require.Contains(t, []string{"C", "R", "U", "D", "E"}, r.Action)
		_, err := time.Parse(time.RFC3339Nano, r.Recorded)
		require.NoError(t, err)
		require.Contains(t, []string{"0", "4", "8"}, r.Outcome)
		require.NotEmpty(t, r.Agent)
		require.NotNil(t, r.Agent[0].Requestor)
		require.True(t, *r.Agent[0].Requestor)
		require.NotEmpty(t, r.Agent[0].Who.Identifier.Value)
		require.NotNil(t, r.Source.Observer)
		got[r.ID] = r
	}
	require.NoError(t, sc.Err())
	require.Len(t, got, 5, "seed-1 to seed-5 fall in the range")

	e1 := got["seed-1"]
	require.Equal(t, coding{"http://terminology.hl7.org/CodeSystem/audit-event-type", "rest"}, e1.Type)
	require.Contains(t, e1.Subtype, coding{"http://hl7.org/fhir/restful-interaction", "read"})
	require.Equal(t, "R", e1.Action)
	require.Equal(t, "0", e1.Outcome)
	require.Equal(t, "http://issuer.test", e1.Agent[0].Who.Identifier.System)
	require.Equal(t, "dev-alice", e1.Agent[0].Who.Identifier.Value)
	require.Equal(t, "10.0.0.7", e1.Agent[0].Network.Address)
	var refs []string
	for _, en := range e1.Entity {
		refs = append(refs, en.What.Reference)
	}
	require.Contains(t, refs, "Patient/"+b.patientA)
	require.Contains(t, refs, "Organization/"+b.demo)

	require.Equal(t, "U", got["seed-2"].Action)
	require.Equal(t, "4", got["seed-3"].Outcome, "a denial is a minor failure")
	require.Equal(t, "8", got["seed-4"].Outcome, "an error is a serious failure")
	require.Equal(t, coding{"http://dicom.nema.org/resources/ontology/DCM", "110114"}, got["seed-4"].Type)
	require.Contains(t, got["seed-5"].PurposeOfEvent[0].Coding, coding{"http://terminology.hl7.org/CodeSystem/v3-ActReason", "BTG"})
}

// testAuditReadsAudited checks that each read of the trail leaves exactly
// one event, tied to its request, including a refused one.
func testAuditReadsAudited(t *testing.T, b auditBundle) {
	tests := []struct {
		user, path string
		status     int
		action     audit.Action
		outcome    audit.Outcome
	}{
		{"carol", "/api/v1/audit/checkpoint", 200, audit.ActionRead, audit.OutcomeAllow},
		{"carol", "/api/v1/audit/consistency?from=1", 200, audit.ActionRead, audit.OutcomeAllow},
		{"carol", "/api/v1/audit/events?actor=dev-pager", 200, audit.ActionRead, audit.OutcomeAllow},
		{"carol", "/api/v1/audit/events/seed-1", 200, audit.ActionRead, audit.OutcomeAllow},
		{"carol", "/api/v1/audit/export?format=fhir", 200, audit.ActionExport, audit.OutcomeAllow},
		{"carol", "/api/v1/audit/reports/patients/" + b.patientA, 200, audit.ActionRead, audit.OutcomeAllow},
		{"carol", "/api/v1/audit/events?limit=0", 400, audit.ActionRead, audit.OutcomeError},
		{"pat", "/api/v1/audit/events/seed-3", 404, audit.ActionRead, audit.OutcomeDeny},
	}
	for i, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			reqID := fmt.Sprintf("audit-read-%s-%d", b.demo[:8], i)
			hdr := append(bearer(b.token(t, tc.user)), "X-Request-ID", reqID)
			res := b.api.Do("GET", tc.path, "", hdr...)
			require.Equal(t, tc.status, res.Code, string(res.Body))

			evs := b.eventsOfRequest(t, reqID)
			require.Len(t, evs, 1, "one audit event per read")
			e := evs[0]
			require.Equal(t, tc.action, e.Action)
			require.Equal(t, tc.outcome, e.Outcome)
			require.Equal(t, "dev-"+tc.user, e.Actor.Subject)
			require.NotEmpty(t, e.Fields)
			if strings.Contains(tc.path, "/reports/patients/") {
				require.Equal(t, []string{b.patientA}, e.PatientIDs)
			}
			if tc.outcome == audit.OutcomeDeny {
				require.Equal(t, b.other, e.PracticeID, "the attempt shows in the other practice's trail")
			}
		})
	}
}

// eventsOfRequest reads the stored events of one request straight from the
// database, not through the API under test.
func (b auditBundle) eventsOfRequest(t *testing.T, reqID string) []audit.Event {
	t.Helper()
	rows, err := b.db.QueryContext(context.Background(), `SELECT body FROM audit_events WHERE body LIKE $1`, "%"+reqID+"%")
	require.NoError(t, err)
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		var body string
		require.NoError(t, rows.Scan(&body))
		e, err := audit.Parse([]byte(body))
		require.NoError(t, err)
		if e.RequestID == reqID {
			out = append(out, e)
		}
	}
	require.NoError(t, rows.Err())
	return out
}

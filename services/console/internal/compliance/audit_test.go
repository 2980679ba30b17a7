package compliance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
)

func TestAuditSearchSendsEveryFilter(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/audit/events": answer(200, `{"items":[`+kittest.EventJSON+`],"next_after":41}`),
	})
	q := url.Values{"patient_id": {"pt-1"}, "practice_id": {"pr-1"}, "actor": {"dev-alice"}, "action": {"read"}, "outcome": {"allow"},
		"from": {"2026-11-20T08:00"}, "to": {"2026-11-21T08:00"}, "tz": {"America/Chicago"}}
	p := b.Get(t, "carol", "/audit?"+q.Encode())
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	sent, err := url.ParseQuery(b.API.Last(t, "GET", "/api/v1/audit/events").Query)
	require.NoError(t, err)
	require.Equal(t, url.Values{"patient_id": {"pt-1"}, "practice_id": {"pr-1"}, "actor": {"dev-alice"}, "action": {"read"}, "outcome": {"allow"},
		"from": {"2026-11-20T14:00:00Z"}, "to": {"2026-11-21T14:00:00Z"}}, sent, "times typed in the browser's zone go as UTC")
	require.Contains(t, p.Body, `<tr data-event-id="ev-1" data-actor="dev-alice" data-action="read">`)
	require.Contains(t, p.Body, `<a href="/audit/events/ev-1">Details`)

	var older, csv string
	for _, m := range []struct {
		id  string
		out *string
	}{{"older", &older}, {"export-csv", &csv}} {
		i := strings.Index(p.Body, `id="`+m.id+`"`)
		require.Positive(t, i, m.id)
		start := strings.LastIndex(p.Body[:i], `href="`) + len(`href="`)
		*m.out = strings.ReplaceAll(p.Body[start:start+strings.Index(p.Body[start:], `"`)], "&amp;", "&")
	}
	next, err := url.Parse(older)
	require.NoError(t, err)
	require.Equal(t, "41", next.Query().Get("after"), "the next page starts after the last event shown")
	require.Equal(t, "2026-11-20T08:00", next.Query().Get("from"), "with the search as typed")
	exp, err := url.Parse(csv)
	require.NoError(t, err)
	require.Equal(t, "/audit/export", exp.Path)
	require.Equal(t, "csv", exp.Query().Get("format"))
	require.Equal(t, "pt-1", exp.Query().Get("patient_id"))
	require.Empty(t, exp.Query().Get("after"), "an export is the whole search")
	require.Contains(t, p.Body, `href="/audit" data-shortcut="s" aria-current="page">Audit trail</a>`)
	require.Contains(t, p.Body, `href="/audit/integrity"`, "compliance's sections")
	require.NotContains(t, p.Body, `href="/practices/`)

	// What the console cannot send is refused beside its field.
	p = b.Get(t, "carol", "/audit?from=yesterday&outcome=maybe&patient_id=a.b")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="from-error" class="field-error">enter a date and time`)
	require.Contains(t, p.Body, `<small id="outcome-error" class="field-error">`)
	require.Contains(t, p.Body, `<small id="patient_id-error" class="field-error">`)
	require.NotContains(t, p.Body, `id="events"`)
}

func TestAuditExportStreamsWithTheSearch(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"GET /api/v1/audit/export": func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, url.Values{"format": {"fhir"}, "actor": {"dev-alice"}, "from": {"2026-11-20T08:00:00Z"}}, r.URL.Query())
			w.Header().Set("Content-Type", "application/fhir+ndjson")
			w.Header().Set("Content-Disposition", `attachment; filename="audit-events.ndjson"`)
			for i := range 3 {
				_, _ = fmt.Fprintf(w, `{"resourceType":"AuditEvent","id":"%d"}`+"\n", i)
				w.(http.Flusher).Flush()
			}
		},
	}
	p := b.Get(t, "carol", "/audit/export?format=fhir&actor=dev-alice&from=2026-11-20T08:00")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "application/fhir+ndjson", p.Header.Get("Content-Type"))
	require.Equal(t, 3, strings.Count(p.Body, `"resourceType":"AuditEvent"`))
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))
}

// proven returns the event detail the API would give for the event at
// index in a log of the given canonical bodies, with its proof.
func proven(t *testing.T, bodies []string, index uint64) api.EventDetail {
	t.Helper()
	tree := testonly.New(rfc6962.DefaultHasher)
	for _, b := range bodies {
		tree.AppendData([]byte(b))
	}
	hashes, err := tree.InclusionProof(index, tree.Size())
	require.NoError(t, err)
	d := api.EventDetail{Canonical: bodies[index], LeafIndex: &index,
		Checkpoint: &api.Checkpoint{Size: tree.Size(), RootHash: base64.StdEncoding.EncodeToString(tree.Hash()), Note: "backdesk\n" + fmt.Sprint(tree.Size())}}
	for _, h := range hashes {
		d.InclusionProof = append(d.InclusionProof, base64.StdEncoding.EncodeToString(h))
	}
	require.NoError(t, json.Unmarshal([]byte(bodies[index]), &d.Event))
	return d
}

func canonicalOf(id string) string {
	return `{"id":"` + id + `","time":"2026-11-20T12:00:00Z","actor":{"issuer":"http://idp","subject":"dev-alice","role":"agent","session_ref":"","ip":"","user_agent":""},` +
		`"action":"read","practice_id":"pr-1","patient_ids":["pt-1"],"fields":[],"work_item_id":"","grant_id":"","purpose":"payment","outcome":"allow","reason":"","request_id":"","trace_id":"","break_glass":false}`
}

func TestEventPageChecksTheProof(t *testing.T) {
	t.Parallel()
	var bodies []string
	for i := range 7 {
		bodies = append(bodies, canonicalOf(fmt.Sprintf("ev-%d", i)))
	}
	good := proven(t, bodies, 5)
	good.People = []api.Person{{Issuer: "http://idp", Subject: "dev-alice", Name: "Alice Agent", Email: "alice@billing.test"}}
	tampered := proven(t, bodies, 5)
	tampered.Canonical = strings.Replace(tampered.Canonical, `"outcome":"allow"`, `"outcome":"deny"`, 1)
	wrongRoot := proven(t, bodies, 5)
	wrongRoot.Checkpoint.RootHash = base64.StdEncoding.EncodeToString(make([]byte, 32))
	pending := api.EventDetail{Canonical: bodies[5], Event: good.Event}
	other := proven(t, bodies, 4)

	for name, tc := range map[string]struct {
		d    api.EventDetail
		want string
	}{
		"verified":    {good, `data-proof="verified"><strong>Inclusion proof: verified</strong> against the checkpoint of size 7 (leaf 5).`},
		"named":       {good, `<h1>Read by Alice Agent</h1>`},
		"tampered":    {tampered, `data-proof="failed"><strong>Inclusion proof: FAILED.</strong>`},
		"wrong root":  {wrongRoot, `data-proof="failed"`},
		"pending":     {pending, `data-proof="pending"><strong>Inclusion proof: not yet in a checkpoint.</strong>`},
		"other event": {other, `data-proof="failed"><strong>Inclusion proof: FAILED.</strong> the stored canonical body is not this event.`},
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := json.Marshal(tc.d)
			require.NoError(t, err)
			b := setup(t, map[string]func() (int, string){"GET /api/v1/audit/events/ev-5": answer(200, string(raw))})
			p := b.Get(t, "carol", "/audit/events/ev-5")
			require.Equal(t, http.StatusOK, p.Code, p.Body)
			require.Contains(t, p.Body, tc.want)
			require.Contains(t, p.Body, `<code>pt-1</code> <a href="/audit?view=accesses&amp;patient_id=pt-1">access report</a>`, "each patient's access report")
		})
	}
}

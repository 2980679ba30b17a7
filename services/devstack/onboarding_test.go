package devstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// appDatabase returns the database URL the dev binary serves from in the
// API tests: on SQLite an empty file, which it migrates at start; on
// PostgreSQL a migrated database reached as the application role, so that
// row-level security fails every route that does not work within its
// practice's scope.
func appDatabase(t *testing.T, d sqldb.Dialect) string {
	t.Helper()
	if d == sqldb.Postgres {
		_, url := testenv.NewDB(t, d)
		return url
	}
	_, url := testenv.NewEmptyDB(t, d)
	return url
}

// TestPracticeLifecycleAPI follows a practice from creation to offboarding
// through the API, with each role's limits.
func TestPracticeLifecycleAPI(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testPracticeLifecycleAPI(t, appDatabase(t, d))
		})
	}
}

func testPracticeLifecycleAPI(t *testing.T, dbURL string) {
	b := setup(t, dbURL)
	admin, pat, alice := bearer(b.token(t, "admin")), bearer(b.token(t, "pat")), bearer(b.token(t, "alice"))

	var me struct {
		Memberships []struct {
			PracticeID string `json:"practice_id"`
		} `json:"memberships"`
	}
	b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
	demo := "/api/v1/practices/" + me.Memberships[0].PracticeID

	res := b.api.Do("POST", "/api/v1/practices", `{"name":"Hillview Dental","npi":"1234567893","timezone":"America/Denver"}`, admin...)
	require.Equal(t, 201, res.Code)
	var other struct{ ID string }
	res.JSON(t, &other)
	otherPath := "/api/v1/practices/" + other.ID

	sha := strings.Repeat("0f", 32)
	type step struct {
		name, method, path, body string
		who                      []string
		status                   int
		want                     string // substring of the body
	}
	steps := []step{
		{"pat sees only the demo practice", "GET", "/api/v1/practices", "", pat, 200, `"name":"Lakeside Family Dental"`},
		{"an agent administers nothing", "GET", "/api/v1/practices", "", alice, 200, `{"items":[]}`},
		{"activation needs a BAA", "POST", otherPath + "/activate", "", admin, 409, `"code":"baa_missing"`},
		{"practice admins cannot activate", "POST", demo + "/activate", "", pat, 403, `"code":"role_not_permitted"`},
		{"BAA with a bad hash", "PUT", demo + "/baa", `{"signer_name":"Dana Reyes","signed_on":"2026-01-05","document_sha256":"abc"}`, pat, 400, `"field":"document_sha256"`},
		{"BAA with a bad date", "PUT", demo + "/baa", `{"signer_name":"Dana Reyes","signed_on":"01/05/2026","document_sha256":"` + sha + `"}`, pat, 400, `"field":"signed_on"`},
		{"pat records the BAA", "PUT", demo + "/baa", `{"signer_name":"Dana Reyes","signer_title":"Owner","signed_on":"2026-01-05","document_sha256":"` + sha + `"}`, pat, 200, `"signer_name":"Dana Reyes"`},
		{"pat cannot touch another practice", "PUT", otherPath + "/baa", `{"signer_name":"X","signed_on":"2026-01-05","document_sha256":"` + sha + `"}`, pat, 403, `"not_a_member"`},
		{"the demo practice starts active", "GET", demo, "", pat, 200, `"status":"active"`},
		{"activating it again", "POST", demo + "/activate", "", admin, 409, `"invalid_transition"`},
		{"suspend needs a reason", "POST", demo + "/suspend", `{"reason":""}`, admin, 400, `"field":"reason"`},
		{"suspend", "POST", demo + "/suspend", `{"reason":"billing dispute"}`, admin, 200, `"status":"suspended"`},
		{"suspend twice", "POST", demo + "/suspend", `{"reason":"again"}`, admin, 409, `"invalid_transition"`},
		{"a suspended practice cannot be administered", "POST", demo + "/locations", `{"name":"North","address_line1":"9 Elm","city":"Austin","state":"TX","postal_code":"78701"}`, pat, 403, `"practice_not_active"`},
		{"but its settings can be read", "GET", demo + "/locations", "", pat, 200, `"items"`},
		{"reactivate", "POST", demo + "/activate", "", admin, 200, `"status":"active"`},
		{"rename with a stale version", "PATCH", demo, `{"name":"Lakeside","timezone":"America/Chicago","version":1}`, pat, 409, `"field":"version"`},
		{"location with a bad state", "POST", demo + "/locations", `{"name":"North","address_line1":"9 Elm","city":"Austin","state":"Texas","postal_code":"78701"}`, pat, 400, `"field":"state"`},
		{"add a location", "POST", demo + "/locations", `{"name":"North","address_line1":"9 Elm","city":"Austin","state":"TX","postal_code":"78701"}`, pat, 201, `"name":"North"`},
		{"list locations", "GET", demo + "/locations", "", pat, 200, `"city":"Austin"`},
		{"policies start from defaults", "GET", demo + "/policies", "", pat, 200, `"balance_min_cents":5000`},
		{"a bad cadence names its step", "PUT", demo + "/policies/balance_followup", `{"version":0,"policy":{"kind":"balance_followup","thresholds":{"balance_min_cents":2500,"balance_min_age_days":30},"cadence":[{"offset_days":0,"action":"statement"},{"offset_days":0,"action":"call"}],"sla_days":2,"max_next_contact_days":45}}`, pat, 400, `"field":"cadence[1].offset_days"`},
		{"an unknown policy field", "PUT", demo + "/policies/recare", `{"version":0,"policy":{"kind":"recare","cadense":[]}}`, pat, 400, `"field":"policy.cadense"`},
		{"set the balance policy", "PUT", demo + "/policies/balance_followup", `{"version":0,"policy":{"thresholds":{"balance_min_cents":2500,"balance_min_age_days":30},"cadence":[{"offset_days":0,"action":"statement"},{"offset_days":10,"action":"call"}],"sla_days":2,"max_next_contact_days":45}}`, pat, 200, `"version":1`},
		{"a second editor with the old version", "PUT", demo + "/policies/balance_followup", `{"version":0,"policy":{"thresholds":{"balance_min_cents":2500,"balance_min_age_days":30},"cadence":[{"offset_days":0,"action":"call"}],"sla_days":2,"max_next_contact_days":45}}`, pat, 409, `"field":"version"`},
		{"contact rules", "PUT", demo + "/policies/contact", `{"version":0,"policy":{"quiet_start":"21:00","quiet_end":"08:30","max_contacts_per_week":2,"channels":["call","email"],"text_consent_required":true}}`, pat, 200, `"kind":"contact"`},
		{"an unknown kind", "PUT", demo + "/policies/fishing", `{"version":0,"policy":{}}`, pat, 404, `"not_found"`},
		{"policies now show the changes", "GET", demo + "/policies", "", pat, 200, `"balance_min_cents":2500`},
		{"offboard", "POST", otherPath + "/offboard", `{"reason":"never started"}`, admin, 200, `"retain_until":"20`},
		{"offboarding is final", "POST", otherPath + "/activate", "", admin, 409, `"invalid_transition"`},
	}
	for i, s := range steps {
		res := b.api.Do(s.method, s.path, s.body, s.who...)
		require.Equal(t, s.status, res.Code, fmt.Sprintf("step %d %s: %s", i, s.name, res.Body))
		require.Contains(t, string(res.Body), s.want, "step %d %s", i, s.name)
	}
}

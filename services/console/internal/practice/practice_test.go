package practice

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

const summaryJSON = `{"practice_id":"pr-1","at":"2026-11-20T12:00:00Z","week_start":"2026-11-16T00:00:00Z",
"by_state":[{"kind":"balance_followup","state":"assigned","count":4},{"kind":"balance_followup","state":"waiting","count":2},
{"kind":"balance_followup","state":"resolved","count":9},{"kind":"recare","state":"open","count":1}],
"overdue":[{"kind":"balance_followup","count":3}],"resolved_this_week":[{"kind":"balance_followup","count":5}],
"closed_this_week":[{"kind":"recare","count":1}],"this_week":{"promised_cents":20000,"paid_cents":12550},
"last_30_days":{"promised_cents":90000,"paid_cents":45000},
"last_contacts":[{"patient_id":"pt-123456789012","work_item_id":"wi-1","kind":"balance_followup","at":"2026-11-19T15:00:00Z","channel":"call","outcome":"promised_payment","actor_id":"u-alice"}],
"ar_aging":[{"band":"0-30","amount_cents":123456,"accounts":7},{"band":"31-60","amount_cents":50000,"accounts":3},{"band":"90+","amount_cents":99,"accounts":1}],
"recare":{"due_unscheduled":6,"scheduled":2,"reactivated_30d":1,"open_followups":4,"closed_no_visit_30d":1},
"treatment":{"unscheduled":3,"unscheduled_cents":450000,"scheduled":1,"scheduled_30d":1,"open_followups":2},
"clearinghouse":[{"practice_id":"pr-1","practice_name":"Lakeside","kind":"claim_followup","asked":40,"answered":36,"without_call":27,"to_agents":9},
{"practice_id":"pr-1","practice_name":"Lakeside","kind":"eligibility_check","asked":120,"answered":118,"without_call":100,"to_agents":18}]}`

const coverageJSON = `{"practice_id":"pr-1","timezone":"America/Chicago","at":"2026-11-20T12:00:00Z","checked_through":"2026-11-25","fresh_days":30,
"days":[{"date":"2026-11-20","visits":12,"verified":10,"asked":1,"with_agents":1,"not_checked":0},
{"date":"2026-11-23","visits":9,"verified":4,"asked":3,"with_agents":0,"not_checked":2},
{"date":"2026-11-26","visits":5,"verified":0,"asked":0,"with_agents":0,"not_checked":5}]}`

// dashboardAPI answers what the dashboard asks.
func dashboardAPI() map[string]func() (int, string) {
	return map[string]func() (int, string){"GET /api/v1/work/practices/pr-1/summary": answer(200, summaryJSON),
		"GET /api/v1/work/practices/pr-1/verification": answer(200, coverageJSON)}
}

func TestDashboardChartsTheReceivables(t *testing.T) {
	t.Parallel()
	b := setup(t, dashboardAPI())
	p := b.Get(t, "pat", "/practices/pr-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "contacts=20", b.API.Last(t, "GET", "/api/v1/work/practices/pr-1/summary").Query)
	charts := map[string]kit.Chart{}
	for _, m := range kittest.ChartAttr.FindAllStringSubmatch(p.Body, -1) {
		var ch kit.Chart
		require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[2])), &ch), m[2])
		charts[m[1]] = ch
	}
	require.Len(t, charts, 2)
	amount, accounts := charts["aging-amount-chart"], charts["aging-accounts-chart"]
	require.Equal(t, []string{"0–30 days", "31–60 days", "61–90 days", "Over 90 days"}, amount.Data.Labels, "every band, in order")
	require.Equal(t, []int{1235, 500, 0, 1}, amount.Data.Datasets[0].Data, "whole dollars")
	require.Equal(t, []int{7, 3, 0, 1}, accounts.Data.Datasets[0].Data)
	require.Contains(t, p.Body, `<table class="visually-hidden" id="aging-data">`, "the figures, for screen readers")
	require.Contains(t, p.Body, `<th scope="row">0–30 days</th><td>$1,234.56</td><td>7</td>`)

	require.Regexp(t, `tile-value">7</span> <span class="tile-label">Open follow-ups`, p.Body, "unfinished items only")
	require.Regexp(t, `tile-alert"><span class="tile-value">3</span> <span class="tile-label">Overdue`, p.Body)
	require.Regexp(t, `tile-value">\$125.50</span> <span class="tile-label">Paid this week`, p.Body)
	require.Contains(t, p.Body, `<progress id="recalls-booked" value="2" max="8">25%</progress>`)
	require.Contains(t, p.Body, `<progress id="plans-booked" value="1" max="4">25%</progress>`)
	require.Contains(t, p.Body, "<td>Promised payment</td>", "recent activity")
	require.Contains(t, p.Body, `<span title="pt-123456789012">pt-123456789012</span>`, "patients by their whole id, never a prefix")

	// The top bar offers pat's sections and nothing else.
	for _, href := range []string{"/practices/pr-1", "/practices/pr-1/checklist", "/practices/pr-1/imports", "/practices/pr-1/access", "/audit"} {
		require.Contains(t, p.Body, `<a href="`+href+`"`, href)
	}
	require.Contains(t, p.Body, `<a href="/practices/pr-1" data-shortcut="d" aria-current="page">Dashboard</a>`)
	for _, href := range []string{"/queue", "/board", "/audit/reviews", "/audit/integrity"} {
		require.NotContains(t, p.Body, `href="`+href+`"`, href)
	}
}

// TestDashboardShowsTheWeeksVerificationAndWhatTheClearinghouseAnswered:
// the coming days by name in the practice's zone, what is left unchecked
// among the days verified now singled out, and the clearinghouse's
// answers with the share that needed no call.
func TestDashboardShowsTheWeeksVerificationAndWhatTheClearinghouseAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t, dashboardAPI())
	p := b.Get(t, "pat", "/practices/pr-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "Insurance verification, the coming week <small>(days in America/Chicago)</small>")
	require.Contains(t, p.Body, `<progress id="visits-verified" value="14" max="26">53%</progress>`)
	require.Contains(t, p.Body, `<time datetime="2026-11-23">Monday 23 November</time></th>`)
	require.Contains(t, p.Body, `<span class="badge badge-overdue">2</span>`, "unchecked visits due to be verified now stand out")
	require.Contains(t, p.Body, `<time datetime="2026-11-26">Thursday 26 November</time> <small>(checked later)</small>`)
	require.NotContains(t, p.Body, `<span class="badge badge-overdue">5</span>`, "visits checked later are not late")
	require.Contains(t, p.Body, "Visits through Wednesday 25 November are being verified now")

	require.Regexp(t, `(?s)<th scope="row">Eligibility check</th>.*<th scope="row">Claim follow-up</th>`, p.Body, "verifications first")
	require.Contains(t, p.Body, `<td class="num">100 <small>(84%)</small></td><td class="num">18</td>`)
	require.Contains(t, p.Body, `<td class="num">27 <small>(75%)</small></td><td class="num">9</td>`)
}

func TestChecklistSinglesOutTheNextStep(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/practices/pr-1/checklist": answer(200, `{"practice_id":"pr-1","next":"import","done":4,
"steps":[{"key":"baa","title":"Record the BAA","done":true,"hint":"h1"},{"key":"import","title":"Import patients","done":false,"hint":"Upload the patients export."},
{"key":"grant","title":"Grant the billing team access","done":false,"hint":"Grant a team."}]}`)})
	p := b.Get(t, "pat", "/practices/pr-1/checklist")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<li class="step step-next" data-step="import" aria-current="step">`)
	require.Contains(t, p.Body, `<li class="step step-done" data-step="baa">`)
	require.Contains(t, p.Body, `Upload the patients export. <a href="/practices/pr-1/imports">Go there</a>`)
	require.Contains(t, p.Body, `<a href="/practices/pr-1/access">Go there</a>`)
	require.Contains(t, p.Body, "4 of 3 steps done", "the API's count is shown as it is")
}

func TestAccessPageDecidesRequestsAndGrants(t *testing.T) {
	t.Parallel()
	grants := `{"grants":[{"id":"g-1","practice_id":"pr-1","grantee":{"type":"team","id":"t-1"},"kinds":["recare"],"field_groups":["identity","contact","recalls"],
"purpose":"payment","reason":"demo","granted_by":"u-pat","valid_from":"2026-01-01T00:00:00Z","valid_until":"2026-12-01T00:00:00Z",
"review_due_at":"2026-11-01T00:00:00Z","state":"review_overdue","version":3},
{"id":"g-2","practice_id":"pr-1","grantee":{"type":"agent","id":"u-bob"},"kinds":["recare"],"field_groups":["identity"],"purpose":"payment","reason":"old",
"granted_by":"u-pat","valid_from":"2026-01-01T00:00:00Z","valid_until":"2026-12-01T00:00:00Z","review_due_at":"2026-11-01T00:00:00Z","state":"revoked","version":2}]}`
	pending := `{"requests":[{"id":"ar-1","practice_id":"pr-1","team_id":"t-9","kinds":["claim_followup"],"field_groups":[],"days":30,
"reason":"Claims team takes over payer calls","requested_by":"u-maria","requested_at":"2026-11-20T12:00:00Z","state":"pending","decided_at":null}]}`
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/practices/pr-1/grants":          answer(200, grants),
		"GET /api/v1/practices/pr-1/access-requests": answer(200, pending),
		"GET /api/v1/audit/events":                   answer(200, `{"items":[`+kittest.EventJSON+`]}`),
		"POST /api/v1/access-requests/ar-1/approve":  answer(200, `{"request":{"id":"ar-1","state":"approved"}}`),
		"POST /api/v1/access-requests/ar-1/deny": answer(400,
			`{"error":{"code":"required","field":"note","message":"say why the request is denied"}}`),
		"POST /api/v1/grants/g-1/revoke": answer(409, `{"error":{"code":"stale","message":"the grant changed."}}`),
		"POST /api/v1/grants/g-1/recertify": answer(403,
			`{"error":{"code":"self_review","message":"a grant must be re-certified by a practice admin other than the people who asked for it and gave it"}}`),
		"POST /api/v1/practices/pr-1/grants": answer(400,
			`{"error":{"code":"invalid","field":"grantee.id","message":"no such team"}}`),
	})
	p := b.Get(t, "pat", "/practices/pr-1/access")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "state=pending", b.API.Last(t, "GET", "/api/v1/practices/pr-1/access-requests").Query)
	require.Equal(t, "limit=20&practice_id=pr-1", b.API.Last(t, "GET", "/api/v1/audit/events").Query)
	require.Contains(t, p.Body, `<dd class="reason">Claims team takes over payer calls</dd>`, "the requester's reason")
	require.Contains(t, p.Body, `action="/practices/pr-1/access-requests/ar-1/approve"`)
	require.Contains(t, p.Body, `action="/practices/pr-1/grants/g-1/revoke"`)
	require.NotContains(t, p.Body, `action="/practices/pr-1/grants/g-2/`, "a revoked grant has nothing left to do")
	require.Contains(t, p.Body, `<span class="badge badge-overdue">Review overdue</span>`)
	require.Contains(t, p.Body, `<a href="/audit/events/ev-1">Details`, "who accessed, linked to the proof")
	require.Contains(t, p.Body, `<input type="text" id="grantee" name="grantee" value="" autocomplete="off" aria-describedby="grantee-hint">`,
		"pat may not list teams: a plain id field")
	require.False(t, b.API.Called("GET", "/api/v1/teams"))

	p = b.Post(t, "pat", "/practices/pr-1/access-requests/ar-1/approve", url.Values{"note": {" fine "}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/practices/pr-1/access", p.Header.Get("Location"))
	require.Equal(t, map[string]any{"note": "fine"}, b.API.Last(t, "POST", "/api/v1/access-requests/ar-1/approve").Body)

	p = b.Post(t, "pat", "/practices/pr-1/access-requests/ar-1/deny", url.Values{"note": {""}})
	require.Equal(t, http.StatusOK, p.Code, "a form shown again is a page like any other")
	require.Contains(t, p.Body, `<input type="text" id="deny-ar-1-note" name="note" value="" aria-invalid="true" aria-describedby="deny-ar-1-note-error">`)
	require.Contains(t, p.Body, `<small id="deny-ar-1-note-error" class="field-error">say why the request is denied</small>`)
	require.NotContains(t, p.Body, `id="approve-ar-1-note-error"`, "only the refused form says so")

	p = b.Post(t, "pat", "/practices/pr-1/grants/g-1/revoke", url.Values{"version": {"3"}, "note": {"contract ended"}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, map[string]any{"version": float64(3), "note": "contract ended"}, b.API.Last(t, "POST", "/api/v1/grants/g-1/revoke").Body)
	require.Contains(t, p.Body, `<details class="revoke" open>`)
	require.Contains(t, p.Body, "It changed since this page was loaded: the grant changed.")
	require.Contains(t, p.Body, `value="contract ended"`)

	p = b.Post(t, "pat", "/practices/pr-1/grants/g-1/recertify", url.Values{"version": {"3"}})
	require.Equal(t, http.StatusOK, p.Code, "pat gave the grant: the page says another admin must re-certify it")
	require.Contains(t, p.Body, `<p class="form-alert" role="alert">a grant must be re-certified by a practice admin other than the people who asked for it and gave it</p>`)

	p = b.Post(t, "pat", "/practices/pr-1/grants", url.Values{"grantee_type": {"team"}, "grantee": {"t-x"}, "kinds": {"recare"},
		"days": {"30"}, "reason": {"Outsourced recall calls"}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, map[string]any{"grantee": map[string]any{"type": "team", "id": "t-x"}, "kinds": []any{"recare"}, "days": float64(30),
		"reason": "Outsourced recall calls"}, b.API.Last(t, "POST", "/api/v1/practices/pr-1/grants").Body)
	require.Contains(t, p.Body, `<details class="form-card" id="grant" open>`)
	require.Contains(t, p.Body, `<small id="grantee-error" class="field-error">no such team</small>`)
	require.Contains(t, p.Body, `value="recare" checked`)
}

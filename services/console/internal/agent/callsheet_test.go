package agent

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// claimItemJSON is a denied claim follow-up: the patient carries only
// identity and claims, as the claim field set allows.
const claimItemJSON = `{"item":{"item_id":"wi-7","practice_id":"pr-1","kind":"claim_followup","state":"in_progress","priority":80,
"reasons":[],"due_at":"2026-11-01T00:00:00Z","next_contact_at":null,"overdue":true,"version":3,"stage":"denied","hold":null},
"attempts":1,"cadence_step":1,"stage_reason":"CO-197: precertification absent",
"patient":{"first_name":"Dana","last_name":"Doe","date_of_birth":"1980-02-03","claims":[{"claim_id":"CLM-9","payer_name":"Delta Dental"}]},
"history":[],"other_items":[],"talking_points":[],"payer_history":[],
"practice":{"id":"pr-1","name":"Bright Smiles","phone":"+15550104477","timezone":"America/Chicago"},
"claim":{"claim_number":"CLM-9","payer_name":"Delta Dental","date_of_service":"2026-09-14","submitted_date":"2026-09-15",
"billed_cents":125000,"paid_cents":20000,"status":"denied","days_outstanding":80},
"next_contact_default":"2099-01-05"}`

func TestItemPageIsTheCallSheet(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/items/wi-7": answer(200, claimItemJSON)})
	p := b.Get(t, "alice", "/items/wi-7")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	sheet, rest, ok := strings.Cut(p.Body, `id="account"`)
	require.True(t, ok, "the call sheet comes before the account")
	require.Contains(t, sheet, "Read the denial reasons, then appeal or send a corrected claim.", "what to do now, from the stage")
	require.Contains(t, sheet, "<strong>Where it stands:</strong> Denied by the payer — CO-197: precertification absent")
	require.NotContains(t, sheet, ">denied<", "no raw stage code")
	require.Contains(t, sheet, `<dd id="patient-name">Dana Doe</dd>`)
	require.Contains(t, sheet, "<dt>Date of birth</dt><dd>3 Feb 1980</dd>")
	require.NotContains(t, sheet, `id="patient-phone"`, "the claim field set carries no phone")
	require.Contains(t, sheet, `<dd id="practice-name">Bright Smiles</dd>`)
	require.Contains(t, sheet, `<a href="tel:&#43;15550104477" id="practice-phone">(555) 010-4477</a>`)
	require.Contains(t, sheet, `<dd id="practice-zone">America/Chicago</dd>`)
	require.Contains(t, sheet, `<dd id="claim-payer">Delta Dental</dd>`)
	require.Contains(t, sheet, `<dd id="claim-number">CLM-9</dd>`)
	require.Contains(t, sheet, "<dt>Date of service</dt><dd>14 Sep 2026</dd>")
	require.Contains(t, sheet, `<dd id="claim-billed">$1,250.00</dd>`)
	require.Contains(t, sheet, `<dd id="claim-paid">$200.00</dd>`)
	require.Contains(t, sheet, `<dd id="claim-days">80 days</dd>`)
	require.Contains(t, sheet, "Sat 31 Oct 2026, 19:00 CDT", "the due date in the practice's zone, with the zone")
	require.Contains(t, sheet, "days ago)", "and how long ago")

	// Only the outcomes and channels of claim work are offered.
	form := rest[strings.Index(rest, `id="outcome-form"`):]
	form = form[:strings.Index(form, "</form>")]
	require.Contains(t, form, `<option value="claim_status_received">Claim status received</option>`)
	require.NotContains(t, form, `value="promised_payment"`, "a payer promises the agent no payment")
	require.NotContains(t, form, `value="scheduled"`)
	require.Contains(t, form, `<option value="payer_call">Payer call</option>`)
	require.NotContains(t, form, `<option value="text">`, "the patient is not contacted for claim work")
	require.Regexp(t, `<button type="button" class="secondary" id="cadence-pick" data-date-offset="\d+" data-date-target="next_contact">Cadence: Mon 5 Jan</button>`, form,
		"the cadence's date is one click away")
	require.Contains(t, form, `name="next_contact" value=""`, "but the agent chooses the date")
	require.Contains(t, form, `data-hide-when="outcome-kind" data-hide-values="paid declined"`)
	require.Contains(t, form, `<input type="hidden" name="tz" value="America/Chicago" data-browser-tz>`, "the date is a day at the practice")
	require.Contains(t, form, "9:00 that day, the practice's time (America/Chicago).")
	require.Contains(t, form, "Needed unless the outcome is &#39;Paid&#39; or &#39;Declined&#39;: those finish the item.")
}

func TestCallSheetShowsThePatientsPhoneAndConsent(t *testing.T) {
	t.Parallel()
	j := strings.Replace(itemJSON, `"phone":"555-0100"`, `"phone":"+15550104477","text_consent":false`, 1)
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/items/wi-1": answer(200, j)})
	p := b.Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<a href="tel:&#43;15550104477" id="patient-phone">(555) 010-4477</a>`)
	require.Contains(t, p.Body, `<dd id="text-consent">No text consent: do not text</dd>`)
	require.Contains(t, p.Body, "Call the guarantor about the balance and agree a payment.")
	require.Contains(t, p.Body, `<dd id="practice-zone">UTC</dd>`, "a practice without a zone shows UTC, and says so")
	require.Contains(t, p.Body, `<option value="voicemail">Voicemail</option>`)
	require.NotContains(t, p.Body, `<option value="claim_status_received">`)
	require.Contains(t, p.Body, "— a colleague", "a colleague's id is not shown")
	require.NotContains(t, p.Body, "u-bob")
}

func TestAFinishingOutcomeSendsNoDate(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"POST /api/v1/work/items/wi-7/outcomes": answer(200, `{"item_id":"wi-7","version":4}`),
		"GET /api/v1/work/queue":                answer(200, `{"items":[],"counts":{}}`),
	})
	p := b.Post(t, "alice", "/items/wi-7/outcome", url.Values{"channel": {"payer_call"}, "outcome": {"paid"},
		"next_contact": {"2026-12-08"}, "version": {"3"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	body := b.API.Last(t, "POST", "/api/v1/work/items/wi-7/outcomes").Body
	require.NotContains(t, body, "next_contact_at", "the cadence's date left in the field is not sent with paid")
}

func TestAnOutcomeMustBeChosen(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/items/wi-7": answer(200, claimItemJSON)})
	p := b.Post(t, "alice", "/items/wi-7/outcome", url.Values{"channel": {"payer_call"}, "note": {"on hold 40 minutes"}, "version": {"3"}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="outcome-kind-error" class="field-error">Choose what came of the contact.</small>`)
	require.Contains(t, p.Body, `>on hold 40 minutes</textarea>`)
	require.False(t, b.API.Called("POST", "/api/v1/work/items/wi-7/outcomes"))
}

// The account names the patient; Backdesk's own key for the record means
// nothing to the agent and is left out, while the practice's chart number
// stays.
func TestAccountLeavesOutInternalIDs(t *testing.T) {
	t.Parallel()
	secs, err := accountSections([]byte(`{"patient_id":"01a241ec-ce7e-7722-aa56-0af781c190b5","chart_number":"DEMO-0044","first_name":"Grace",
"balance":{"account_id":"01a241ec-ce7e-7722-aa56-0af781c190b6","total_cents":1250}}`), "America/Chicago")
	require.NoError(t, err)
	var all []string
	for _, s := range secs {
		for _, f := range s.Fields {
			all = append(all, f.Label+"="+f.Text)
		}
	}
	require.Contains(t, all, "Chart number=DEMO-0044")
	require.Contains(t, all, "Balance=$12.50")
	for _, f := range all {
		require.NotContains(t, f, "01a241ec", "no internal id on the page")
	}
}

// The payer's latest answer shows as words, with who answered and when in
// the practice's zone, the zone named.
func TestAccountShowsTheBenefitsInWords(t *testing.T) {
	t.Parallel()
	secs, err := accountSections([]byte(`{"first_name":"Grace","benefits":{"payer_name":"Delta Dental","coverage":"active",
"lines":["Annual maximum $1,500, $1,150 left, resets 2027-01-01","2 of 2 cleanings used this year, next eligible 2027-01-01"],
"answered_at":"2026-12-07T15:40:00Z"}}`), "America/Chicago")
	require.NoError(t, err)
	var b *section
	for i := range secs {
		if secs[i].Title == "Benefits" {
			b = &secs[i]
		}
	}
	require.NotNil(t, b, "a benefits section")
	require.Equal(t, []field{{"Payer", "Delta Dental"}, {"Coverage", "Active"}, {"Answered", "Mon 7 Dec 2026, 09:40 CST"}}, b.Fields)
	require.Equal(t, []string{"Annual maximum $1,500, $1,150 left, resets 2027-01-01",
		"2 of 2 cleanings used this year, next eligible 2027-01-01"}, b.Notes)
}

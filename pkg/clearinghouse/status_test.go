package clearinghouse

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x277"
	"github.com/stretchr/testify/require"
)

func TestJudgeAClaimStatusAnswer(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	j := judging{connection: "Acme", now: now, loc: chicago, payerWait: 14 * 24 * time.Hour}
	asked := ClaimAsked{Inquiry: Inquiry{Trace: "f/C-1"}, ItemState: "waiting", ItemStage: StageAsked}
	stillAsked := ItemStanding{State: "waiting", Stage: StageAsked}
	line := func(category, code string, others ...payer.StatusCode) *payer.StatusLine {
		return &payer.StatusLine{ClaimNumber: "C-1", Category: category, Code: code, Others: others}
	}
	for _, c := range []struct {
		name    string
		asked   ClaimAsked
		after   ItemStanding
		line    *payer.StatusLine
		fresh   bool
		outcome string
		act     act
		stage   payer.Stage
		until   time.Duration
		reason  string
		note    bool
	}{
		{"finished before the answer", ClaimAsked{ItemState: "resolved"}, ItemStanding{State: "resolved"}, line("P1", "20"), true,
			OutcomeLate, actNone, "", 0, "", false},
		{"no status", asked, stillAsked, nil, false, OutcomeNeedsAgent, actRaise, StageNeedsAgent, 0, "with no status", true},
		{"paid with the amount: the applier resolved it", asked, ItemStanding{State: "resolved"}, line("F1", "65"), true,
			OutcomeResolved, actNone, "", 0, "", false},
		{"paid without an amount: the applier made it wait", asked, ItemStanding{State: "waiting", Stage: "awaiting_remittance"},
			line("F1", "65"), true, OutcomeAwaitingRemittance, actNone, "", 0, "", false},
		{"accepted after a rejection: the applier made it wait", asked, ItemStanding{State: "waiting"}, line("A2", "20"), true,
			OutcomePending, actNone, "", 0, "", false},
		{"rejected: the applier raised it", asked, ItemStanding{State: "open", Stage: "rejected"}, line("A7", "187"), true,
			OutcomeNeedsAgent, actNone, "", 0, "", false},
		{"pending", asked, stillAsked, line("P1", "20"), true, OutcomePending, actWait, "", 14 * 24 * time.Hour,
			"Waiting until Dec 21, 2026 before following up", false},
		{"acknowledged", asked, stillAsked, line("A1", "19"), true, OutcomePending, actWait, "", 14 * 24 * time.Hour, "With the payer", false},
		{"pending for the practice's information", asked, stillAsked, line("P3", "21"), true, OutcomeNeedsAgent, actRaise,
			StageNeedsAgent, 0, "waits for information it asked for", false},
		{"pending for the patient's information", asked, stillAsked, line("P4", ""), true, OutcomeNeedsAgent, actRaise,
			StageNeedsAgent, 0, "waits for information", false},
		{"finalized with no payment to come", asked, stillAsked, line("F4", "65"), true, OutcomeAwaitingRemittance, actWait, "",
			RemittanceWait, "Waiting for the remittance until Dec 14, 2026", false},
		{"paid, posted before", asked, stillAsked, line("F1", "65"), false, OutcomeAwaitingRemittance, actWait,
			payer.StageAwaitingRemittance, RemittanceWait, "Finalized", true},
		{"denied, posted before", asked, stillAsked, line("F2", "88"), false, OutcomeNeedsAgent, actRaise, payer.StageDenied, 0,
			"F2 Finalized: denied", true},
		{"pending with a rejection beside it, posted before", asked, stillAsked,
			line("P1", "20", payer.StatusCode{Category: "A7", Code: "562"}), false, OutcomeNeedsAgent, actRaise, payer.StageRejected, 0,
			"562", true},
		{"the payer's system is down", asked, stillAsked, line("E1", ""), true, OutcomeNeedsAgent, actRaise, StageNeedsAgent, 0,
			"could not get the claim's status", false},
		{"an unknown category", asked, stillAsked, line("Z9", ""), true, OutcomeNeedsAgent, actRaise, StageNeedsAgent, 0, "Z9", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := j.judge(c.asked, c.after, c.line, c.fresh)
			require.Equal(t, c.outcome, v.outcome)
			require.Equal(t, c.act, v.act)
			require.Equal(t, c.stage, v.stage)
			require.Contains(t, v.reason, c.reason)
			require.Equal(t, c.note, v.note != "", v.note)
			if c.act == actWait {
				require.Equal(t, now.Add(c.until), v.until)
			} else {
				require.True(t, v.until.IsZero())
			}
			if c.act == actNone {
				require.Empty(t, v.reason)
			}
			require.Equal(t, AnsweredWithoutCall(v.outcome), c.outcome == OutcomeResolved || c.outcome == OutcomePending ||
				c.outcome == OutcomeAwaitingRemittance)
		})
	}
}

func TestMatchAnswersToTheirQuestions(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	q := func(practice, npi, item, number string, asked time.Time) ClaimAsked {
		return ClaimAsked{Inquiry: Inquiry{Trace: "f-" + item + "/" + number, PracticeID: practice, WorkItemID: item, AskedAt: asked},
			ClaimNumber: number, PracticeNPI: npi}
	}
	status := func(number, npi string) x277.ClaimStatus {
		return x277.ClaimStatus{PatientControlNumber: number, ProviderNPI: npi}
	}
	// Newest first, as the store returns them.
	asked := []ClaimAsked{
		q("p1", "1234567893", "w1", "C-1", at),
		q("p2", "1234567802", "w2", "C-1", at),
		q("p1", "1234567893", "w3", "C-2", at),
		q("p1", "1234567893", "w3", "C-2", at.Add(-time.Hour)), // asked before about the same item
	}
	for _, c := range []struct {
		name      string
		claims    []x277.ClaimStatus
		want      []string // traces paired, in order
		unmatched int
	}{
		{"the provider's NPI picks the practice", []x277.ClaimStatus{status("C-1", "1234567802")}, []string{"f-w2/C-1"}, 0},
		{"two practices and no NPI: cannot tell", []x277.ClaimStatus{status("C-1", "")}, nil, 1},
		{"an NPI neither practice has: cannot tell", []x277.ClaimStatus{status("C-1", "1234567810")}, nil, 1},
		{"one practice: no NPI needed", []x277.ClaimStatus{status("C-2", "")}, []string{"f-w3/C-2"}, 0},
		{"the newest question of the item answers", []x277.ClaimStatus{status("C-2", "1234567893")}, []string{"f-w3/C-2"}, 0},
		{"a second status for the same item is not applied twice",
			[]x277.ClaimStatus{status("C-2", ""), status("C-2", "")}, []string{"f-w3/C-2"}, 1},
		{"both practices' claims in one file", []x277.ClaimStatus{status("C-1", "1234567893"), status("C-1", "1234567802")},
			[]string{"f-w1/C-1", "f-w2/C-1"}, 0},
		{"no question of ours", []x277.ClaimStatus{status("C-9", "1234567893")}, nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			pairs, unmatched := matchAnswers(c.claims, asked)
			var got []string
			for _, p := range pairs {
				got = append(got, p.asked.Trace)
			}
			require.Equal(t, c.want, got)
			require.Equal(t, c.unmatched, unmatched)
		})
	}
}

func TestSortClaims(t *testing.T) {
	good := ClaimQuestion{ItemID: "w1", PracticeID: "p1", ClaimNumber: "C-2", PayerName: " delta  dental ", MemberID: "M1",
		BilledCents: 24500, ServiceDate: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), LastName: "Lee", FirstName: "Ann",
		Practice: "Riverside Dental", NPI: "1234567893"}
	with := func(f func(*ClaimQuestion)) ClaimQuestion {
		c := good
		f(&c)
		return c
	}
	payers := []Payer{{Name: "Delta Dental", ID: "DDPA1", ClaimStatus: true}, {Name: "Small Mutual", ID: "SM1", Eligibility: true}}
	claims := []ClaimQuestion{
		good,
		with(func(c *ClaimQuestion) { c.ItemID, c.ClaimNumber = "w0", "C-1" }),
		with(func(c *ClaimQuestion) { c.ItemID, c.PracticeID = "w9", "p2" }),
		with(func(c *ClaimQuestion) { c.ItemID, c.PayerName = "w2", "Small Mutual" }),
		with(func(c *ClaimQuestion) { c.ItemID, c.PayerName = "w3", "Unheard Of" }),
		with(func(c *ClaimQuestion) { c.ItemID, c.MemberID = "w4", " " }),
		with(func(c *ClaimQuestion) { c.ItemID, c.ServiceDate = "w5", time.Time{} }),
		with(func(c *ClaimQuestion) { c.ItemID, c.NPI = "w6", "1234567890" }),
		with(func(c *ClaimQuestion) { c.ItemID, c.LastName = "w7", "LEE*ANN" }),
	}
	ask, unasked := SortClaims(claims, payers, "Acme")
	require.Len(t, ask, 2)
	var order []string
	for _, a := range ask["p1"] {
		order = append(order, a.Claim.ItemID)
		require.Equal(t, "DDPA1", a.Request.Payer.ID)
	}
	require.Equal(t, []string{"w0", "w1"}, order, "by claim number")
	require.Len(t, ask["p2"], 1)
	why := map[string]string{}
	for _, u := range unasked {
		why[u.Claim.ItemID] = u.Reason
	}
	require.Contains(t, why["w2"], "Small Mutual does not answer claim status requests through Acme")
	require.Contains(t, why["w3"], "Unheard Of does not answer claim status requests")
	require.Contains(t, why["w4"], "No subscriber id")
	require.Contains(t, why["w5"], "claim service date is not set")
	require.Contains(t, why["w6"], "provider NPI")
	require.Contains(t, why["w7"], "subscriber last name")
	require.Len(t, why, 6)
	for _, r := range why {
		require.NotContains(t, r, "LEE", "reasons name fields, never their values")
		require.NotContains(t, r, "M1")
	}
}

func TestPayerWaitFollowsThePracticeCadence(t *testing.T) {
	custom := func(maxDays int, offsets ...int) practice.Policies {
		p := policy.Default(policy.ClaimFollowup)
		p.MaxNextContactDays, p.Cadence = maxDays, nil
		for _, o := range offsets {
			p.Cadence = append(p.Cadence, policy.Step{OffsetDays: o, Action: policy.PayerCall})
		}
		return practice.Policies{Kinds: map[policy.Kind]policy.Policy{policy.ClaimFollowup: p}}
	}
	day := 24 * time.Hour
	require.Equal(t, 14*day, payerWait(practice.Policies{}), "the default cadence")
	require.Equal(t, 10*day, payerWait(custom(30, 0, 10, 20)))
	require.Equal(t, 7*day, payerWait(custom(7, 0, 21)), "never longer than the longest wait between contacts")
	require.Equal(t, 14*day, payerWait(custom(0, 0)), "a cadence of one step")
}

func TestRead277(t *testing.T) {
	set := func(ref, claim string) string {
		return "ST*277*0001*" + ref + "~BHT*0010*08*1*20261207*1030*DG~HL*1**20*1~NM1*PR*2*DELTA*****PI*DDPA1~HL*2*1*21*1~" +
			"NM1*41*2*BACKDESK*****46*BACKDESK~HL*3*2*19*1~NM1*1P*2*RIVERSIDE*****XX*1234567893~HL*4*3*22*0~" +
			"NM1*IL*1*LEE*ANN****MI*M1~TRN*2*" + claim + "~STC*P1:20*20261204~SE*13*0001~"
	}
	file := func(version string, sets ...string) []byte {
		return []byte("ISA*00*          *00*          *ZZ*CLEARHOUSE     *ZZ*BACKDESK       *261207*1030*^*00501*000000612*0*T*:~" +
			"GS*HN*CLEARHOUSE*BACKDESK*20261207*1030*612*X*" + version + "~" + strings.Join(sets, "") + "GE*" +
			string(rune('0'+len(sets))) + "*612~IEA*1*000000612~")
	}
	claims, others, err := read277(file("005010X212", set("005010X212", "C-1"), set("005010X214", "C-2"), set("", "C-3")))
	require.NoError(t, err)
	require.Equal(t, 1, others, "a claim acknowledgment answers no 276")
	require.Len(t, claims, 2)
	require.Equal(t, "C-1", claims[0].PatientControlNumber)
	require.Equal(t, "C-3", claims[1].PatientControlNumber, "no ST03: the group's version says X212")

	for _, c := range []struct {
		name, body, want string
	}{
		{"another transaction set", strings.Replace(set("005010X212", "C-1"), "ST*277", "ST*835", 1), "another transaction set"},
		{"a status that is no date", strings.Replace(set("005010X212", "C-1"), "20261204", "2026120X", 1), "STC"},
		{"a claim with no number", strings.Replace(set("005010X212", "C-1"), "TRN*2*C-1", "TRN*2*", 1), "TRN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := read277(file("005010X212", c.body))
			var se *x12.SyntaxError
			require.True(t, errors.As(err, &se), "%v", err)
			require.Contains(t, err.Error(), c.want)
			require.NotContains(t, err.Error(), "LEE")
		})
	}
}

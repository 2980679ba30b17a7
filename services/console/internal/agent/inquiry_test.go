package agent

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestItemPageSaysWhatTheClearinghouseWasAskedAndAnswered: the last
// question in words, its times in the practice's zone, and the reason an
// answer needed a person; nothing when none was asked.
func TestItemPageSaysWhatTheClearinghouseWasAskedAndAnswered(t *testing.T) {
	t.Parallel()
	withPractice := strings.Replace(itemJSON, `"other_items":[]`,
		`"practice":{"id":"pr-1","name":"Lakeside Dental","phone":"","timezone":"America/Chicago"},"other_items":[]`, 1)
	cases := []struct {
		name, inquiry string
		want, not     []string
	}{
		{"needs a person", `{"set":"270","clearinghouse":"Demo Clearinghouse","asked_at":"2026-11-02T14:00:00Z","answered_at":"2026-11-02T16:30:00Z",
"outcome":"needs_agent","reason":"Member not found (AAA 75): check the subscriber id with the patient."}`,
			[]string{"Eligibility and benefits (270), through Demo Clearinghouse", "Mon 2 Nov 2026, 08:00 CST",
				`<dd id="inquiry-answer">The answer needs a person. Member not found (AAA 75): check the subscriber id with the patient.</dd>`},
			[]string{"Not yet"}},
		{"no answer yet", `{"set":"276","clearinghouse":"Demo Clearinghouse","asked_at":"2026-11-02T14:00:00Z","answered_at":null,"outcome":"","reason":""}`,
			[]string{"Claim status (276)", "<dt>Answered</dt><dd>Not yet</dd>", "No answer yet. If none comes in time, the item comes to an agent."},
			nil},
		{"nothing asked", `null`, nil, []string{"Asked of the clearinghouse"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := strings.Replace(withPractice, `"other_items":[]`, `"last_inquiry":`+tc.inquiry+`,"other_items":[]`, 1)
			b := setup(t, map[string]func() (int, string){"GET /api/v1/work/items/wi-1": answer(200, j)})
			p := b.Get(t, "alice", "/items/wi-1")
			require.Equal(t, http.StatusOK, p.Code, p.Body)
			for _, w := range tc.want {
				require.Contains(t, p.Body, w)
			}
			for _, n := range tc.not {
				require.NotContains(t, p.Body, n)
			}
		})
	}
}

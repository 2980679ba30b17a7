package work_test

import (
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
)

func TestTalkingPointsCoverEveryKindAndOutcome(t *testing.T) {
	for _, k := range policy.Kinds {
		first := work.TalkingPoints(k, "")
		if len(first) < 2 {
			t.Errorf("%s: only %d points before the first contact", k, len(first))
		}
		for _, o := range work.Outcomes {
			pts := work.TalkingPoints(k, o)
			if len(pts) == 0 {
				t.Errorf("%s after %s: no points", k, o)
			}
			for _, p := range pts {
				if strings.TrimSpace(p) == "" {
					t.Errorf("%s after %s: empty point", k, o)
				}
			}
		}
	}
}

func TestTalkingPointsFollowTheLastOutcome(t *testing.T) {
	promised := strings.Join(work.TalkingPoints(policy.BalanceFollowup, work.PromisedPayment), " ")
	if !strings.Contains(promised, "promised") {
		t.Errorf("balance follow-up after a promise should check the promise: %q", promised)
	}
	vm := strings.Join(work.TalkingPoints(policy.Recare, work.Voicemail), " ")
	if !strings.Contains(vm, "voicemail") {
		t.Errorf("after a voicemail the points should say so: %q", vm)
	}
	if a, b := work.TalkingPoints(policy.ClaimFollowup, ""), work.TalkingPoints(policy.ClaimFollowup, work.StatusReceived); a[0] == b[0] {
		t.Errorf("points before the first contact and after a status should differ")
	}
}

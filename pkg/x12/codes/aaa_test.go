package codes

import (
	"strings"
	"testing"
)

// The reasons and actions a dental office meets in 271 answers all have
// words, and each table lists a code once.
func TestRejectTablesCoverDentalCodes(t *testing.T) {
	t.Parallel()
	reasons := strings.Fields(`15 41 42 43 44 45 47 48 49 50 51 52 56 57 58 60 61 62 63 64 65
		66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 97 AA AE AF AG AO CI E8 IA MA T4`)
	for _, c := range reasons {
		if w, ok := RejectReason(c); !ok || w == "" {
			t.Errorf("reject reason %s has no words", c)
		}
	}
	for _, c := range strings.Fields("C N P R S W X Y") {
		if w, ok := FollowUpAction(c); !ok || w == "" {
			t.Errorf("follow-up action %s has no words", c)
		}
	}
	for name, table := range map[string][]entry{"reject reason": rejectReasons, "follow-up action": followUpActions} {
		seen := map[string]bool{}
		for _, e := range table {
			if strings.TrimSpace(e.code) == "" || strings.TrimSpace(e.meaning) == "" || seen[e.code] {
				t.Errorf("%s table: entry %q is empty or repeated", name, e.code)
			}
			seen[e.code] = true
		}
	}
	for _, c := range []string{"", "99", "z", "75 ", "t4"} {
		if w, ok := RejectReason(c); ok {
			t.Errorf("RejectReason(%q) = %q, want unknown", c, w)
		}
	}
	if w, ok := FollowUpAction("Q"); ok {
		t.Errorf("FollowUpAction(Q) = %q, want unknown", w)
	}
}

func TestRetryAfterReject(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reason, action string
		want           bool
	}{
		{"42", "", true},   // payer down, no instruction: the reason decides
		{"42", "R", true},  // resubmission allowed
		{"80", "R", true},  // no answer came back
		{"42", "N", false}, // the payer forbids it, whatever the reason
		{"42", "Y", false},
		{"72", "R", false}, // a bad member ID stays bad
		{"72", "C", false},
		{"75", "W", true}, // wait 30 days: the enrollment may not be loaded yet
		{"75", "X", true},
		{"79", "P", true}, // resubmit the original
		{"75", "S", false},
		{"", "", false},
	}
	for _, c := range cases {
		if got := RetryAfterReject(c.reason, c.action); got != c.want {
			t.Errorf("RetryAfterReject(%q, %q) = %v, want %v", c.reason, c.action, got, c.want)
		}
	}
	for code, want := range map[string]bool{"42": true, "80": true, "72": false, "75": false, "T4": false} {
		if got := RejectRetryable(code); got != want {
			t.Errorf("RejectRetryable(%s) = %v, want %v", code, got, want)
		}
	}
}

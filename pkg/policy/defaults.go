package policy

// Default returns the policy a practice starts with for kind k. The
// numbers follow common practice in dental billing follow-up; docs/policy.md
// explains each.
func Default(k Kind) Policy {
	switch k {
	case BalanceFollowup:
		return Policy{Kind: k, SLADays: 2, MaxNextContactDays: 45,
			Thresholds: Thresholds{BalanceMinCents: 50_00, BalanceMinAgeDays: 30},
			Cadence: []Step{
				{0, Statement}, {7, Text}, {14, Call}, {30, Call}, {60, FinalNotice}, {90, PracticeReview},
			}}
	case ClaimFollowup:
		return Policy{Kind: k, SLADays: 3, MaxNextContactDays: 30,
			Thresholds: Thresholds{ClaimUnpaidDays: 30},
			Cadence: []Step{
				{0, PayerPortal}, {14, PayerCall}, {30, PayerCall}, {45, PracticeReview},
			}}
	case Recare:
		return Policy{Kind: k, SLADays: 3, MaxNextContactDays: 60,
			Thresholds: Thresholds{RecallDueWithinDays: 30},
			Cadence: []Step{
				{0, Text}, {3, Call}, {10, Email}, {30, Call}, {60, Statement},
			}}
	case TreatmentFollowup:
		return Policy{Kind: k, SLADays: 5, MaxNextContactDays: 60,
			Thresholds: Thresholds{TreatmentUnscheduledDays: 14},
			Cadence: []Step{
				{0, Call}, {7, Text}, {21, Call}, {45, Email}, {90, PracticeReview},
			}}
	case EligibilityCheck:
		return Policy{Kind: k, SLADays: 1, MaxNextContactDays: 7,
			Thresholds: Thresholds{EligibilityDaysAhead: DefaultEligibilityDaysAhead, EligibilityFreshDays: DefaultEligibilityFreshDays},
			Cadence:    []Step{{0, PayerPortal}, {1, PayerCall}}}
	}
	return Policy{Kind: k}
}

// DefaultContactRules are the contact rules a practice starts with: no
// contact between 8 pm and 8 am in the patient's time zone, at most three
// contacts per patient per week across all kinds, every channel allowed,
// and texts only to patients who consented.
func DefaultContactRules() ContactRules {
	return ContactRules{
		QuietStart: "20:00", QuietEnd: "08:00", MaxContactsPerWeek: 3,
		Channels:            []Action{Call, Text, Email, Statement, FinalNotice},
		TextConsentRequired: true,
	}
}

package workqueue

import (
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/services/internal/api"
)

// The reports' answers are workreport's figures in the API's shape. Each
// part converts field for field, so a figure added to a report and not to
// its answer (or the other way round) stops the build here.

func boardFrom(b report.Board) api.Board {
	return api.Board{At: b.At, Depth: api.Each(b.Depth, depthFrom), Agents: api.Each(b.Agents, agentLoadFrom),
		OnShift: b.OnShift, History: api.Each(b.History, dayDepthFrom), Breaches: api.Each(b.Breaches, breachFrom),
		Totals: depthFrom(b.Totals), Clearinghouse: api.Each(b.Clearinghouse, inquiriesFrom)}
}

func depthFrom(d report.Depth) api.Depth             { return api.Depth(d) }
func agentLoadFrom(l report.AgentLoad) api.AgentLoad { return api.AgentLoad(l) }
func dayDepthFrom(d report.DayDepth) api.DayDepth    { return api.DayDepth(d) }
func breachFrom(b report.Breach) api.Breach          { return api.Breach(b) }
func inquiriesFrom(n report.Inquiries) api.Inquiries { return api.Inquiries(n) }

func summaryFrom(s report.PracticeSummary) api.PracticeSummary {
	return api.PracticeSummary{PracticeID: s.PracticeID, At: s.At, WeekStart: s.WeekStart,
		ByState: api.Each(s.ByState, stateCountFrom), Overdue: api.Each(s.Overdue, kindCountFrom),
		ResolvedThisWeek: api.Each(s.ResolvedThisWeek, kindCountFrom), ClosedThisWeek: api.Each(s.ClosedThisWeek, kindCountFrom),
		ThisWeek: api.Money(s.ThisWeek), Last30Days: api.Money(s.Last30Days), LastContacts: api.Each(s.LastContacts, lastContactFrom),
		ARAging: api.Each(s.ARAging, agingFrom), Recare: api.Recare(s.Recare), Treatment: api.Treatment(s.Treatment),
		Clearinghouse: api.Each(s.Clearinghouse, inquiriesFrom)}
}

func stateCountFrom(c report.StateCount) api.StateCount    { return api.StateCount(c) }
func kindCountFrom(c report.KindCount) api.KindCount       { return api.KindCount(c) }
func lastContactFrom(c report.LastContact) api.LastContact { return api.LastContact(c) }
func agingFrom(b report.AgingBucket) api.AgingBucket       { return api.AgingBucket(b) }

func coverageDayFrom(d report.CoverageDay) api.CoverageDay { return api.CoverageDay(d) }

package scalebench_test

import "github.com/backdesk/backdesk/pkg/audit/auditstore"

// auditLookups are the lookups behind compliance's audit searches.
var auditLookups = []lookup{
	// Compliance's searches (auditstore.Search): a page of 50, newest
	// first, or a month oldest first for the export.
	{name: "audit: search by patient", sql: `SELECT seq, body FROM audit_events
WHERE seq IN (SELECT event_seq FROM audit_event_patients WHERE patient_id = $1) ORDER BY seq DESC`,
		args: func(s sample) []any { return []any{s.patient} }},
	{name: "audit: search by practice (its admin)", sql: `SELECT seq, body FROM audit_events
WHERE practice_id IN ($1) AND practice_id = $2 ORDER BY seq DESC LIMIT $3`,
		args: func(s sample) []any { return []any{s.practice, s.practice, int64(50)} }},
	{name: "audit: search by actor", sql: `SELECT seq, body FROM audit_events WHERE actor_subject = $1 ORDER BY seq DESC LIMIT $2`,
		args: func(s sample) []any { return []any{s.actor, int64(50)} }},
	searchLookup("audit: search by time range", func(s sample) auditstore.Query {
		return auditstore.Query{From: s.dayFrom, To: s.dayTo, Limit: 50}
	}),
	searchLookup("audit: export of a month", func(s sample) auditstore.Query {
		return auditstore.Query{From: s.dayTo.AddDate(0, 0, -30), To: s.dayTo, OldestFirst: true}
	}),
}

// searchLookup is the statement auditstore.Search sends for a query, as
// it builds it.
func searchLookup(name string, query func(sample) auditstore.Query) lookup {
	return lookup{name: name, sqlOf: func(s sample) (string, []any) { return query(s).Statement(true) }}
}

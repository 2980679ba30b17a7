package scalebench_test

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
	{name: "audit: search by time range", sql: `SELECT seq, body FROM audit_events WHERE at >= $1 AND at < $2 ORDER BY seq DESC LIMIT $3`,
		args: func(s sample) []any { return []any{s.dayFrom, s.dayTo, int64(50)} }},
	{name: "audit: export of a month", sql: `SELECT seq, body FROM audit_events WHERE at >= $1 AND at < $2 ORDER BY seq`,
		args: func(s sample) []any { return []any{s.dayTo.AddDate(0, 0, -30), s.dayTo} }},
}

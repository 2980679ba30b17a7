// Package scalebench measures how the costs of Backdesk's operations grow
// with the data: it loads a synthetic billing company of 1%, 10% or 100%
// of a large one's size into PostgreSQL (pkg/testenv/scale), serves the
// workqueue and audit routes in-process as production builds them
// (catalog.Build), and times the agent's queue, next and item view, the
// managers' board, a practice's summary, compliance's audit searches and
// export, the daily work generation and the routing reconciler, with the
// database round trips of each. Its tests also check the query plans of
// the lookups behind those operations for sequential scans of the big
// tables. docs/development.md, "Costs as the data grows", has the figures
// and how to reproduce them.
package scalebench

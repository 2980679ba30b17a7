-- On PostgreSQL a search by time range is bounded by seq and reads the
-- events recorded late from audit_events_late; see the PostgreSQL
-- migration of the same number. SQLite serves one process and a small
-- trail, and its searches read the range through audit_events_at, so it
-- needs neither.
SELECT 1;

-- A practice's summary reads one range of an index per statement; see the
-- PostgreSQL migration of the same number. SQLite has no INCLUDE: the
-- history index carries the practice's contacts in the order the summary
-- walks them.
CREATE INDEX activities_practice_history ON activities (practice_id, at DESC, patient_id, id);
DROP INDEX activities_practice_at;

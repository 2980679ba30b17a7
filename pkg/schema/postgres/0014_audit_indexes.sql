-- Every PHI read waits for its audit event's commit, and every index on
-- audit_events is written by that commit. Searches page by seq (the
-- primary key) and narrow by practice, patient, actor or time, which keep
-- their indexes; action and outcome are filters too unselective to need
-- one (a handful of values each), so their indexes cost every read and
-- served no query plan.
DROP INDEX audit_events_action;
DROP INDEX audit_events_outcome;

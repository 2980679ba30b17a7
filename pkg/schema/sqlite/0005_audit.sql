-- The audit trail; see the PostgreSQL migration of the same number for the
-- meaning of each table. SQLite has one writer at a time, so seq order is
-- commit order and the integrator needs no lock beyond its transaction.
CREATE TABLE audit_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT UNIQUE NOT NULL,
    at            TIMESTAMP NOT NULL,
    practice_id   TEXT,
    patient_id    TEXT,
    actor_subject TEXT NOT NULL,
    action        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX audit_events_practice ON audit_events (practice_id, at);
CREATE INDEX audit_events_patient ON audit_events (patient_id, at) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_events_actor ON audit_events (actor_subject, at);
CREATE INDEX audit_events_action ON audit_events (action, at);
CREATE INDEX audit_events_outcome ON audit_events (outcome, at);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE TABLE audit_leaves (
    leaf_index BIGINT PRIMARY KEY,
    event_seq  BIGINT UNIQUE NOT NULL REFERENCES audit_events (seq),
    leaf_hash  TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
    size         BIGINT PRIMARY KEY,
    root_hash    TEXT NOT NULL,
    range_hashes TEXT NOT NULL,
    note         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- Append-only: nothing may change or remove a row once written.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit table audit_events is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit table audit_events is append-only: DELETE refused'); END;
CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE ON audit_leaves
BEGIN SELECT RAISE(ABORT, 'audit table audit_leaves is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
BEGIN SELECT RAISE(ABORT, 'audit table audit_leaves is append-only: DELETE refused'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit table audit_checkpoints is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit table audit_checkpoints is append-only: DELETE refused'); END;

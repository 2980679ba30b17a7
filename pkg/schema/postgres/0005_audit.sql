-- The audit trail. audit_events holds each event's canonical JSON (body);
-- the other columns copy body fields so compliance staff can search, and
-- verification checks that they still agree with it. audit_leaves and
-- audit_checkpoints are the RFC 6962 Merkle log built over the bodies by
-- the integrator: leaf_index is assigned by it in seq order, because a
-- sequence leaves gaps after rollbacks. range_hashes is the compact range
-- of the tree at that size (hex, comma-separated), so the next integration
-- costs O(batch), not O(tree).
CREATE TABLE audit_events (
    seq           BIGSERIAL PRIMARY KEY,
    id            TEXT UNIQUE NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
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
    created_at   TIMESTAMPTZ NOT NULL
);

-- Append-only: nothing may change or remove a row once written. The
-- application role will also lack UPDATE and DELETE; the trigger holds even
-- for roles that have them.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_leaves_append_only BEFORE UPDATE OR DELETE ON audit_leaves
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_leaves_no_truncate BEFORE TRUNCATE ON audit_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

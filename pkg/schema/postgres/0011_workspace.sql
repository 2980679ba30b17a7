-- Activities: the append-only account history of a work item. Every
-- outcome an agent logs is one row: who, how (channel), what happened,
-- the note, and the next contact date when the item is not finished.
CREATE TABLE activities (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    work_item_id    TEXT NOT NULL REFERENCES work_items (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    actor_id        TEXT NOT NULL,
    channel         TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    next_contact_at TIMESTAMPTZ,
    promised_cents  BIGINT NOT NULL DEFAULT 0,
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX activities_item ON activities (work_item_id, at);
CREATE INDEX activities_patient ON activities (patient_id, at);

-- A started item is leased to its owner; an abandoned lease returns it to
-- the owner's queue.
ALTER TABLE work_items ADD COLUMN lease_until TIMESTAMPTZ;

ALTER TABLE activities ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON activities
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
-- The history is append-only for the application.
REVOKE UPDATE, DELETE, TRUNCATE ON activities FROM backdesk_app;
GRANT SELECT, INSERT ON activities TO backdesk_app;

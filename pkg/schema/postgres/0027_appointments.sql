-- The practice's schedule, imported like its other records and upserted by
-- the practice's own appointment id. An outsourced billing office verifies
-- insurance before the visit, so it needs the visits coming up: the daily
-- generation reads a practice's appointments by start time, a few business
-- days ahead. A start is an instant; files give the practice's wall clock,
-- which the import reads in the practice's time zone. Cancelled visits stay
-- stored (a later export may book them again) and are left out by status.
CREATE TABLE appointments (
    id                 TEXT PRIMARY KEY,
    practice_id        TEXT NOT NULL REFERENCES practices (id),
    patient_id         TEXT NOT NULL REFERENCES patients (id),
    external_id        TEXT NOT NULL,
    starts_at          TIMESTAMPTZ NOT NULL,
    location           TEXT NOT NULL DEFAULT '',
    provider           TEXT NOT NULL DEFAULT '',
    planned_procedures TEXT NOT NULL DEFAULT '',
    payer_name         TEXT NOT NULL DEFAULT '',
    subscriber_id      TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL
                       CHECK (status IN ('scheduled', 'confirmed', 'cancelled', 'broken', 'completed')),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX appointments_external ON appointments (practice_id, external_id);
CREATE INDEX appointments_starts ON appointments (practice_id, starts_at);

-- Patient data like the other records: the application role reads and
-- writes it, and row-level security keeps it to the transaction's practice
-- (0009).
GRANT SELECT, INSERT, UPDATE, DELETE ON appointments TO backdesk_app;
ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON appointments
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

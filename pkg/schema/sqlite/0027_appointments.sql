-- The practice's schedule, imported like its other records and upserted by
-- the practice's own appointment id. The daily generation reads a
-- practice's appointments by start time, a few business days ahead. A start
-- is an instant, kept in UTC. Cancelled visits stay stored and are left out
-- by status. (Row-level security is PostgreSQL's; see its 0027.)
CREATE TABLE appointments (
    id                 TEXT PRIMARY KEY,
    practice_id        TEXT NOT NULL REFERENCES practices (id),
    patient_id         TEXT NOT NULL REFERENCES patients (id),
    external_id        TEXT NOT NULL,
    starts_at          TIMESTAMP NOT NULL,
    location           TEXT NOT NULL DEFAULT '',
    provider           TEXT NOT NULL DEFAULT '',
    planned_procedures TEXT NOT NULL DEFAULT '',
    payer_name         TEXT NOT NULL DEFAULT '',
    subscriber_id      TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL
                       CHECK (status IN ('scheduled', 'confirmed', 'cancelled', 'broken', 'completed')),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX appointments_external ON appointments (practice_id, external_id);
CREATE INDEX appointments_starts ON appointments (practice_id, starts_at);

-- The business associate agreement a practice must sign before activation.
ALTER TABLE practices ADD COLUMN baa_signer_name TEXT;
ALTER TABLE practices ADD COLUMN baa_signer_title TEXT;
ALTER TABLE practices ADD COLUMN baa_signed_on TEXT;
ALTER TABLE practices ADD COLUMN baa_document_sha256 TEXT;
ALTER TABLE practices ADD COLUMN baa_recorded_by TEXT;
ALTER TABLE practices ADD COLUMN baa_recorded_at TIMESTAMP;
-- Lifecycle: why and when the practice last changed status, and until when
-- an offboarded practice's data is kept.
ALTER TABLE practices ADD COLUMN status_reason TEXT;
ALTER TABLE practices ADD COLUMN status_changed_at TIMESTAMP;
ALTER TABLE practices ADD COLUMN retain_until TEXT;

CREATE TABLE locations (
    id            TEXT PRIMARY KEY,
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    name          TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL,
    state         TEXT NOT NULL,
    postal_code   TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX locations_practice ON locations (practice_id, created_at);

-- Follow-up policy per practice and work kind, and the contact rules (kind
-- 'contact'), as JSON validated by the application.
CREATE TABLE practice_policies (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (practice_id, kind)
);

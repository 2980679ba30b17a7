-- What payers said about claims, from imported X12 files: remittance
-- advice (835) per claim payment, and claim status (277 and 277CA) per
-- status line. Both are history: rows are only ever added. fingerprint
-- identifies the same statement from the same file content, so importing
-- a file again adds nothing.
CREATE TABLE claim_remittances (
    id                           TEXT PRIMARY KEY,
    practice_id                  TEXT NOT NULL REFERENCES practices (id),
    claim_id                     TEXT NOT NULL REFERENCES claims (id),
    import_id                    TEXT NOT NULL,
    fingerprint                  TEXT NOT NULL,
    payer_name                   TEXT NOT NULL DEFAULT '',
    check_number                 TEXT NOT NULL DEFAULT '',
    payment_date                 TEXT NOT NULL DEFAULT '',
    status_code                  TEXT NOT NULL,
    charge_cents                 BIGINT NOT NULL,
    paid_cents                   BIGINT NOT NULL,
    patient_responsibility_cents BIGINT NOT NULL,
    payer_claim_control          TEXT NOT NULL DEFAULT '',
    adjustments                  TEXT NOT NULL DEFAULT '[]',
    service_lines                TEXT NOT NULL DEFAULT '[]',
    created_at                   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX claim_remittances_fingerprint ON claim_remittances (practice_id, fingerprint);
CREATE INDEX claim_remittances_claim ON claim_remittances (claim_id, created_at);

CREATE TABLE claim_status_events (
    id                  TEXT PRIMARY KEY,
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    claim_id            TEXT NOT NULL REFERENCES claims (id),
    import_id           TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    category            TEXT NOT NULL,
    code                TEXT NOT NULL DEFAULT '',
    entity              TEXT NOT NULL DEFAULT '',
    effective_date      TEXT NOT NULL DEFAULT '',
    payer_claim_control TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX claim_status_events_fingerprint ON claim_status_events (practice_id, fingerprint);
CREATE INDEX claim_status_events_claim ON claim_status_events (claim_id, created_at);

-- Where a claim follow-up stands with the payer, beyond its state: e.g.
-- denied and needing an appeal or a corrected claim, with the reasons.
ALTER TABLE work_items ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN stage_reason TEXT NOT NULL DEFAULT '';

ALTER TABLE claim_remittances ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON claim_remittances
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
ALTER TABLE claim_status_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON claim_status_events
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
REVOKE UPDATE, DELETE, TRUNCATE ON claim_remittances, claim_status_events FROM backdesk_app;
GRANT SELECT, INSERT ON claim_remittances, claim_status_events TO backdesk_app;

-- The practice's data, upserted by the practice's own ids. Every row is
-- scoped to its practice; no query reaches across practices.
CREATE TABLE patients (
    id                TEXT PRIMARY KEY,
    practice_id       TEXT NOT NULL REFERENCES practices (id),
    external_id       TEXT NOT NULL,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    date_of_birth     TEXT NOT NULL,
    phone             TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    address_line1     TEXT NOT NULL DEFAULT '',
    address_line2     TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL DEFAULT '',
    postal_code       TEXT NOT NULL DEFAULT '',
    guarantor_name    TEXT NOT NULL DEFAULT '',
    preferred_channel TEXT NOT NULL DEFAULT '',
    text_consent      BOOLEAN NOT NULL DEFAULT FALSE,
    do_not_contact    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX patients_external ON patients (practice_id, external_id);

CREATE TABLE balances (
    id                  TEXT PRIMARY KEY,
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    external_id         TEXT NOT NULL,
    total_cents         BIGINT NOT NULL,
    aged_0_30_cents     BIGINT NOT NULL DEFAULT 0,
    aged_31_60_cents    BIGINT NOT NULL DEFAULT 0,
    aged_61_90_cents    BIGINT NOT NULL DEFAULT 0,
    aged_over_90_cents  BIGINT NOT NULL DEFAULT 0,
    last_statement_date TEXT NOT NULL DEFAULT '',
    last_payment_date   TEXT NOT NULL DEFAULT '',
    last_payment_cents  BIGINT NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX balances_external ON balances (practice_id, external_id);

CREATE TABLE claims (
    id                          TEXT PRIMARY KEY,
    practice_id                 TEXT NOT NULL REFERENCES practices (id),
    patient_id                  TEXT NOT NULL REFERENCES patients (id),
    external_id                 TEXT NOT NULL,
    payer_name                  TEXT NOT NULL,
    payer_id                    TEXT NOT NULL DEFAULT '',
    subscriber_id               TEXT NOT NULL DEFAULT '',
    date_of_service             TEXT NOT NULL,
    submitted_date              TEXT NOT NULL DEFAULT '',
    billed_cents                BIGINT NOT NULL,
    paid_cents                  BIGINT NOT NULL DEFAULT 0,
    patient_responsibility_cents BIGINT NOT NULL DEFAULT 0,
    status                      TEXT NOT NULL,
    created_at                  TIMESTAMP NOT NULL,
    updated_at                  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX claims_external ON claims (practice_id, external_id);

CREATE TABLE recalls (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    external_id     TEXT NOT NULL,
    recall_type     TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    last_visit_date TEXT NOT NULL DEFAULT '',
    scheduled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX recalls_external ON recalls (practice_id, external_id);

CREATE TABLE treatment_plans (
    id                  TEXT PRIMARY KEY,
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    external_id         TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '',
    est_patient_cents   BIGINT NOT NULL,
    presented_date      TEXT NOT NULL,
    scheduled           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX treatment_plans_external ON treatment_plans (practice_id, external_id);

-- Follow-up work: at most one open item per subject and kind.
CREATE TABLE work_items (
    id                TEXT PRIMARY KEY,
    practice_id       TEXT NOT NULL REFERENCES practices (id),
    patient_id        TEXT NOT NULL REFERENCES patients (id),
    kind              TEXT NOT NULL,
    subject_type      TEXT NOT NULL,
    subject_id        TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'open'
                      CHECK (state IN ('open', 'assigned', 'in_progress', 'waiting', 'resolved', 'closed')),
    owner_id          TEXT,
    priority          INTEGER NOT NULL DEFAULT 0,
    priority_reasons  TEXT NOT NULL DEFAULT '[]',
    next_contact_at   TIMESTAMP,
    due_at            TIMESTAMP NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    cadence_step      INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX work_items_open_subject ON work_items (subject_type, subject_id, kind)
    WHERE state NOT IN ('resolved', 'closed');
CREATE INDEX work_items_practice ON work_items (practice_id, state, kind);
CREATE INDEX work_items_patient ON work_items (patient_id);

-- Imports of practice data and their reports. The file is kept only until
-- the import has run.
CREATE TABLE imports (
    id            TEXT PRIMARY KEY,
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    kind          TEXT NOT NULL,
    preset        TEXT NOT NULL,
    mapping       TEXT NOT NULL DEFAULT '{}',
    filename      TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    dry_run       BOOLEAN NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    rows_read     INTEGER NOT NULL DEFAULT 0,
    rows_applied  INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    items_created INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT,
    error_message TEXT,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    started_at    TIMESTAMP,
    finished_at   TIMESTAMP
);
CREATE INDEX imports_practice ON imports (practice_id, created_at);

-- Uploaded files in chunks, so neither the upload nor the import ever
-- holds a whole file in memory.
CREATE TABLE import_files (
    import_id TEXT NOT NULL REFERENCES imports (id),
    seq       INTEGER NOT NULL,
    content   BLOB NOT NULL,
    PRIMARY KEY (import_id, seq)
);

CREATE TABLE import_errors (
    import_id TEXT NOT NULL REFERENCES imports (id),
    seq       INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    col       TEXT NOT NULL,
    rule      TEXT NOT NULL,
    message   TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
